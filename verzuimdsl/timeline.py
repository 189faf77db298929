"""Timelines: a pupil's absence events for one school year, the public `vz-timeline/1` contract.

Parsing validates everything up front and collects every problem (event index, field, a
Dutch and an English message) into one `TimelineError`, so a bad timeline is reported in
full, never with a traceback, and no valid event is ever silently dropped.

Problems name the field, not the value: timelines hold personal data, so messages only
repeat values from closed vocabularies (event types, regions, school types).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import orjson

from .calendar import (
    SCHOOL_RANGE_FIRST_DAY,
    SCHOOL_RANGE_LAST_DAY,
    CalendarError,
    SchoolCalendar,
    calendar_for,
    parse_school_year,
)
from .leerplicht import leerplicht_end
from .resolve import SCHOOL_TYPES

FORMAT = "vz-timeline/1"
DEFAULT_LESSON_HOURS = 6.0

#: The core event types every protocol understands.
CORE_TYPES: tuple[str, ...] = (
    "absence",
    "late",
    "sick",
    "suspension",
    "no_show",
    "enrolled",
    "unenrolled",
    "exemption",
    "leave_granted",
    "outcome",
)
#: Types that record missed school time on school days.
ABSENCE_TYPES = frozenset({"absence", "sick", "suspension"})
#: Types that must happen on a school day (you cannot be late on a Sunday).
SCHOOL_DAY_TYPES = frozenset({"absence", "late", "sick", "suspension"})
#: Reasons that make an unauthorised absence luxe verzuim (holiday outside the holidays).
LUXE_REASONS = frozenset({"vakantie", "luxe"})

# which optional fields each type accepts (besides date, type and note)
_SPAN = {"days", "until"}
_FIELDS: dict[str, frozenset[str]] = {
    "absence": frozenset({"hours", "authorized", "reason", "dagdelen"} | _SPAN),
    "sick": frozenset({"hours", "dagdelen", "reason"} | _SPAN),
    "suspension": frozenset({"reason"} | _SPAN),
    "late": frozenset({"reason"}),
    "no_show": frozenset({"with", "reason"}),
    "enrolled": frozenset({"reason"}),
    "unenrolled": frozenset({"reason"}),
    "exemption": frozenset({"reason", "label"} | _SPAN),
    "leave_granted": frozenset({"reason", "label"} | _SPAN),
    "outcome": frozenset({"label", "with", "reason"}),
}
_DECLARED_FIELDS = frozenset({"reason", "label", "with"} | _SPAN)
_COMMON = frozenset({"date", "type", "note"})
_ALL_EVENT_FIELDS = sorted(set().union(*_FIELDS.values()) | _COMMON)

_TOP_FIELDS = ("format", "student", "calendar", "as_of", "events")
_STUDENT_FIELDS = (
    "id",
    "birth_date",
    "school_type",
    "municipality",
    "first_school_year",
    "startkwalificatie_date",
)
_CALENDAR_FIELDS = (
    "region",
    "school_year",
    "days_off",
    "holiday_overrides",
    "lesson_hours_per_day",
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_HOURS_PER_DAY = 24.0


# ---------------------------------------------------------------------------- errors


@attrs.frozen
class Problem:
    """One thing wrong with a timeline: where (`path`, `index`, `field`) and what."""

    path: str  # e.g. "events[3].hours", "student.birth_date"
    message: str  # Dutch
    message_en: str
    index: int | None = None  # the event's position in `events`, 0-based
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "index": self.index,
            "field": self.field,
            "message": self.message,
            "message_en": self.message_en,
        }


class TimelineError(ValueError):
    """A timeline that does not validate; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.render("nl"))

    def render(self, lang: str = "nl") -> str:
        return "\n".join(
            f"{p.path}: {p.message_en if lang == 'en' else p.message}" for p in self.problems
        )

    @property
    def message_en(self) -> str:
        return self.render("en")


# ---------------------------------------------------------------------------- values


@attrs.frozen(kw_only=True)
class Student:
    id: str
    birth_date: date
    school_type: str
    municipality: str | None = None
    first_school_year: int | None = None
    startkwalificatie_date: date | None = None


@attrs.frozen(kw_only=True)
class CalendarSpec:
    """Which school calendar the timeline lives in."""

    region: str
    school_year: int  # start year: 2025 for "2025-2026"
    days_off: tuple[date, ...] = ()
    holiday_overrides: tuple[tuple[str, date, date], ...] = ()
    lesson_hours_per_day: float | None = None

    @property
    def first_day(self) -> date:
        return date(self.school_year, 8, 1)

    @property
    def last_day(self) -> date:
        return date(self.school_year + 1, 7, 31)

    @property
    def hours_per_day(self) -> float:
        """Lesson hours of a full school day: the timeline's own figure, else 6."""
        return self.lesson_hours_per_day or DEFAULT_LESSON_HOURS

    @property
    def label(self) -> str:
        return f"{self.school_year}-{self.school_year + 1}"

    def calendar(self) -> SchoolCalendar:
        return calendar_for(self.region, self.days_off, self.holiday_overrides)


