"""The batch's decoder: a JSONL line straight to plainly valid fields, checked in C.

msgspec decodes a `vz-timeline/1` line into typed structs and checks, while it parses,
what the dict fast path in `timeline` (`fast_plain`) checks by hand on orjson's dicts:
the fields each event type allows and requires, the JSON type of every field, hours in
(0, 24], days >= 1, dagdelen 1 or 2, dates, school types, no blank texts. What needs the
calendar (the date within the year, a school day, a span that stays in the year) is
checked afterwards with the calendar's own tables (`FastCalendar`), as the dict path does.

Like the dict path it only says yes to what the full validation accepts. Anything else,
an error or merely something unusual (an `x_` field, a `first_school_year`), gives None,
and the line goes the full way, which finds and words every problem.
tests/test_timeline.py checks the agreement on mutated timelines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, Literal, Union

import msgspec

from .resolve import SCHOOL_TYPES
from .timeline import (
    _DECLARED_FIELDS,
    _FIELDS,
    _MAX_HOURS_PER_DAY,
    FORMAT,
    SCHOOL_DAY_TYPES,
    FastCalendar,
    FastEvent,
    Plain,
    fast_calendar,
)

_CACHE_LIMIT = 1 << 16
_MISSING: Any = object()

_Hours = Annotated[float, msgspec.Meta(gt=0, le=_MAX_HOURS_PER_DAY)]
_Days = Annotated[int, msgspec.Meta(ge=1)]
_Dagdelen = Annotated[int, msgspec.Meta(ge=1, le=2)]
# a text with something in it: `\S` is exactly what str.strip() keeps (every code point
# agrees), so this is the full validation's "not blank"
_Text = Annotated[str, msgspec.Meta(pattern=r"\S")]

# every event struct has these fields; a field the type does not allow is typed
# UnsetType, which no JSON value decodes to (so it stays None)
_EVENT_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("hours", "hours", _Hours | None),
    ("authorized", "authorized", bool | None),
    ("reason", "reason", _Text | None),
    ("days", "days", _Days | None),
    ("until", "until", date | None),
    ("dagdelen", "dagdelen", _Dagdelen | None),
    ("with_", "with", _Text | None),
    ("label", "label", _Text | None),
    ("note", "note", _Text | None),  # every type may carry a note
)
#: fields an event type cannot do without
_REQUIRED = {"absence": "authorized", "outcome": "label"}


class _Student(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str | int  # not _Text: a pattern costs a call into `re` per pupil, strip() does not
    birth_date: date
    school_type: Literal[SCHOOL_TYPES]  # type: ignore[valid-type]
    municipality: _Text | None = None


class _Calendar(msgspec.Struct, forbid_unknown_fields=True, gc=False, frozen=True):
    """Hashable, so a line's calendar is found in a cache without building a key."""

    region: str
    school_year: str
    days_off: tuple[str, ...] | msgspec.UnsetType = msgspec.UNSET
    lesson_hours_per_day: int | float | None = None

    def as_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"region": self.region, "school_year": self.school_year}
        if self.days_off is not msgspec.UNSET:
            raw["days_off"] = list(self.days_off)
        if self.lesson_hours_per_day is not None:
            raw["lesson_hours_per_day"] = self.lesson_hours_per_day
        return raw


def _event_struct(etype: str, allowed: frozenset[str], keep: bool) -> type:
    fields: list[tuple[Any, ...]] = [("date", str)]
    for attr, name, typ in _EVENT_FIELDS:
        kind = typ if name in allowed or name == "note" else msgspec.UnsetType
        if _REQUIRED.get(etype) == name:
            fields.append((attr, typ.__args__[0]))  # the type without None, no default
        else:
            fields.append((attr, kind, msgspec.field(default=None, name=name)))
    return msgspec.defstruct(
        f"Event_{etype}",
        fields,
        kw_only=True,  # a required field may follow optional ones
        tag_field="type",
        tag=etype,
        forbid_unknown_fields=True,
        gc=False,
        # constants the decoder's loop reads off the event's class
        namespace={"kind": etype, "keep": keep, "school_day": etype in SCHOOL_DAY_TYPES},
    )


class LineDecoder:
    """The decoder for the event types of one protocol (the core ones and its own).

    Every event is validated; only those of the `keep` types (all, if None) are returned,
    so a caller that needs a few types does not pay for the others.
    """

    def __init__(self, event_types: Iterable[str] = (), keep: Iterable[str] | None = None) -> None:
        types = {t: _FIELDS[t] for t in _FIELDS}
        for t in sorted(set(event_types)):
            types.setdefault(t, _DECLARED_FIELDS)
        kept = frozenset(types if keep is None else keep)
        structs = tuple(_event_struct(t, allowed, t in kept) for t, allowed in types.items())
        events: Any = list[Union[structs]]  # noqa: UP007 - a runtime tuple of types: tagged by "type"
        timeline = msgspec.defstruct(
            "Timeline",
            [
                ("format", Literal[FORMAT]),
                ("student", _Student),
                ("calendar", _Calendar),
                ("as_of", str),
                ("events", events, msgspec.field(default_factory=list)),
            ],
            forbid_unknown_fields=True,
            gc=False,
        )
        self._decode = msgspec.json.Decoder(timeline).decode
        # the few calendars of a region, validated once each
        self._calendars: dict[tuple[_Calendar, type], FastCalendar | None] = {}

    def decode(self, raw: bytes) -> Plain | None:
        """The fields of a plainly valid timeline line, or None (use the full validation)."""
        try:
            tl = self._decode(raw)
        except msgspec.DecodeError:
            return None
        student = tl.student
        sid = student.id
        if type(sid) is int:
            sid = str(sid)
        elif not sid.strip():
            return None
        birth = student.birth_date
        cal = tl.calendar
        key = (cal, type(cal.lesson_hours_per_day))  # 5 and 5.0 are equal, but not alike
        fc = self._calendars.get(key, _MISSING)
        if fc is _MISSING:
            fc = fast_calendar(cal.as_json())
            if len(self._calendars) < _CACHE_LIMIT:
                self._calendars[key] = fc
        if fc is None:
            return None
        table = fc.days
        as_of_day = table.get(tl.as_of)
        if as_of_day is None or birth.toordinal() >= fc.first_o:
            return None
        as_of, as_o, _ = as_of_day
        found: list[FastEvent] = []
        span_of = fc.span
        for i, ev in enumerate(tl.events):
            day = table.get(ev.date)
            if day is None:
                return None
            d, o, school = day
            if o > as_o or (not school and ev.school_day):
                return None
            days, until = ev.days, ev.until
            span = 1 if days is None and until is None else span_of(d, days, until)
            if span is None:
                return None
            if ev.keep:
                found.append(
                    (ev.kind, d, ev.hours, ev.authorized, ev.reason, days, until, ev.dagdelen,
                     ev.with_, ev.label, ev.note, span, i)
                )
        return sid, birth, student.school_type, student.municipality, fc, as_of, found
