"""The interpreter's semantics, one construct at a time, on small inline protocols.

Calendar facts (Zuid 2025-2026) used throughout: school starts Mon 18 Aug 2025; the
herfstvakantie runs Sat 11 - Sun 19 Oct 2025 (no school Mon 13 - Fri 17 Oct); the
kerstvakantie starts Sat 20 Dec 2025. Expected dates are worked out by hand in comments.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verzuimdsl import load
from verzuimdsl.calendar import calendar_for
from verzuimdsl.interpreter import compile_protocol, run, run_batch, run_timeline
from verzuimdsl.interpreter.batch import run_block
from verzuimdsl.interpreter.engine import Engine
from verzuimdsl.leerplicht import status_on
from verzuimdsl.protocol import Protocol
from verzuimdsl.timeline import TimelineError, parse_timeline

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

PRELUDE = """
protocol proef "Proef" { schooljaar 2025-2026 }
actor school "School" { rol mentor "Mentor" }
actor lpa "Leerplichtambtenaar"
actor jeugdarts "Jeugdarts"
actor halt "Halt"
duocategorie zestien "16 uur in 4 weken"
"""


def protocol(tmp_path: Path, body: str, name: str = "proef") -> Protocol:
    path = tmp_path / f"{name}.vz"
    path.write_text(PRELUDE.replace("proef", name, 1) + body, encoding="utf-8")
    return load(path, root=tmp_path)


def timeline(*events: dict[str, Any], as_of: str = "2025-12-19", birth: str = "2012-03-04", school_type: str = "vo") -> dict[str, Any]:
    return {
        "format": "vz-timeline/1",
        "student": {"id": "T-1", "birth_date": birth, "school_type": school_type},
        "calendar": {"region": "zuid", "school_year": "2025-2026"},
        "as_of": as_of,
        "events": list(events),
    }


def ab(d: str, hours: float | None = None, **kw: Any) -> dict[str, Any]:
    e: dict[str, Any] = {"date": d, "type": "absence", "authorized": False, **kw}
    if hours is not None:
        e["hours"] = hours
    return e


def ev(d: str, etype: str, **kw: Any) -> dict[str, Any]:
    return {"date": d, "type": etype, **kw}


def dates(result: Any, rule: str | None = None) -> list[str]:
    return [a.date.isoformat() for a in result.actions if rule is None or a.rule == rule]


# ---------------------------------------------------------------------------- thresholds


def test_sliding_window_fires_on_crossing_and_rearms_below(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer minstens 8 uur ongeoorloofd binnen 2 schoolweken school moet "Melden" }')
    # 4+4 = 8 on Tue 2 Sep: fires. Wed 3 and Mon 8 Sep stay above 8 (no re-arm). On Mon 15 Sep
    # the window is the weeks of 8 and 15 Sep: 4 before today's 8 hours, below 8, so it re-arms
    # and fires again with 12.
    r = run(p, timeline(ab("2025-09-01", 4), ab("2025-09-02", 4), ab("2025-09-03", 4), ab("2025-09-08", 4), ab("2025-09-15", 8)))
    assert dates(r) == ["2025-09-02", "2025-09-15"]
    assert (r.actions[0].begin, r.actions[0].end) == (date(2025, 9, 1), date(2025, 9, 2))
    assert r.actions[1].begin == date(2025, 9, 8)


def test_calendar_window_at_most_once_per_month(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer 3 keer te_laat per maand school moet "Gesprek" }')
    lates = [ev(d, "late") for d in ("2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-10-01", "2025-10-02", "2025-10-03")]
    assert dates(run(p, timeline(*lates))) == ["2025-09-03", "2025-10-03"]


def test_cumulative_count_fires_once(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer 6 keer te_laat school moet "Gesprek" }')
    cal = calendar_for("zuid")
    days = cal.school_days(date(2025, 9, 1), date(2025, 9, 30))
    r = run(p, timeline(*[ev(d.isoformat(), "late") for d in days]))
    assert dates(r) == ["2025-09-08"]  # 1, 2, 3, 4, 5, 8 September


def test_dagdelen(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer minstens 5 dagdelen ongeoorloofd binnen 4 schoolweken school moet "Melden" }')
    # Mon full day = 2, Tue 2 hours = 1 (partial), Wed dagdelen 1 = 1: 4. Thu full day: 6.
    r = run(p, timeline(ab("2025-09-01"), ab("2025-09-02", 2), ab("2025-09-03", dagdelen=1), ab("2025-09-04")), explain=True)
    assert dates(r) == ["2025-09-04"]
    assert r.actions[0].explain is not None and r.actions[0].explain["amount"] == "6 dagdelen"


@pytest.mark.parametrize("fourth, fires", [("2025-11-24", True), ("2025-12-01", False)])
def test_ordinal_count_in_school_weeks_skips_the_holiday(tmp_path: Path, fourth: str, fires: bool) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer 4e keer ziek binnen 12 schoolweken school.mentor moet "Bellen" }')
    # 12 school weeks back from the week of 24 Nov: 24, 17, 10, 3 Nov, 27, 20, 6 Oct (the
    # herfstvakantie is skipped), 29, 22, 15, 8, 1 Sep: 1 Sep is in, so the 4th report fires.
    # From 1 Dec the window starts at 8 Sep and holds only 3 reports.
    r = run(p, timeline(ev("2025-09-01", "sick"), ev("2025-09-15", "sick"), ev("2025-10-01", "sick"), ev(fourth, "sick")))
    assert dates(r) == ([fourth] if fires else [])
    if fires:
        assert r.actions[0].actor == "school.mentor"


def test_percent_of_school_time(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer minstens 50 procent ongeoorloofd binnen 2 schoolweken school moet "Melden" }')
    # Window = the weeks of 25 Aug and 1 Sep. Full days away Mon 1 - Fri 5 Sep: on Thu 4 Sep
    # 4 of 9 school days (44%), on Fri 5 Sep 5 of 10 (50%): fires then.
    r = run(p, timeline(ab("2025-09-01", days=5)))
    assert dates(r) == ["2025-09-05"]


def test_unknown_event_type_for_this_protocol(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer gebeurtenis te_laat school moet "x" }')
    with pytest.raises(TimelineError) as info:
        run(p, timeline(ev("2025-09-01", "verlofaanvraag")))
    assert info.value.problems[0].path == "events[0].type"


# ---------------------------------------------------------------------------- runs and classifications


def test_run_of_school_days_crosses_a_holiday_and_breaks_on_a_school_day(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer 4 schooldagen aaneengesloten ziek school.mentor moet "Bellen" }')
    r = run(
        p,
        timeline(
            # Thu 9, Fri 10 Oct, herfstvakantie, Mon 20, Tue 21 Oct: 4 school days in a row
            ev("2025-10-09", "sick", days=4),
            # Mon 3, Tue 4 Nov, not Wed 5, then Thu 6, Fri 7: never 4 in a row
            ev("2025-11-03", "sick", days=2),
            ev("2025-11-06", "sick", days=2),
            # a partial day is not a whole day away: it breaks the run
            ev("2025-11-24", "sick"),
            ev("2025-11-25", "sick", hours=2),
            ev("2025-11-26", "sick", days=3),
        ),
    )
    assert dates(r) == ["2025-10-21"]
    assert r.actions[0].begin == date(2025, 10, 9)


def test_classifications_hold_over_ranges_with_upper_bounds(tmp_path: Path) -> None:
    p = protocol(
        tmp_path,
        'classificatie geel "Geel" { kleur geel bron "t" wanneer 1 schooldag aaneengesloten geoorloofd tot 4 weken }\n'
        'classificatie oranje "Oranje" { kleur oranje bron "t" wanneer minstens 4 weken aaneengesloten geoorloofd tot 3 maanden }\n',
    )
    # Sick every school day from Mon 1 Sep to Fri 5 Dec. Geel holds while the run is shorter
    # than 4 weeks: up to Sat 27 Sep (27 days), so the last school day is Fri 26 Sep. Oranje
    # from 28 days (Sun 28 Sep), i.e. Mon 29 Sep, while shorter than 3 months: until 30 Nov
    # (1 Sep + 3 months = 1 Dec), so the last school day is Fri 28 Nov. Nothing after that.
    r = run(p, timeline(ev("2025-09-01", "sick", until="2025-12-05")))
    spans = [(c.label, c.start.isoformat(), c.until.isoformat() if c.until else None, c.colour) for c in r.classifications]
    assert spans == [("geel", "2025-09-01", "2025-09-26", "geel"), ("oranje", "2025-09-29", "2025-11-28", "oranje")]


def test_classification_still_open_on_as_of(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'classificatie thuis "Thuis" { bron "t" wanneer meer dan 4 weken aaneengesloten ongeoorloofd }')
    # From Wed 3 Sep: 29 days on Wed 1 Oct. Still away on Fri 10 Oct (as_of): open.
    r = run(p, timeline(ab("2025-09-03", until="2025-10-10"), as_of="2025-10-10"))
    assert [(c.start.isoformat(), c.until) for c in r.classifications] == [("2025-10-01", None)]
    # as_of on the Saturday after: the run is not broken yet
    r = run(p, timeline(ab("2025-09-03", until="2025-10-10"), as_of="2025-10-11"))
    assert r.classifications[0].until is None
    # back on Mon 20 Oct (after the herfstvakantie): ended on Fri 10 Oct
    r = run(p, timeline(ab("2025-09-03", until="2025-10-10"), as_of="2025-10-20"))
    assert r.classifications[0].until == date(2025, 10, 10)


# ---------------------------------------------------------------------------- events


def test_near_holiday(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer gebeurtenis ziek rond vakantie school moet "Navragen" }')
    sick = [ev(d, "sick") for d in ("2025-09-12", "2025-10-08", "2025-10-10", "2025-10-20", "2025-12-19")]
    # Fri 10 Oct (before the herfstvakantie), Mon 20 Oct (after it), Fri 19 Dec (before the
    # kerstvakantie). Fri 12 Sep is only before a weekend; Wed 8 Oct is an ordinary day.
    assert dates(run(p, timeline(*sick))) == ["2025-10-10", "2025-10-20", "2025-12-19"]


def test_event_size_and_once(tmp_path: Path) -> None:
    p = protocol(
        tmp_path,
        'regel s "S" { bron "t" wanneer gebeurtenis geschorst van meer dan 2 schooldagen school moet "Melden" aan lpa }\n'
        'regel e "E" { bron "t" wanneer gebeurtenis te_laat daarna eenmalig school moet "Eerste keer te laat" }\n',
    )
    r = run(p, timeline(ev("2025-09-15", "suspension", days=2), ev("2025-10-06", "suspension", days=3), ev("2025-09-01", "late"), ev("2025-09-02", "late")))
    assert dates(r, "s") == ["2025-10-06"]
    assert r.actions[dates(r).index("2025-10-06")].recipients == ("lpa",)
    assert dates(r, "e") == ["2025-09-01"]


# ---------------------------------------------------------------------------- conditions, ladders, exceptions

LADDER = """
ladder handhaving "Handhaving" {
  stap waarschuwing "Officiële waarschuwing"
  stap halt "Halt" indien leeftijd minstens 12 jaar
}
regel waarschuwen "Waarschuwen" { bron "t" wanneer {warn} keer te_laat lpa moet "Officiële waarschuwing" stap handhaving.waarschuwing }
regel verwijzen "Halt" { bron "t" wanneer 6 keer te_laat lpa kan "Verwijzen naar Halt" stap handhaving.halt aan halt }
regel na_waarschuwing "Na waarschuwing" { bron "t" wanneer 6 keer te_laat als na waarschuwing lpa moet "Proces-verbaal overwegen" }
"""

LATES = [ev(d, "late") for d in ("2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05", "2025-09-08")]


def test_ladder_step_after_the_warning(tmp_path: Path) -> None:
    p = protocol(tmp_path, LADDER.replace("{warn}", "3"))
    # warning at the 3rd late (Wed 3 Sep); Halt and the after-rule at the 6th (Mon 8 Sep)
    r = run(p, timeline(*LATES))
    assert [(a.date.isoformat(), a.rule) for a in r.actions] == [
        ("2025-09-03", "waarschuwen"),
        ("2025-09-08", "verwijzen"),
        ("2025-09-08", "na_waarschuwing"),
    ]
    assert r.actions[1].step == "handhaving.halt" and r.actions[1].modality == "may"


def test_ladder_step_withheld_without_warning_and_for_the_young(tmp_path: Path) -> None:
    p = protocol(tmp_path, LADDER.replace("{warn}", "10"))
    r = run(p, timeline(*LATES), explain=True)
    assert dates(r) == []
    assert r.withheld is not None
    reasons = {w.rule: w.reason for w in r.withheld}
    assert "waarschuwing" in reasons["verwijzen"]
    # an 11-year-old who was warned: Halt only from 12
    p = protocol(tmp_path, LADDER.replace("{warn}", "3"), name="jong")
    r = run(p, timeline(*LATES, birth="2014-05-01"), explain=True)
    assert dates(r, "verwijzen") == []
    assert any(w.rule == "verwijzen" and "leeftijd" in w.reason for w in r.withheld or ())


def test_outcome_event_counts_as_the_step_and_enables_a_waiting_rule(tmp_path: Path) -> None:
    p = protocol(tmp_path, LADDER.replace("{warn}", "10"))
    # The 6th late is on Mon 8 Sep, but no warning yet: `als na waarschuwing` keeps the rule
    # armed. The leerplichtambtenaar's warning arrives as an outcome on Wed 10 Sep: it fires then.
    r = run(p, timeline(*LATES, ev("2025-09-10", "outcome", label="Waarschuwing", with_="lpa") if False else ev("2025-09-10", "outcome", label="Waarschuwing")))
    assert dates(r, "na_waarschuwing") == ["2025-09-10"]


def test_first_time_exception_and_text_conditions(tmp_path: Path) -> None:
    p = protocol(
        tmp_path,
        """