@attrs.frozen
class Event:
    """One event as given; `index` is its position in the input (for error messages and explain).

    The fast paths build it positionally (cheaper than by keyword; a batch builds one per
    event it runs). It keeps its __slots__: the engine reads its fields often, and reads
    from slots are faster here than from a dict-backed instance."""

    index: int
    date: date
    type: str
    hours: float | None = None
    authorized: bool | None = None
    reason: str | None = None
    days: int | None = None
    until: date | None = None
    dagdelen: int | None = None
    with_: str | None = None
    label: str | None = None
    note: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """A key from the content alone, so results never depend on input order."""
        return (
            self.date,
            self.type,
            -1.0 if self.hours is None else self.hours,
            -1 if self.authorized is None else int(self.authorized),
            self.days or 0,
            self.until or self.date,
            self.dagdelen or 0,
            self.reason or "",
            self.with_ or "",
            self.label or "",
            self.note or "",
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date.isoformat(), "type": self.type}
        for key, value in (
            ("hours", self.hours),
            ("authorized", self.authorized),
            ("reason", self.reason),
            ("days", self.days),
            ("until", self.until.isoformat() if self.until else None),
            ("dagdelen", self.dagdelen),
            ("with", self.with_),
            ("label", self.label),
            ("note", self.note),
        ):
            if value is not None:
                out[key] = value
        return out


@attrs.frozen(kw_only=True)
class Timeline:
    student: Student
    calendar: CalendarSpec
    as_of: date
    events: tuple[Event, ...] = ()

    def to_json(self) -> dict[str, Any]:
        s = self.student
        student: dict[str, Any] = {
            "id": s.id,
            "birth_date": s.birth_date.isoformat(),
            "school_type": s.school_type,
        }
        if s.municipality is not None:
            student["municipality"] = s.municipality
        if s.first_school_year is not None:
            student["first_school_year"] = s.first_school_year
        if s.startkwalificatie_date is not None:
            student["startkwalificatie_date"] = s.startkwalificatie_date.isoformat()
        c = self.calendar
        cal: dict[str, Any] = {"region": c.region, "school_year": c.label}
        if c.days_off:
            cal["days_off"] = [d.isoformat() for d in c.days_off]
        if c.holiday_overrides:
            cal["holiday_overrides"] = {
                n: [a.isoformat(), b.isoformat()] for n, a, b in c.holiday_overrides
            }
        if c.lesson_hours_per_day is not None:
            cal["lesson_hours_per_day"] = c.lesson_hours_per_day
        return {
            "format": FORMAT,
            "student": student,
            "calendar": cal,
            "as_of": self.as_of.isoformat(),
            "events": [e.to_json() for e in self.events],
        }


# ---------------------------------------------------------------------------- validation


