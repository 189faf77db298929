"""Skip pupils for whom nothing can fire, soundly and cheaply.

Most pupils in a region never come near a threshold: a few sick days, a late morning, an
hour skipped. For each measure we add up upper bounds of what a pupil's events could
contribute (minutes, dagdelen, events, covered school days, whole days). If no trigger of
any rule or classification can be reached even with those bounds, the result is empty
and the engine need not run. The bounds over-estimate (overlapping events are added, a
`until` counts calendar days), so a pupil is only skipped when the engine would certainly
find nothing.

For JSONL batches `scan_line` also validates the line on a fast path (msgspec's decoder,
`timeline_decode`) that accepts only what the full parser accepts; anything unusual falls
back to the full parser, which then reports the exact problems.
"""

from __future__ import annotations

import bisect
import math
from datetime import date, timedelta
from typing import Any

import orjson

from ..calendar import SchoolCalendar
from ..leerplicht import age_on
from ..results import FORMAT as RESULT_FORMAT
from ..timeline import (
    ABSENCE_TYPES,
    DEFAULT_LESSON_HOURS,
    CalendarSpec,
    FastEvent,
    Plain,
    Timeline,
    timeline_of,
)
from ..timeline_decode import LineDecoder
from ..units import Unit
from .compiled import (
    C_AGE_BELOW,
    C_AGE_MIN,
    C_SCHOOL_TYPE,
    C_STATUS,
    COUNT,
    DAGDELEN,
    MINUTES,
    PERCENT,
    RECORDED_TYPES,
    W_CUMULATIVE,
    W_DAYS,
    W_MONTHS,
    W_SCHOOL_DAYS,
    W_SCHOOL_WEEKS,
    CCondition,
    Compiled,
    CTrigger,
)
from .engine import (
    _run_mark,
    enrolled_near,
    near_holiday,
    status_bounds,
    status_from_bounds,
    unenrolment_due,
)

# run units whose bound is a fixed offset from the run's start (see engine._run_mark)
_OFFSET_UNITS = frozenset({Unit.SCHOOL_DAY, Unit.SCHOOL_WEEK, Unit.CALENDAR_DAY, Unit.WEEK})
_EMPTY_TAIL = b'","actions":[],"classifications":[]}'
# indices into a slot's sums
B_MIN, B_DD, B_CNT, B_COV, B_FULL = range(5)

#: one matched event: (date, days, until, hours, minutes a day, dagdelen a day, whole day, span)
Item = tuple[date, Any, Any, Any, float, int, bool, int]


class Bounds:
    """Upper bounds of what one pupil's events can add to each measure."""

    __slots__ = (
        "sums", "items", "spec", "cal", "hpd", "day_min", "runs", "longest", "active", "enrolled", "as_of_o",
    )

    def __init__(self, spec: CalendarSpec, cal: SchoolCalendar) -> None:
        self.sums: dict[int, list[float]] = {}  # slot -> [minutes, dagdelen, events, days, whole days]
        self.items: dict[int, list[Item]] = {}
        self.runs: dict[int, list[tuple[int, int, int]]] = {}
        self.longest: dict[int, tuple[int, int]] = {}
        self.spec = spec
        self.cal = cal
        self.hpd = spec.lesson_hours_per_day or DEFAULT_LESSON_HOURS
        self.day_min = int(round(self.hpd * 60))
        self.active: frozenset[int] | None = None  # the rules that might fire, once known
        # for `uitgeschreven zonder inschrijving`: the days of enrolment events, and as_of
        # (None: not known, so such a trigger is assumed reachable)
        self.enrolled: list[int] | None = None
        self.as_of_o: int | None = None