regel noshow "No-show" {
  bron "t"
  wanneer gebeurtenis no_show bij jeugdarts
  brief: school moet "Brief aan ouders"
  melden: school moet "Melden bij leerplicht" binnen 5 werkdagen
  gesprek: school kan "Gesprek" indien "bij twijfel over de reden"
  uitzondering eerst "Eerste keer" { als eerste keer vervangt melden school moet "Nieuwe afspraak maken" }
}
""",
    )
    r = run(p, timeline(ev("2025-09-15", "no_show", **{"with": "jeugdarts"}), ev("2025-09-22", "no_show", **{"with": "jeugdarts"}), ev("2025-09-29", "no_show", **{"with": "huisarts"})))
    first = [a.action for a in r.actions if a.date == date(2025, 9, 15)]
    second = [a.action for a in r.actions if a.date == date(2025, 9, 22)]
    assert first == ["Brief aan ouders", "Gesprek", "Nieuwe afspraak maken"]
    assert second == ["Brief aan ouders", "Melden bij leerplicht", "Gesprek"]
    assert [a for a in r.actions if a.action == "Gesprek"][0].conditions == ("bij twijfel over de reden",)
    assert [a for a in r.actions if a.action == "Nieuwe afspraak maken"][0].exception == "eerst"
    assert not [a for a in r.actions if a.date == date(2025, 9, 29)]  # a no-show at the huisarts


def test_school_type_and_age_conditions(tmp_path: Path) -> None:
    p = protocol(
        tmp_path,
        'regel r "R" { bron "t" wanneer gebeurtenis te_laat als schoolsoort po school moet "PO" }\n'
        'regel a "A" { bron "t" wanneer gebeurtenis te_laat als leeftijd onder 13 jaar school moet "Jong" }\n',
    )
    # born 1 Oct 2012: 12 on 30 Sep 2025, 13 from 1 Oct 2025
    tl = timeline(ev("2025-09-30", "late"), ev("2025-10-01", "late"), birth="2012-10-01", school_type="po")
    assert [(a.date.isoformat(), a.rule) for a in run(p, tl).actions] == [("2025-09-30", "r"), ("2025-09-30", "a"), ("2025-10-01", "r")]
    tl = timeline(ev("2025-09-30", "late"), birth="2012-10-01", school_type="vo")
    assert dates(run(p, tl), "r") == []


def test_status_condition_waits_for_leerplicht(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "t" wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken als status leerplichtig school moet "Melden" }')
    # born 12 Aug 2020: 5 on 12 Aug 2025, leerplichtig from Mon 1 Sep 2025. 18 hours in the
    # last week of August are counted, but the rule may only fire once the pupil is
    # leerplichtig: on Mon 1 Sep, the window (weeks of 11.. 1 Sep) still holds them.
    r = run(p, timeline(ab("2025-08-26"), ab("2025-08-27"), ab("2025-08-28"), birth="2020-08-12", school_type="po"))
    assert dates(r) == ["2025-09-01"]


# ---------------------------------------------------------------------------- deadlines, actors


def test_deadlines_in_every_unit(tmp_path: Path) -> None:
    p = protocol(
        tmp_path,
        """
