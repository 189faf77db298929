"""`vzc compare`: regions side by side, and the diff between two versions."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import verzuimdsl
from verzuimdsl.cli import cli
from verzuimdsl.compare import compare, diff

BASE = Path(__file__).resolve().parents[1] / "protocols" / "nl"

REGION_A = """protocol noordoost "Protocol Noordoost" {
  uitgever "Leerplicht Noordoost"
  schooljaar 2025-2026
  regio noord
  gebruikt nl.leerplichtwet
}
actor consulent "Consulent <b>leerrecht</b>" vervangt leerplichtambtenaar
regel laat_tien "Tien keer te laat" {
  bron "A, 2"
  wanneer 10 keer te_laat per schooljaar
  school moet "Melding overig verzuim" duocategorie overig_verzuim binnen 3 werkdagen aan consulent
}
regel laat_zes "Zes keer te laat" {
  bron "A, 2"
  wanneer 6 keer te_laat per schooljaar
  school moet "Waarschuwingsbrief naar ouders"
}
regel ziek_lang "Langdurig ziek" {
  bron "A, 3"
  wanneer meer dan 7 schooldagen aaneengesloten ziek
  school moet "Aanmelden bij de jeugdarts" binnen 5 werkdagen
}
"""

REGION_B = """protocol zuidwest "Protocol Zuidwest" {
  schooljaar 2025-2026
  gebruikt nl.leerplichtwet
}
regel ziek_vaak "Vaak ziek" {
  bron "B, 1"
  wanneer 4e keer ziek binnen 12 schoolweken
  school moet "Gesprek met ouders"
}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "nl").mkdir(exist_ok=True)
    for f in BASE.glob("*.vz"):
        (tmp_path / "nl" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / f"{name}.vz"
    path.write_text(text, encoding="utf-8")
    return path


def _cells(comparison, section: str, row: str):  # type: ignore[no-untyped-def]
    s = next(s for s in comparison.sections if s.title == section)
    return next(r for r in s.rows if r.label == row).cells


def test_side_by_side_thresholds_in_escalation_order(tmp_path: Path) -> None:
    a = verzuimdsl.load(_write(tmp_path, "a", REGION_A))
    b = verzuimdsl.load(_write(tmp_path, "b", REGION_B))
    c = compare([a, b])
    assert [col.id for col in c.columns] == ["noordoost", "zuidwest"]
    late_a, late_b = _cells(c, "Te laat komen", "Drempels")
    assert [x.split(" →")[0] for x in late_a] == [
        "Minstens 6 keer te laat per schooljaar",
        "Minstens 10 keer te laat per schooljaar",
    ]
    assert late_b == ()
    sick_a, sick_b = _cells(c, "Ziekteverzuim (M@ZL)", "Criteria")
    assert sick_a[0].startswith("Meer dan 7 schooldagen aaneengesloten ziek")
    assert sick_b[0].startswith("De 4e keer ziek binnen 12 schoolweken")


def test_deadlines_and_receivers_per_duo_category(tmp_path: Path) -> None:
    a = verzuimdsl.load(_write(tmp_path, "a", REGION_A))
    b = verzuimdsl.load(_write(tmp_path, "b", REGION_B))
    c = compare([a, b])
    overig_a, overig_b = _cells(c, "Termijnen", "Overig verzuim")
    assert overig_a == ("School moet melden binnen 3 werkdagen (Tien keer te laat)",)
    assert overig_b == ()
    sixteen_a, sixteen_b = _cells(c, "Wie ontvangt welke melding", "16 uur in 4 weken")
    # the base reports to the leerplichtambtenaar, whom region A replaced by its consulent
    assert sixteen_a == ("Consulent <b>leerrecht</b>",)
    assert sixteen_b == ("Leerplichtambtenaar",)


def test_html_escapes_protocol_text(tmp_path: Path) -> None:
    a = _write(tmp_path, "a", REGION_A)
    b = _write(tmp_path, "b", REGION_B)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["compare", str(a), str(b), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "Consulent &lt;b&gt;leerrecht&lt;/b&gt;" in html
    assert "<b>leerrecht</b>" not in html
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert "| **Drempels** |" in md
    # deterministic: the same input gives the same bytes
    CliRunner().invoke(cli, ["compare", str(a), str(b), "-o", str(tmp_path / "again")])
    assert (tmp_path / "again" / "compare.md").read_bytes() == md.encode("utf-8")


def test_diff_names_changed_added_and_removed(tmp_path: Path) -> None:
    old = verzuimdsl.load(_write(tmp_path, "old", REGION_A))
    new_text = (
        REGION_A.replace("binnen 3 werkdagen", "binnen 2 werkdagen").replace(
            'regel laat_zes "Zes keer te laat" {\n  bron "A, 2"\n  wanneer 6 keer te_laat per schooljaar\n  school moet "Waarschuwingsbrief naar ouders"\n}\n',
            "",
        )
        + 'actor rmc "RMC"\n'
    )
    new = verzuimdsl.load(_write(tmp_path, "new", new_text))
    changes = {(c.kind, c.what, c.id): c for c in diff(old, new)}
    changed = changes[("gewijzigd", "regel", "laat_tien")]
    ((aspect, before, after),) = changed.details
    assert aspect == "actie 1" and "3 werkdagen" in before and "2 werkdagen" in after
    assert ("nieuw", "actor", "rmc") in changes
    assert ("vervallen", "regel", "laat_zes") in changes
    assert len(changes) == 3


def test_cli_usage_and_problem_exit_codes(tmp_path: Path) -> None:
    a = _write(tmp_path, "a", REGION_A)
    runner = CliRunner()
    assert runner.invoke(cli, ["compare", str(a)]).exit_code == 2
    assert runner.invoke(cli, ["compare", "--diff", str(a), str(a), str(a)]).exit_code == 2
    broken = _write(tmp_path, "kapot", REGION_B.replace("schoolweken", "uur"))
    result = runner.invoke(cli, ["compare", str(a), str(broken)])
    assert result.exit_code == 1
    assert "VZ022" in result.output


def test_generated_compare_is_fresh(tmp_path: Path) -> None:
    """generated/compare/ is what `vzc compare` makes from the five regions today."""
    root = BASE.parent
    regions = [str(root / f"{r}.vz") for r in ("parkstad", "ruw", "ijsselvecht", "kopnh", "zhz")]
    result = CliRunner().invoke(cli, ["compare", *regions, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    committed = root.parent / "generated" / "compare"
    for name in ("compare.md", "compare.html"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), (
            f"generated/compare/{name} is stale: run scripts/main.sh"
        )