class Prefilter:
    """Per compiled protocol: bounds of a pupil's measures, and which triggers they reach."""

    def __init__(self, compiled: Compiled) -> None:
        self.c = compiled
        self._decoder: LineDecoder | None = None  # built on the first JSONL line
        self._empty_head = (
            b'{"format":' + orjson.dumps(RESULT_FORMAT) + b',"protocol":' + orjson.dumps(compiled.protocol_id)
            + b',"student":'
        )
        self._empty_tails: dict[date, bytes] = {}  # as_of -> the empty result's end
        self._possible: dict[Pupil, _Possible] = {}
        self._min_days: dict[tuple[int, int, int], float] = {}
        self._min_window: dict[tuple[int, int, str, int], int] = {}
        self._edges: dict[tuple[int, int], list[int]] = {}
        # percentages over a window that `nieuwe teltermijn` can cut short get no bound
        self.reset_slots = {
            t.slot for r in compiled.rules if r.new_count for t in r.triggers if t.component == PERCENT
        }

    def add(self, b: Bounds, f: FastEvent, slots: tuple[int, ...]) -> None:
        """Add the most one event could contribute to the measures it counts in (`slots`,
        from Compiled.matching_slots)."""
        etype, d, hours, _, _, days, until, dagdelen, _, _, _, n, _ = f
        if etype in ABSENCE_TYPES:
            if hours is not None:
                per_min = hours * 60.0 + 1.0
                full = hours >= b.hpd or dagdelen == 2
                per_dd = dagdelen or (2 if full else 1)
            elif dagdelen == 1:
                per_min, full, per_dd = b.day_min / 2.0 + 1.0, False, 1
            else:
                per_min, full, per_dd = b.day_min + 1.0, True, 2
        else:
            n, per_min, per_dd, full = 0, 0.0, 0, False
        item = (d, days, until, hours, per_min, per_dd, full, n)
        for slot in slots:
            s = b.sums.get(slot)
            if s is None:
                s = b.sums[slot] = [0.0, 0.0, 0.0, 0.0, 0.0]
                b.items[slot] = []
            s[B_CNT] += 1
            if n:
                s[B_MIN] += per_min * n
                s[B_DD] += per_dd * n
                s[B_COV] += n
                if full:
                    s[B_FULL] += n
            b.items[slot].append(item)

    # ------------------------------------------------------------------ reachability

    def may_fire(self, t: CTrigger, b: Bounds) -> bool:
        """False only when the trigger cannot be reached with these events."""
        s = b.sums.get(t.slot)
        if s is None:
            return False
        if t.kind == "threshold":
            comp = t.component
            if comp == PERCENT:
                if s[B_MIN] <= 0:
                    return False
                if t.slot in self.reset_slots or t.wkind not in (W_SCHOOL_WEEKS, W_SCHOOL_DAYS):
                    return True  # a reset or a calendar window can make the window short
                return t.reached(100.0 * self._window_max(t, b) / (self._fewest_window_days(t, b) * b.day_min))
            total = s[(B_MIN, B_DD, B_CNT, B_COV)[comp]]
            if not t.reached(total):
                return False
            if t.wkind == W_CUMULATIVE:
                return True
            return t.reached(self._window_max(t, b))
        if t.kind == "run":
            full = s[B_FULL]
            if full <= 0:
                return False
            if t.unit is Unit.SCHOOL_DAY:
                if not t.reached(full):
                    return False
            elif t.unit is Unit.SCHOOL_WEEK:
                if not t.reached(full / 5.0):
                    return False
            elif full < self._min_school_days(t, b):
                return False
            return self._longest_run_reaches(t, b)
        if s[B_CNT] <= 0:
            return False
        if t.size_limit is not None:
            return any(self._size_reached(t, it, b) for it in b.items.get(t.slot, ()))
        if t.near_holiday:
            return self._touches_holiday(t, b)
        if t.without_enrolment:
            return self._unanswered_unenrolment(t, b)
        return True

    def _unanswered_unenrolment(self, t: CTrigger, b: Bounds) -> bool:
        """Whether an unenrolment has no enrolment within the grace days around it and its
        due day (the first school day a grace period after it) comes by as_of: the
        engine's own test (engine._without_enrolment)."""
        if b.enrolled is None or b.as_of_o is None:
            return True
        for it in b.items.get(t.slot, ()):
            u = it[0].toordinal()
            if enrolled_near(u, b.enrolled):
                continue
            due = unenrolment_due(b.cal, u)
            if due is not None and due <= b.as_of_o:
                return True
        return False

    def _runs(self, slot: int, b: Bounds) -> list[tuple[int, int, int]]:
        """The longest unbroken runs the whole-day events of a measure can make:
        (first day ordinal, its school day number, last school day number), merging
        events that overlap or follow on the next school day."""
        found = b.runs.get(slot)
        if found is None:
            found = b.runs[slot] = self._merge_runs(slot, b)
        return found

    def _merge_runs(self, slot: int, b: Bounds) -> list[tuple[int, int, int]]:
        cal = b.cal
        sdo = cal.school_day_ordinal
        spans = []
        for it in b.items.get(slot, ()):
            if not it[6] or not it[7]:  # not a whole day, or covers no days
                continue
            d = it[0]
            if it[1] is None and it[2] is None:  # one day, a school day (validated)
                first = sdo(d)
                spans.append((first, first, d.toordinal()))
                continue
            end = self._end(it, b)
            if end > b.spec.last_day:
                end = b.spec.last_day
            spans.append((sdo(d), sdo(end) + (1 if cal.is_school_day(end) else 0) - 1, d.toordinal()))
        spans.sort()
        runs: list[tuple[int, int, int]] = []
        for first, last, start_o in spans:
            if runs and first <= runs[-1][2] + 1:
                o, f, end_sdo = runs[-1]
                runs[-1] = (o, f, max(end_sdo, last))
            else:
                runs.append((start_o, first, last))
        return runs

    def _longest_run_reaches(self, t: CTrigger, b: Bounds) -> bool:
        """Whether one of those runs is long enough (the engine's own length rule)."""
        mark_of = _run_mark
        if t.unit in _OFFSET_UNITS:
            # the bound lies a fixed number of (school) days after a run's start: only
            # the longest run matters
            mark = mark_of(t.unit, t.limit, t.strict, 0, 0)
            if mark is not None:
                counts_school_days, offset = mark
                return self._longest(t.slot, b)[0 if counts_school_days else 1] >= offset
        sd_date = b.cal.add_school_days
        for start_o, first_sdo, last_sdo in self._runs(t.slot, b):
            mark = mark_of(t.unit, t.limit, t.strict, start_o, first_sdo)
            if mark is None:
                return True
            counts_school_days, value = mark
            if counts_school_days:
                if last_sdo >= value:
                    return True
            else:
                # the last covered school day of the run, as a day ordinal
                last_day = sd_date(date.fromordinal(start_o), last_sdo - first_sdo).toordinal()
                if last_day >= value:
                    return True
        return False

    def _longest(self, slot: int, b: Bounds) -> tuple[int, int]:
        """The longest run of a measure: (last minus first school day number, last
        covered school day minus first day, in days); (-1, -1) without runs."""
        found = b.longest.get(slot)
        if found is None:
            sd_date = b.cal.add_school_days
            school = days = -1
            for start_o, first_sdo, last_sdo in self._runs(slot, b):
                n = last_sdo - first_sdo
                school = max(school, n)
                days = max(days, sd_date(date.fromordinal(start_o), n).toordinal() - start_o)
            found = b.longest[slot] = (school, days)
        return found

    def _touches_holiday(self, t: CTrigger, b: Bounds) -> bool:
        """Whether any covered day could be the last school day before, or the first
        after, a school holiday (`rond vakantie`)."""
        days = self._holiday_edges(b)
        for it in b.items.get(t.slot, ()):
            first, last = it[0].toordinal(), self._end(it, b).toordinal()
            i = bisect.bisect_left(days, first)
            if i < len(days) and days[i] <= last:
                return True
        return False

    def _holiday_edges(self, b: Bounds) -> list[int]:
        key = (id(b.cal), b.spec.school_year)
        found = self._edges.get(key)
        if found is None:
            found = [
                d.toordinal()
                for d in b.cal.school_days(b.spec.first_day, b.spec.last_day)
                if near_holiday(b.cal, d)
            ]
            if len(self._edges) < 1024:
                self._edges[key] = found
        return found

    def active(self, b: Bounds, pupil: Pupil | None = None) -> frozenset[int]:
        """The rules and classifications (by index) that might fire: a trigger might be
        reached, and (given the pupil) no rule-level condition is impossible all year."""
        possible = None
        seen: set[int] = set()
        out = []
        slot_rules = self.c.slot_rules
        for slot in b.sums:
            for r in slot_rules[slot]:
                if r.index in seen:
                    continue
                seen.add(r.index)
                if not any(self.may_fire(t, b) for t in r.triggers):
                    continue
                if r.conditions and pupil is not None:
                    if possible is None:
                        possible = self._possible.get(pupil)
                        if possible is None:
                            possible = _Possible(*pupil)
                            if len(self._possible) < 1 << 16:  # pupils share birth dates
                                self._possible[pupil] = possible
                    if not all(possible.may_hold(c) for c in r.conditions):
                        continue
                out.append(r.index)
        return frozenset(out)

    def timeline_bounds(self, tl: Timeline) -> Bounds:
        spec = tl.calendar
        b = Bounds(spec, spec.calendar())
        matching = self.c.matching_slots
        for e in tl.events:
            slots = matching(e.type, e.authorized, e.reason, e.with_, e.label)
            if slots:
                span = (e.until - e.date).days + 1 if e.until is not None else (e.days or 1)
                f = (e.type, e.date, e.hours, e.authorized, e.reason, e.days, e.until, e.dagdelen,
                     e.with_, e.label, e.note, span, e.index)
                self.add(b, f, slots)
        b.enrolled = [e.date.toordinal() for e in tl.events if e.type == "enrolled"]
        b.as_of_o = tl.as_of.toordinal()
        return b

    def timeline_active(self, tl: Timeline) -> frozenset[int]:
        """What could fire for a parsed timeline; empty: the result is empty."""
        return self.active(self.timeline_bounds(tl), pupil_of(tl))

    def _end(self, it: Item, b: Bounds) -> date:
        d, days, until = it[0], it[1], it[2]
        if until is not None:
            return until
        if days:
            cal = b.cal
            first = d if cal.is_school_day(d) else cal.add_school_days(d, 1)
            return cal.add_school_days(first, days - 1)
        return d

    def _window_max(self, t: CTrigger, b: Bounds) -> float:
        """The most any one window can hold: the events whose days meet a window, summed,
        maximised over the window's positions (a sweep over key intervals)."""
        cal = b.cal
        comp = t.component
        kind = t.wkind
        size = t.wsize
        if kind == W_SCHOOL_WEEKS:
            key, reach = cal.school_week_ordinal, size - 1
        elif kind == W_SCHOOL_DAYS:
            key, reach = cal.school_day_ordinal, size - 1
        elif kind == W_DAYS:
            key, reach = date.toordinal, size - 1
        elif kind == W_MONTHS:
            key, reach = date.toordinal, 31 * size
        else:
            unit = t.wunit

            def key(d: date) -> int:
                return _period(unit, d, cal)

            reach = 0
        points: list[tuple[int, float]] = []
        for it in b.items.get(t.slot, ()):
            per_min, per_dd, n = it[4], it[5], it[7]
            if comp == COUNT:
                amount: float = 1.0
            elif comp == MINUTES or comp == PERCENT:
                amount = per_min * n
            elif comp == DAGDELEN:
                amount = per_dd * n
            else:
                amount = float(n)
            if amount <= 0:
                continue
            k1 = key(it[0])
            k2 = k1 if comp == COUNT or (it[1] is None and it[2] is None) else key(self._end(it, b))
            points.append((k1, amount))
            points.append((k2 + reach + 1, -amount))
        points.sort()
        best = level = 0.0
        for _, delta in points:
            level += delta
            if level > best:
                best = level
        return best

    def _fewest_window_days(self, t: CTrigger, b: Bounds) -> int:
        """The fewest school days a `binnen N schoolweken/schooldagen` window holds up to
        any day of the year, counted as the engine counts them: the smallest denominator a
        percentage can have (without a reset)."""
        spec = b.spec
        key = (id(b.cal), spec.school_year, t.wkind, t.wsize)
        found = self._min_window.get(key)
        if found is None:
            cal = b.cal
            sdo = cal.school_day_ordinal
            n = t.wsize
            fewest = 10**9
            o, o_last = spec.first_day.toordinal(), spec.last_day.toordinal()
            while o <= o_last:
                d = date.fromordinal(o)
                school = cal.is_school_day(d)
                d0 = d if school else cal.add_school_days(d, 1)
                if t.wkind == W_SCHOOL_WEEKS:
                    x = cal.add_school_weeks(d0, -(n - 1)) if n > 1 else d0
                    monday = x - timedelta(days=x.weekday())
                    first = monday if cal.is_school_day(monday) else cal.add_school_days(monday, 1)
                else:
                    first = cal.add_school_days(d0, -(n - 1))
                days = sdo(d) + (1 if school else 0) - sdo(first)
                fewest = min(fewest, days)
                o += 1
            found = max(1, fewest)
            if len(self._min_window) < 1024:
                self._min_window[key] = found
        return found

    def _min_school_days(self, t: CTrigger, b: Bounds) -> float:
        """The fewest school days an unbroken run long enough for `t` must cover."""
        value = t.limit
        unit = t.unit
        if unit is Unit.CALENDAR_DAY:
            span = int(value) + 1 if t.strict else math.ceil(value)
        elif unit is Unit.WEEK:
            span = int(7 * value) + 1 if t.strict else math.ceil(7 * value)
        elif unit is Unit.MONTH:
            span = 28 * int(value)
        else:
            return 1.0
        if span <= 1:
            return 1.0
        spec = b.spec
        key = (id(b.cal), spec.school_year, span)
        found = self._min_days.get(key)
        if found is None:
            found = _fewest_school_days(b.cal, spec.first_day, spec.last_day, span)
            if len(self._min_days) < 1024:
                self._min_days[key] = found
        return found

    def _size_reached(self, t: CTrigger, it: Item, b: Bounds) -> bool:
        d, days, until, hours = it[0], it[1], it[2], it[3]
        unit = t.size_unit
        if unit is Unit.SCHOOL_DAY:
            size = float(days or ((until - d).days + 1 if until else 1))
        elif unit is Unit.HOUR:
            size = (hours if hours is not None else b.hpd) * (days or ((until - d).days + 1 if until else 1))
        else:
            span = (self._end(it, b) - d).days + 1
            size = span / 7.0 if unit is Unit.WEEK else float(span)
        assert t.size_limit is not None
        return size > t.size_limit if t.size_strict else size >= t.size_limit

    # ------------------------------------------------------------------ batch fast path

    def scan_line(self, raw: bytes) -> tuple[bytes | None, Timeline | None, Bounds | None]:
        """One JSONL line on the fast path (the batch's decoder checks it).

        (JSON of the empty result, None, None): valid, and nothing can fire.
        (None, timeline, bounds): valid; run the engine (the bounds tell it what is active).
        (None, None, None): not plainly valid; the full parser must judge and explain.
        """
        if self._decoder is None:
            # events of types the engine ignores are validated, not kept
            self._decoder = LineDecoder(self.c.event_types, keep=self.c.engine_types)
        plain = self._decoder.decode(raw)
        if plain is None:
            return None, None, None
        return self.verdict(plain)

    def verdict(self, plain: Plain) -> tuple[bytes | None, Timeline | None, Bounds | None]:
        """The empty result's JSON, or the timeline and bounds the engine needs."""
        sid, _, _, _, fc, as_of, found = plain
        bounds = None
        matching = self.c.matching_slots
        for f in found:
            slots = matching(f[0], f[3], f[4], f[8], f[9])
            if slots:
                if bounds is None:
                    bounds = Bounds(fc.spec, fc.cal)
                self.add(bounds, f, slots)
        if bounds is not None:
            bounds.enrolled = [f[1].toordinal() for f in found if f[0] == "enrolled"]
            bounds.as_of_o = as_of.toordinal()
            active = self.active(bounds, (plain[1], plain[2], None, None, fc.spec.first_day, as_of))
            if active:
                bounds.active = active
                # the engine reads only the events that count in a measure, and those it
                # records anyway; the others (an authorised hour, say) need no Event
                kept = [f for f in found if f[0] in RECORDED_TYPES or matching(f[0], f[3], f[4], f[8], f[9])]
                return None, timeline_of((*plain[:6], kept)), bounds  # type: ignore[arg-type]
        # the empty result, as Result.dumps() writes it (tests compare the two)
        tail = self._empty_tails.get(as_of)
        if tail is None:
            tail = self._empty_tails[as_of] = b',"as_of":"' + as_of.isoformat().encode() + _EMPTY_TAIL
        return self._empty_head + orjson.dumps(sid) + tail, None, None


