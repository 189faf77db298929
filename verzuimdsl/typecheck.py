"""The type checker: units, windows, thresholds, deadlines and the logic between rules.

Lesson hours, counts, school days, working days and periods are distinct: a deadline in
hours, a window in hours, or hours of lateness are type errors, because the law and DUO
count each in its own unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import ir
from .diagnostics import Diagnostic
from .protocol import Protocol
from .resolve import BUILTIN_FILTERS
from .units import (
    DEADLINE_UNITS,
    MAX_SCHOOL_DAYS,
    RUN_UNITS,
    WINDOW_UNITS,
    Dimension,
    Unit,
    format_number,
)

# which units each built-in measure can be counted in
_DAY_FILTERS = {"ongeoorloofd", "geoorloofd", "afwezig", "ziek", "luxe", "geschorst"}
_HOUR_FILTERS = {"ongeoorloofd", "geoorloofd", "afwezig", "luxe"}
_EVENT_ONLY = {
    "te_laat",
    "no_show",
    "ingeschreven",
    "uitgeschreven",
    "vrijstelling",
    "verlof",
    "uitkomst",
}
_MAX_LESSON_HOURS_PER_DAY = 8
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _allowed_units(filter_name: str) -> list[Unit]:
    if filter_name in _EVENT_ONLY:
        return [Unit.COUNT]
    units = [Unit.COUNT]
    if filter_name in _DAY_FILTERS:
        units += [Unit.SCHOOL_DAY, Unit.CALENDAR_DAY]
    if filter_name in _HOUR_FILTERS:
        units += [Unit.HOUR, Unit.DAYPART, Unit.PERCENT]
    return units


def _unit_list(units: Iterable[Unit]) -> str:
    return ", ".join(u.label(2) for u in units)


class _Checker:
    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.diagnostics: list[Diagnostic] = []
        self.event_types = {e.id for e in protocol.event_types}

    def report(self, code: str, span: object, **args: object) -> None:
        self.diagnostics.append(Diagnostic(code, span, args))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ values
    def positive(self, value: float, span: object, what: str, what_en: str) -> bool:
        if value <= 0:
            self.report("VZ023", span, what=what, what_en=what_en, value=format_number(value))
            return False
        return True

    def whole(self, value: float, span: object, what: str, what_en: str) -> None:
        if not float(value).is_integer():
            self.report("VZ028", span, what=what, what_en=what_en, value=format_number(value))

    # ------------------------------------------------------------------ triggers
    def filter_units(self, t: ir.Trigger, unit: Unit) -> bool:
        name = t.filter.name
        if name in self.event_types:
            allowed = [Unit.COUNT]
        elif name in BUILTIN_FILTERS:
            allowed = _allowed_units(name)
        else:
            return True  # an unknown measure is reported by name resolution
        if unit not in allowed:
            if unit.dimension is Dimension.PERIOD:
                reason = "een periode telt alleen aaneengesloten"
                reason_en = "a period only counts as an unbroken run"
                allowed_text = f"{_unit_list(allowed)}, of `aaneengesloten` voor een periode"
            elif unit is Unit.WORKING_DAY:
                reason = "verzuim telt in schooldagen, niet in werkdagen"
                reason_en = "absence counts in school days, not working days"
                allowed_text = _unit_list(allowed)
            else:
                reason = "deze maat wordt daarin niet geteld"
                reason_en = "this measure is not counted in it"
                allowed_text = _unit_list(allowed)
            self.report(
                "VZ020",
                t.span,
                unit=unit.label(2),
                filter=name,
                reason=reason,
                reason_en=reason_en,
                allowed=allowed_text,
            )
            return False
        return True

    def check_trigger(self, t: ir.Trigger) -> None:
        if not isinstance(t, ir.EventTrigger) and t.bound.at_most:
            self.report(
                "VZ026",
                t.bound.span,
                what="drempel",
                what_en="threshold",
                value="een bovengrens",
                hint="`hooguit` en `minder dan` passen alleen bij de duur van één gebeurtenis: "
                "`wanneer gebeurtenis verlofaanvraag van hooguit 10 schooldagen`",
                hint_en="`hooguit` and `minder dan` only size a single event: "
                "`wanneer gebeurtenis verlofaanvraag van hooguit 10 schooldagen`",
            )
            return
        if isinstance(t, ir.ThresholdTrigger):
            self.check_threshold(t)
        elif isinstance(t, ir.RunTrigger):
            self.check_run(t)
        else:
            self.check_event(t)

    def check_threshold(self, t: ir.ThresholdTrigger) -> None:
        ok = self.positive(t.bound.value, t.bound.span, "de drempel", "the threshold")
        ok = self.filter_units(t, t.unit) and ok
        if t.unit not in (Unit.HOUR, Unit.PERCENT):
            self.whole(t.bound.value, t.bound.span, "de drempel", "the threshold")
        if t.bound.ordinal and t.unit is not Unit.COUNT and t.unit is not Unit.SCHOOL_DAY:
            self.report(
                "VZ026",
                t.bound.span,
                what="drempel",
                what_en="threshold",
                value=f"een rangtelwoord met {t.unit.label(2)}",
                hint="een rangtelwoord (4e) telt keren of dagen: `4e keer ziek`",
                hint_en="an ordinal (4e) counts times or days: `4e keer ziek`",
            )
        if t.unit is Unit.PERCENT:
            if t.bound.value > 100:
                self.report(
                    "VZ026",
                    t.bound.span,
                    what="percentage",
                    what_en="percentage",
                    value=format_number(t.bound.value),
                    hint="een percentage ligt tussen 0 en 100",
                    hint_en="a percentage lies between 0 and 100",
                )
            if t.window is None:
                self.report(
                    "VZ026",
                    t.span,
                    what="percentage",
                    what_en="percentage",
                    value="zonder teltermijn",
                    hint="zeg over welke periode: `binnen 4 schoolweken`",
                    hint_en="say over which period: `binnen 4 schoolweken`",
                )
        if t.window is not None:
            ok = self.check_window(t.window) and ok
        if ok and t.window is not None:
            self.reachable(t)

    def check_window(self, w: ir.Window) -> bool:
        if w.unit not in WINDOW_UNITS:
            self.report("VZ022", w.span, unit=w.unit.label(2))
            return False
        ok = self.positive(w.size, w.span, "de teltermijn", "the window")
        self.whole(w.size, w.span, "de teltermijn", "the window")
        return ok

    def reachable(self, t: ir.ThresholdTrigger) -> None:
        """A threshold above what the window can ever hold is a typo or a misreading."""
        w = t.window
        assert w is not None
        school_days = w.size * MAX_SCHOOL_DAYS[w.unit]
        capacity = {
            Unit.SCHOOL_DAY: school_days,
            Unit.CALENDAR_DAY: school_days * 7 / 5,
            Unit.HOUR: school_days * _MAX_LESSON_HOURS_PER_DAY,
            Unit.DAYPART: school_days * 2,
        }.get(t.unit)
        if capacity is None:
            return
        value = t.bound.value
        if value >= capacity if t.bound.strict else value > capacity:
            window = (
                w.unit.with_number(w.size)
                if w.kind is ir.WindowKind.SLIDING
                else f"één {w.unit.label(1)}"
            )
            threshold = ("meer dan " if t.bound.strict else "") + t.unit.with_number(value)
            self.report("VZ024", t.span, threshold=threshold, window=window)

    def check_run(self, t: ir.RunTrigger) -> None:
        self.positive(t.bound.value, t.bound.span, "de drempel", "the threshold")
        self.whole(t.bound.value, t.bound.span, "de drempel", "the threshold")
        if t.unit not in RUN_UNITS:
            self.report(
                "VZ020",
                t.span,
                unit=t.unit.label(2),
                filter=t.filter.name,
                reason="een aaneengesloten periode telt in dagen, weken of maanden",
                reason_en="an unbroken run counts in days, weeks or months",
                allowed=_unit_list(RUN_UNITS),
            )
            return
        if t.filter.name not in _DAY_FILTERS and t.filter.name not in self.event_types:
            self.report(
                "VZ020",
                t.span,
                unit=t.unit.label(2),
                filter=t.filter.name,
                reason="alleen afwezigheid kan aaneengesloten zijn",
                reason_en="only absence can be unbroken",
                allowed="`ongeoorloofd`, `geoorloofd`, `afwezig`, `ziek`, `luxe` of `geschorst`",
            )
        if t.upper is not None:
            if t.upper.unit not in RUN_UNITS:
                self.report(
                    "VZ027",
                    t.upper.span,
                    left=t.unit.label(2),
                    right=t.upper.unit.label(2),
                    hint="de bovengrens is een periode in dagen, weken of maanden",
                    hint_en="the upper bound is a period in days, weeks or months",
                )
                return
            from .units import APPROX_CALENDAR_DAYS

            lower = t.bound.value * APPROX_CALENDAR_DAYS[t.unit]
            upper = t.upper.value * APPROX_CALENDAR_DAYS[t.upper.unit]
            if upper <= lower:
                self.report(
                    "VZ025",
                    t.upper.span,
                    upper=str(t.upper),
                    lower=t.unit.with_number(t.bound.value),
                )

    def check_event(self, t: ir.EventTrigger) -> None:
        name = t.filter.name
        if t.size is not None:
            assert t.size_unit is not None
            if name not in _DAY_FILTERS and name not in self.event_types:
                self.report(
                    "VZ036",
                    t.span,
                    qualifier="van ...",
                    filter=name,
                    hint="alleen afwezigheid, ziekte en schorsing hebben een duur",
                    hint_en="only absence, sickness and suspension have a length",
                )
            elif t.size_unit not in (Unit.SCHOOL_DAY, Unit.CALENDAR_DAY, Unit.HOUR, Unit.WEEK):
                self.report(
                    "VZ020",
                    t.span,
                    unit=t.size_unit.label(2),
                    filter=name,
                    reason="de duur van één gebeurtenis telt in schooldagen, dagen of uren",
                    reason_en="the length of one event counts in school days, days or hours",
                    allowed="schooldagen, dagen of uren",
                )
            self.positive(t.size.value, t.size.span, "de duur", "the length")
        if t.near_holiday and name not in {"ziek", "ongeoorloofd", "afwezig", "luxe"}:
            self.report(
                "VZ036",
                t.span,
                qualifier="rond vakantie",
                filter=name,
                hint="`rond vakantie` past bij ziek, ongeoorloofd, afwezig of luxe",
                hint_en="`rond vakantie` fits ziek, ongeoorloofd, afwezig or luxe",
            )
        if t.without_enrolment and name != "uitgeschreven":
            self.report(
                "VZ036",
                t.span,
                qualifier="zonder inschrijving",
                filter=name,
                hint="`zonder inschrijving` past alleen bij `uitgeschreven`",
                hint_en="`zonder inschrijving` only fits `uitgeschreven`",
            )

    # ------------------------------------------------------------------ conditions
    def check_condition(self, c: ir.Condition) -> None:
        if isinstance(c, ir.AgeCondition):
            years = c.minimum if c.minimum is not None else c.below
            if years is not None and not 0 < years < 30:
                self.report(
                    "VZ026",
                    c.span,
                    what="leeftijd",
                    what_en="age",
                    value=f"{years} jaar",
                    hint="een leeftijd ligt tussen 1 en 29 jaar",
                    hint_en="an age lies between 1 and 29 years",
                )

    # ------------------------------------------------------------------ actions
    def check_action(self, a: ir.Action) -> None:
        d = a.deadline
        if d is not None and d.within is not None:
            q = d.within
            if q.unit not in DEADLINE_UNITS:
                self.report("VZ021", q.span, unit=q.unit.label(2))
            else:
                self.positive(q.value, q.span, "de termijn", "the deadline")
                self.whole(q.value, q.span, "de termijn", "the deadline")
        if d is not None and d.clock is not None:
            m = _TIME.match(d.clock)
            if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                self.report(
                    "VZ026",
                    d.span,
                    what="tijd",
                    what_en="time",
                    value=d.clock,
                    hint="een tijd loopt van 00:00 tot 23:59",
                    hint_en="a time runs from 00:00 to 23:59",
                )
        for c in a.conditions:
            self.check_condition(c)

    def check_repeat(self, r: ir.Repeat) -> None:
        if r.once and r.new_count:
            self.report("VZ032", r.span, a="eenmalig", b="nieuwe teltermijn")
        if r.once and r.rate_limit is not None:
            self.report("VZ032", r.span, a="eenmalig", b="hooguit ... per")
        if r.rate_limit is not None:
            count, q = r.rate_limit
            self.positive(count, r.span, "het aantal meldingen", "the number of reports")
            if q.unit not in DEADLINE_UNITS:
                self.report("VZ022", q.span, unit=q.unit.label(2))
            else:
                self.positive(q.value, q.span, "de periode", "the period")

    # ------------------------------------------------------------------ declarations
    def check_kinds(self) -> None:
        index = {k.id: k for k in self.p.kinds}
        for kind in self.p.kinds:
            seen = {kind.id}
            current = kind
            while current.parent is not None:
                parent = index.get(self.p.resolve(current.parent.last, "kind"))
                if parent is None:
                    break
                if parent.id in seen:
                    self.report("VZ033", kind.span, name=kind.id)
                    break
                seen.add(parent.id)
                current = parent

    def check_rule(self, r: ir.Rule | ir.Classification, what: str, what_en: str) -> None:
        if not r.triggers:
            self.report("VZ030", r.span, what=what, what_en=what_en, name=r.id)
        for t in r.triggers:
            self.check_trigger(t)
        for c in r.conditions:
            self.check_condition(c)
        actions = list(r.actions)
        if isinstance(r, ir.Rule):
            actions += [a for e in r.exceptions for a in e.actions]
            if r.repeat is not None:
                self.check_repeat(r.repeat)
            if not actions:
                self.report("VZ031", r.span, name=r.id)
            for e in r.exceptions:
                for c in e.conditions:
                    self.check_condition(c)
        for a in actions:
            self.check_action(a)
        if r.source is None:
            self.report("VZ043", r.span, what=what, what_en=what_en, name=r.id)

    def check_meeting(self, m: ir.Meeting) -> None:
        if m.frequency is not None:
            if m.frequency.unit not in (*DEADLINE_UNITS, Unit.QUARTER, Unit.SCHOOL_YEAR):
                self.report("VZ022", m.frequency.span, unit=m.frequency.unit.label(2))
            else:
                self.positive(m.frequency.value, m.frequency.span, "de frequentie", "the frequency")

    def check_header(self, h: ir.Header) -> None:
        if h.school_year is not None:
            first, second = (int(x) for x in h.school_year.split("-"))
            if second != first + 1 or not 2000 <= first <= 2100:
                self.report(
                    "VZ026",
                    h.school_year_span,
                    what="schooljaar",
                    what_en="school year",
                    value=h.school_year,
                    hint=f"een schooljaar loopt van 1 augustus tot 31 juli: {first}-{first + 1}",
                    hint_en=f"a school year runs from 1 August to 31 July: {first}-{first + 1}",
                )

    def check_ladders(self) -> None:
        """An action on a ladder step may not require a later step of the same ladder first."""
        order = {(lad.id, s.id): n for lad in self.p.ladders for n, s in enumerate(lad.steps)}
        by_step = {s.id: lad.id for lad in self.p.ladders for s in lad.steps}
        for r in self.p.rules:
            for a in r.actions:
                if a.step is None:
                    continue
                ladder = a.step.head if len(a.step.parts) == 2 else by_step.get(a.step.head)
                pos = order.get((ladder, a.step.last))
                if pos is None:
                    continue
                for c in list(r.conditions) + list(a.conditions):
                    if isinstance(c, ir.AfterCondition) and not c.negated:
                        other = order.get((ladder, c.ref.last))
                        if other is not None and other >= pos:
                            self.report(
                                "VZ042", c.span, step=a.step.last, earlier=c.ref.last, ladder=ladder
                            )

    # ------------------------------------------------------------------ shadowing
    def check_shadowing(self) -> None:
        rules = {r.id: r for r in self.p.rules}
        for r in self.p.rules:
            for ref in r.precedes:
                other = rules.get(self.p.resolve(ref.last, "rule"))
                if other is None or other.id == r.id:
                    continue
                if _always_first(r, other):
                    self.report("VZ040", other.span, name=other.id, other=r.id)
        own = [r for r in self.p.rules if r.module == self.p.main.name]
        seen: dict[tuple[object, ...], ir.Rule] = {}
        for r in own:
            if not r.triggers:
                continue
            key = (_trigger_key(r.triggers), _condition_key(r.conditions), r.kind and r.kind.last)
            if key in seen:
                self.report("VZ041", r.span, name=r.id, other=seen[key].id)
            else:
                seen[key] = r

    def run(self) -> list[Diagnostic]:
        for m in self.p.modules:
            if m.header is not None:
                self.check_header(m.header)
            for item in m.items:
                if isinstance(item, ir.Rule):
                    self.check_rule(item, "regel", "rule")
                elif isinstance(item, ir.Classification):
                    self.check_rule(item, "classificatie", "classification")
                elif isinstance(item, ir.Meeting):
                    self.check_meeting(item)
                elif isinstance(item, ir.Route):
                    for a in item.actions:
                        self.check_action(a)
        self.check_kinds()
        self.check_ladders()
        self.check_shadowing()
        return self.diagnostics


def _strip(node: object) -> object:
    """A trigger or condition without its position, for comparing meaning."""
    import attrs

    if attrs.has(type(node)):
        return (type(node).__name__,) + tuple(
            _strip(getattr(node, f.name)) for f in attrs.fields(type(node)) if f.name != "span"
        )
    if isinstance(node, tuple):
        return tuple(_strip(n) for n in node)
    return node


def _trigger_key(triggers: Iterable[ir.Trigger]) -> tuple[object, ...]:
    return tuple(sorted((_strip(t) for t in triggers), key=repr))


def _condition_key(conditions: Iterable[ir.Condition]) -> tuple[object, ...]:
    return tuple(sorted((_strip(c) for c in conditions), key=repr))


def _weaker_or_equal(a: ir.Trigger, b: ir.Trigger) -> bool:
    """Whether trigger `a` is reached whenever `b` is (same measure, lower or equal bar)."""
    if type(a) is not type(b) or _strip(a.filter) != _strip(b.filter):
        return False
    if isinstance(a, ir.ThresholdTrigger) and isinstance(b, ir.ThresholdTrigger):
        if a.unit is not b.unit:
            return False
        if (a.window is None) != (b.window is None):
            return a.window is None
        if a.window is not None and b.window is not None:
            if a.window.kind is not b.window.kind or a.window.unit is not b.window.unit:
                return False
            if a.window.size < b.window.size:
                return False
        return a.bound.minimum <= b.bound.minimum
    if isinstance(a, ir.RunTrigger) and isinstance(b, ir.RunTrigger):
        return a.unit is b.unit and a.bound.minimum <= b.bound.minimum and a.upper is None
    return _strip(a) == _strip(b)


def _always_first(winner: ir.Rule, loser: ir.Rule) -> bool:
    """`winner gaat_voor loser` and every trigger of `loser` implies one of `winner`."""
    if not loser.triggers or not winner.triggers:
        return False
    if not set(map(_strip, winner.conditions)) <= set(map(_strip, loser.conditions)):
        return False
    return all(any(_weaker_or_equal(w, t) for w in winner.triggers) for t in loser.triggers)


def typecheck(protocol: Protocol) -> list[Diagnostic]:
    return _Checker(protocol).run()