class _Collector:
    """Collects problems; field readers return None when a value is bad."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        path: str,
        nl: str,
        en: str,
        index: int | None = None,
        field: str | None = None,
    ) -> None:
        self.problems.append(Problem(path, nl, en, index, field))

    def unknown_keys(
        self,
        obj: Mapping[str, Any],
        allowed: Iterable[str],
        prefix: str,
        index: int | None = None,
        known_elsewhere: Iterable[str] = (),
    ) -> None:
        allowed_set = set(allowed)
        for key in obj:
            if key in allowed_set or (isinstance(key, str) and key.startswith("x_")):
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in set(known_elsewhere):
                self.add(
                    path,
                    "dit veld past niet bij dit soort gebeurtenis",
                    "this field does not apply to this event type",
                    index,
                    key,
                )
                continue
            guess = difflib.get_close_matches(str(key), sorted(allowed_set), n=1)
            hint_nl = f"; bedoelde u '{guess[0]}'?" if guess else ""
            hint_en = f"; did you mean '{guess[0]}'?" if guess else ""
            self.add(
                path,
                "onbekend veld" + hint_nl + " (eigen velden beginnen met 'x_')",
                "unknown field" + hint_en + " (own fields start with 'x_')",
                index,
                key,
            )

    def date_(self, value: Any, path: str, index: int | None = None, field: str | None = None) -> date | None:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            self.add(
                path,
                "geen datum; schrijf JJJJ-MM-DD",
                "not a date; write YYYY-MM-DD",
                index,
                field,
            )
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add(path, "deze datum bestaat niet", "this date does not exist", index, field)
            return None

    def text(
        self, value: Any, path: str, index: int | None = None, field: str | None = None
    ) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, "moet een niet-lege tekst zijn", "must be a non-empty string", index, field)
            return None
        return value

    def number(
        self, value: Any, path: str, index: int | None = None, field: str | None = None
    ) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, "moet een getal zijn", "must be a number", index, field)
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.add(path, "moet een eindig getal zijn", "must be a finite number", index, field)
            return None
        return float(value)

    def whole(
        self, value: Any, path: str, index: int | None = None, field: str | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            self.add(path, "moet een geheel getal zijn", "must be a whole number", index, field)
            return None
        return value


def _choice_problem(
    c: _Collector, path: str, value: Any, allowed: Sequence[str], what_nl: str, what_en: str,
    index: int | None = None, field: str | None = None,
) -> None:
    shown = value if isinstance(value, str) and len(value) <= 40 else None
    guess = difflib.get_close_matches(shown, list(allowed), n=1) if shown else []
    hint_nl = f"; bedoelde u '{guess[0]}'?" if guess else f"; kies uit {', '.join(allowed)}"
    hint_en = f"; did you mean '{guess[0]}'?" if guess else f"; choose from {', '.join(allowed)}"
    name = f" '{shown}'" if shown is not None else ""
    c.add(path, f"onbekend {what_nl}{name}{hint_nl}", f"unknown {what_en}{name}{hint_en}", index, field)


def _parse_student(c: _Collector, raw: Any) -> Student | None:
    if not isinstance(raw, Mapping):
        c.add("student", "moet een object zijn", "must be an object")
        return None
    c.unknown_keys(raw, _STUDENT_FIELDS, "student")
    ok = True
    sid = raw.get("id")
    if isinstance(sid, int) and not isinstance(sid, bool):
        sid = str(sid)
    if sid is None:
        c.add("student.id", "ontbreekt", "is missing", field="id")
        ok = False
    elif c.text(sid, "student.id", field="id") is None:
        ok = False
    birth = None
    if "birth_date" not in raw:
        c.add("student.birth_date", "ontbreekt", "is missing", field="birth_date")
        ok = False
    else:
        birth = c.date_(raw["birth_date"], "student.birth_date", field="birth_date")
        ok = ok and birth is not None
    st = raw.get("school_type")
    if st is None:
        c.add("student.school_type", "ontbreekt", "is missing", field="school_type")
        ok = False
    elif st not in SCHOOL_TYPES:
        _choice_problem(c, "student.school_type", st, SCHOOL_TYPES, "schoolsoort", "school type", field="school_type")
        ok = False
    municipality = raw.get("municipality")
    if municipality is not None and c.text(municipality, "student.municipality", field="municipality") is None:
        ok = False
    fsy: int | None = None
    if raw.get("first_school_year") is not None:
        v = raw["first_school_year"]
        if isinstance(v, str):
            try:
                fsy = parse_school_year(v)
            except CalendarError:
                fsy = None
        elif isinstance(v, int) and not isinstance(v, bool):
            fsy = v
        if fsy is None or not 1990 <= fsy <= 2100:
            c.add(
                "student.first_school_year",
                "geen schooljaar; schrijf '2017-2018' of het beginjaar 2017",
                "not a school year; write '2017-2018' or the start year 2017",
                field="first_school_year",
            )
            ok, fsy = False, None
    if fsy is not None and birth is not None:
        try:
            leerplicht_end(birth, fsy)
        except ValueError:
            c.add(
                "student.first_school_year",
                "ligt voor het schooljaar waarin de leerling 4 werd",
                "lies before the school year in which the pupil turned 4",
                field="first_school_year",
            )
            ok, fsy = False, None
    skd = None
    if raw.get("startkwalificatie_date") is not None:
        skd = c.date_(raw["startkwalificatie_date"], "student.startkwalificatie_date", field="startkwalificatie_date")
        ok = ok and skd is not None
    if not ok:
        return None
    assert birth is not None and isinstance(sid, str)
    return Student(
        id=sid,
        birth_date=birth,
        school_type=st,
        municipality=municipality,
        first_school_year=fsy,
        startkwalificatie_date=skd,
    )


def _parse_calendar(c: _Collector, raw: Any) -> CalendarSpec | None:
    if not isinstance(raw, Mapping):
        c.add("calendar", "moet een object zijn", "must be an object")
        return None
    c.unknown_keys(raw, _CALENDAR_FIELDS, "calendar")
    ok = True
    region = raw.get("region")
    if region is None:
        c.add("calendar.region", "ontbreekt; kies noord, midden of zuid", "is missing; choose noord, midden or zuid", field="region")
        ok = False
    elif region not in ("noord", "midden", "zuid"):
        _choice_problem(c, "calendar.region", region, ("noord", "midden", "zuid"), "regio", "region", field="region")
        ok = False
    year: int | None = None
    sy = raw.get("school_year")
    if sy is None:
        c.add("calendar.school_year", "ontbreekt", "is missing", field="school_year")
        ok = False
    else:
        try:
            if not isinstance(sy, str):
                raise CalendarError("")
            year = parse_school_year(sy)
        except CalendarError:
            c.add(
                "calendar.school_year",
                "geen schooljaar; schrijf bijvoorbeeld '2025-2026'",
                "not a school year; write e.g. '2025-2026'",
                field="school_year",
            )
            ok = False
        if year is not None and not (
            SCHOOL_RANGE_FIRST_DAY.year <= year and date(year + 1, 7, 31) <= SCHOOL_RANGE_LAST_DAY
        ):
            c.add(
                "calendar.school_year",
                f"de schoolkalender is alleen bekend voor de schooljaren {SCHOOL_RANGE_FIRST_DAY.year}-"
                f"{SCHOOL_RANGE_FIRST_DAY.year + 1} tot en met {SCHOOL_RANGE_LAST_DAY.year - 1}-{SCHOOL_RANGE_LAST_DAY.year}",
                f"the school calendar is only known for school years {SCHOOL_RANGE_FIRST_DAY.year}-"
                f"{SCHOOL_RANGE_FIRST_DAY.year + 1} to {SCHOOL_RANGE_LAST_DAY.year - 1}-{SCHOOL_RANGE_LAST_DAY.year}",
                field="school_year",
            )
            ok, year = False, None
    days_off: list[date] = []
    raw_off = raw.get("days_off", [])
    if not isinstance(raw_off, list):
        c.add("calendar.days_off", "moet een lijst met datums zijn", "must be a list of dates", field="days_off")
        ok = False
    else:
        for i, v in enumerate(raw_off):
            d = c.date_(v, f"calendar.days_off[{i}]", field="days_off")
            if d is None:
                ok = False
            elif year is not None and not date(year, 8, 1) <= d <= date(year + 1, 7, 31):
                c.add(f"calendar.days_off[{i}]", "valt buiten het schooljaar", "lies outside the school year", field="days_off")
                ok = False
            else:
                days_off.append(d)
    overrides: list[tuple[str, date, date]] = []
    raw_ov = raw.get("holiday_overrides", {})
    if not isinstance(raw_ov, Mapping):
        c.add(
            "calendar.holiday_overrides",
            "moet een object zijn: {\"herfstvakantie\": [\"eerste dag\", \"laatste dag\"]}",
            'must be an object: {"herfstvakantie": ["first day", "last day"]}',
            field="holiday_overrides",
        )
        ok = False
    else:
        for name, span in raw_ov.items():
            path = f"calendar.holiday_overrides.{name}"
            if not isinstance(span, list) or len(span) != 2:
                c.add(path, "moet [eerste dag, laatste dag] zijn", "must be [first day, last day]", field="holiday_overrides")
                ok = False
                continue
            first = c.date_(span[0], path + "[0]", field="holiday_overrides")
            last = c.date_(span[1], path + "[1]", field="holiday_overrides")
            if first is None or last is None:
                ok = False
                continue
            overrides.append((str(name), first, last))
    hours = None
    if raw.get("lesson_hours_per_day") is not None:
        hours = c.number(raw["lesson_hours_per_day"], "calendar.lesson_hours_per_day", field="lesson_hours_per_day")
        if hours is not None and not 0 < hours <= 12:
            c.add(
                "calendar.lesson_hours_per_day",
                "moet tussen 0 en 12 uur liggen",
                "must lie between 0 and 12 hours",
                field="lesson_hours_per_day",
            )
            hours = None
        ok = ok and hours is not None
    if not ok or year is None:
        return None
    spec = CalendarSpec(
        region=region,
        school_year=year,
        days_off=tuple(sorted(set(days_off))),
        holiday_overrides=tuple(sorted(overrides)),
        lesson_hours_per_day=hours,
    )
    try:
        spec.calendar()
    except CalendarError as exc:
        # the calendar's own message names the holiday and the rule it breaks, not the pupil
        c.add("calendar.holiday_overrides", str(exc), f"invalid calendar: {exc}", field="holiday_overrides")
        return None
    return spec


def _parse_event(
    c: _Collector,
    raw: Any,
    i: int,
    types: frozenset[str],
    spec: CalendarSpec | None,
    cal: SchoolCalendar | None,
    as_of: date | None,
) -> Event | None:
    p = f"events[{i}]"
    if not isinstance(raw, Mapping):
        c.add(p, "moet een object zijn", "must be an object", i)
        return None
    before = len(c.problems)
    etype = raw.get("type")
    if etype is None:
        c.add(p + ".type", "ontbreekt", "is missing", i, "type")
    elif not isinstance(etype, str):
        c.add(p + ".type", "moet een tekst zijn, zoals \"absence\"", 'must be a string, such as "absence"', i, "type")
        etype = None
    elif etype not in types:
        _choice_problem(c, p + ".type", etype, sorted(types), "soort gebeurtenis", "event type", i, "type")
        etype = None
    allowed = _COMMON | (_FIELDS.get(etype, _DECLARED_FIELDS) if etype else frozenset(_ALL_EVENT_FIELDS))
    c.unknown_keys(raw, allowed, p, i, _ALL_EVENT_FIELDS)
    d = None
    if "date" not in raw:
        c.add(p + ".date", "ontbreekt", "is missing", i, "date")
    else:
        d = c.date_(raw["date"], p + ".date", i, "date")
    if d is not None and spec is not None:
        if not spec.first_day <= d <= spec.last_day:
            c.add(
                p + ".date",
                f"valt buiten schooljaar {spec.label}",
                f"lies outside school year {spec.label}",
                i,
                "date",
            )
            d = None
        elif as_of is not None and d > as_of:
            c.add(p + ".date", "ligt na as_of", "lies after as_of", i, "date")
            d = None
    hours = None
    if raw.get("hours") is not None:
        hours = c.number(raw["hours"], p + ".hours", i, "hours")
        if hours is not None:
            if hours < 0:
                c.add(p + ".hours", "uren kunnen niet negatief zijn", "hours cannot be negative", i, "hours")
            elif hours == 0:
                c.add(p + ".hours", "moet meer dan 0 uur zijn; laat de gebeurtenis weg", "must be more than 0 hours; leave the event out", i, "hours")
            elif hours > _MAX_HOURS_PER_DAY:
                c.add(p + ".hours", "meer uren dan een dag heeft", "more hours than a day has", i, "hours")
    authorized = raw.get("authorized")
    if etype == "absence" and authorized is None:
        c.add(
            p + ".authorized",
            "ontbreekt: geef aan of de afwezigheid geoorloofd is (true of false)",
            "is missing: say whether the absence is authorised (true or false)",
            i,
            "authorized",
        )
    elif authorized is not None and not isinstance(authorized, bool):
        c.add(p + ".authorized", "moet true of false zijn", "must be true or false", i, "authorized")
    days = None
    if raw.get("days") is not None:
        days = c.whole(raw["days"], p + ".days", i, "days")
        if days is not None and days < 1:
            c.add(p + ".days", "moet minstens 1 zijn", "must be at least 1", i, "days")
    until = None
    if raw.get("until") is not None:
        until = c.date_(raw["until"], p + ".until", i, "until")
        if until is not None and d is not None:
            if until < d:
                c.add(p + ".until", "ligt voor de datum van de gebeurtenis", "lies before the event's date", i, "until")
            elif spec is not None and until > spec.last_day:
                c.add(p + ".until", f"valt buiten schooljaar {spec.label}", f"lies outside school year {spec.label}", i, "until")
    if days is not None and until is not None:
        c.add(p + ".until", "geef 'days' of 'until', niet allebei", "give 'days' or 'until', not both", i, "until")
    dagdelen = None
    if raw.get("dagdelen") is not None:
        dagdelen = c.whole(raw["dagdelen"], p + ".dagdelen", i, "dagdelen")
        if dagdelen is not None and not 1 <= dagdelen <= 2:
            c.add(p + ".dagdelen", "moet 1 of 2 zijn (per dag)", "must be 1 or 2 (per day)", i, "dagdelen")
    texts: dict[str, str | None] = {}
    for key in ("reason", "with", "label", "note"):
        v = raw.get(key)
        texts[key] = None if v is None else c.text(v, f"{p}.{key}", i, key)
    if etype == "outcome" and texts["label"] is None and raw.get("label") is None:
        c.add(p + ".label", "ontbreekt: welke uitkomst (bijv. 'niet ziek', 'waarschuwing')?", "is missing: which outcome (e.g. 'niet ziek', 'waarschuwing')?", i, "label")
    if d is not None and etype in SCHOOL_DAY_TYPES and cal is not None:
        if not cal.is_school_day(d):
            why = cal.holiday_name(d) or ("weekend" if d.weekday() >= 5 else "geen schooldag")
            c.add(
                p + ".date",
                f"valt niet op een schooldag ({why})",
                f"does not fall on a school day ({why})",
                i,
                "date",
            )
    if d is not None and days is not None and cal is not None and days >= 1:
        try:
            last = cal.add_school_days(d, days - 1) if cal.is_school_day(d) else cal.add_school_days(d, days)
        except CalendarError:
            last = None
        if spec is not None and (last is None or last > spec.last_day):
            c.add(p + ".days", f"loopt door tot na schooljaar {spec.label}", f"runs beyond school year {spec.label}", i, "days")
    if len(c.problems) > before or d is None or etype is None:
        return None
    return Event(
        index=i,
        date=d,
        type=etype,
        hours=hours,
        authorized=authorized,
        reason=texts["reason"],
        days=days,
        until=until,
        dagdelen=dagdelen,
        with_=texts["with"],
        label=texts["label"],
        note=texts["note"],
    )


def _types(extra: Iterable[str]) -> frozenset[str]:
    return frozenset(CORE_TYPES) | frozenset(extra)


def decode(data: str | bytes) -> Any:
    """JSON text to Python, or a TimelineError naming the line and column."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line, col = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
        raise TimelineError(
            [Problem(f"regel {line}, kolom {col}", "geen geldige JSON", "not valid JSON")]
        ) from None


