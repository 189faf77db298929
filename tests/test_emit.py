"""The batch's direct JSON emitter writes exactly what the result objects serialise to."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from verzuimdsl import load
from verzuimdsl.interpreter import compile_protocol, run_timeline, run_timeline_json
from verzuimdsl.simulate import generate, population
from verzuimdsl.timeline import parse_timeline

PROTOCOLS = Path(__file__).resolve().parents[1] / "protocols"


REGIONS = ["parkstad", "ruw", "ijsselvecht", "kopnh", "zhz"]


def _compare(region: str) -> set[str]:
    """Emitter against Result.dumps() on a population; the fields the actions had."""
    protocol = load(PROTOCOLS / f"{region}.vz")
    compiled = compile_protocol(protocol)
    seen: set[str] = set()
    for tl in generate(population(protocol), 300, seed=7):
        expected = run_timeline(compiled, tl).dumps()
        assert run_timeline_json(compiled, tl) == expected, tl.student.id
        for action in orjson.loads(expected)["actions"]:
            seen.update(action)
    return seen


@pytest.mark.parametrize("region", REGIONS)
def test_emitted_json_equals_result_dumps(region: str) -> None:
    # the population exercises the optional parts of an action, not just the fixed ones
    assert {"conditions", "recipients", "begin", "end"} <= _compare(region)


def test_every_field_of_an_action_is_compared() -> None:
    """Over the regions every optional field of an action occurs, so the comparison
    catches the engine filling one of ActionDue's fields (built positionally) with another."""
    seen = set().union(*(_compare(region) for region in REGIONS))
    optional = {"due_time", "begin", "end", "closed", "label", "exception", "recipients", "copies",
                "document", "meeting", "step", "conditions"}
    assert optional <= seen


def test_emitted_json_keeps_open_ended_reports_and_classifications() -> None:
    """Six weeks away without leave: an open-ended LRV report, closed when the pupil is
    back, and a thuiszitter classification."""
    protocol = load(PROTOCOLS / "parkstad.vz")
    compiled = compile_protocol(protocol)
    tl = parse_timeline(
        {
            "format": "vz-timeline/1",
            "student": {"id": "L-1", "birth_date": "2013-02-11", "school_type": "po"},
            "calendar": {"region": "zuid", "school_year": "2025-2026"},
            "as_of": "2026-01-15",
            "events": [
                {"date": "2025-09-01", "type": "absence", "hours": 6, "authorized": False, "until": "2025-10-17"}
            ],
        },
        compiled.event_types,
    )
    data = run_timeline(compiled, tl).dumps()
    assert run_timeline_json(compiled, tl) == data
    doc = orjson.loads(data)
    assert any(a.get("closed") and a["end"] is None for a in doc["actions"])
    assert doc["classifications"]


def test_cached_firings_are_per_calendar() -> None:
    """The same rule firing on the same day is reused between pupils only within one
    calendar: a school's own day off moves a deadline in school days."""
    protocol = load(PROTOCOLS / "ruw.vz")
    compiled = compile_protocol(protocol)

    def pupil(days_off: list[str]) -> bytes:
        tl = parse_timeline(
            {
                "format": "vz-timeline/1",
                "student": {"id": "L-2", "birth_date": "2011-05-01", "school_type": "vo"},
                "calendar": {"region": "midden", "school_year": "2025-2026", "days_off": days_off},
                "as_of": "2025-10-01",
                "events": [{"date": "2025-09-15", "type": "sick", "days": 3}],
            },
            compiled.event_types,
        )
        data = run_timeline_json(compiled, tl)
        assert data == run_timeline(compiled, tl).dumps()
        return data

    def mentor_due(data: bytes) -> str:
        (due,) = [a["due"] for a in orjson.loads(data)["actions"] if a["rule"] == "mazl_mentor"]
        return due

    # the third day of sickness is Wednesday 17 September; 3 school days later
    assert mentor_due(pupil([])) == "2025-09-22"
    assert mentor_due(pupil(["2025-09-19"])) == "2025-09-23"
    assert mentor_due(pupil([])) == "2025-09-22"
