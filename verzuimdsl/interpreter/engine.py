"""The engine: steps through one pupil's school year and fires the protocol's rules.

It visits only the days on which something can change: days with events (every school day
an absence covers), the day a postponed report becomes allowed, the first school day after
a change of leerplicht status or age, the day after a firing (for `na X`), and as_of.
Between those days amounts only fall, so skipping them loses nothing: windows are kept
incrementally (a deque per trigger, old entries dropped as the window moves on) and a
trigger re-arms when the amount just before a visited day is below its threshold, which is
the lowest the amount has been since the last visit. Protocols whose amounts can rise
without events (percentages, classifications over a threshold) are stepped day by day.

`dense=True` steps every school day and `recompute=True` re-sums every window from scratch;
together they are the reference the tests and the benchmark compare against.
"""

from __future__ import annotations

import functools
import heapq
import weakref
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from ..calendar import CalendarError, SchoolCalendar, add_months, school_year_of
from ..leerplicht import age_on, birthday, kwalificatieplicht_end, leerplicht_end, leerplicht_start
from ..results import ActionDue, ClassificationSpan, Result, WithheldAction
from ..timeline import ABSENCE_TYPES, CalendarSpec, Event, Student, covered_days, event_span_end
from ..units import Unit
from .compiled import (
    C_AFTER,
    C_AGE_BELOW,
    C_AGE_MIN,
    C_FIRST,
    C_OUTCOME,
    C_SCHOOL_TYPE,
    C_STATUS,
    COUNT,
    DAYS,
    MINUTES,
    PERCENT,
    W_CUMULATIVE,
    W_DAYS,
    W_MONTHS,
    W_SCHOOL_DAYS,
    W_SCHOOL_WEEKS,
    CAction,
    CCondition,
    Compiled,
    CRule,
    CTrigger,
    norm_label,
)

_NEG_INF = -(10**9)
#: `zonder inschrijving`: an uitschrijving with no inschrijving within this many days either side
#: (DUO: in- en uitschrijvingen binnen 7 dagen melden).
ENROLMENT_GRACE_DAYS = 7


def unenrolment_due(cal: SchoolCalendar, u_o: int) -> int | None:
    """The day an unenrolment on day u_o falls due as `zonder inschrijving`: the first
    school day a grace period later (None past the calendar)."""
    d = date.fromordinal(u_o + ENROLMENT_GRACE_DAYS)
    try:
        return (d if cal.is_school_day(d) else cal.add_school_days(d, 1)).toordinal()
    except CalendarError:
        return None


def enrolled_near(u_o: int, enrolled: Iterable[int]) -> bool:
    """Whether an enrolment (day ordinals) lies within the grace days either side of u_o."""
    return any(u_o - ENROLMENT_GRACE_DAYS <= x <= u_o + ENROLMENT_GRACE_DAYS for x in enrolled)


class DayAmt:
    """What one measure holds on one day: minutes, dagdelen, events started, day covered.

    Deliberately without __slots__: the class attributes are the defaults, so creating
    one (for every covered day of every event) costs next to nothing.
    """

    minutes = 0
    dagdelen = 0
    count = 0
    covered = 0
    full = False
    starts: list[Event] | None = None
    idx: list[int] | None = None


class Day:
    """The calendar facts of a day, computed once per calendar and shared by all pupils."""

    __slots__ = ("o", "d", "school", "sdo", "swo")

    def __init__(self, o: int, cal: SchoolCalendar) -> None:
        d = date.fromordinal(o)
        self.o = o
        self.d = d
        self.school = cal.is_school_day(d)
        self.sdo = cal.school_day_ordinal(d)
        self.swo = cal.school_week_ordinal(d)


# ------------------------------------------------------------------------ trigger states


class ThresholdState:
    __slots__ = ("t", "q", "total", "armed", "reached", "fire", "reset_o", "recompute", "pct", "seen")

    def __init__(self, t: CTrigger, recompute: bool) -> None:
        self.t = t
        self.q: deque[tuple[int, int, int]] = deque()  # (window key, day ordinal, amount)
        self.total = 0
        self.armed = True
        self.reached = False
        self.fire = False
        self.reset_o = _NEG_INF  # everything up to this day was consumed (`nieuwe teltermijn`)
        self.recompute = recompute
        self.pct = 0.0
        self.seen = -1

    def consume(self, o: int) -> None:
        self.q.clear()
        self.total = 0
        self.reset_o = o
        self.reached = False
        self.fire = False


class RunState:
    __slots__ = (
        "t", "start_o", "start_sdo", "last_sdo", "last_o", "armed", "restart", "holds", "fire",
        "held_sdo", "open_firing", "seen", "reach", "upper_mark",
    )

    def __init__(self, t: CTrigger) -> None:
        self.t = t
        self.start_o: int | None = None
        self.start_sdo = 0
        self.last_sdo = _NEG_INF
        self.last_o = _NEG_INF
        self.armed = True
        self.restart = False
        self.holds = False
        self.fire = False
        self.held_sdo = _NEG_INF
        self.open_firing: Firing | None = None
        self.seen = -1
        # (counts school days?, first day ordinal / school day number the bound holds)
        self.reach: tuple[bool, int] | None = None
        self.upper_mark: tuple[bool, int] | None = None

    def consume(self, o: int) -> None:
        self.restart = True
        self.fire = False


class EventState:
    __slots__ = ("t", "fired", "fire", "done", "latched", "ended", "seen")

    def __init__(self, t: CTrigger) -> None:
        self.t = t
        self.fired: list[Event] = []
        self.fire = False
        self.done: set[int] = set()  # events already fired near a holiday
        self.latched: int | None = None  # classifications: the day the event made it hold
        self.ended: int | None = None  # ... and the last day it held (before a new inschrijving)
        self.seen = -1

    @property
    def holds(self) -> bool:
        return self.fire or self.latched is not None

    def consume(self, o: int) -> None:
        self.fire = False


TriggerState = ThresholdState | RunState | EventState


class Firing:
    """A rule that fired, with the period it reports on and, under explain, why."""

    __slots__ = ("rule", "o", "begin", "end", "closed", "actions", "explain", "seq", "plain")

    def __init__(self, rule: CRule, o: int, begin: int | None, end: int | None) -> None:
        self.rule = rule
        self.o = o
        self.begin = begin
        self.end = end
        self.closed: int | None = None
        self.actions: Sequence[tuple[CAction, date | None, tuple[str, ...]]] = []
        self.explain: dict[str, Any] | None = None
        self.seq = 0
        self.plain = False  # the actions are the rule's plain list (the rule alone fixes them)


class RuleState:
    __slots__ = (
        "rule", "trig", "pending", "pending_on", "fire_os", "last_end", "anchor", "span_start",
        "last_held", "last_held_sdo", "spans", "seen", "firing",
    )

    def __init__(self, rule: CRule, recompute: bool) -> None:
        self.rule = rule
        self.trig: list[TriggerState] = []
        for t in rule.triggers:
            if t.kind == "threshold":
                self.trig.append(ThresholdState(t, recompute))
            elif t.kind == "run":
                self.trig.append(RunState(t))
            else:
                self.trig.append(EventState(t))
        self.pending: tuple[TriggerState, int, int | None, dict[str, Any] | None] | None = None
        self.pending_on = 0
        self.fire_os: list[int] = []
        self.last_end: int | None = None  # end of the last report (for `gaat_voor` contiguity)
        self.anchor: int | None = None  # end of the last report in this series (`aansluitend`)
        self.span_start: int | None = None  # classifications
        self.last_held = _NEG_INF
        self.last_held_sdo = _NEG_INF  # the last school day it held (gaps between visits)
        self.spans: list[tuple[int, int | None]] = []
        self.seen = -1
        self.firing = False  # some trigger fires on the day last updated