# ---------------------------------------------------------------------------- fast path
#
# Batches are mostly valid. The fast path checks the common shape with plain type tests
# and accepts only what the full validation above accepts; anything else (a problem, or
# merely something unusual such as an x_ field) returns None and goes the full way, which
# reports every problem with its message. tests/test_timeline.py checks the agreement.

_FAST_TOP = frozenset(_TOP_FIELDS)
_FAST_STUDENT = frozenset({"id", "birth_date", "school_type", "municipality"})
_FAST_CAL = frozenset({"region", "school_year", "days_off", "lesson_hours_per_day"})
_SCHOOL_TYPE_SET = frozenset(SCHOOL_TYPES)
_FIELDS_CACHE: dict[tuple[str, ...], dict[str, frozenset[str]]] = {}

#: (type, date, hours, authorized, reason, days, until, dagdelen, with, label, note, span,
#: index in the timeline's events)
FastEvent = tuple[str, date, Any, Any, Any, Any, Any, Any, Any, Any, Any, int, int]


def fast_date(value: Any) -> date | None:
    """`JJJJ-MM-DD` only: with dashes at 4 and 7 and length 10, fromisoformat insists on
    ASCII digits, so this accepts exactly what the full validation's pattern accepts."""
    if type(value) is not str or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def fast_fields(event_types: Iterable[str]) -> dict[str, frozenset[str]]:
    """Allowed fields per event type, for the core types and the declared ones."""
    key = tuple(sorted(event_types))
    found = _FIELDS_CACHE.get(key)
    if found is None:
        found = {t: frozenset(_COMMON | _FIELDS.get(t, _DECLARED_FIELDS)) for t in (*_FIELDS, *key)}
        _FIELDS_CACHE[key] = found
    return found