def _period(unit: Unit | None, d: date, cal: SchoolCalendar) -> int:
    """The calendar period a day falls in, as the engine numbers them."""
    if unit is Unit.MONTH:
        return d.year * 12 + d.month
    if unit is Unit.QUARTER:
        return d.year * 4 + (d.month - 1) // 3
    if unit is Unit.SCHOOL_YEAR:
        return d.year if d.month >= 8 else d.year - 1
    if unit is Unit.WEEK:
        return d.toordinal() - d.weekday()
    if unit is Unit.SCHOOL_WEEK:
        return cal.school_week_ordinal(d)
    if unit is Unit.SCHOOL_DAY:
        return cal.school_day_ordinal(d)
    return d.toordinal()


def _fewest_school_days(cal: SchoolCalendar, first: date, last: date, span: int) -> float:
    """The fewest school days in any `span` consecutive days of [first, last] that end on a
    school day (an unbroken run of that length covers at least that many); inf if none."""
    best = math.inf
    o_first, o_last = first.toordinal(), last.toordinal()
    sdo = cal.school_day_ordinal
    for o in range(o_first + span - 1, o_last + 1):
        y = date.fromordinal(o)
        if not cal.is_school_day(y):
            continue
        n = sdo(y) + 1 - sdo(date.fromordinal(o - span + 1))
        if n < best:
            best = n
    return best