# ------------------------------------------------------------------------ the engine


class Engine:
    """One pupil's run. Feed events with `add`, move time with `advance`, read `result`."""

    def __init__(
        self,
        compiled: Compiled,
        student: Student,
        spec: CalendarSpec,
        *,
        explain: bool = False,
        dense: bool = False,
        recompute: bool = False,
        active: frozenset[int] | None = None,
        cal: SchoolCalendar | None = None,
    ) -> None:
        """`active`: the indices of the rules and classifications that can fire at all for
        this pupil (the prefilter's verdict); the others are left out. None: all.
        `cal`: the spec's calendar, when the caller has it at hand."""
        self.c = compiled
        self.student = student
        self.spec = spec
        self.cal = cal if cal is not None else spec.calendar()
        tables = calendar_tables(self.cal)
        self.days = tables.days
        self.wfirst = tables.wfirst
        self.deadlines = tables.deadlines
        self.covered = tables.covered
        self.plain_table = compiled.plain_cache.table(self.cal)
        self.explain = explain
        self.dense = dense or compiled.needs_dense
        self.recompute = recompute
        self.day_min = int(round(spec.hours_per_day * 60))
        self.hours_per_day = spec.hours_per_day
        self.first_o = spec.first_day.toordinal()
        self.last_o = spec.last_day.toordinal()
        self.pos = self.first_o - 1  # the last day processed
        self.feeds: list[dict[int, DayAmt]] = [{} for _ in compiled.filters]
        self.day_slots: dict[int, list[int]] = {}
        self.agenda: list[int] = []
        self.queued: set[int] = set()
        self.full_days: set[int] = set()
        self.rules = [
            RuleState(r, recompute) for r in compiled.rules if active is None or r.index in active
        ]
        self.classes = [
            RuleState(r, recompute)
            for r in compiled.classifications
            if active is None or r.index in active
        ]
        self.state_of: dict[int, RuleState] = {st.rule.index: st for st in self.rules + self.classes}
        # percentage rules that take part, and the days they need beyond their event days
        self.percent_rules = {
            slot: [(r, t) for r, t in pairs if r.index in self.state_of]
            for slot, pairs in compiled.percent.items()
        }
        self.percent_rules = {k: v for k, v in self.percent_rules.items() if v}
        self.extra_on: dict[int, set[int]] = {}
        self.history_on: set[int] = set()
        self.history_rules = [st for st in self.rules if st.rule.index in compiled.history_rules]
        self.history_classes = [st for st in self.classes if st.rule.index in compiled.history_rules]
        self._pct_queued: dict[int, tuple[int | None, int | None]] = {}
        self.precede_rules = [st for st in self.rules if st.rule.precedes]
        self._plans: dict[tuple[int, ...], tuple[list[RuleState], list[RuleState]]] = {}
        self.by_id = {s.rule.id: s for s in self.rules}
        self.firings: list[Firing] = []
        self.withheld: list[WithheldAction] = []
        self.fired: dict[str, list[int]] = {}
        self.labels_done: dict[tuple[str, str], list[int]] = {}
        self.steps_done: dict[tuple[str, str], list[tuple[int, str | None]]] = {}
        self.outcomes: dict[str, int] = {}
        self.enrolled: list[int] = []
        self.unenrolled: dict[int, list[Event]] = {}
        self.events: list[Event] = []
        self._status_cache: tuple[date, date, date, date] | None = None
        self._year_status: str | None = None  # the status all year, "" if it changes
        self.dense_upto = self.first_o - 1
        self._schedule_status_changes()

    # -------------------------------------------------------------------- input

    def _queue(self, o: int, full: bool = False) -> None:
        if o <= self.pos:
            return
        if o not in self.queued:
            self.queued.add(o)
            heapq.heappush(self.agenda, o)
        if full:
            self.full_days.add(o)

    def _first_school_day_on_or_after(self, d: date) -> date | None:
        try:
            return d if self.cal.is_school_day(d) else self.cal.add_school_days(d, 1)
        except CalendarError:
            return None

    def _schedule_status_changes(self) -> None:
        """Conditions on status or age can turn true on a day without events: visit those days."""
        states = self.rules + self.classes
        uses_status = any(st.rule.status_dependent for st in states)
        ages = {n for st in states for n in st.rule.ages}
        if not uses_status and not ages:
            return
        birth = self.student.birth_date
        changes: list[date] = []
        if uses_status:
            ls, le, ke, b18 = self._status_bounds()
            changes += [ls, le + timedelta(days=1), ke + timedelta(days=1), b18]
        changes += [birthday(birth, n) for n in sorted(ages)]
        for ch in changes:
            if self.first_o <= ch.toordinal() <= self.last_o:
                first = self._first_school_day_on_or_after(ch)
                if first is not None:
                    self._queue(first.toordinal(), full=True)

    def add(self, e: Event) -> None:
        """Add one validated event; its effects are scheduled, nothing is processed yet."""
        if e.date.toordinal() <= self.pos:
            raise ValueError("event lies before the day already processed")
        self.events.append(e)
        et = e.type
        if et == "outcome" and e.label is not None:
            key = norm_label(e.label)
            o = e.date.toordinal()
            if key not in self.outcomes or self.outcomes[key] > o:
                self.outcomes[key] = o
        elif et == "enrolled":
            self.enrolled.append(e.date.toordinal())
        elif et == "unenrolled":
            self.unenrolled.setdefault(e.date.toordinal(), []).append(e)
        matches = self.c.matching_slots(et, e.authorized, e.reason, e.with_, e.label)
        # a point event still matters to `na`/`uitkomst` conditions: visit its day
        if not matches:
            if et == "outcome" and self.c.uses_history:
                self._queue(e.date.toordinal(), full=True)
            return
        explain = self.explain
        start_o = e.date.toordinal()
        if et in ABSENCE_TYPES:
            key = (start_o, e.days, e.until)
            cover = self.covered.get(key)
            if cover is None:
                days = covered_days(e, self.cal, self.spec.last_day)
                cover = (days, tuple(d.toordinal() for d in days))
                if len(self.covered) < _COVERED_MAX:
                    self.covered[key] = cover
            days, ords = cover
            if e.hours is not None:
                minutes = int(round(e.hours * 60))
                full = e.hours >= self.hours_per_day or e.dagdelen == 2
                dd = e.dagdelen or (2 if full else 1)
            elif e.dagdelen == 1:
                minutes, full, dd = self.day_min // 2, False, 1
            else:
                minutes, full, dd = self.day_min, True, 2
        else:
            days, ords = [], ()
            minutes = dd = 0
            full = False
        day_slots = self.day_slots
        for slot in matches:
            feed = self.feeds[slot]
            amt = feed.get(start_o)
            if amt is None:
                amt = feed[start_o] = DayAmt()
                amt.count = 1
                amt.starts = [e]
                # the day's measures: amounts of the slot, and an event of it starting
                slots = day_slots.get(start_o)
                if slots is None:
                    day_slots[start_o] = [slot, _START - slot]
                    self._queue(start_o)
                else:
                    slots += (slot, _START - slot)
            else:
                amt.count += 1
                if amt.starts is None:
                    amt.starts = [e]
                    self._slot_day(start_o, _START - slot)
                else:
                    amt.starts.append(e)
            if explain:
                if amt.idx is None:
                    amt.idx = []
                amt.idx.append(e.index)
            if days and slot in self.percent_rules:
                self._percent_visits(slot, days)
            for o in ords:
                a2 = feed.get(o)
                if a2 is None:
                    a2 = feed[o] = DayAmt()
                    slots = day_slots.get(o)
                    if slots is None:
                        day_slots[o] = [slot]
                        self._queue(o)
                    else:
                        slots.append(slot)
                a2.minutes += minutes
                a2.dagdelen += dd
                a2.covered = 1
                if full:
                    a2.full = True
                if explain and o != start_o:
                    if a2.idx is None:
                        a2.idx = []
                    a2.idx.append(e.index)
            if et == "unenrolled":
                for r in self.c.slot_rules[slot]:
                    for t in r.triggers:
                        if t.slot == slot and t.without_enrolment:
                            due = unenrolment_due(self.cal, start_o)
                            if due is not None:
                                self._queue(due, full=True)
        if et == "outcome" and self.c.uses_history:
            self._queue(start_o, full=True)

    def _percent_visits(self, slot: int, days: list[date]) -> None:
        """A percentage moves on days without events while absence is in its window (the
        window's length in school days changes): visit those days, for that rule only."""
        cal = self.cal
        last = self.spec.last_day
        for rule, t in self.percent_rules[slot]:
            # events come in date order, so what is queued is one stretch per rule
            first_o, upto = self._pct_queued.get(rule.index, (None, None))
            for d in days:
                o = d.toordinal()
                end = min(self._window_end(t, d), last)
                start = d
                if first_o is not None and first_o <= o and upto is not None:
                    if end.toordinal() <= upto:
                        continue
                    start = max(d, date.fromordinal(upto + 1))
                for x in cal.school_days(start, end):
                    xo = x.toordinal()
                    extra = self.extra_on.get(xo)
                    if extra is None:
                        self.extra_on[xo] = {rule.index}
                    else:
                        extra.add(rule.index)
                    self._queue(xo)
                if first_o is None or o < first_o:
                    first_o, upto = o, end.toordinal()
                elif o <= (upto or o):
                    upto = max(upto or 0, end.toordinal())
                else:
                    first_o, upto = o, end.toordinal()
            self._pct_queued[rule.index] = (first_o, upto)

    def _window_end(self, t: CTrigger, d: date) -> date:
        """The last day on which an amount of day `d` is still inside the trigger's window."""
        cal = self.cal
        n = t.wsize
        k = t.wkind
        try:
            if k == W_SCHOOL_WEEKS:
                if n > 1:
                    return cal.add_school_weeks(d, n - 1)
                return cal.add_school_weeks(cal.add_school_weeks(d, 1), -1)
            if k == W_SCHOOL_DAYS:
                return cal.add_school_days(d, n - 1)
            if k == W_DAYS:
                return d + timedelta(days=n - 1)
            if k == W_MONTHS:
                return add_months(d, n)
        except CalendarError:
            return self.spec.last_day
        unit = t.wunit
        if unit is Unit.MONTH:
            return add_months(date(d.year, d.month, 1), 1) - timedelta(days=1)
        if unit is Unit.QUARTER:
            first = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
            return add_months(first, 3) - timedelta(days=1)
        if unit in (Unit.WEEK, Unit.SCHOOL_WEEK):
            return d + timedelta(days=6 - d.weekday())
        if unit in (Unit.SCHOOL_DAY, Unit.CALENDAR_DAY):
            return d
        return self.spec.last_day

    def _slot_day(self, o: int, slot: int) -> None:
        slots = self.day_slots.get(o)
        if slots is None:
            self.day_slots[o] = [slot]
            self._queue(o)
        else:
            slots.append(slot)

    # -------------------------------------------------------------------- time

    def advance(self, to: date) -> None:
        """Process every day up to and including `to` on which something can happen."""
        to_o = to.toordinal()
        if self.dense and to_o > self.dense_upto:
            start = max(self.pos + 1, self.first_o, self.dense_upto + 1)
            if to_o >= start:
                for d in self.cal.school_days(date.fromordinal(start), to):
                    self._queue(d.toordinal())
            self.dense_upto = to_o
        self._queue(to_o)
        agenda = self.agenda
        while agenda and agenda[0] <= to_o:
            o = heapq.heappop(agenda)
            self.queued.discard(o)
            self._process(o, final=(o == to_o))
        if to_o > self.pos:
            self.pos = to_o

    def _plan(self, slots: list[int] | None) -> tuple[list[RuleState], list[RuleState]]:
        """The rules and classifications a day with events of these measures touches."""
        key = tuple(slots) if slots else ()  # in any order: a plan per order is as good
        plan = self._plans.get(key)
        if plan is None:
            c = self.c
            # a slot s: amounts on the day (every rule of the measure); _START - s: an event
            # of the measure starts that day (also the rules that react to starts only)
            touched = {
                r.index
                for s in key
                for r in (c.slot_rules_covered[s] if s >= 0 else c.slot_rules[_START - s])
            }
            rules = [st for st in self.rules if st.rule.index in touched or st.rule.precedes]
            classes = [st for st in self.classes if st.rule.index in touched]
            plan = self._plans[key] = (rules, classes)
        return plan

    def _process(self, o: int, final: bool) -> None:
        self.pos = o
        day = self.days.get(o)
        if day is None:
            day = self.days[o] = Day(o, self.cal)
        full = self.dense or o in self.full_days
        if full:
            self.full_days.discard(o)
            self.extra_on.pop(o, None)
            self.history_on.discard(o)
            rules = self.rules
            classes = self.classes
        else:
            rules, classes = self._plan(self.day_slots.get(o))
            if o in self.history_on:
                self.history_on.discard(o)
                rules = _joined(rules, self.history_rules)
                classes = _joined(classes, self.history_classes)
            extra_idx = self.extra_on.pop(o, None)
            if extra_idx:
                rules = _joined(rules, [self.state_of[i] for i in extra_idx])
            if final:
                # as_of: close what is open (classifications, reports without end date)
                rules = _joined(rules, [st for st in self.rules if _has_open(st)])
                classes = self.classes
            if not rules and not classes:
                return
        update = self._update
        for st in rules:
            update(st, day)
        for st in classes:
            update(st, day)
        blocked: set[str] = set()
        for st in self.precede_rules:
            if self._holds(st, day):
                blocked.update(st.rule.precedes)
        if blocked and not full:
            # a rule that is overruled today gives up what it counted, touched or not
            extra = [st for st in self.rules if st.rule.id in blocked and st.seen != o]
            if extra:
                for st in extra:
                    update(st, day)
                rules = _joined(rules, extra)
        fired_any = False
        rule_day = self._rule_day
        for st in rules:
            if not st.firing and st.pending is None and not (blocked and st.rule.id in blocked):
                continue
            if rule_day(st, day, blocked):
                fired_any = True
        for st in classes:
            self._class_day(st, day)
        if fired_any and (self.history_rules or self.history_classes):
            # a firing can satisfy another rule's `na X` from the next school day: visit
            # that day for the rules and states whose conditions look back
            nxt = self._first_school_day_on_or_after(day.d + timedelta(days=1))
            if nxt is not None and nxt.toordinal() <= self.last_o:
                self.history_on.add(nxt.toordinal())
                self._queue(nxt.toordinal())

    # -------------------------------------------------------------------- triggers

    def _update(self, st: RuleState, day: Day) -> None:
        if st.seen == day.o:
            return
        st.seen = day.o
        firing = False
        for ts in st.trig:
            if type(ts) is ThresholdState:
                self._update_threshold(ts, day)
            elif type(ts) is RunState:
                self._update_run(ts, day)
            else:
                self._update_event(ts, day, st.rule.is_class)
            if ts.fire:
                firing = True
        st.firing = firing

    def _window(self, t: CTrigger, day: Day) -> tuple[int, int]:
        """(key of today, lowest key still inside the window)."""
        k = t.wkind
        if k == W_SCHOOL_WEEKS:
            return day.swo, day.swo - t.wsize + 1
        if k == W_CUMULATIVE:
            return 0, _NEG_INF
        if k == W_SCHOOL_DAYS:
            return day.sdo, day.sdo - t.wsize + 1
        if k == W_DAYS:
            return day.o, day.o - t.wsize + 1
        if k == W_MONTHS:
            return day.o, add_months(day.d, -t.wsize).toordinal() + 1
        key = self._period(t.wunit, day)
        return key, key

    def _period(self, unit: Unit | None, day: Day) -> int:
        d = day.d
        if unit is Unit.MONTH:
            return d.year * 12 + d.month
        if unit is Unit.QUARTER:
            return d.year * 4 + (d.month - 1) // 3
        if unit is Unit.SCHOOL_YEAR:
            return school_year_of(d)
        if unit is Unit.WEEK:
            return day.o - d.weekday()
        if unit is Unit.SCHOOL_WEEK:
            return day.swo
        if unit is Unit.SCHOOL_DAY:
            return day.sdo
        return day.o

    def _window_first(self, t: CTrigger, day: Day) -> int:
        """The first day (ordinal) of the trigger's natural window on `day` (cached per
        calendar: it depends on the day and the window only)."""
        key = (day.o, t.wkind, t.wsize, t.wunit)
        found = self.wfirst.get(key)
        if found is None:
            found = self.wfirst[key] = self._compute_window_first(t, day)
        return found

    def _compute_window_first(self, t: CTrigger, day: Day) -> int:
        cal = self.cal
        k = t.wkind
        d = day.d
        if k == W_CUMULATIVE:
            return self.first_o
        if k == W_SCHOOL_WEEKS:
            d0 = d if day.school else cal.add_school_days(d, 1)
            x = cal.add_school_weeks(d0, -(t.wsize - 1)) if t.wsize > 1 else d0
            monday = x - timedelta(days=x.weekday())
            first = monday if cal.is_school_day(monday) else cal.add_school_days(monday, 1)
            return first.toordinal()
        if k == W_SCHOOL_DAYS:
            d0 = d if day.school else cal.add_school_days(d, 1)
            return cal.add_school_days(d0, -(t.wsize - 1)).toordinal()
        if k in (W_DAYS, W_MONTHS):
            return self._window(t, day)[1]
        unit = t.wunit
        if unit is Unit.MONTH:
            return date(d.year, d.month, 1).toordinal()
        if unit is Unit.QUARTER:
            return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1).toordinal()
        if unit is Unit.SCHOOL_YEAR:
            return date(school_year_of(d), 8, 1).toordinal()
        if unit in (Unit.WEEK, Unit.SCHOOL_WEEK):
            return day.o - d.weekday()
        return day.o

    def _update_threshold(self, ts: ThresholdState, day: Day) -> None:
        t = ts.t
        o = day.o
        if ts.seen == o:
            return
        ts.seen = o
        if t.wkind == W_SCHOOL_WEEKS:
            key = day.swo
            lower = key - t.wsize + 1
        else:
            key, lower = self._window(t, day)
        q = ts.q
        if ts.recompute:
            while q and q[0][0] < lower:
                q.popleft()
            ts.total = sum(x[2] for x in q)
        else:
            while q and q[0][0] < lower:
                ts.total -= q.popleft()[2]
        comp = t.component
        pct = comp == PERCENT
        if not ts.armed:
            before = self._percent(ts, day, lower, include_today=False) if pct else ts.total
            if not t.reached(before):
                ts.armed = True
        amt = self.feeds[t.slot].get(o)
        if amt is not None:
            if comp == MINUTES or pct:
                v = amt.minutes
            elif comp == COUNT:
                v = amt.count
            elif comp == DAYS:
                v = amt.covered
            else:
                v = amt.dagdelen
            if v:
                q.append((key, o, v))
                ts.total += v
        value = self._percent(ts, day, lower, include_today=True) if pct else ts.total
        ts.pct = value
        ts.reached = t.reached(value)
        ts.fire = ts.reached and ts.armed

    def _percent(self, ts: ThresholdState, day: Day, lower: int, include_today: bool) -> float:
        first = max(self._window_first(ts.t, day), ts.reset_o + 1)
        first_sdo = self.cal.school_day_ordinal(date.fromordinal(first))
        upto = day.sdo + (1 if day.school and include_today else 0)
        n = upto - first_sdo
        if n <= 0:
            return 0.0
        return 100.0 * ts.total / (n * self.day_min)

    def _update_run(self, ts: RunState, day: Day) -> None:
        o = day.o
        if ts.seen == o:
            return
        ts.seen = o
        ts.fire = False
        sdo = day.sdo
        if not day.school:
            # weekends and holidays neither extend nor break a run
            ts.holds = ts.held_sdo == sdo - 1 and ts.last_sdo == sdo - 1
            return
        amt = self.feeds[ts.t.slot].get(o)
        covered = amt is not None and amt.full
        if ts.start_o is not None and ts.last_sdo < sdo - (1 if covered else 0):
            self._run_broken(ts)
        if not covered:
            ts.holds = False
            return
        t = ts.t
        if ts.start_o is None or ts.restart:
            ts.start_o = o
            ts.restart = False
            ts.start_sdo = sdo
            if not self.recompute:
                ts.reach = _run_mark(t.unit, t.limit, t.strict, o, sdo)
                up = t.upper
                ts.upper_mark = _run_mark(up.unit, up.value, False, o, sdo) if up is not None else None
        ts.last_sdo = sdo
        ts.last_o = o
        if self.recompute or ts.reach is None:
            # the reference: the run's length in its unit, compared with the bound
            ok = t.reached(self._run_length(t, ts, day))
            if ok and t.upper is not None:
                ok = self._run_below_upper(t, ts, day)
        else:
            # the first day (or school day number) the bound is reached, worked out at
            # the start of the run; `tot ...` holds until its own such day
            kind, mark = ts.reach
            ok = (sdo if kind else o) >= mark
            if ok and ts.upper_mark is not None:
                kind, mark = ts.upper_mark
                ok = (sdo if kind else o) < mark
        ts.holds = ok
        if ok:
            ts.held_sdo = sdo
        ts.fire = ok and ts.armed

    def _run_broken(self, ts: RunState) -> None:
        if ts.open_firing is not None:
            back = self.cal.add_school_days(date.fromordinal(ts.last_o), 1)
            ts.open_firing.closed = back.toordinal()
            ts.open_firing = None
        ts.start_o = None
        ts.restart = False
        ts.armed = True

    def _run_length(self, t: CTrigger, ts: RunState, day: Day) -> float:
        """How long the run is on `day`, in the trigger's unit (monotone, so bounds compare)."""
        start = ts.start_o
        assert start is not None
        unit = t.unit
        if unit is Unit.SCHOOL_DAY:
            return float(day.sdo - ts.start_sdo + 1)  # type: ignore[attr-defined]
        if unit is Unit.SCHOOL_WEEK:
            return (day.sdo - ts.start_sdo + 1) / 5.0  # type: ignore[attr-defined]
        span = day.o - start + 1  # calendar days, both ends included
        if unit is Unit.CALENDAR_DAY:
            return float(span)
        if unit is Unit.WEEK:
            return span / 7.0
        return _months_between(date.fromordinal(start), day.d + timedelta(days=1))

    def _run_below_upper(self, t: CTrigger, ts: RunState, day: Day) -> bool:
        up = t.upper
        assert up is not None and ts.start_o is not None
        end = day.d + timedelta(days=1)
        start = date.fromordinal(ts.start_o)
        u = up.unit
        if u is Unit.SCHOOL_DAY:
            return day.sdo - ts.start_sdo + 1 < up.value  # type: ignore[attr-defined]
        if u is Unit.SCHOOL_WEEK:
            return (day.sdo - ts.start_sdo + 1) / 5.0 < up.value  # type: ignore[attr-defined]
        if u is Unit.CALENDAR_DAY:
            return (end - start).days < up.value
        if u is Unit.WEEK:
            return (end - start).days < 7 * up.value
        months = {Unit.MONTH: 1, Unit.QUARTER: 3, Unit.SCHOOL_YEAR: 12}.get(u, 1)
        return _months_between(start, end) < up.value * months

    def _update_event(self, ts: EventState, day: Day, is_class: bool) -> None:
        o = day.o
        if ts.seen == o:
            return
        ts.seen = o
        t = ts.t
        ts.fired = []
        if t.without_enrolment:
            self._without_enrolment(ts, day)
        else:
            amt = self.feeds[t.slot].get(o)
            if amt is not None:
                if t.near_holiday:
                    if amt.covered or amt.starts is not None:
                        if self._near_holiday(day):
                            for e in self._covering(t.slot, o):
                                if e.index not in ts.done:
                                    ts.done.add(e.index)
                                    ts.fired.append(e)
                else:
                    starts = amt.starts
                    if starts is not None:
                        if len(starts) > 1:
                            starts = sorted(starts, key=Event.sort_key)
                        if t.size_limit is None:
                            ts.fired = list(starts)
                        else:
                            ts.fired = [e for e in starts if self._size_ok(t, e)]
        ts.fire = bool(ts.fired)
        if is_class and ts.latched is not None and self.c.filters[t.slot].name == "uitgeschreven":
            back = [x for x in self.enrolled if ts.latched < x <= o]
            if back:
                ts.latched = None
                ts.ended = min(back) - 1

    def _covering(self, slot: int, o: int) -> list[Event]:
        """Events of this measure that cover day `o` (rare path: `rond vakantie`)."""
        d = date.fromordinal(o)
        out = []
        for e in self.events:
            if e.date <= d and self.c.filters[slot].types and e.type in self.c.filters[slot].types:
                test = self.c.filters[slot].test
                if test is not None and not test(e):
                    continue
                if e.date == d or d in covered_days(e, self.cal, d):
                    out.append(e)
        return sorted(out, key=Event.sort_key)

    def _without_enrolment(self, ts: EventState, day: Day) -> None:
        for u_o, evs in sorted(self.unenrolled.items()):
            if unenrolment_due(self.cal, u_o) != day.o or enrolled_near(u_o, self.enrolled):
                continue
            for e in evs:
                test = self.c.filters[ts.t.slot].test
                if test is None or test(e):
                    ts.fired.append(e)

    def _size_ok(self, t: CTrigger, e: Event) -> bool:
        cal = self.cal
        end = event_span_end(e, cal)
        unit = t.size_unit
        if unit is Unit.SCHOOL_DAY:
            size = float(len(cal.school_days(e.date, end))) if (e.days or e.until) else 1.0
            if e.days is not None:
                size = float(e.days)
        elif unit is Unit.HOUR:
            per = e.hours if e.hours is not None else self.hours_per_day
            n = e.days or (len(cal.school_days(e.date, end)) if e.until else 1)
            size = per * n
        elif unit is Unit.WEEK:
            size = ((end - e.date).days + 1) / 7.0
        else:
            size = float((end - e.date).days + 1)
        assert t.size_limit is not None
        return size > t.size_limit if t.size_strict else size >= t.size_limit

    def _near_holiday(self, day: Day) -> bool:
        return near_holiday(self.cal, day.d)

    def _holds(self, st: RuleState, day: Day) -> bool:
        """Whether a rule is active today (its trigger holds and its conditions are met)."""
        for ts in st.trig:
            if ts.reached if type(ts) is ThresholdState else ts.holds:
                return self._conditions_ok(st.rule.conditions, day, st)
        return False

    # -------------------------------------------------------------------- conditions

    def _status_bounds(self) -> tuple[date, date, date, date]:
        if self._status_cache is None:
            s = self.student
            self._status_cache = status_bounds(s.birth_date, s.first_school_year, s.startkwalificatie_date)
        return self._status_cache

    def status_on(self, d: date) -> str:
        """leerplicht.status_on, from boundaries computed once per pupil."""
        if self._year_status is None:
            bounds = self._status_bounds()
            first, last = self.spec.first_day, self.spec.last_day
            status = status_from_bounds(bounds, first)
            # most pupils keep one status all year: then that is the answer for every day
            changes = (bounds[0], bounds[1] + _ONE_DAY, bounds[2] + _ONE_DAY, bounds[3])
            self._year_status = "" if any(first < x <= last for x in changes) else status
        return self._year_status or status_from_bounds(self._status_bounds(), d)

    def _cond(self, c: CCondition, day: Day, st: RuleState | None, now: bool = False) -> bool:
        """One condition on `day`; `now`: the rule's current firing is already recorded."""
        k = c.kind
        if k == C_STATUS:
            ok = self.status_on(day.d) in c.args
        elif k == C_AGE_MIN:
            ok = age_on(self.student.birth_date, day.d) >= c.args
        elif k == C_AGE_BELOW:
            ok = age_on(self.student.birth_date, day.d) < c.args
        elif k == C_SCHOOL_TYPE:
            ok = self.student.school_type in c.args
        elif k == C_AFTER:
            ok = self._after(c.args, day.o, st.rule.id if st is not None else None)
        elif k == C_OUTCOME:
            first = self.outcomes.get(c.args)
            ok = first is not None and first <= day.o
        elif k == C_FIRST:
            ok = st is None or len(st.fire_os) <= (1 if now else 0)
        else:  # pragma: no cover - compiled conditions are exhaustive
            ok = True
        return not ok if c.negated else ok

    def _conditions_ok(
        self, conds: Iterable[CCondition], day: Day, st: RuleState | None, now: bool = False
    ) -> bool:
        cond = self._cond
        for c in conds:
            if not cond(c, day, st, now):
                return False
        return True

    def _after(self, ref: Any, o: int, rule_id: str | None = None) -> bool:
        if ref.rule is not None and any(x < o for x in self.fired.get(ref.rule, ())):
            return True
        # an action label belongs to its rule; like a ladder step, it counts from a day on
        # which it fell due before today
        if (
            ref.label is not None
            and rule_id is not None
            and any(x < o for x in self.labels_done.get((rule_id, ref.label), ()))
        ):
            return True
        # an explicit `als na <stap>` asks for the fact: a duty that fell due, or an outcome
        # in the timeline; an optional offer of the step is not enough
        for key in ref.steps:
            if any(x < o and owner is None for x, owner in self.steps_done.get(key, ())):
                return True
        first = self.outcomes.get(ref.outcome)
        return first is not None and first <= o

    def _step_done(self, ladder: str, step: str, o: int, rule_id: str | None = None) -> bool:
        done = self.steps_done.get((ladder, step), ())
        if any(x < o and owner is None for x, owner in done):
            return True
        first = self.outcomes.get(norm_label(step))
        return first is not None and first <= o

    # -------------------------------------------------------------------- rules

    def _rate_allowed_from(self, st: RuleState) -> int:
        """The first day (ordinal) another report is allowed under `hooguit N per Q`."""
        rule = st.rule
        n = rule.rate_n
        if len(st.fire_os) < n or rule.rate_q is None:
            return _NEG_INF
        last = date.fromordinal(st.fire_os[-n])
        q = rule.rate_q
        return self._add(last, q.unit, int(q.value)).toordinal()

    def _add(self, d: date, unit: Unit, n: int) -> date:
        cal = self.cal
        try:
            if unit is Unit.WORKING_DAY:
                return cal.add_working_days(d, n)
            if unit is Unit.SCHOOL_DAY:
                return cal.add_school_days(d, n)
            if unit is Unit.SCHOOL_WEEK:
                return cal.add_school_weeks(d, n)
            if unit is Unit.WEEK:
                return d + timedelta(days=7 * n)
            if unit is Unit.MONTH:
                return add_months(d, n)
            if unit is Unit.QUARTER:
                return add_months(d, 3 * n)
            if unit is Unit.SCHOOL_YEAR:
                return add_months(d, 12 * n)
        except CalendarError:
            return cal.add_working_days(d, n) if unit is not Unit.CALENDAR_DAY else d + timedelta(days=n)
        return d + timedelta(days=n)

    def _rule_day(self, st: RuleState, day: Day, blocked: set[str]) -> bool:
        rule = st.rule
        o = day.o
        if rule.id in blocked:
            if self.explain and (st.pending is not None or any(ts.fire for ts in st.trig)):
                self._withhold_rule(st, day, "een andere regel gaat voor (gaat_voor)")
            st.pending = None
            st.anchor = None
            for ts in st.trig:
                ts.consume(o)
            return False
        fire_ts = [ts for ts in st.trig if ts.fire]
        pending_due = st.pending is not None and o >= st.pending_on
        if not fire_ts and not pending_due:
            return False
        if rule.once and st.fire_os:
            return False
        if not self._conditions_ok(rule.conditions, day, st):
            if pending_due:
                st.pending = None
            return False
        reached_o = o
        begin0: int | None = None
        pending_explain = None
        if pending_due:
            assert st.pending is not None
            ts0, reached_o, begin0, pending_explain = st.pending
            st.pending = None
        else:
            ts0 = fire_ts[0]
            if rule.rate_n:
                allowed = self._rate_allowed_from(st)
                if allowed > o:
                    if st.pending is None:
                        on = self._first_school_day_on_or_after(date.fromordinal(allowed))
                        if on is not None:
                            first_counted = ts0.q[0][1] if type(ts0) is ThresholdState and ts0.q else None
                            expl = self._explain_trigger(ts0, day) if self.explain else None
                            st.pending = (ts0, o, first_counted, expl)
                            st.pending_on = on.toordinal()
                            self._queue(st.pending_on, full=True)
                    return False
        firing = self._fire(st, ts0, day, begin0)
        if self.explain:
            ex = pending_explain or self._explain_trigger(ts0, day)
            if reached_o != o:
                ex = dict(ex)
                ex["reached"] = date.fromordinal(reached_o).isoformat()
                ex["postponed"] = "hooguit " + str(rule.rate_n) + " melding per " + str(rule.rate_q)
            ex["conditions"] = [
                {"condition": c.text, "holds": True} for c in rule.conditions
            ] + [{"condition": t, "holds": None} for t in rule.texts]
            ex["source_span"] = rule.span
            firing.explain = ex
        # repeat behaviour: with `nieuwe teltermijn` the count restarts; otherwise the rule
        # fires once per episode, whichever of its `wanneer` lines got there first, and
        # each trigger re-arms once its measure has dropped below the bound again
        if rule.new_count:
            for ts in fire_ts if not pending_due else [ts0]:
                if type(ts) is ThresholdState:
                    ts.consume(o)
                elif type(ts) is RunState:
                    ts.restart = True
        else:
            for ts in st.trig:
                if type(ts) is ThresholdState or (type(ts) is RunState and ts.start_o is not None):
                    ts.armed = False
        self._actions(st, firing, day)
        return True

    def _fire(self, st: RuleState, ts0: TriggerState, day: Day, begin0: int | None) -> Firing:
        rule = st.rule
        o = day.o
        begin: int | None
        end: int | None
        if type(ts0) is ThresholdState:
            begin = begin0 if begin0 is not None else (ts0.q[0][1] if ts0.q else o)
            end = ts0.q[-1][1] if ts0.q else o
            natural_first = self._window_first(ts0.t, day)
        elif type(ts0) is RunState:
            begin = ts0.start_o if ts0.start_o is not None else o
            end = o
            natural_first = begin
        else:
            assert type(ts0) is EventState
            e = ts0.fired[0] if ts0.fired else None
            begin = e.date.toordinal() if e is not None else o
            end = event_span_end(e, self.cal).toordinal() if e is not None else o
            natural_first = begin
        if rule.contiguous and st.anchor is not None and st.anchor + 1 >= natural_first:
            begin = st.anchor + 1
        # a report that takes over a chain of contiguous reports (LRV after the 16-hour
        # reports) continues it; over any other rule `gaat_voor` only suppresses
        for x in rule.precedes:
            xs = self.by_id.get(x)
            if (
                xs is not None
                and xs.rule.contiguous
                and xs.last_end is not None
                and begin <= xs.last_end < o
            ):
                begin = xs.last_end + 1
        if rule.open_ended:
            end = None
            if type(ts0) is RunState:
                ts0.open_firing = None
        firing = Firing(rule, o, begin, end)
        if rule.open_ended and type(ts0) is RunState:
            ts0.open_firing = firing
        st.fire_os.append(o)
        self.fired.setdefault(rule.id, []).append(o)
        if end is not None:
            st.last_end = end
        st.anchor = end
        firing.seq = len(self.firings)
        self.firings.append(firing)
        return firing

    def _deadline(self, a: CAction, d: date) -> date | None:
        if a.deadline_unit is None and a.clock is None:
            return None
        key = (d, a.deadline_unit, a.deadline_n)
        found = self.deadlines.get(key, _MISSING)
        if found is _MISSING:
            found = self.deadlines[key] = self._compute_deadline(a, d)
        return found  # type: ignore[return-value]

    def _compute_deadline(self, a: CAction, d: date) -> date | None:
        if a.deadline_unit is Unit.SCHOOL_WEEK:
            try:
                return self.cal.school_weeks_deadline(d, a.deadline_n)
            except CalendarError:
                return self._add(d, a.deadline_unit, a.deadline_n)
        if a.deadline_unit is not None:
            return self._add(d, a.deadline_unit, a.deadline_n)
        if a.clock is not None:
            return d
        return None

    def _actions(self, st: RuleState, firing: Firing, day: Day) -> None:
        rule = st.rule
        if rule.plain is not None:
            key = (rule.index, day.o)
            acts = self.plain_table.get(key) if not self.recompute else None
            if acts is None:
                deadline = self._deadline
                d = day.d
                acts = tuple([(a, deadline(a, d), texts) for a, texts in rule.plain])
                if not self.recompute:
                    self.c.plain_cache.put(self.plain_table, key, acts)
            firing.actions = acts
            firing.plain = True
            for label in rule.labels:
                self.labels_done.setdefault((rule.id, label), []).append(day.o)
            return
        items: list[tuple[CAction, tuple[str, ...]]] = [(a, ()) for a in rule.actions]
        for ex in rule.exceptions:
            if not self._conditions_ok(ex.conditions, day, st, now=True):
                continue
            if ex.texts:
                # a human judgement decides: show both ways, each with its condition
                items += [(a, ex.texts) for a in ex.actions]
            else:
                items = [(a, t) for a, t in items if a.label is None or a.label not in ex.replaces]
                items += [(a, ()) for a in ex.actions]
        o = day.o
        for a, extra in items:
            failing = [c.text for c in a.conditions if not self._cond(c, day, st, True)]
            if failing:
                self._withhold(a, firing, day, "voorwaarde niet vervuld: " + "; ".join(failing))
                continue
            if a.step is not None:
                missing = [
                    s
                    for s, conds in zip(a.step.earlier, a.step.earlier_conditions, strict=True)
                    if self._conditions_ok(conds, day, st, True)
                    and not self._step_done(a.step.ladder, s, o, rule.id)
                ]
                if missing:
                    self._withhold(
                        a,
                        firing,
                        day,
                        f"eerdere stap van ladder {a.step.ladder} ontbreekt: " + ", ".join(missing),
                    )
                    continue
                failing = [c.text for c in a.step.conditions if not self._cond(c, day, st, True)]
                if failing:
                    self._withhold(a, firing, day, "voorwaarde van de stap niet vervuld: " + "; ".join(failing))
                    continue
            texts = rule.texts + extra + a.texts + (a.step.texts if a.step is not None else ())
            firing.actions.append((a, self._deadline(a, day.d), texts))  # type: ignore[attr-defined]
            if a.label is not None:
                self.labels_done.setdefault((rule.id, a.label), []).append(o)
            if a.step is not None:
                # an optional step may or may not have been taken: only a duty counts by
                # itself; an optional step needs its outcome recorded in the timeline
                owner = rule.id if a.modality == "may" else None
                self.steps_done.setdefault((a.step.ladder, a.step.step), []).append((o, owner))

    def _withhold(self, a: CAction, firing: Firing, day: Day, reason: str) -> None:
        if self.explain:
            self.withheld.append(
                WithheldAction(date=day.d, rule=firing.rule.id, actor=a.actor, action=a.text, reason=reason)
            )

    def _withhold_rule(self, st: RuleState, day: Day, reason: str) -> None:
        for a in st.rule.actions:
            self.withheld.append(
                WithheldAction(date=day.d, rule=st.rule.id, actor=a.actor, action=a.text, reason=reason)
            )

    # -------------------------------------------------------------------- classifications

    def _class_day(self, st: RuleState, day: Day) -> None:
        rule = st.rule
        holds = False
        for ts in st.trig:
            if type(ts) is ThresholdState:
                h = ts.reached
            elif type(ts) is RunState:
                h = ts.holds
            else:
                if ts.fire and ts.latched is None:
                    ts.latched = day.o
                h = ts.latched is not None
            if h:
                holds = True
                break
        if holds and rule.conditions:
            holds = self._conditions_ok(rule.conditions, day, st)
        if holds and st.span_start is not None and not any(
            type(ts) is EventState and ts.latched is not None for ts in st.trig
        ):
            # a school day without the state between two visits ends the span there
            if day.sdo - st.last_held_sdo > 1:
                st.spans.append((st.span_start, st.last_held))
                st.span_start = None
        if holds:
            st.last_held_sdo = day.sdo if day.school else day.sdo - 1
            if st.span_start is None:
                st.span_start = day.o
                st.fire_os.append(day.o)
                if rule.actions:
                    firing = Firing(rule, day.o, day.o, None)
                    firing.seq = len(self.firings)
                    self.firings.append(firing)
                    if self.explain:
                        firing.explain = {"trigger": "; ".join(t.text for t in rule.triggers), "source_span": rule.span}
                    self._actions(st, firing, day)
            st.last_held = day.o
        elif st.span_start is not None:
            until = st.last_held
            # an event-made state ends the day before the pupil is enrolled again
            for ts in st.trig:
                if type(ts) is EventState and ts.ended is not None:
                    until = max(st.span_start, ts.ended)
                    ts.ended = None
            st.spans.append((st.span_start, until))
            st.span_start = None

    # -------------------------------------------------------------------- explain

    def _explain_trigger(self, ts: TriggerState, day: Day) -> dict[str, Any]:
        t = ts.t
        out: dict[str, Any] = {"trigger": t.text}
        if type(ts) is ThresholdState:
            first = max(self._window_first(t, day), ts.reset_o + 1, self.first_o)
            out["window"] = {"from": date.fromordinal(first).isoformat(), "until": day.d.isoformat()}
            value = ts.pct if t.component == PERCENT else ts.total
            out["amount"] = t.format_amount(value)
            out["events"] = self._indices(t.slot, [x[1] for x in ts.q])
        elif type(ts) is RunState and ts.start_o is not None:
            out["window"] = {"from": date.fromordinal(ts.start_o).isoformat(), "until": day.d.isoformat()}
            out["amount"] = t.unit.with_number(round(self._run_length(t, ts, day), 2))
            days = [o for o in self.feeds[t.slot] if ts.start_o <= o <= day.o]
            out["events"] = self._indices(t.slot, days)
        elif type(ts) is EventState:
            out["events"] = sorted(e.index for e in ts.fired)
        return out

    def _indices(self, slot: int, days: Iterable[int]) -> list[int]:
        feed = self.feeds[slot]
        found: set[int] = set()
        for o in days:
            amt = feed.get(o)
            if amt is not None and amt.idx:
                found.update(amt.idx)
        return sorted(found)

    # -------------------------------------------------------------------- result

    def classification_spans(self) -> tuple[ClassificationSpan, ...]:
        """The states that held, in date order (then declaration order)."""
        spans: list[tuple[tuple[int, int], ClassificationSpan]] = []
        for st in self.classes:
            rule = st.rule
            all_spans = list(st.spans)
            if st.span_start is not None:
                all_spans.append((st.span_start, None))
            for start, until in all_spans:
                spans.append(
                    (
                        (start, rule.index),
                        ClassificationSpan(
                            start=date.fromordinal(start),
                            until=date.fromordinal(until) if until is not None else None,
                            label=rule.id,
                            name=rule.title,
                            colour=rule.colour,
                            group=rule.group,
                        ),
                    )
                )
        spans.sort(key=lambda x: x[0])
        return tuple(s for _, s in spans)

    def _due_actions(self, f: Firing) -> tuple[ActionDue, ...]:
        rule = f.rule
        begin = date.fromordinal(f.begin) if f.begin is not None else None
        end = date.fromordinal(f.end) if f.end is not None else None
        closed = date.fromordinal(f.closed) if f.closed is not None else None
        day = date.fromordinal(f.o)
        explain = f.explain if self.explain else None
        # positionally, in ActionDue's field order (see there why)
        return tuple(
            ActionDue(
                day, rule.id, a.actor, a.text, a.modality, due, a.duo, rule.source, begin, end,
                a.clock, a.label, a.exception, a.recipients, a.copies, a.document, a.meeting,
                a.step.ref if a.step is not None else None, texts, closed, explain, a.actor_name,
            )
            for a, due, texts in f.actions
        )

    def result(self, as_of: date) -> Result:
        """The actions and classifications so far; does not change the engine's state."""
        actions = [
            a
            for due in self.c.due_cache.each(
                # the reference mode builds everything itself, to stay an independent check
                self.firings, self.cal, self._due_actions, cached=not (self.explain or self.recompute)
            )
            for a in due
        ]
        withheld = None
        if self.explain:
            w = list(self.withheld)
            for st in self.rules:
                if st.pending is not None:
                    _, reached, _, _ = st.pending
                    for a in st.rule.actions:
                        w.append(
                            WithheldAction(
                                date=date.fromordinal(reached),
                                rule=st.rule.id,
                                actor=a.actor,
                                action=a.text,
                                reason="uitgesteld tot "
                                + date.fromordinal(st.pending_on).isoformat()
                                + f" (hooguit {st.rule.rate_n} melding per {st.rule.rate_q})",
                            )
                        )
            withheld = tuple(sorted(w, key=lambda x: (x.date, x.rule, x.action)))
        return Result(
            protocol=self.c.protocol_id,
            student=self.student.id,
            as_of=as_of,
            actions=tuple(actions),
            classifications=self.classification_spans(),
            withheld=withheld,
        )