class FastCalendar:
    """A validated calendar with what the fast path needs at hand."""

    __slots__ = ("spec", "cal", "first_o", "last_o", "last_day", "is_school_day", "days", "fits")

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.cal = spec.calendar()
        self.first_o = spec.first_day.toordinal()
        self.last_day = spec.last_day
        self.last_o = self.last_day.toordinal()
        self.is_school_day = self.cal.is_school_day
        # every day of the year by its JJJJ-MM-DD text: one dict lookup validates an event
        # date, bounds it to the year and says whether it is a school day
        self.days: dict[str, tuple[date, int, bool]] = {}
        for o in range(self.first_o, self.last_o + 1):
            d = date.fromordinal(o)
            self.days[d.isoformat()] = (d, o, self.is_school_day(d))
        self.fits: dict[tuple[date, int], bool] = {}  # (date, days): the span stays in the year

    def span(self, d: date, days: int | None, until: date | None) -> int | None:
        """The days an event from d spans (`days` school days, or up to `until`), or None
        if that is not plainly valid: both given, or a span that leaves the year."""
        if days is not None:
            return days if until is None and self.span_fits(d, days) else None
        if until is None:
            return 1
        return (until - d).days + 1 if d <= until <= self.last_day else None

    def span_fits(self, d: date, days: int) -> bool:
        """Whether `days` school days from d (or the next school day) stay in the year."""
        key = (d, days)
        fits = self.fits.get(key)
        if fits is None:
            cal = self.cal
            try:
                start = d if self.is_school_day(d) else cal.add_school_days(d, 1)
                fits = cal.add_school_days(start, days - 1) <= self.last_day
            except CalendarError:
                fits = False
            if len(self.fits) < 1 << 16:
                self.fits[key] = fits
        return fits


