"""Timeline parsing and validation: the vz-timeline/1 contract and its error messages."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verzuimdsl.calendar import calendar_for
from verzuimdsl.timeline import (
    FORMAT,
    Timeline,
    TimelineError,
    covered_days,
    fast_timeline,
    locate,
    parse_event,
    parse_full,
    parse_header,
    parse_timeline,
    split_path,
    timeline_of,
)
from verzuimdsl.timeline_decode import LineDecoder

DOCS = Path(__file__).resolve().parents[1] / "docs"

EXAMPLE: dict[str, Any] = {
    "format": "vz-timeline/1",
    "student": {"id": "L-0001", "birth_date": "2013-02-11", "school_type": "po"},
    "calendar": {"region": "zuid", "school_year": "2025-2026", "days_off": ["2025-11-14"]},
    "as_of": "2026-07-17",
    "events": [
        {"date": "2025-09-15", "type": "absence", "hours": 5.5, "authorized": False},
        {"date": "2025-09-16", "type": "late"},
        {"date": "2025-09-17", "type": "sick"},
        {"date": "2025-10-01", "type": "no_show", "with": "jeugdarts"},
        {"date": "2025-10-06", "type": "suspension", "days": 2},
        {"date": "2025-11-03", "type": "unenrolled"},
    ],
}


def with_events(*events: dict[str, Any], **top: Any) -> dict[str, Any]:
    tl = copy.deepcopy(EXAMPLE)
    tl["events"] = list(events)
    tl.update(top)
    return tl


def problems(data: Any, **kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(TimelineError) as info:
        parse_timeline(data, **kw)
    return [(p.path, p.message) for p in info.value.problems]


def test_the_issue_example_parses_completely() -> None:
    tl = parse_timeline(EXAMPLE)
    assert tl.student.id == "L-0001"
    assert tl.student.birth_date == date(2013, 2, 11)
    assert tl.calendar.region == "zuid" and tl.calendar.school_year == 2025
    assert tl.calendar.days_off == (date(2025, 11, 14),)
    assert tl.as_of == date(2026, 7, 17)
    # valid events are never dropped, and keep their input position
    assert [e.index for e in tl.events] == list(range(6))
    assert [e.type for e in tl.events] == [e["type"] for e in EXAMPLE["events"]]
    assert tl.events[0].hours == 5.5 and tl.events[0].authorized is False
    assert tl.events[3].with_ == "jeugdarts"
    assert tl.events[4].days == 2


def test_json_text_and_bytes_are_accepted() -> None:
    text = json.dumps(EXAMPLE)
    assert parse_timeline(text) == parse_timeline(text.encode()) == parse_timeline(EXAMPLE)


def test_round_trip_through_to_json() -> None:
    tl = parse_timeline(EXAMPLE)
    assert parse_timeline(tl.to_json()) == tl


def test_every_problem_is_reported_at_once_with_index_and_field() -> None:
    data = with_events(
        {"date": "2025-09-15", "type": "absence", "hours": -2, "authorized": False},
        {"date": "2025-09-16", "type": "lat"},
        {"date": "2025-02-30", "type": "sick"},
        {"date": "2025-09-18", "type": "sick"},
    )
    with pytest.raises(TimelineError) as info:
        parse_timeline(data)
    got = {(p.index, p.field) for p in info.value.problems}
    assert got == {(0, "hours"), (1, "type"), (2, "date")}
    by_path = {p.path: p for p in info.value.problems}
    assert "negatief" in by_path["events[0].hours"].message
    assert "negative" in by_path["events[0].hours"].message_en
    assert "bedoelde u 'late'" in by_path["events[1].type"].message
    assert "bestaat niet" in by_path["events[2].date"].message


@pytest.mark.parametrize(
    "event, path, words",
    [
        ({"date": "2025-09-15", "type": "absence", "hours": 0, "authorized": False}, "events[0].hours", "meer dan 0"),
        ({"date": "2025-09-15", "type": "absence", "hours": 25, "authorized": False}, "events[0].hours", "meer uren"),
        ({"date": "2025-09-15", "type": "absence", "hours": "6", "authorized": False}, "events[0].hours", "getal"),
        ({"date": "2025-09-15", "type": "absence"}, "events[0].authorized", "geoorloofd"),
        ({"date": "2025-09-15", "type": "absence", "authorized": "nee"}, "events[0].authorized", "true of false"),
        ({"date": "15-09-2025", "type": "sick"}, "events[0].date", "JJJJ-MM-DD"),
        ({"date": "2024-09-16", "type": "sick"}, "events[0].date", "buiten schooljaar"),
        ({"date": "2025-09-13", "type": "sick"}, "events[0].date", "weekend"),
        ({"date": "2025-10-14", "type": "absence", "authorized": False}, "events[0].date", "Herfstvakantie"),
        ({"date": "2025-11-14", "type": "late"}, "events[0].date", "Vrije dag school"),
        ({"date": "2025-09-15", "type": "sick", "days": 2, "until": "2025-09-17"}, "events[0].until", "niet allebei"),
        ({"date": "2025-09-15", "type": "sick", "until": "2025-09-12"}, "events[0].until", "voor de datum"),
        ({"date": "2025-09-15", "type": "sick", "days": 0}, "events[0].days", "minstens 1"),
        ({"date": "2026-07-06", "type": "sick", "days": 30}, "events[0].days", "na schooljaar"),
        ({"date": "2025-09-15", "type": "late", "hours": 1}, "events[0].hours", "past niet"),
        ({"date": "2025-09-15", "type": "sick", "houres": 2}, "events[0].houres", "bedoelde u 'hours'"),
        ({"date": "2025-09-15", "type": "outcome"}, "events[0].label", "ontbreekt"),
        ({"type": "sick"}, "events[0].date", "ontbreekt"),
        ({"date": "2025-09-15"}, "events[0].type", "ontbreekt"),
        ({"date": "2025-09-15", "type": "absence", "authorized": False, "dagdelen": 3}, "events[0].dagdelen", "1 of 2"),
    ],
)
def test_bad_events(event: dict[str, Any], path: str, words: str) -> None:
    found = problems(with_events(event))
    assert any(p == path and words in m for p, m in found), found


def test_event_after_as_of_is_an_error_not_a_silent_drop() -> None:
    found = problems(with_events({"date": "2025-09-16", "type": "sick"}, as_of="2025-09-15"))
    assert found == [("events[0].date", "ligt na as_of")]


@pytest.mark.parametrize(
    "change, path, words",
    [
        ({"format": "vz-timeline/2"}, "format", "niet ondersteund"),
        ({"format": None}, "format", "ontbreekt"),
        ({"as_of": "2026-08-01"}, "as_of", "buiten schooljaar"),
        ({"calendar": {"region": "oost", "school_year": "2025-2026"}}, "calendar.region", "onbekend regio"),
        ({"calendar": {"region": "zuid", "school_year": "2025-2027"}}, "calendar.school_year", "geen schooljaar"),
        ({"calendar": {"region": "zuid", "school_year": "2031-2032"}}, "calendar.school_year", "alleen bekend"),
        (
            {"calendar": {"region": "zuid", "school_year": "2025-2026", "holiday_overrides": {"zomervakantie": ["2026-07-01", "2026-08-20"]}}},
            "calendar.holiday_overrides",
            "bindend",
        ),
        ({"student": {"id": "x", "birth_date": "2013-02-11", "school_type": "havo"}}, "student.school_type", "schoolsoort"),
        ({"student": {"id": "x", "birth_date": "2026-01-01", "school_type": "po"}}, "student.birth_date", "niet voor het begin"),
        ({"student": {"id": "x", "birth_date": "2013-02-11", "school_type": "po", "first_school_year": 2014}}, "student.first_school_year", "4 werd"),
        ({"extra": 1}, "extra", "onbekend veld"),
    ],
)
def test_bad_header(change: dict[str, Any], path: str, words: str) -> None:
    data = copy.deepcopy(EXAMPLE)
    for k, v in change.items():
        if v is None:
            data.pop(k)
        else:
            data[k] = v
    found = problems(data)
    assert any(p == path and words in m for p, m in found), found


def test_own_fields_with_x_prefix_are_allowed() -> None:
    data = with_events({"date": "2025-09-15", "type": "sick", "x_bron": "magister"}, x_export="2025")
    assert len(parse_timeline(data).events) == 1


def test_declared_event_types_need_the_protocol() -> None:
    data = with_events({"date": "2025-11-03", "type": "verlofaanvraag", "days": 12})
    assert problems(data)[0][0] == "events[0].type"
    tl = parse_timeline(data, event_types=["verlofaanvraag"])
    assert tl.events[0].days == 12


def test_problems_never_echo_personal_data() -> None:
    data = with_events({"date": "2025-09-13", "type": "sick", "note": "geheime notitie", "hours": -1})
    data["student"]["birth_date"] = "2013-02-30"
    with pytest.raises(TimelineError) as info:
        parse_timeline(data)
    text = info.value.render("nl") + info.value.render("en")
    assert "2013-02-30" not in text and "geheime" not in text and "L-0001" not in text
    assert "student.birth_date" in text


def test_not_json_names_line_and_column() -> None:
    found = problems('{"format": "vz-timeline/1",\n "student": }')
    assert found[0][0].startswith("regel 2")


def test_covered_days_skip_weekends_and_holidays() -> None:
    cal = calendar_for("zuid")
    tl = parse_timeline(
        with_events(
            {"date": "2025-10-09", "type": "sick", "days": 3},  # do 9, vr 10, (herfst), ma 20
            {"date": "2025-09-12", "type": "absence", "authorized": False, "until": "2025-09-16"},
        )
    )
    a, b = tl.events
    assert covered_days(a, cal, date(2026, 7, 31)) == [date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 20)]
    assert covered_days(b, cal, date(2026, 7, 31)) == [date(2025, 9, 12), date(2025, 9, 15), date(2025, 9, 16)]
    assert covered_days(a, cal, date(2025, 10, 10)) == [date(2025, 10, 9), date(2025, 10, 10)]


def test_parse_event_and_header_for_sessions() -> None:
    student, spec = parse_header(EXAMPLE)
    assert student.school_type == "po" and spec.label == "2025-2026"
    ev = parse_event({"date": "2025-09-15", "type": "late"}, 7, spec)
    assert ev.index == 7
    with pytest.raises(TimelineError) as info:
        parse_event({"date": "2025-09-14", "type": "late"}, 7, spec)
    assert info.value.problems[0].path == "events[7].date"


def test_locate_finds_the_line_of_a_field() -> None:
    text = json.dumps(EXAMPLE, indent=2)
    line = locate(text, split_path("events[4].days"))
    assert line is not None and '"days": 2' in text.splitlines()[line - 1]
    assert locate(text, ["events", 99]) is None
    assert split_path("calendar.days_off[0]") == ["calendar", "days_off", 0]


def test_schema_documents_every_field_the_parser_accepts() -> None:
    schema = json.loads((DOCS / "timeline.schema.json").read_text())
    assert schema["properties"]["format"]["const"] == FORMAT
    event_fields = set(schema["$defs"]["event"]["properties"])
    assert event_fields == {"date", "type", "hours", "authorized", "reason", "days", "until", "dagdelen", "with", "label", "note"}
    assert set(schema["properties"]["student"]["properties"]) == {
        "id", "birth_date", "school_type", "municipality", "first_school_year", "startkwalificatie_date",
    }
    assert set(schema["properties"]["calendar"]["properties"]) == {
        "region", "school_year", "days_off", "holiday_overrides", "lesson_hours_per_day",
    }


NASTY = [None, "", " ", -1, 0, 0.0, 1, 2, 2.5, 25, True, False, [], {}, "x", "2025-02-30", "2025-9-01",
         "2025-09-13", "2025-10-14", "2026-08-01", "2024-09-16", "2025-09-16", "zuid", "po", "vakantie", "x_y"]
PLAIN_EVENTS = st.lists(
    st.sampled_from(
        [
            {"date": "2025-09-15", "type": "sick"},
            {"date": "2025-09-16", "type": "late"},
            {"date": "2025-09-17", "type": "absence", "hours": 2, "authorized": False},
            {"date": "2025-09-18", "type": "absence", "authorized": True, "until": "2025-09-22"},
            {"date": "2025-09-19", "type": "sick", "days": 3, "dagdelen": 2},
            {"date": "2025-10-01", "type": "no_show", "with": "jeugdarts"},
            {"date": "2025-10-04", "type": "outcome", "label": "niet ziek"},
            {"date": "2025-10-06", "type": "suspension", "days": 2, "reason": "gedrag"},
            {"date": "2025-11-03", "type": "verlofaanvraag", "days": 12, "note": "n"},
        ]
    ),
    max_size=6,
)


def _mutate(data: dict[str, Any], where: list[Any], value: Any, drop: bool) -> None:
    target: Any = data
    for step in where[:-1]:
        target = target[step]
    key = where[-1]
    if drop and isinstance(target, dict):
        target.pop(key, None)
    else:
        target[key] = value


@settings(max_examples=600, deadline=None)
@given(events=PLAIN_EVENTS, pick=st.integers(0, 10**6), value=st.sampled_from(NASTY), drop=st.booleans(), field=st.sampled_from(
    ["hours", "authorized", "date", "type", "days", "until", "dagdelen", "with", "label", "reason", "note", "x_extra", "houres"]
))
def test_the_fast_path_accepts_only_what_the_full_validation_accepts(
    events: list[dict[str, Any]], pick: int, value: Any, drop: bool, field: str
) -> None:
    data = with_events(*copy.deepcopy(events))
    fast = fast_timeline(data, ["verlofaanvraag"])
    assert fast is not None  # plain valid timelines take the fast path
    assert fast == parse_full(data, ["verlofaanvraag"])
    assert _decoded(data) == fast  # ... and the batch's decoder too
    # now break one thing, anywhere
    spots: list[list[Any]] = [["as_of"], ["format"], ["student", "id"], ["student", "birth_date"],
                              ["student", "school_type"], ["calendar", "region"], ["calendar", "school_year"],
                              ["calendar", "days_off"], ["calendar", "lesson_hours_per_day"], ["student", "municipality"]]
    spots += [["events", i, field] for i in range(len(events))]
    _mutate(data, spots[pick % len(spots)], value, drop)
    fast = fast_timeline(data, ["verlofaanvraag"])
    decoded = _decoded(data)
    kept = _KEEPING.decode(json.dumps(data).encode())
    # keeping a few types validates all the same: the same lines pass
    assert (kept is None) == (decoded is None)
    if fast is not None or decoded is not None:
        full = parse_full(data, ["verlofaanvraag"])
        assert fast in (None, full)
        assert decoded in (None, full)
        if kept is not None:  # the kept events, with their places in the input
            assert timeline_of(kept).events == tuple(e for e in full.events if e.type in _KEPT)


_DECODER = LineDecoder(["verlofaanvraag"])
_KEPT = frozenset({"absence", "verlofaanvraag"})
_KEEPING = LineDecoder(["verlofaanvraag"], keep=_KEPT)


def _decoded(data: dict[str, Any]) -> Timeline | None:
    """What the batch's decoder makes of the JSON line of `data`, as a Timeline."""
    plain = _DECODER.decode(json.dumps(data).encode())
    return timeline_of(plain) if plain is not None else None


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b'{"format": "vz-timeline/1"}',
        b'{"format": "vz-timeline/1", "student": {"id": "A", "birth_date": "2013-02-11", "school_type": "po"}, '
        b'"calendar": {"region": "zuid", "school_year": "2025-2026"}, "as_of": "2026-07-17", "events": [], "x": 1}',
        b'{"format": "vz-timeline/1", "student": {"id": "A", "birth_date": "2013-02-11", "school_type": "po"}, '
        b'"calendar": {"region": "zuid", "school_year": "2025-2026"}, "as_of": "2026-07-17", '
        b'"events": [{"date": "2025-09-16", "type": "late", "hours": 1}]}',
        b'{"format": "vz-timeline/1", "student": {"id": "A", "birth_date": "2013-02-11", "school_type": "po"}, '
        b'"calendar": {"region": "zuid", "school_year": "2025-2026"}, "as_of": "2026-07-17", '
        b'"events": [{"date": "2025-09-16", "type": "absence", "hours": 25, "authorized": false}]}',
        b'{"format": "vz-timeline/1", "student": {"id": "A", "birth_date": "2013-02-11", "school_type": "po"}, '
        b'"calendar": {"region": "zuid", "school_year": "2025-2026"}, "as_of": "2026-07-17", '
        b'"events": [{"date": "2025-09-16", "type": "sick", "with": "jeugdarts"}]}',
    ],
    ids=["not-json", "no-student", "unknown-top-field", "hours-on-late", "25-hours", "with-on-sick"],
)
def test_the_line_decoder_leaves_every_problem_to_the_full_validation(line: bytes) -> None:
    assert _DECODER.decode(line) is None