@functools.lru_cache(maxsize=16384)
def status_bounds(
    birth: date, first_school_year: int | None, startkwalificatie: date | None
) -> tuple[date, date, date, date]:
    """(leerplicht start, leerplicht end, kwalificatieplicht end, 18th birthday), from
    verzuimdsl.leerplicht; cached, since a region's pupils share birth dates."""
    return (
        leerplicht_start(birth),
        leerplicht_end(birth, first_school_year),
        kwalificatieplicht_end(birth, startkwalificatie),
        birthday(birth, 18),
    )


def status_from_bounds(bounds: tuple[date, date, date, date], d: date) -> str:
    """The same decision as leerplicht.status_on (tests check it), named as in the language."""
    ls, le, ke, b18 = bounds
    if d >= b18:
        return "achttien_plus"
    if d < ls:
        return "niet_leerplichtig"
    if d <= le:
        return "leerplichtig"
    if d <= ke:
        return "kwalificatieplichtig"
    return "niet_leerplichtig"


_ONE_DAY = timedelta(days=1)
_START = -1  # day_slots holds _START - slot for a day on which an event of the slot starts

_MISSING = object()
_COVERED_MAX = 1 << 16


class CalendarTables:
    """What depends on the calendar alone, shared by all pupils of a calendar: the facts
    of each day, window starts, deadlines (day, unit, number) and the school days an
    event covers (its date fixes the school year, hence the year's last day)."""

    __slots__ = ("days", "wfirst", "deadlines", "covered")

    def __init__(self) -> None:
        self.days: dict[int, Day] = {}
        self.wfirst: dict[tuple[Any, ...], int] = {}
        self.deadlines: dict[tuple[Any, ...], date | None] = {}
        self.covered: dict[tuple[Any, ...], tuple[list[date], tuple[int, ...]]] = {}