_FAST_CAL_CACHE: dict[tuple[Any, ...], FastCalendar | None] = {}


def fast_calendar(raw: Any) -> FastCalendar | None:
    """A validated calendar, cached by content: the schools of a region share a few."""
    if type(raw) is not dict or not raw.keys() <= _FAST_CAL:
        return None
    off = raw.get("days_off", ())
    if off != () and (type(off) is not list or any(type(x) is not str for x in off)):
        return None
    hours = raw.get("lesson_hours_per_day")
    key = (raw.get("region"), raw.get("school_year"), tuple(off), hours, type(hours))
    try:
        return _FAST_CAL_CACHE[key]
    except KeyError:
        pass
    except TypeError:  # unhashable values: the full validation explains
        return None
    c = _Collector()
    spec = _parse_calendar(c, raw)
    result = FastCalendar(spec) if spec is not None and not c.problems else None
    if len(_FAST_CAL_CACHE) < 4096:
        _FAST_CAL_CACHE[key] = result
    return result


def fast_header(data: Any) -> tuple[str, date, str, str | None, FastCalendar, date] | None:
    """(student id, birth date, school type, municipality, calendar, as_of) of a plain timeline."""
    if type(data) is not dict or data.get("format") != FORMAT or not data.keys() <= _FAST_TOP:
        return None
    student = data.get("student")
    if type(student) is not dict or not student.keys() <= _FAST_STUDENT:
        return None
    sid = student.get("id")
    if type(sid) is int:
        sid = str(sid)
    elif type(sid) is not str or not sid.strip():
        return None
    school_type = student.get("school_type")
    if type(school_type) is not str or school_type not in _SCHOOL_TYPE_SET:
        return None
    muni = student.get("municipality")
    if muni is not None and (type(muni) is not str or not muni.strip()):
        return None
    birth = fast_date(student.get("birth_date"))
    fc = fast_calendar(data.get("calendar"))
    if birth is None or fc is None:
        return None
    text = data.get("as_of")
    day = fc.days.get(text) if type(text) is str else None  # a day of the school year
    if day is None or birth.toordinal() >= fc.first_o:
        return None
    return sid, birth, school_type, muni, fc, day[0]


def fast_event(
    ev: Any, fields: dict[str, frozenset[str]], fc: FastCalendar, as_o: int, index: int
) -> FastEvent | None:
    """The fields of a plainly valid event, plus an upper bound of the days it spans."""
    if type(ev) is not dict:
        return None
    etype = ev.get("type")
    if type(etype) is not str:
        return None
    allowed = fields.get(etype)
    if allowed is None or not ev.keys() <= allowed:
        return None
    text = ev.get("date")
    if type(text) is not str:
        return None
    day = fc.days.get(text)  # exactly the JJJJ-MM-DD texts fast_date accepts, in the year
    if day is None:
        return None
    d, o, school = day
    if o > as_o or (not school and etype in SCHOOL_DAY_TYPES):
        return None
    if len(ev) == 2:  # date and type only: the common case
        if etype == "absence" or etype == "outcome":
            return None
        return (etype, d, None, None, None, None, None, None, None, None, None, 1, index)
    get = ev.get
    hours = get("hours")
    if hours is not None:
        th = type(hours)
        if (th is not float and th is not int) or not 0 < hours <= _MAX_HOURS_PER_DAY:
            return None
        hours = float(hours)
    authorized = get("authorized")
    if authorized is not None and type(authorized) is not bool:
        return None
    days = get("days")
    if days is not None and (type(days) is not int or days < 1):
        return None
    dagdelen = get("dagdelen")
    if dagdelen is not None and (type(dagdelen) is not int or not 1 <= dagdelen <= 2):
        return None
    if authorized is None and etype == "absence":
        return None
    until = get("until")
    if until is not None:
        until = fast_date(until)
        if until is None:
            return None
    span = fc.span(d, days, until)
    if span is None:
        return None
    reason = get("reason")
    with_ = get("with")
    label = get("label")
    note = get("note")
    for text in (reason, with_, label, note):
        if text is not None and (type(text) is not str or not text.strip()):
            return None
    if label is None and etype == "outcome":
        return None
    return (etype, d, hours, authorized, reason, days, until, dagdelen, with_, label, note, span, index)