UNHASHABLE_SPOTS = [
    ["format"], ["as_of"], ["student"], ["student", "id"], ["student", "birth_date"],
    ["student", "school_type"], ["student", "municipality"], ["student", "first_school_year"],
    ["student", "startkwalificatie_date"], ["calendar"], ["calendar", "region"],
    ["calendar", "school_year"], ["calendar", "days_off"], ["calendar", "holiday_overrides"],
    ["calendar", "lesson_hours_per_day"], ["events"], ["events", 0], ["events", 0, "type"],
    ["events", 0, "date"], ["events", 0, "hours"], ["events", 0, "authorized"],
    ["events", 0, "days"], ["events", 0, "until"], ["events", 0, "dagdelen"],
    ["events", 0, "with"], ["events", 0, "label"], ["events", 0, "reason"], ["events", 0, "note"],
]


@pytest.mark.parametrize("where", UNHASHABLE_SPOTS, ids=lambda w: ".".join(map(str, w)))
@pytest.mark.parametrize("value", [[], {}, [1], {"a": 1}], ids=["list", "dict", "list1", "dict1"])
def test_odd_json_values_give_problems_never_a_crash(where: list[Any], value: Any) -> None:
    data = copy.deepcopy(EXAMPLE)
    _mutate(data, where, value, False)
    try:
        parse_timeline(data)
    except TimelineError as exc:
        assert exc.problems
