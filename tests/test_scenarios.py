"""Scenario files: the golden scenarios of the national base, matching, filters and diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verzuimdsl.scenarios import (
    ScenarioFileError,
    discover,
    load_file,
    matches_filter,
    render_outcome,
    run_file,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "protocols" / "nl" / "leerplichtwet.scenarios.toml"
BASE = (ROOT / "protocols" / "nl" / "leerplichtwet.vz").as_posix()

HEAD = f"""
protocol = "{BASE}"
[standaard]
leerling = {{ geboortedatum = 2012-03-04, schoolsoort = "vo" }}
kalender = {{ regio = "zuid", schooljaar = "2025-2026" }}
"""

SIXTEEN = """
[[scenario]]
naam = "zestien"
peildatum = 2025-09-30
gebeurtenissen = [{ datum = 2025-09-01, soort = "ongeoorloofd", tot = 2025-09-03 }]
"""


def write(tmp_path: Path, body: str, name: str = "proef.scenarios.toml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_golden_scenarios_of_the_national_base_pass() -> None:
    outcomes = run_file(GOLDEN)
    assert len(outcomes) >= 15
    failed = [render_outcome(o) for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert summary(outcomes).endswith("0 mislukt")


def test_partial_match_and_count(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        SIXTEEN
        + """
  [[scenario.verwacht]]
  regel = "wettelijk_verzuim"
  aantal = 2
  [[scenario.verwacht]]
  actie = "DIGITAAL VERZUIMLOKET"
  modaliteit = "moet"
  termijn = 2025-09-10
""",
    )
    [outcome] = run_file(path)
    assert outcome.passed, outcome.failures


def test_a_failure_shows_the_closest_action_key_by_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        SIXTEEN
        + """
  [[scenario.verwacht]]
  regel = "wettelijk_verzuim"
  actor = "school"
  termijn = 2025-09-11
""",
    )
    [outcome] = run_file(path)
    assert not outcome.passed
    text = render_outcome(outcome)
    assert "✗ zestien" in text and "proef.scenarios.toml:" in text
    assert "verwacht een actie met" in text
    assert "termijn = 2025-09-10  ✗ (verwacht 2025-09-11)" in text
    assert "regel   = wettelijk_verzuim  ✓" in text
    assert "acties van deze leerling:" in text


def test_complete_forbidden_and_classifications(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        SIXTEEN
        + """
volledig = true
  [[scenario.verwacht]]
  actor = "school"
  [[scenario.niet_verwacht]]
  actor = "leerplichtambtenaar"
  [[scenario.classificatie]]
  label = "thuiszitter"
""",
    )
    [outcome] = run_file(path)
    joined = "\n".join(outcome.failures)
    assert "onverwachte actie (volledig = true)" in joined
    assert "niet verwacht, maar wel gevonden" in joined
    assert "verwacht een classificatie" in joined and "er is geen enkele classificatie" in joined


def test_name_filter() -> None:
    assert matches_filter("Herhaalmelding: hooguit 1 per 7 dagen", ["herhaal", "7 DAGEN"])
    assert not matches_filter("Herhaalmelding", ["lrv"])
    outcomes = run_file(GOLDEN, ["luxe"])
    assert [o.scenario.name for o in outcomes] == ["luxe verzuim: melden, ook onder de 16 uur"]


def test_timeline_file_and_timeline_problems(tmp_path: Path) -> None:
    tl = {
        "format": "vz-timeline/1",
        "student": {"id": "J-1", "birth_date": "2012-03-04", "school_type": "vo"},
        "calendar": {"region": "zuid", "school_year": "2025-2026"},
        "as_of": "2025-09-30",
        "events": [{"date": "2025-09-01", "type": "absence", "authorized": False, "until": "2025-09-03"}],
    }
    (tmp_path / "t.json").write_text(json.dumps(tl))
    path = write(
        tmp_path,
        """
[[scenario]]
naam = "uit bestand"
tijdlijn = "t.json"
  [[scenario.verwacht]]
  regel = "wettelijk_verzuim"
  datum = 2025-09-03
[[scenario]]
naam = "kapotte tijdlijn"
peildatum = 2025-09-30
gebeurtenissen = [{ datum = 2025-09-01, soort = "ongeoorloofd", uren = -3 }]
""",
    )
    first, second = run_file(path)
    assert first.passed, first.failures
    assert not second.passed
    assert second.failures == ("tijdlijn: events[0].hours: uren kunnen niet negatief zijn",)


def test_bad_scenario_files_are_reported_with_line_and_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[scenario]]
naam = "eerste"
peildatum = 2025-09-30
verwachting = []
  [[scenario.verwacht]]
  regels = "x"
""",
    )
    with pytest.raises(ScenarioFileError) as info:
        load_file(path)
    text = str(info.value)
    line = path.read_text().splitlines().index('naam = "eerste"') + 1
    assert f"proef.scenarios.toml:{line}: onbekende sleutel 'verwachting'; bedoelde u 'verwacht'?" in text
    assert "onbekende sleutel 'regels'; bedoelde u 'regel'?" in text
    broken = tmp_path / "kapot.scenarios.toml"
    broken.write_text("[[scenario]\n")
    with pytest.raises(ScenarioFileError, match="geen geldige TOML"):
        load_file(broken)
    orphan = tmp_path / "wees.scenarios.toml"
    orphan.write_text('[[scenario]]\nnaam = "x"\n')
    with pytest.raises(ScenarioFileError, match="bestaat niet"):
        load_file(orphan)


def test_discover_finds_the_file_beside_a_protocol(tmp_path: Path) -> None:
    (tmp_path / "regio.vz").write_text("")
    (tmp_path / "regio.scenarios.toml").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.scenarios.toml").write_text("")
    assert discover([tmp_path / "regio.vz"]) == [(tmp_path / "regio.scenarios.toml").resolve()]
    assert len(discover([tmp_path])) == 2