#: a plainly valid timeline's fields, as both fast paths give them:
#: (student id, birth date, school type, municipality, calendar, as_of, events)
Plain = tuple[str, date, str, str | None, FastCalendar, date, list[FastEvent]]


def fast_plain(data: Any, event_types: Iterable[str] = ()) -> Plain | None:
    """The fields of a plainly valid timeline dict, or None (then use the full validation)."""
    head = fast_header(data)
    if head is None:
        return None
    raw_events = data.get("events", [])
    if type(raw_events) is not list:
        return None
    fields = fast_fields(event_types)
    fc, as_o = head[4], head[5].toordinal()
    found = []
    for i, raw in enumerate(raw_events):
        f = fast_event(raw, fields, fc, as_o, i)
        if f is None:
            return None
        found.append(f)
    return (*head, found)


def timeline_of(plain: Plain) -> Timeline:
    """The Timeline of a fast path's fields."""
    sid, birth, school_type, muni, fc, as_of, found = plain
    return Timeline(
        student=Student(id=sid, birth_date=birth, school_type=school_type, municipality=muni),
        calendar=fc.spec,
        as_of=as_of,
        # positionally, in Event's field order: index, date, type, hours, authorized,
        # reason, days, until, dagdelen, with_, label, note
        events=tuple(Event(f[12], f[1], f[0], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]) for f in found),
    )


def fast_timeline(data: Any, event_types: Iterable[str] = ()) -> Timeline | None:
    """The Timeline of a plainly valid timeline dict, or None (then use the full validation)."""
    plain = fast_plain(data, event_types)
    return timeline_of(plain) if plain is not None else None


def parse_timeline(data: Any, event_types: Iterable[str] = ()) -> Timeline:
    """Validate a timeline (a dict, or JSON text) into a Timeline, or raise TimelineError.

    `event_types` are extra event types the protocol declares (`gebeurtenis`).
    """
    if isinstance(data, Timeline):
        return data
    if isinstance(data, str | bytes | bytearray | memoryview):
        data = decode(bytes(data) if not isinstance(data, str) else data)
    fast = fast_timeline(data, event_types)
    if fast is not None:
        return fast
    return parse_full(data, event_types)


def parse_full(data: Any, event_types: Iterable[str] = ()) -> Timeline:
    """The full validation, which finds and words every problem (no fast path)."""
    c = _Collector()
    if not isinstance(data, Mapping):
        raise TimelineError([Problem("", "een tijdlijn is een JSON-object", "a timeline is a JSON object")])
    c.unknown_keys(data, _TOP_FIELDS, "")
    fmt = data.get("format")
    if fmt != FORMAT:
        if fmt is None:
            c.add("format", f"ontbreekt; schrijf \"format\": \"{FORMAT}\"", f'is missing; write "format": "{FORMAT}"', field="format")
        elif isinstance(fmt, str) and fmt.startswith("vz-timeline/"):
            c.add("format", f"versie {fmt!r} wordt niet ondersteund; deze vzc leest {FORMAT}", f"version {fmt!r} is not supported; this vzc reads {FORMAT}", field="format")
        else:
            c.add("format", f"geen tijdlijn; verwacht {FORMAT}", f"not a timeline; expected {FORMAT}", field="format")
    student = _parse_student(c, data.get("student")) if "student" in data else None
    if "student" not in data:
        c.add("student", "ontbreekt", "is missing", field="student")
    spec = _parse_calendar(c, data.get("calendar")) if "calendar" in data else None
    if "calendar" not in data:
        c.add("calendar", "ontbreekt", "is missing", field="calendar")
    as_of = None
    if "as_of" not in data:
        c.add("as_of", "ontbreekt: de peildatum tot waar de tijdlijn loopt", "is missing: the date the timeline runs to", field="as_of")
    else:
        as_of = c.date_(data["as_of"], "as_of", field="as_of")
        if as_of is not None and spec is not None and not spec.first_day <= as_of <= spec.last_day:
            c.add("as_of", f"valt buiten schooljaar {spec.label}", f"lies outside school year {spec.label}", field="as_of")
            as_of = None
    if student is not None and spec is not None and student.birth_date >= spec.first_day:
        c.add("student.birth_date", "ligt niet voor het begin van het schooljaar", "does not lie before the start of the school year", field="birth_date")
    cal = spec.calendar() if spec is not None else None
    raw_events = data.get("events", [])
    events: list[Event] = []
    if not isinstance(raw_events, list):
        c.add("events", "moet een lijst zijn", "must be a list", field="events")
    else:
        types = _types(event_types)
        for i, raw in enumerate(raw_events):
            ev = _parse_event(c, raw, i, types, spec, cal, as_of)
            if ev is not None:
                events.append(ev)
    if c.problems:
        raise TimelineError(c.problems)
    assert student is not None and spec is not None and as_of is not None
    return Timeline(student=student, calendar=spec, as_of=as_of, events=tuple(events))


