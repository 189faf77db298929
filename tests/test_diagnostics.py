"""One bad and one good example per diagnostic code, with golden output.

The bad example must produce exactly its golden output (which names the code); the good
example, a minimal fix of the bad one, must check clean. Set VZ_UPDATE_GOLDEN=1 to rewrite
the goldens after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verzuimdsl.check import check_file
from verzuimdsl.diagnostics import render_human, render_json
from verzuimdsl.messages import CATALOGUE

HERE = Path(__file__).parent / "diagnostics"
CASES = sorted(p.name for p in HERE.iterdir() if p.is_dir())
UPDATE = os.environ.get("VZ_UPDATE_GOLDEN") == "1"
# codes whose examples need a file system the repository cannot hold (see the tests below)
RUNTIME_ONLY = {"VZ005", "VZ015"}


PROTOCOLS = Path(__file__).resolve().parents[1] / "protocols"


def _check(case: str, name: str):  # type: ignore[no-untyped-def]
    """Law examples (marked by a LAW file) are checked against the real national base."""
    if (HERE / case / "LAW").exists():
        return check_file(Path(name), root=PROTOCOLS, law=True)
    return check_file(Path(name), root=Path("."))


def _render(case: str, lang: str) -> str:
    result = _check(case, "bad.vz")
    return render_human(result.diagnostics, result.sources, lang) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_bad_example_matches_golden(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE / case)
    for lang in ("nl", "en"):
        out = _render(case, lang)
        golden = HERE / case / f"bad.{lang}.txt"
        if UPDATE:
            golden.write_text(out, encoding="utf-8")
        assert out == golden.read_text(encoding="utf-8")
    result = _check(case, "bad.vz")
    assert case in {d.code for d in result.diagnostics}


@pytest.mark.parametrize("case", CASES)
def test_good_example_is_clean(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE / case)
    result = _check(case, "good.vz")
    assert result.diagnostics == (), render_human(result.diagnostics, result.sources)
    assert result.ok


def test_every_code_has_an_example() -> None:
    assert set(CATALOGUE) == set(CASES) | RUNTIME_ONLY


def test_json_output_names_code_span_and_help(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.chdir(HERE / "VZ010")
    result = check_file(Path("bad.vz"), root=Path("."))
    data = json.loads(render_json(result.diagnostics))
    assert data["format"] == "vz-diagnostics/1"
    (d,) = data["diagnostics"]
    assert d["code"] == "VZ010"
    assert d["severity"] == "error"
    assert d["span"]["file"] == "bad.vz"
    assert d["span"]["line"] == 15 and d["span"]["column"] == 3
    assert d["help"] == "bedoelde je `school`?"


def test_unreadable_import_is_vz005(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "kapot.vz").write_bytes(b"protocol kapot \xff\xfe")
    (tmp_path / "regio.vz").write_text('protocol regio "Regio" {\n  gebruikt nl.kapot\n}\n')
    monkeypatch.chdir(tmp_path)
    result = check_file(Path("regio.vz"))
    assert [d.code for d in result.diagnostics] == ["VZ005"]
    assert "nl/kapot.vz" in result.diagnostics[0].message()
    assert result.diagnostics[0].span.line == 2


def test_import_through_link_outside_root_is_vz015(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "buiten"
    outside.mkdir()
    (outside / "geheim.vz").write_text('protocol geheim "Geheim" {\n}\n')
    root = tmp_path / "protocols"
    (root / "nl").mkdir(parents=True)
    (root / "nl" / "geheim.vz").symlink_to(outside / "geheim.vz")
    (root / "regio.vz").write_text('protocol regio "Regio" {\n  gebruikt nl.geheim\n}\n')
    monkeypatch.chdir(root)
    result = check_file(Path("regio.vz"))
    assert [d.code for d in result.diagnostics] == ["VZ015"]
    assert not result.ok


def test_all_errors_are_collected_in_one_run(tmp_path: Path) -> None:
    text = (HERE / "VZ010" / "bad.vz").read_text()
    text = text.replace("schooljaar 2025-2026", "schooljaar 2025-2026\n  regio oost")
    text += (
        'regel tweede "Tweede" {\n  bron "x"\n  wanneer minstens 16 uur ongeoorloofd binnen 4 uur\n'
    )
    text += '  school moet "Melding" binnen 2 uur\n}\nregel derde "Derde" { bron "x" wanneer 6 keer\n}\n'
    path = tmp_path / "veel.vz"
    path.write_text(text)
    codes = [d.code for d in check_file(path, root=tmp_path).diagnostics]
    # a syntax error in one declaration does not hide the others' problems
    assert codes.count("VZ001") == 1
    assert {"VZ010", "VZ021", "VZ022"} <= set(codes)
