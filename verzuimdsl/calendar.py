"""The school calendar behind an interface of our own.

Protocols count in werkdagen, schooldagen, schoolweken, weeks and months. This module
answers those questions from a few precomputed tables, so the interpreter never consults
the `holidays` package on a hot path and can swap the data source without touching callers.

Rules (see docs in /work/shared/domain/NOTES.md, "Counting days"):

* Werkdagen follow the Algemene termijnenwet (Atw, art. 3): Monday to Friday, less
  Nieuwjaarsdag, tweede paasdag, Hemelvaartsdag, tweede pinksterdag, eerste en tweede
  kerstdag, Koningsdag and 5 mei (every year). Good Friday is *not* an Atw holiday. We
  build this list ourselves because `holidays`' "public" category differs on both points.
* Schooldagen are werkdagen less the school holidays of the region (Regeling vaststelling
  schoolvakanties, via `holidays`' "school" category) and the school's own days off. The
  herfst- and voorjaarsvakantie are advisory, so a school may move them; the zomer-, kerst-
  and meivakantie are binding and cannot be overridden.
* Schoolweken are ISO weeks (Monday-Sunday) holding at least one school day. Weeks without
  school days are skipped, so counts such as "4 schoolweken" run straight over a holiday.

Ordinals (`school_day_ordinal`, `school_week_ordinal`) use one dense numbering over the whole
supported range, so they compare correctly across school-year boundaries.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import enum
import functools
import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import attrs
import holidays
from dateutil.easter import easter

__all__ = [
    "ADVISORY_HOLIDAYS",
    "BINDING_HOLIDAYS",
    "CalendarError",
    "Region",
    "SCHOOL_RANGE_FIRST_DAY",
    "SCHOOL_RANGE_LAST_DAY",
    "SchoolCalendar",
    "WORKING_RANGE_FIRST_DAY",
    "WORKING_RANGE_LAST_DAY",
    "add_calendar_days",
    "add_months",
    "add_weeks",
    "atw_holidays",
    "calendar_for",
    "parse_school_year",
    "school_year_of",
]


class CalendarError(ValueError):
    """A calendar question we cannot answer reliably (bad input or date out of range)."""


# --------------------------------------------------------------------------------------------
# Ranges
# --------------------------------------------------------------------------------------------

#: `holidays` has the school holidays of calendar years 2014-2030, but the regeling behind
#: them ends with school year 2029-2030 (there is no herfstvakantie for autumn 2030). School
#: days are therefore known from 1 January 2014 up to and including 31 July 2030.
SCHOOL_RANGE_FIRST_DAY = date(2014, 1, 1)
SCHOOL_RANGE_LAST_DAY = date(2030, 7, 31)

#: Werkdagen depend only on the Atw, so they are computed for a much wider, fixed range.
WORKING_RANGE_FIRST_DAY = date(1990, 1, 1)
WORKING_RANGE_LAST_DAY = date(2099, 12, 31)


def _fmt(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def _school_range_error(d: date) -> CalendarError:
    return CalendarError(
        f"Schoolvakanties zijn alleen bekend van {_fmt(SCHOOL_RANGE_FIRST_DAY)} tot en met "
        f"{_fmt(SCHOOL_RANGE_LAST_DAY)} (schooljaar 2029-2030); {_fmt(d)} valt daarbuiten."
    )


def _working_range_error(d: date) -> CalendarError:
    return CalendarError(
        f"Werkdagen worden alleen berekend van {_fmt(WORKING_RANGE_FIRST_DAY)} tot en met "
        f"{_fmt(WORKING_RANGE_LAST_DAY)}; {_fmt(d)} valt daarbuiten."
    )


# --------------------------------------------------------------------------------------------
# School years
# --------------------------------------------------------------------------------------------


def school_year_of(d: date) -> int:
    """The start year of the school year (1 August - 31 July) that contains `d`."""
    return d.year if d.month >= 8 else d.year - 1


_SCHOOL_YEAR_RE = re.compile(r"\s*(\d{4})\s*[-/\u2013]\s*(\d{2}|\d{4})\s*")


def parse_school_year(text: str) -> int:
    """Parse "2025-2026" (also "2025/2026" or "2025-26") into its start year, 2025.

    The second year must follow the first, because a typo there usually means the author
    meant a different school year and silently picking one would hide it.
    """
    m = _SCHOOL_YEAR_RE.fullmatch(text)
    if m is None:
        raise CalendarError(
            f"Ongeldig schooljaar {text!r}; schrijf het als 'JJJJ-JJJJ', bijvoorbeeld '2025-2026'."
        )
    first, second = int(m.group(1)), m.group(2)
    ok = (int(second) == first + 1) if len(second) == 4 else (int(second) == (first + 1) % 100)
    if not ok:
        raise CalendarError(
            f"Ongeldig schooljaar {text!r}: een schooljaar loopt van 1 augustus {first} tot "
            f"31 juli {first + 1}, dus schrijf '{first}-{first + 1}'."
        )
    return first


# --------------------------------------------------------------------------------------------
# Plain date arithmetic (region-independent)
# --------------------------------------------------------------------------------------------


def add_calendar_days(d: date, n: int) -> date:
    """`d` plus `n` calendar days."""
    return d + timedelta(days=n)


def add_weeks(d: date, n: int) -> date:
    """`d` plus `n` calendar weeks (7 days each), not school weeks."""
    return d + timedelta(days=7 * n)


def add_months(d: date, n: int) -> date:
    """`d` plus `n` months, clamped to the last day of the target month (31 Jan + 1 = 28/29 Feb).

    A quarter ("kwartaal") is 3 months; callers use `add_months(d, 3 * n)`.
    """
    total = d.year * 12 + (d.month - 1) + n
    year, month = divmod(total, 12)
    month += 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


# --------------------------------------------------------------------------------------------
# Werkdagen (Algemene termijnenwet)
# --------------------------------------------------------------------------------------------


@functools.cache
def atw_holidays(year: int) -> dict[date, str]:
    """The holidays of the Algemene termijnenwet art. 3 in `year`, with their Dutch names.

    Built explicitly (not from `holidays`' "public" category): the Atw makes 5 mei a
    holiday every year and does not include Goede Vrijdag.
    """
    e = easter(year)
    if year >= 2014:
        kings = date(year, 4, 27)
        if kings.weekday() == 6:  # Sunday: celebrated on Saturday 26 April.
            kings = date(year, 4, 26)
        kings_name = "Koningsdag"
    else:
        kings = date(year, 4, 30)
        if kings.weekday() == 6:
            kings = date(year, 4, 29)
        kings_name = "Koninginnedag"
    return {
        date(year, 1, 1): "Nieuwjaarsdag",
        e + timedelta(days=1): "Tweede paasdag",
        kings: kings_name,
        date(year, 5, 5): "Bevrijdingsdag",
        e + timedelta(days=39): "Hemelvaartsdag",
        e + timedelta(days=50): "Tweede pinksterdag",
        date(year, 12, 25): "Eerste kerstdag",
        date(year, 12, 26): "Tweede kerstdag",
    }


@attrs.frozen
class _DayTable:
    """Dense index over the flagged days (working or school days) of a range.

    `flag[o]` says whether date ordinal `o` is flagged; `before[o]` is the number of flagged
    days strictly before `o` (so it is the index of `o` itself when flagged, and otherwise the
    index of the next flagged day); `before` also holds `last + 1` so that counts over
    (start, end] need no special case. `days`/`dates` list the flagged days in order.
    """

    flag: dict[int, bool]
    before: dict[int, int]
    days: list[int]
    dates: list[date]


def _day_table(first: date, last: date, is_flagged: Iterable[bool]) -> _DayTable:
    o_first = first.toordinal()
    ords = range(o_first, last.toordinal() + 1)
    flags = list(is_flagged)
    flag = dict(zip(ords, flags, strict=True))
    # flagged days strictly before each day: a running count, shifted by one day
    counts = list(itertools.accumulate(flags, initial=0))
    before = dict(zip(range(o_first, ords.stop + 1), counts, strict=True))
    days = list(itertools.compress(ords, flags))
    return _DayTable(flag, before, days, [date.fromordinal(x) for x in days])


@functools.cache
def _working_day_table() -> _DayTable:
    """Werkdagen over the whole working range; shared by every calendar (region-independent)."""
    first, last = WORKING_RANGE_FIRST_DAY, WORKING_RANGE_LAST_DAY
    holidays = {
        d.toordinal() for year in range(first.year, last.year + 1) for d in atw_holidays(year)
    }
    # date.fromordinal(1) is a Monday, so (o - 1) % 7 is the weekday (0 = Monday)
    return _day_table(
        first,
        last,
        ((o - 1) % 7 < 5 and o not in holidays for o in range(first.toordinal(), last.toordinal() + 1)),
    )


# --------------------------------------------------------------------------------------------
# Regions and school holidays
# --------------------------------------------------------------------------------------------


class Region(enum.Enum):
    """The three school-holiday regions of the Regeling vaststelling schoolvakanties."""

    NOORD = "noord"
    MIDDEN = "midden"
    ZUID = "zuid"

    @classmethod
    def parse(cls, value: str | Region) -> Region:
        """Case-insensitive lookup by value or name ("Zuid", "ZUID", "zuid")."""
        if isinstance(value, Region):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        raise CalendarError(f"Onbekende regio {value!r}; kies 'noord', 'midden' of 'zuid'.")

    @property
    def holidays_subdiv(self) -> str:
        """The subdivision code the `holidays` package expects ("Noord", "Midden", "Zuid")."""
        return self.value.capitalize()


#: Breaks a school may move (advisory dates in the regeling).
ADVISORY_HOLIDAYS: frozenset[str] = frozenset({"herfstvakantie", "voorjaarsvakantie"})
#: Breaks fixed by the regeling for every school in the region.
BINDING_HOLIDAYS: frozenset[str] = frozenset({"zomervakantie", "kerstvakantie", "meivakantie"})

#: Name used by `holiday_name` for a school's own day off (studiedag and the like).
DAY_OFF_NAME = "Vrije dag school"


@functools.cache
def _regional_school_holidays(region: Region) -> dict[date, str]:
    """School holidays of `region` over the supported range, as {date: Dutch name}."""
    data = holidays.country_holidays(
        "NL",
        subdiv=region.holidays_subdiv,
        categories=("school",),
        years=range(SCHOOL_RANGE_FIRST_DAY.year, SCHOOL_RANGE_LAST_DAY.year + 1),
        language="nl",
    )
    out: dict[date, str] = {}
    for d, name in data.items():
        if SCHOOL_RANGE_FIRST_DAY <= d <= SCHOOL_RANGE_LAST_DAY:
            # A date could in principle carry two names ("A; B"); keep the first.
            out[d] = str(name).split(";")[0].strip()
    return out


# --------------------------------------------------------------------------------------------
# Normalisation of the calendar's inputs
# --------------------------------------------------------------------------------------------

Override = tuple[str, date, date]


def _norm_days_off(days_off: Iterable[date]) -> tuple[date, ...]:
    out = set()
    for d in days_off:
        if not isinstance(d, date):
            raise CalendarError(f"Vrije dag {d!r} is geen datum.")
        out.add(d)
    return tuple(sorted(out))


def _norm_overrides(
    overrides: Mapping[str, tuple[date, date]] | Iterable[Override],
) -> tuple[Override, ...]:
    """Accept {name: (first, last)} or (name, first, last) triples; return sorted triples."""
    items: Iterable[tuple[str, date, date]]
    if isinstance(overrides, Mapping):
        items = ((name, span[0], span[1]) for name, span in overrides.items())
    else:
        items = overrides
    out = []
    for item in items:
        try:
            name, first, last = item
        except (TypeError, ValueError):
            raise CalendarError(
                f"Ongeldige vakantie-afwijking {item!r}; verwacht (naam, eerste dag, laatste dag)."
            ) from None
        out.append((str(name).strip().lower(), first, last))
    return tuple(sorted(out, key=lambda t: (t[1], t[0], t[2])))


def _validate(days_off: tuple[date, ...], overrides: tuple[Override, ...]) -> None:
    for d in days_off:
        if not SCHOOL_RANGE_FIRST_DAY <= d <= SCHOOL_RANGE_LAST_DAY:
            raise _school_range_error(d)
    seen: set[tuple[str, int]] = set()
    for name, first, last in overrides:
        if name in BINDING_HOLIDAYS:
            raise CalendarError(
                f"De {name} is bindend vastgesteld in de Regeling vaststelling schoolvakanties; "
                "een school kan alleen de data van de herfst- en voorjaarsvakantie aanpassen."
            )
        if name not in ADVISORY_HOLIDAYS:
            raise CalendarError(
                f"Onbekende vakantie {name!r}; alleen 'herfstvakantie' en 'voorjaarsvakantie' "
                "kunnen per school worden aangepast."
            )
        if not isinstance(first, date) or not isinstance(last, date):
            raise CalendarError(f"De {name} moet een eerste en laatste datum hebben.")
        if last < first:
            raise CalendarError(
                f"De {name} eindigt ({_fmt(last)}) voordat hij begint ({_fmt(first)})."
            )
        for d in (first, last):
            if not SCHOOL_RANGE_FIRST_DAY <= d <= SCHOOL_RANGE_LAST_DAY:
                raise _school_range_error(d)
        year = school_year_of(first)
        if school_year_of(last) != year:
            raise CalendarError(
                f"De {name} van {_fmt(first)} tot {_fmt(last)} loopt over de grens van het "
                "schooljaar (1 augustus) heen."
            )
        if (name, year) in seen:
            raise CalendarError(f"De {name} van schooljaar {year}-{year + 1} is dubbel opgegeven.")
        seen.add((name, year))


def _effective_school_holidays(region: Region, overrides: tuple[Override, ...]) -> dict[date, str]:
    """The region's school holidays with the school's own herfst/voorjaar dates applied."""
    result = dict(_regional_school_holidays(region))
    for name, first, _last in overrides:
        year = school_year_of(first)
        for d in [d for d, n in result.items() if n.lower() == name and school_year_of(d) == year]:
            del result[d]
    for name, first, last in overrides:
        d = first
        while d <= last:
            result.setdefault(d, name.capitalize())
            d += timedelta(days=1)
    return result


# --------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------


def _internal() -> Any:
    return attrs.field(init=False, default=None, eq=False, hash=False, repr=False)


@attrs.frozen
class SchoolCalendar:
    """Werkdagen, schooldagen and schoolweken of one school (region plus own deviations).

    Immutable; all tables are built once in the constructor, so obtain instances through
    `calendar_for`, which caches them. Methods that need school days raise `CalendarError`
    for dates outside 1 Jan 2014 - 31 Jul 2030; werkdagen work for 1990-2099.
    """

    region: Region = attrs.field(converter=Region.parse)
    days_off: tuple[date, ...] = attrs.field(default=(), converter=_norm_days_off)
    holiday_overrides: tuple[Override, ...] = attrs.field(default=(), converter=_norm_overrides)

    # Precomputed tables (not part of identity).
    _school_holidays: dict[date, str] = _internal()
    _days_off_set: frozenset[date] = _internal()
    _wd: _DayTable = _internal()
    _wd_flag: dict[int, bool] = _internal()
    _sd: _DayTable = _internal()
    _sd_flag: dict[int, bool] = _internal()
    _sd_before: dict[int, int] = _internal()
    _week_of: dict[int, int] = _internal()
    _week_monday: list[int] = _internal()
    _week_last: list[date] = _internal()

    def __attrs_post_init__(self) -> None:
        _validate(self.days_off, self.holiday_overrides)
        school_holidays = _effective_school_holidays(self.region, self.holiday_overrides)
        days_off = frozenset(self.days_off)
        wd = _working_day_table()
        first, last = SCHOOL_RANGE_FIRST_DAY, SCHOOL_RANGE_LAST_DAY
        n = last.toordinal() - first.toordinal() + 1
        all_days = [first + timedelta(days=i) for i in range(n)]
        sd = _day_table(
            first,
            last,
            (
                wd.flag[d.toordinal()] and d not in school_holidays and d not in days_off
                for d in all_days
            ),
        )
        # School weeks: ISO weeks with at least one school day, numbered densely. Dates in a
        # week without school days map to the number the next school week gets.
        week_of: dict[int, int] = {}
        week_monday: list[int] = []
        week_last: list[date] = []
        o = first.toordinal()
        o_end = last.toordinal()
        monday = o - (o + 6) % 7
        while monday <= o_end:
            week = range(max(monday, o), min(monday + 6, o_end) + 1)
            school = [x for x in week if sd.flag[x]]
            idx = len(week_monday)
            if school:
                week_monday.append(monday)
                week_last.append(date.fromordinal(school[-1]))
            for x in week:
                week_of[x] = idx
            monday += 7
        put = object.__setattr__
        put(self, "_school_holidays", school_holidays)
        put(self, "_days_off_set", days_off)
        put(self, "_wd", wd)
        put(self, "_wd_flag", wd.flag)
        put(self, "_sd", sd)
        put(self, "_sd_flag", sd.flag)
        put(self, "_sd_before", sd.before)
        put(self, "_week_of", week_of)
        put(self, "_week_monday", week_monday)
        put(self, "_week_last", week_last)

    # -- day kinds --------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Monday-Friday and not an Atw holiday."""
        try:
            return self._wd_flag[d.toordinal()]
        except KeyError:
            raise _working_range_error(d) from None

    def is_school_day(self, d: date) -> bool:
        """A working day outside the region's school holidays and the school's days off."""
        try:
            return self._sd_flag[d.toordinal()]
        except KeyError:
            raise _school_range_error(d) from None

    def holiday_name(self, d: date) -> str | None:
        """Why `d` is free: the Atw holiday, else the school holiday, else the school's day off.

        Atw names win over school holidays (26 December is "Tweede kerstdag", not
        "Kerstvakantie"). Weekends and Goede Vrijdag give None.
        """
        if not WORKING_RANGE_FIRST_DAY <= d <= WORKING_RANGE_LAST_DAY:
            raise _working_range_error(d)
        name = atw_holidays(d.year).get(d)
        if name is not None:
            return name
        if not SCHOOL_RANGE_FIRST_DAY <= d <= SCHOOL_RANGE_LAST_DAY:
            raise _school_range_error(d)
        name = self._school_holidays.get(d)
        if name is not None:
            return name
        if d in self._days_off_set:
            return DAY_OFF_NAME
        return None

    # -- counting ---------------------------------------------------------------------------

    @staticmethod
    def _step(table: _DayTable, d: date, n: int, err: Callable[[date], CalendarError]) -> date:
        if n == 0:
            return d
        o = d.toordinal()
        try:
            k = table.before[o]
            flagged = table.flag[o]
        except KeyError:
            raise err(d) from None
        idx = k + n if (flagged or n < 0) else k + n - 1
        if not 0 <= idx < len(table.dates):
            raise CalendarError(
                f"{n} dagen vanaf {_fmt(d)} valt buiten het bereik van de kalender."
            )
        return table.dates[idx]

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (n=0: `d` itself; n<0: the |n|-th before `d`).

        "Binnen 5 werkdagen" after an event on `d` is `add_working_days(d, 5)`, whether or not
        `d` is itself a working day.
        """
        return self._step(self._wd, d, n, _working_range_error)

    def add_school_days(self, d: date, n: int) -> date:
        """The n-th school day after `d` (n=0: `d` itself; n<0: the |n|-th before `d`)."""
        return self._step(self._sd, d, n, _school_range_error)

    def add_school_weeks(self, d: date, n: int) -> date:
        """The deadline for "binnen n schoolweken" after `d`.

        Returns the last school day (normally Friday) of the n-th school week after the ISO
        week containing `d`. When `d` lies in a week without school days, the next school week
        is the first. n=0 returns `d` itself; n<0 gives the last school day of the |n|-th
        school week before `d`'s week.
        """
        if n == 0:
            return d
        target, _ = self._school_week_target(d, n)
        return self._week_last[target]

    def _school_week_target(self, d: date, n: int) -> tuple[int, bool]:
        """The index of the school week n school weeks from d's, and whether d's week has school.

        From a week without school days, the first school week after it counts as the first.
        """
        o = d.toordinal()
        try:
            w = self._week_of[o]
        except KeyError:
            raise _school_range_error(d) from None
        mondays = self._week_monday
        in_school_week = w < len(mondays) and mondays[w] == o - (o + 6) % 7
        target = w + n if (in_school_week or n < 0) else w + n - 1
        if not 0 <= target < len(mondays):
            raise CalendarError(
                f"{n} schoolweken vanaf {_fmt(d)} valt buiten het bereik van de kalender "
                f"({_fmt(SCHOOL_RANGE_FIRST_DAY)} - {_fmt(SCHOOL_RANGE_LAST_DAY)})."
            )
        return target, in_school_week

    def school_weeks_deadline(self, d: date, n: int) -> date:
        """The deadline for "binnen n schoolweken" after an event on `d`.

        The same weekday n school weeks later, weeks without school days skipped: a Monday
        referral "binnen 2 schoolweken" is due on the Monday two school weeks on. A deadline
        that falls on a day without school moves to the next school day, as the Algemene
        termijnenwet moves a deadline off a holiday.
        """
        if n <= 0:
            return d
        target, in_school_week = self._school_week_target(d, n)
        weekday = d.weekday() if in_school_week else 0
        due = date.fromordinal(self._week_monday[target] + weekday)
        return due if self.is_school_day(due) else self.add_school_days(due, 1)

    def add_calendar_days(self, d: date, n: int) -> date:
        """`d` plus `n` calendar days."""
        return d + timedelta(days=n)

    def add_weeks(self, d: date, n: int) -> date:
        """`d` plus 7*n calendar days (for school weeks use `add_school_weeks`)."""
        return d + timedelta(days=7 * n)

    def add_months(self, d: date, n: int) -> date:
        """`d` plus `n` months, clamped to month end; a quarter is `add_months(d, 3)`."""
        return add_months(d, n)

    def school_day_ordinal(self, d: date) -> int:
        """Dense index of school day `d`; for a non-school day, the index of the next one.

        Consecutive school days differ by exactly 1, also across holidays and school years.
        """
        try:
            return self._sd_before[d.toordinal()]
        except KeyError:
            raise _school_range_error(d) from None

    def school_week_ordinal(self, d: date) -> int:
        """Dense index of the school week containing `d`; in a holiday week, of the next one."""
        try:
            return self._week_of[d.toordinal()]
        except KeyError:
            raise _school_range_error(d) from None

    def school_days(self, start: date, end: date) -> list[date]:
        """The school days from `start` to `end`, both inclusive ([] when end < start)."""
        for d in (start, end):
            if not SCHOOL_RANGE_FIRST_DAY <= d <= SCHOOL_RANGE_LAST_DAY:
                raise _school_range_error(d)
        days = self._sd.days
        lo = bisect_left(days, start.toordinal())
        hi = bisect_right(days, end.toordinal())
        return self._sd.dates[lo:hi]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when end < start.

        Chosen so that `working_days_between(d, add_working_days(d, n)) == n` for n >= 0.
        """
        before = self._wd.before
        try:
            return before[end.toordinal() + 1] - before[start.toordinal() + 1]
        except KeyError:
            bad = start if start.toordinal() + 1 not in before else end
            raise _working_range_error(bad) from None


@functools.lru_cache(maxsize=256)
def _cached_calendar(
    region: Region, days_off: tuple[date, ...], overrides: tuple[Override, ...]
) -> SchoolCalendar:
    return SchoolCalendar(region, days_off, overrides)


def calendar_for(
    region: Region | str,
    days_off: Iterable[date] = (),
    holiday_overrides: Mapping[str, tuple[date, date]] | Iterable[Override] = (),
) -> SchoolCalendar:
    """The shared calendar for a school; equal inputs (in any order) give the same object.

    `holiday_overrides` is {"herfstvakantie": (first, last), ...} or (name, first, last)
    triples (the latter allows one override per school year).
    """
    return _cached_calendar(
        Region.parse(region), _norm_days_off(days_off), _norm_overrides(holiday_overrides)
    )