regel r "R" {
  bron "t"
  wanneer gebeurtenis te_laat
  school moet "werkdagen" binnen 5 werkdagen
  school moet "schooldagen" binnen 5 schooldagen
  school moet "schoolweken" binnen 2 schoolweken
  school moet "dagen" binnen 3 dagen
  school moet "weken" uiterlijk na 2 weken
  school moet "maanden" binnen 1 maand
  school moet "klok" voor 10:00
  school moet "geen"
}
""",
    )
    r = run(p, timeline(ev("2025-10-10", "late")))  # Fri 10 Oct, the day before the herfstvakantie
    due = {a.action: (a.due.isoformat() if a.due else None, a.due_time) for a in r.actions}
    assert due == {
        "werkdagen": ("2025-10-17", None),  # werkdagen run on through the school holiday
        "schooldagen": ("2025-10-24", None),  # 20-24 Oct
        "schoolweken": ("2025-10-31", None),  # weeks of 20 and 27 Oct; the holiday week is skipped
        "dagen": ("2025-10-13", None),
        "weken": ("2025-10-24", None),
        "maanden": ("2025-11-10", None),
        "klok": ("2025-10-10", "10:00"),
        "geen": (None, None),
    }


def test_region_actor_replaces_the_base_actor(tmp_path: Path) -> None:
    region = tmp_path / "regio.vz"
    region.write_text(
        'protocol regio "Regio" { schooljaar 2025-2026 regio zuid gebruikt nl.leerplichtwet }\n'
        'actor consulent "Consulent leerrecht" vervangt leerplichtambtenaar\n',
        encoding="utf-8",
    )
    p = load(region, root=ROOT / "protocols")
    r = run(p, timeline(ab("2025-09-01"), ab("2025-09-02"), ab("2025-09-03")))
    actors = {(a.actor, a.recipients) for a in r.actions}
    assert actors == {("school", ("consulent",)), ("consulent", ())}
    table = r.to_table()
    assert "Consulent leerrecht" in table and "16 uur in 4 weken" in table


# ---------------------------------------------------------------------------- output


def test_explain_names_events_window_and_source(tmp_path: Path) -> None:
    p = protocol(tmp_path, 'regel r "R" { bron "bijlage 3" wanneer minstens 8 uur ongeoorloofd binnen 2 schoolweken school moet "Melden" duocategorie zestien binnen 5 werkdagen }')
    tl = timeline(ev("2025-09-01", "sick"), ab("2025-09-08", 4), ab("2025-09-09", 4))
    plain = run(p, tl)
    assert plain.actions[0].explain is None and "explain" not in plain.to_json()["actions"][0]
    assert "withheld" not in plain.to_json()
    r = run(p, tl, explain=True)
    a = r.actions[0]
    assert (a.duo, a.source, a.due) == ("16 uur in 4 weken", "bijlage 3", date(2025, 9, 16))
    ex = a.to_json()["explain"]
    assert ex["events"] == [1, 2]
    assert ex["window"] == {"from": "2025-09-01", "until": "2025-09-09"}
    assert ex["amount"] == "8 uur"
    assert ex["trigger"] == "minstens 8 uur ongeoorloofd binnen 2 schoolweken"
    assert re.fullmatch(r".*proef\.vz:\d+:\d+", ex["source_span"])


def test_results_never_carry_the_birth_date(tmp_path: Path) -> None:
    p = load(ROOT / "protocols" / "nl" / "leerplichtwet.vz")
    r = run(p, timeline(ab("2025-09-01", until="2025-10-31")), explain=True)
    assert "2012-03-04" not in r.dumps().decode()


def test_same_input_gives_byte_identical_json() -> None:
    p = load(ROOT / "protocols" / "nl" / "leerplichtwet.vz")
    tl = timeline(ab("2025-09-01", until="2025-10-31"), ev("2025-10-10", "absence", authorized=False, reason="vakantie"), ev("2025-11-03", "unenrolled"))
    outs = {run(p, tl, explain=True).dumps() for _ in range(3)}
    assert len(outs) == 1


def test_run_batch_keeps_input_order() -> None:
    p = load(ROOT / "protocols" / "nl" / "leerplichtwet.vz")
    tls = [timeline(ab("2025-09-01", until=f"2025-09-{d:02d}")) for d in (2, 5, 30)]
    for n, tl in enumerate(tls):
        tl["student"]["id"] = f"P{n}"
    results = list(run_batch(p, tls))
    assert [r.student for r in results] == ["P0", "P1", "P2"]
    # 2 days: 12 hours, nothing. 5 days: one 16-hour report (2 actions). All September: four
    # reports (3, 10, 17, 24 Sep) and the LRV on 29 Sep (more than 4 weeks): 4 x 2 + 1.
    assert [len(r.actions) for r in results] == [0, 2, 9]


# a tiny JSON Schema checker for the subset the docs use (no dependency needed)
def _validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> None:
    if "$ref" in schema:
        ref = schema["$ref"].split("/")[-1]
        _validate(value, root["$defs"][ref], root, path)
        return
    if "const" in schema:
        assert value == schema["const"], path
    if "enum" in schema:
        assert value in schema["enum"], path
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        pytypes = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None), "array": list, "object": dict}
        assert any(isinstance(value, pytypes[n]) and not (n in ("integer", "number") and isinstance(value, bool)) for n in names), (path, value)
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), (path, value)
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, (path, key)
        props = schema.get("properties", {})
        for key, v in value.items():
            if key in props:
                _validate(v, props[key], root, f"{path}.{key}")
            else:
                assert schema.get("additionalProperties", True) is not False, (path, key)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            _validate(v, schema["items"], root, f"{path}[{i}]")


def test_results_follow_the_published_schema(tmp_path: Path) -> None:
    schema = json.loads((DOCS / "result.schema.json").read_text())
    p = load(ROOT / "protocols" / "nl" / "leerplichtwet.vz")
    tl = timeline(ab("2025-09-01", until="2025-11-07"), ev("2025-10-10", "absence", authorized=False, reason="vakantie"), as_of="2025-12-19")
    for explain in (False, True):
        out = json.loads(run(p, tl, explain=explain).dumps())
        _validate(out, schema, schema)
    q = protocol(tmp_path, 'classificatie g "G" { kleur geel groep "type 4" bron "t" wanneer 1 schooldag aaneengesloten ziek }\nregel r "R" { bron "t" wanneer gebeurtenis te_laat school moet "x" voor 10:00 indien "zo nodig" document "brief" }')
    out = json.loads(run(q, timeline(ev("2025-09-01", "sick"), ev("2025-09-02", "late"))).dumps())
    _validate(out, schema, schema)
    assert out["classifications"][0]["colour"] == "geel" and out["actions"][0]["document"] == "brief"


def test_status_matches_the_leerplicht_module() -> None:
    rng = random.Random(7)
    compiled = compile_protocol(load(ROOT / "protocols" / "nl" / "leerplichtwet.vz"))
    tl = parse_timeline(timeline())
    for _ in range(300):
        birth = date(2004, 1, 1) + timedelta(days=rng.randrange(365 * 18))
        student = tl.student.__class__(id="x", birth_date=birth, school_type="vo", startkwalificatie_date=date(2025, 12, 1) if rng.random() < 0.2 else None)
        engine = Engine(compiled, student, tl.calendar)
        for _ in range(5):
            d = date(2025, 8, 1) + timedelta(days=rng.randrange(365))
            expected = status_on(birth, d, startkwalificatie=student.startkwalificatie_date).value
            assert engine.status_on(d) == expected.replace("18plus", "achttien_plus")


# ---------------------------------------------------------------------------- properties

RICH = """
ladder handhaving "H" { stap waarschuwing "W" stap halt "Halt" indien leeftijd minstens 12 jaar }
regel wettelijk "16 uur" {
  bron "t"
  wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken
  daarna nieuwe teltermijn, hooguit 1 melding per 7 dagen, aansluitend
  school moet "Melden" duocategorie zestien binnen 5 werkdagen
}
regel lrv "LRV" {
  bron "t"
  wanneer meer dan 4 weken aaneengesloten ongeoorloofd
  gaat_voor wettelijk
  daarna zonder einddatum
  school moet "LRV melden" binnen 5 werkdagen
}
regel laat "Te laat" { bron "t" wanneer 3 keer te_laat per maand school.mentor moet "Gesprek" }
regel laat6 "Te laat 6" { bron "t" wanneer 6 keer te_laat lpa moet "Waarschuwing" stap handhaving.waarschuwing }
regel halt "Halt" { bron "t" wanneer 9 keer te_laat lpa kan "Halt" stap handhaving.halt }
regel ziek4 "Ziek 4e" { bron "t" wanneer 4e keer ziek binnen 12 schoolweken jeugdarts moet "Oproepen" binnen 2 schoolweken }
regel ziekrun "Ziek lang" { bron "t" wanneer 4 schooldagen aaneengesloten ziek daarna nieuwe teltermijn school.mentor moet "Bellen" }
regel dagdeel "Dagdelen" { bron "t" wanneer minstens 5 dagdelen afwezig binnen 2 schoolweken school kan "Signaal" }
regel luxe "Luxe" { bron "t" wanneer gebeurtenis luxe school moet "Luxe melden" binnen 5 werkdagen }
regel rond "Rond vakantie" { bron "t" wanneer gebeurtenis ziek rond vakantie school kan "Navragen" }
regel na "Na W" { bron "t" wanneer 2 keer no_show bij jeugdarts als na waarschuwing lpa moet "PV" }
regel pct "Procent" { bron "t" wanneer minstens 60 procent afwezig binnen 2 schoolweken school kan "Schoolmisser" }
regel pctd "Procent dagen" { bron "t" wanneer meer dan 50 procent ongeoorloofd binnen 5 schooldagen school kan "Schoolmisser kort" }
regel schors "Schorsing" { bron "t" wanneer gebeurtenis geschorst van meer dan 1 schooldag school moet "Melden" }
regel sd "10 schooldagen" { bron "t" wanneer minstens 10 uur ongeoorloofd binnen 10 schooldagen school kan "Signaal" }
regel cd "14 dagen" { bron "t" wanneer minstens 3 keer te_laat binnen 14 dagen school kan "Gesprek" }
regel mo "2 maanden" { bron "t" wanneer minstens 30 uur afwezig binnen 2 maanden school kan "Overleg" }
regel dagen "Dagen" { bron "t" wanneer minstens 8 schooldagen ziek per kwartaal school kan "Jeugdarts" }
regel lang "Lang ziek" { bron "t" wanneer meer dan 2 weken aaneengesloten ziek school kan "Bellen" }
regel maand "Maand" { bron "t" wanneer minstens 1 maand aaneengesloten afwezig school kan "Thuiszitterstafel" }
regel weg "Weg" { bron "t" wanneer gebeurtenis uitgeschreven zonder inschrijving school moet "Melden" }
classificatie thuis "Thuiszitter" { bron "t" wanneer meer dan 4 weken aaneengesloten ongeoorloofd }
classificatie geel "Geel" { kleur geel bron "t" wanneer 1 schooldag aaneengesloten geoorloofd tot 2 weken }
classificatie oranje "Oranje" { kleur oranje bron "t" wanneer minstens 2 weken aaneengesloten geoorloofd tot 1 maand }
"""

SCHOOL_DAYS = [d.isoformat() for d in calendar_for("zuid").school_days(date(2025, 8, 18), date(2025, 12, 19))]

event_strategy = st.one_of(
    st.builds(
        lambda d, h, days, auth, luxe: {
            "date": d, "type": "absence", "authorized": auth and not luxe,
            **({"hours": h} if h else {}), **({"days": days} if days > 1 else {}),
            **({"reason": "vakantie"} if luxe else {}),
        },
        st.sampled_from(SCHOOL_DAYS), st.sampled_from([None, None, 1.5, 3, 6]), st.integers(1, 12), st.booleans(), st.booleans(),
    ),
    st.builds(lambda d, n: {"date": d, "type": "sick", **({"days": n} if n > 1 else {})}, st.sampled_from(SCHOOL_DAYS), st.integers(1, 6)),
    st.builds(lambda d: {"date": d, "type": "late"}, st.sampled_from(SCHOOL_DAYS)),
    st.builds(lambda d, n: {"date": d, "type": "suspension", **({"days": n} if n > 1 else {})}, st.sampled_from(SCHOOL_DAYS), st.integers(1, 3)),
    st.builds(lambda d: {"date": d, "type": "no_show", "with": "jeugdarts"}, st.sampled_from(SCHOOL_DAYS)),
    st.builds(lambda d: {"date": d, "type": "outcome", "label": "waarschuwing"}, st.sampled_from(SCHOOL_DAYS)),
    # leaving and (re)joining a school: unenrolment without a new enrolment nearby
    st.builds(lambda d: {"date": d, "type": "unenrolled"}, st.sampled_from(SCHOOL_DAYS)),
    st.builds(lambda d: {"date": d, "type": "enrolled"}, st.sampled_from(SCHOOL_DAYS)),
)


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Protocol:
    return protocol(tmp_path_factory.mktemp("rich"), RICH, name="rijk")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event_strategy, max_size=30), seed=st.integers(0, 10**6))
def test_results_do_not_depend_on_event_order(rich: Protocol, events: list[dict[str, Any]], seed: int) -> None:
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    a = run(rich, timeline(*events))
    b = run(rich, timeline(*shuffled))
    assert a.dumps() == b.dumps()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event_strategy, max_size=30), as_of=st.sampled_from(SCHOOL_DAYS[20:] + ["2025-12-21"]))
def test_sparse_stepping_equals_day_by_day_recomputation(rich: Protocol, events: list[dict[str, Any]], as_of: str) -> None:
    """The optimised engine (event days only, incremental windows) against the reference
    (every school day, every window summed from scratch)."""
    events = [e for e in events if e["date"] <= as_of]
    tl = parse_timeline(timeline(*events, as_of=as_of), ["verlofaanvraag"])
    compiled = compile_protocol(rich)
    fast = run_timeline(compiled, tl, explain=True)
    reference = run_timeline(compiled, tl, explain=True, dense=True, recompute=True)
    assert fast.dumps() == reference.dumps()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event_strategy, max_size=30), as_of=st.sampled_from(SCHOOL_DAYS[20:]))
def test_prefilter_never_drops_what_fires(rich: Protocol, events: list[dict[str, Any]], as_of: str) -> None:
    """Rules left out as unreachable never fire in an unrestricted run, and the batch's
    empty-result shortcut is byte-identical to a full run."""
    events = [e for e in events if e["date"] <= as_of]
    data = timeline(*events, as_of=as_of)
    compiled = compile_protocol(rich)
    tl = parse_timeline(data)
    full = run_timeline(compiled, tl, dense=True, recompute=True)
    active = compiled.prefilter.timeline_active(tl)
    index = {r.id: r.index for r in compiled.rules + compiled.classifications}
    assert {index[a.rule] for a in full.actions} <= active
    assert {index[c.label] for c in full.classifications} <= active
    line = json.dumps(data).encode()
    empty, tl2, bounds = compiled.prefilter.scan_line(line)
    if empty is not None:
        assert empty == full.dumps()
    else:  # the engine gets the pupil, and the events it reads, as they are
        assert (tl2.student, tl2.calendar, tl2.as_of) == (tl.student, tl.calendar, tl.as_of)
        assert set(tl2.events) <= set(tl.events)
        assert run_timeline(compiled, tl2, bounds=bounds).dumps() == full.dumps()
    assert run_block(compiled, 1, line + b"\n").output == full.dumps() + b"\n"  # the batch's own loop
    assert run_timeline(compiled, tl).dumps() == full.dumps()


@pytest.mark.parametrize("region", ["parkstad", "ruw", "ijsselvecht", "kopnh", "zhz"])
def test_regional_protocols_match_the_reference_on_a_population(region: str) -> None:
    """The sparse engine (visits only days with events, `na` follow-ups, status changes;
    start-only rules only on start days) against day-by-day recomputation, on the real
    regional protocols and a simulated population."""
    from verzuimdsl.simulate import generate, population

    protocol = load(ROOT / "protocols" / f"{region}.vz")
    compiled = compile_protocol(protocol)
    fired = 0
    for tl in generate(population(protocol), 60, seed=13):
        fast = run_timeline(compiled, tl)
        assert fast.dumps() == run_timeline(compiled, tl, dense=True, recompute=True).dumps(), tl.student.id
        fired += len(fast.actions)
    assert fired > 100


@pytest.mark.parametrize(
    ("enrolled", "as_of", "fires"),
    [
        (None, "2025-10-10", True),  # unenrolled Fri 3 Oct: due a week on, Fri 10 Oct
        (None, "2025-10-09", False),  # not due yet on as_of
        ("2025-10-10", "2025-10-13", False),  # a new school 7 days later: within the grace days
        ("2025-09-26", "2025-10-13", False),  # ... or 7 days before
        ("2025-10-11", "2025-10-13", True),  # 8 days later: too late
        ("2025-09-25", "2025-10-13", True),  # 8 days before: too early
    ],
)
def test_the_prefilter_weighs_unenrolment_as_the_engine_does(enrolled: str | None, as_of: str, fires: bool) -> None:
    """`uitgeschreven zonder inschrijving`: the batch's prefilter skips a pupil only when
    the engine would find nothing, at the edges of the grace days and of as_of too."""
    compiled = compile_protocol(load(ROOT / "protocols" / "nl" / "leerplichtwet.vz"))
    events = [ev("2025-10-03", "unenrolled")] + ([ev(enrolled, "enrolled")] if enrolled else [])
    data = timeline(*events, as_of=as_of)
    full = run_timeline(compiled, parse_timeline(data), dense=True, recompute=True)
    assert ("absoluut_verzuim" in {a.rule for a in full.actions}) == fires
    empty, _, _ = compiled.prefilter.scan_line(json.dumps(data).encode())
    assert (empty is None) == fires  # skipped exactly when nothing fires
    assert run_block(compiled, 1, json.dumps(data).encode() + b"\n").output == full.dumps() + b"\n"
