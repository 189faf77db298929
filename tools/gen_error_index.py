"""Write docs/errors.md: every diagnostic code with its bad example, output and fix.

Run `python tools/gen_error_index.py`; tests/test_error_index.py fails when the file is stale.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verzuimdsl.messages import CATALOGUE  # noqa: E402

EXAMPLES = ROOT / "tests" / "diagnostics"
RUNTIME_NOTES = {
    "VZ005": "Een gebruikte module kan niet gelezen worden (bijvoorbeeld geen UTF-8). "
    "Zie `tests/test_diagnostics.py::test_unreadable_import_is_vz005`.",
    "VZ015": "Een gebruikte module wijst (via een symbolische link) naar een bestand buiten "
    "de protocolmap. Zie `tests/test_diagnostics.py::test_import_through_link_outside_root_is_vz015`.",
}


def _fix(case: Path) -> str:
    bad = (case / "bad.vz").read_text(encoding="utf-8").splitlines()
    good = (case / "good.vz").read_text(encoding="utf-8").splitlines()
    diff = difflib.unified_diff(bad, good, "bad.vz", "good.vz", lineterm="", n=1)
    return "\n".join(list(diff)[2:])


def render() -> str:
    out = [
        "# Foutcodes van vzc",
        "",
        "Elke melding van `vzc check` heeft een vaste code. Per code: wat er mis is, een",
        "voorbeeld, wat vzc meldt, en de verbetering (als diff). De voorbeelden staan in",
        "`tests/diagnostics/<code>/` en worden door de tests gecontroleerd.",
        "",
        "| code | soort | betekenis |",
        "|---|---|---|",
    ]
    for code, m in CATALOGUE.items():
        out.append(f"| [{code}](#{code.lower()}) | {m.severity.label('nl')} | {m.title} |")
    for code, m in CATALOGUE.items():
        out += ["", f"## {code}", "", f"**{m.title}** ({m.severity.label('nl')}).", ""]
        case = EXAMPLES / code
        if not case.is_dir():
            out.append(RUNTIME_NOTES[code])
            continue
        out += [
            "Wat vzc meldt:",
            "",
            "```text",
            (case / "bad.nl.txt").read_text().rstrip(),
            "```",
            "",
        ]
        out += ["Verbetering:", "", "```diff", _fix(case), "```"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "errors.md").write_text(render(), encoding="utf-8")
