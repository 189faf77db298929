"""The incremental Session: feed events day by day, ask what is due; equals a full run."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_interpreter import RICH, SCHOOL_DAYS, event_strategy, protocol, timeline

from verzuimdsl import load
from verzuimdsl.interpreter import Session, run
from verzuimdsl.protocol import Protocol
from verzuimdsl.timeline import TimelineError

ROOT = Path(__file__).resolve().parents[1]
HEADER = {
    "student": {"id": "T-1", "birth_date": "2012-03-04", "school_type": "vo"},
    "calendar": {"region": "zuid", "school_year": "2025-2026"},
}


@pytest.fixture(scope="module")
def base() -> Protocol:
    return load(ROOT / "protocols" / "nl" / "leerplichtwet.vz")


def test_a_pupil_day_by_day(base: Protocol) -> None:
    s = Session(base, HEADER)
    assert s.advance("2025-08-29") == []
    for d in ("2025-09-01", "2025-09-02"):
        s.add({"date": d, "type": "absence", "authorized": False})
        assert s.advance(d) == []
    s.add({"date": "2025-09-03", "type": "absence", "authorized": False})
    new = s.advance("2025-09-03")
    # 18 hours on Wed 3 Sep: the report falls due now, within 5 werkdagen (Wed 10 Sep)
    assert [(a.rule, a.actor, a.due) for a in new] == [
        ("wettelijk_verzuim", "school", date(2025, 9, 10)),
        ("wettelijk_verzuim", "leerplichtambtenaar", None),
    ]
    # what is due on Tue 9 Sep: both (the report's deadline has not passed)
    assert len(s.due("2025-09-09")) == 2
    # on Thu 11 Sep the report's deadline has passed; the open-ended investigation remains
    assert [a.actor for a in s.due("2025-09-11")] == ["leerplichtambtenaar"]
    assert s.advance("2025-09-30") == []
    assert s.result().as_of == date(2025, 9, 30)


def test_session_refuses_the_past_and_bad_events(base: Protocol) -> None:
    s = Session(base, HEADER)
    s.advance("2025-09-10")
    with pytest.raises(TimelineError) as info:
        s.add({"date": "2025-09-10", "type": "late"})
    assert info.value.problems[0].path == "events[0].date"
    with pytest.raises(TimelineError) as info:
        s.add({"date": "2025-09-11", "type": "absence", "hours": -1, "authorized": False})
    assert info.value.problems[0].field == "hours"
    with pytest.raises(TimelineError):
        s.advance("2025-09-01")
    with pytest.raises(TimelineError):
        Session(base, {"student": {"id": "x"}, "calendar": {}})


def test_result_before_start_is_an_error(base: Protocol) -> None:
    with pytest.raises(TimelineError):
        Session(base, HEADER).result()


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Protocol:
    return protocol(tmp_path_factory.mktemp("rich-session"), RICH, name="rijk")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(event_strategy, max_size=25),
    stops=st.lists(st.sampled_from(SCHOOL_DAYS), max_size=6),
)
def test_a_session_equals_a_full_run(rich: Protocol, events: list[dict[str, Any]], stops: list[str]) -> None:
    """Feeding events just in time, with the clock stopping at arbitrary days, gives the
    same result as one run over the whole timeline."""
    s = Session(rich, HEADER, explain=True)
    as_of = "2025-12-19"
    pending = sorted(events, key=lambda e: e["date"])
    clock = sorted(set(stops) | {e["date"] for e in pending} | {as_of})
    for day in clock:
        while pending and pending[0]["date"] <= day:
            s.add(pending.pop(0))
        s.advance(day)
    full = run(rich, timeline(*sorted(events, key=lambda e: e["date"]), as_of=as_of), explain=True)
    got = s.result().to_json()
    want = full.to_json()
    # event indices follow the order in which events were given
    for doc in (got, want):
        for a in doc["actions"]:
            a.pop("explain", None)
    assert got == want