def parse_event(
    raw: Any,
    index: int,
    spec: CalendarSpec,
    event_types: Iterable[str] = (),
    as_of: date | None = None,
) -> Event:
    """Validate one event for a known calendar (the incremental Session feeds events this way)."""
    c = _Collector()
    ev = _parse_event(c, raw, index, _types(event_types), spec, spec.calendar(), as_of)
    if c.problems or ev is None:
        raise TimelineError(c.problems)
    return ev


def parse_header(data: Mapping[str, Any]) -> tuple[Student, CalendarSpec]:
    """The student and calendar parts of a timeline, for a Session that gets events later."""
    c = _Collector()
    student = _parse_student(c, data.get("student"))
    spec = _parse_calendar(c, data.get("calendar"))
    if student is not None and spec is not None and student.birth_date >= spec.first_day:
        c.add("student.birth_date", "ligt niet voor het begin van het schooljaar", "does not lie before the start of the school year", field="birth_date")
    if c.problems:
        raise TimelineError(c.problems)
    assert student is not None and spec is not None
    return student, spec


def load_timeline(path: str, event_types: Iterable[str] = ()) -> Timeline:
    with open(path, "rb") as f:
        return parse_timeline(f.read(), event_types)


# ---------------------------------------------------------------------------- event coverage


def covered_days(event: Event, cal: SchoolCalendar, last: date) -> list[date]:
    """The school days an absence-like event covers, up to and including `last`.

    One school day unless `days` (that many school days from the date) or `until` (every
    school day up to that date) says otherwise.
    """
    d = event.date
    if event.until is not None:
        return cal.school_days(d, min(event.until, last))
    n = event.days or 1
    first = d if cal.is_school_day(d) else cal.add_school_days(d, 1)
    end = cal.add_school_days(first, n - 1)
    return cal.school_days(first, min(end, last))


def event_span_end(event: Event, cal: SchoolCalendar) -> date:
    """The last day an event concerns (its `until`, the last of its `days`, or its date)."""
    if event.until is not None:
        return event.until
    if event.days is not None and event.days > 1:
        first = event.date if cal.is_school_day(event.date) else cal.add_school_days(event.date, 1)
        return cal.add_school_days(first, event.days - 1)
    return event.date


# ---------------------------------------------------------------------------- line lookup


def locate(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the value at `path` (keys and indices) in JSON `text`, if found.

    A small scanner rather than a second parser: it skips strings and counts brackets, so
    an error about `events[12].hours` can point at the line a person would edit.
    """
    pos = 0
    n = len(text)

    def skip_ws(i: int) -> int:
        while i < n and text[i] in " \t\r\n":
            i += 1
        return i

    def skip_string(i: int) -> int:
        i += 1
        while i < n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                return i + 1
            i += 1
        return i

    def skip_value(i: int) -> int:
        i = skip_ws(i)
        if i >= n:
            return i
        ch = text[i]
        if ch == '"':
            return skip_string(i)
        if ch in "[{":
            depth = 0
            while i < n:
                ch = text[i]
                if ch == '"':
                    i = skip_string(i)
                    continue
                if ch in "[{":
                    depth += 1
                elif ch in "]}":
                    depth -= 1
                    if depth == 0:
                        return i + 1
                i += 1
            return i
        while i < n and text[i] not in ",]}":
            i += 1
        return i

    for step in path:
        pos = skip_ws(pos)
        if pos >= n:
            return None
        if isinstance(step, int):
            if text[pos] != "[":
                return None
            pos += 1
            for _ in range(step):
                pos = skip_value(pos)
                pos = skip_ws(pos)
                if pos >= n or text[pos] != ",":
                    return None
                pos += 1
            pos = skip_ws(pos)
        else:
            if text[pos] != "{":
                return None
            pos += 1
            found = False
            while True:
                pos = skip_ws(pos)
                if pos >= n or text[pos] != '"':
                    return None
                end = skip_string(pos)
                key = text[pos + 1 : end - 1]
                pos = skip_ws(end)
                if pos >= n or text[pos] != ":":
                    return None
                pos += 1
                if key == step:
                    found = True
                    break
                pos = skip_value(pos)
                pos = skip_ws(pos)
                if pos >= n or text[pos] != ",":
                    return None
                pos += 1
            if not found:
                return None
            pos = skip_ws(pos)
    return text.count("\n", 0, pos) + 1


_PATH_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """'events[3].hours' -> ['events', 3, 'hours']."""
    out: list[str | int] = []
    for key, idx in _PATH_RE.findall(path):
        out.append(int(idx) if idx else key)
    return out