_TABLES: weakref.WeakKeyDictionary[SchoolCalendar, CalendarTables] = weakref.WeakKeyDictionary()


def calendar_tables(cal: SchoolCalendar) -> CalendarTables:
    tables = _TABLES.get(cal)
    if tables is None:
        tables = _TABLES[cal] = CalendarTables()
    return tables


_NEAR: weakref.WeakKeyDictionary[SchoolCalendar, dict[int, bool]] = weakref.WeakKeyDictionary()


def near_holiday(cal: SchoolCalendar, d: date) -> bool:
    """Whether a school day is the last before or the first after a school holiday (a break
    named ...vakantie), cached per calendar."""
    table = _NEAR.get(cal)
    if table is None:
        table = _NEAR[cal] = {}
    o = d.toordinal()
    hit = table.get(o)
    if hit is not None:
        return hit
    hit = False
    try:
        for other in (cal.add_school_days(d, -1), cal.add_school_days(d, 1)):
            lo, hi = sorted((other, d))
            x = lo + timedelta(days=1)
            while x < hi and not hit:
                name = cal.holiday_name(x)
                hit = bool(name) and name.lower().endswith("vakantie")
                x += timedelta(days=1)
            if hit:
                break
    except CalendarError:
        hit = False
    table[o] = hit
    return hit