#: what rule conditions may ask of a pupil: (birth date, school type, first school year,
#: startkwalificatie date, first day of the school year, as_of)
Pupil = tuple[date, str, Any, Any, date, date]


def pupil_of(tl: Timeline) -> Pupil:
    s = tl.student
    return (s.birth_date, s.school_type, s.first_school_year, s.startkwalificatie_date, tl.calendar.first_day, tl.as_of)


class _Possible:
    """What a pupil's status, age and school type can be between the year's start and as_of."""

    def __init__(
        self, b: date, school_type: str, first_school_year: Any, startkwalificatie: Any, first: date, last: date
    ) -> None:
        self.school_type = school_type
        self.min_age = age_on(b, first)
        self.max_age = age_on(b, last)
        bounds = status_bounds(b, first_school_year, startkwalificatie)
        ls, le, ke, b18 = bounds
        changes = (ls, le + timedelta(days=1), ke + timedelta(days=1), b18)
        days = [first, last] + [d for d in changes if first < d <= last]
        self.statuses = {status_from_bounds(bounds, d) for d in days}

    def may_hold(self, c: CCondition) -> bool:
        """False only when the condition cannot hold on any day of the period."""
        if c.negated:
            return True
        if c.kind == C_STATUS:
            return bool(self.statuses & c.args)
        if c.kind == C_SCHOOL_TYPE:
            return self.school_type in c.args
        if c.kind == C_AGE_MIN:
            return self.max_age >= c.args
        if c.kind == C_AGE_BELOW:
            return self.min_age < c.args
        return True