def _joined(states: list[RuleState], more: Iterable[RuleState]) -> list[RuleState]:
    """`states` with those of `more` not in it yet, in declaration order."""
    new = [st for st in more if st not in states]
    return sorted([*states, *new], key=lambda st: st.rule.index) if new else states


def _has_open(st: RuleState) -> bool:
    return any(type(ts) is RunState and ts.open_firing is not None for ts in st.trig)


def _run_mark(unit: Unit, value: float, strict: bool, start_o: int, start_sdo: int) -> tuple[bool, int] | None:
    """Where a run that starts on `start_o` first has a length of (more than) `value`:
    (True, school day number) for school-day units, (False, day ordinal) for calendar
    units. None when there is no whole-number answer (then the length is computed daily)."""
    if not float(value).is_integer():
        return None
    n = int(value)
    if unit is Unit.SCHOOL_DAY:  # length = school days in the run
        return True, start_sdo + (n + 1 if strict else n) - 1
    if unit is Unit.SCHOOL_WEEK:  # 5 school days a week
        return True, start_sdo + (5 * n + 1 if strict else 5 * n) - 1
    if unit is Unit.CALENDAR_DAY:  # length = days from the start, both ends included
        return False, start_o + (n + 1 if strict else n) - 1
    if unit is Unit.WEEK:
        return False, start_o + (7 * n + 1 if strict else 7 * n) - 1
    months = {Unit.MONTH: 1, Unit.QUARTER: 3, Unit.SCHOOL_YEAR: 12}.get(unit)
    if months is None:
        return None
    # length in months reaches n when the day after lies on or beyond start + n months
    end = add_months(date.fromordinal(start_o), months * n).toordinal()
    return False, end if strict else end - 1


def _months_between(start: date, end: date) -> float:
    """Months from `start` to `end` (exclusive end): whole months plus the fraction of the next."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    base = add_months(start, months)
    nxt = add_months(start, months + 1)
    return months + (end - base).days / max(1, (nxt - base).days)
