"""Compile a checked Protocol once into flat, slotted evaluators for the engine.

Everything that does not depend on a pupil is decided here: which measure a trigger reads
(a numbered "slot"), its bound in integer units (minutes, dagdelen, events, days), window
kinds, resolved actor ids and display names, DUO names, deadlines, and the condition
checks as small tuples. The engine then only does integer arithmetic and dict lookups.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any

from .. import ir
from ..protocol import Protocol
from ..timeline import LUXE_REASONS, Event
from ..units import Unit, format_number
from .firing_cache import FiringCache

# ------------------------------------------------------------------------ filters


def norm_label(text: Any) -> str:
    """Labels match loosely: case, spaces, hyphens and underscores do not matter."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


class FilterSpec:
    """A measure as the engine sees it: which events it matches.

    `match` works on an event's raw fields, so the batch prefilter can use it on JSON
    before any Event exists; `test` is the same check on an Event (None: type suffices).
    """

    __slots__ = ("key", "name", "with_actor", "label", "types", "test", "match", "kind")

    def __init__(self, protocol: Protocol, f: ir.Filter, declared: frozenset[str]) -> None:
        name = f.name
        self.name = name
        self.with_actor = protocol.resolve(f.with_actor.head) if f.with_actor else None
        self.label = norm_label(f.label) if f.label else None
        self.key = (name, self.with_actor, self.label)
        # kind: what besides the type must hold (authorised or not, a luxe reason)
        if name in declared:
            self.types: tuple[str, ...] = (name,)
            self.kind = ""
        elif name == "ongeoorloofd":
            self.types, self.kind = ("absence",), "unauthorised"
        elif name == "geoorloofd":
            self.types, self.kind = ("absence", "sick", "suspension"), "authorised"
        elif name == "afwezig":
            self.types, self.kind = ("absence", "sick", "suspension"), ""
        elif name == "luxe":
            self.types, self.kind = ("absence",), "luxe"
        else:
            self.types, self.kind = (_BUILTIN_TYPES[name],), ""
        resolve = protocol.resolve
        kind, with_actor, label = self.kind, self.with_actor, self.label

        def match(etype: str, authorized: Any, reason: Any, with_: Any, elabel: Any) -> bool:
            if kind == "unauthorised" and authorized is not False:
                return False
            if kind == "authorised" and etype == "absence" and authorized is not True:
                return False
            if kind == "luxe" and (
                authorized is not False
                or not isinstance(reason, str)
                or reason.strip().casefold() not in LUXE_REASONS
            ):
                return False
            if with_actor is not None and (not isinstance(with_, str) or resolve(with_) != with_actor):
                return False
            if label is not None and label not in (norm_label(elabel), norm_label(reason)):
                return False
            return True

        self.match = match
        if not kind and with_actor is None and label is None:
            self.test: Callable[[Event], bool] | None = None
        else:

            def test(e: Event) -> bool:
                return match(e.type, e.authorized, e.reason, e.with_, e.label)

            self.test = test


_BUILTIN_TYPES = {
    "ziek": "sick",
    "te_laat": "late",
    "no_show": "no_show",
    "geschorst": "suspension",
    "ingeschreven": "enrolled",
    "uitgeschreven": "unenrolled",
    "vrijstelling": "exemption",
    "verlof": "leave_granted",
    "uitkomst": "outcome",
}


# ------------------------------------------------------------------------ triggers

# what a threshold reads from a day's amounts
MINUTES, DAGDELEN, COUNT, DAYS, PERCENT = range(5)
_COMPONENT = {
    Unit.HOUR: MINUTES,
    Unit.DAYPART: DAGDELEN,
    Unit.COUNT: COUNT,
    Unit.SCHOOL_DAY: DAYS,
    Unit.CALENDAR_DAY: DAYS,
    Unit.PERCENT: PERCENT,
}

# window kinds (how a day maps to a key, and which keys are still inside)
W_CUMULATIVE = "cum"
W_SCHOOL_WEEKS = "sw"
W_SCHOOL_DAYS = "sd"
W_DAYS = "cd"
W_MONTHS = "mo"
W_PER = "per"


def _source_text(protocol: Protocol, span: Any) -> str:
    src = protocol.sources.get(span.file)
    if src is None or span.end <= span.start:
        return ""
    return " ".join(src.text[span.start : span.end].split())


class CTrigger:
    """One compiled trigger. `kind` is 'threshold', 'run' or 'event'."""

    __slots__ = (
        "kind",
        "slot",
        "node",
        "text",
        "unit",
        "component",
        "limit",
        "strict",
        "wkind",
        "wsize",
        "wunit",
        "upper",
        "size_limit",
        "size_strict",
        "size_unit",
        "near_holiday",
        "without_enrolment",
        "display_unit",
    )

    def __init__(self, node: ir.Trigger, slot: int, text: str) -> None:
        self.node = node
        self.slot = slot
        self.text = text
        self.upper: ir.Quantity | None = None
        self.size_limit: float | None = None
        self.size_strict = False
        self.size_unit: Unit | None = None
        self.near_holiday = False
        self.without_enrolment = False
        self.wkind = W_CUMULATIVE
        self.wsize = 0
        self.wunit: Unit | None = None
        self.component = COUNT
        self.limit = 0.0
        self.strict = False
        self.unit = Unit.COUNT
        self.display_unit = Unit.COUNT
        if isinstance(node, ir.ThresholdTrigger):
            self.kind = "threshold"
            self.unit = node.unit
            self.component = _COMPONENT.get(node.unit, COUNT)
            scale = 60.0 if node.unit is Unit.HOUR else 1.0
            self.limit = node.bound.value * scale
            self.strict = node.bound.strict
            w = node.window
            if w is not None:
                self.wunit = w.unit
                self.wsize = int(w.size)
                if w.kind is ir.WindowKind.CALENDAR:
                    self.wkind = W_PER
                elif w.unit is Unit.SCHOOL_WEEK and node.unit is Unit.PERCENT:
                    # a share of school time: the last N x 5 school days, so the share does
                    # not jump on a Monday, when the current week has just begun
                    self.wkind = W_SCHOOL_DAYS
                    self.wsize = int(w.size) * 5
                elif w.unit is Unit.SCHOOL_WEEK:
                    self.wkind = W_SCHOOL_WEEKS
                elif w.unit is Unit.SCHOOL_DAY:
                    self.wkind = W_SCHOOL_DAYS
                elif w.unit in (Unit.CALENDAR_DAY, Unit.WEEK):
                    self.wkind = W_DAYS
                    self.wsize = int(w.size) * (7 if w.unit is Unit.WEEK else 1)
                else:  # maand, kwartaal, schooljaar: calendar months back
                    self.wkind = W_MONTHS
                    factor = {Unit.MONTH: 1, Unit.QUARTER: 3, Unit.SCHOOL_YEAR: 12}[w.unit]
                    self.wsize = int(w.size) * factor
        elif isinstance(node, ir.RunTrigger):
            self.kind = "run"
            self.unit = node.unit
            self.limit = node.bound.value
            self.strict = node.bound.strict
            self.upper = node.upper
        else:
            self.kind = "event"
            if node.size is not None:
                self.size_limit = node.size.value
                self.size_strict = node.size.strict
                self.size_unit = node.size_unit
            self.near_holiday = node.near_holiday
            self.without_enrolment = node.without_enrolment

    def reached(self, amount: float) -> bool:
        return amount > self.limit if self.strict else amount >= self.limit

    def format_amount(self, amount: float) -> str:
        if self.component == MINUTES:
            return Unit.HOUR.with_number(round(amount / 60.0, 2))
        if self.component == PERCENT:
            return f"{format_number(round(amount, 1))} procent"
        return self.unit.with_number(amount)


# ------------------------------------------------------------------------ conditions

# compiled conditions are tuples: (kind, *args)
C_AGE_MIN, C_AGE_BELOW, C_STATUS, C_SCHOOL_TYPE, C_AFTER, C_OUTCOME, C_FIRST = range(7)


class CCondition:
    __slots__ = ("kind", "args", "negated", "text", "node")

    def __init__(self, kind: int, args: Any, text: str, node: Any, negated: bool = False) -> None:
        self.kind = kind
        self.args = args
        self.negated = negated
        self.text = text
        self.node = node


class AfterRef:
    """What `na X` may point at: a rule, an action label, a ladder step, an outcome label."""

    __slots__ = ("rule", "label", "steps", "outcome")

    def __init__(self, rule: str | None, label: str | None, steps: tuple[tuple[str, str], ...], outcome: str) -> None:
        self.rule = rule
        self.label = label
        self.steps = steps
        self.outcome = outcome


def _compile_conditions(
    protocol: Protocol, conds: tuple[ir.Condition, ...], ladders: dict[str, ir.Ladder]
) -> tuple[tuple[CCondition, ...], tuple[str, ...]]:
    """Evaluable conditions, and the texts of the human ones (shown, never evaluated)."""
    out: list[CCondition] = []
    texts: list[str] = []
    for c in conds:
        text = _source_text(protocol, c.span)
        if isinstance(c, ir.TextCondition):
            texts.append(c.text)
        elif isinstance(c, ir.AgeCondition):
            if c.minimum is not None:
                out.append(CCondition(C_AGE_MIN, c.minimum, text, c))
            if c.below is not None:
                out.append(CCondition(C_AGE_BELOW, c.below, text, c))
        elif isinstance(c, ir.StatusCondition):
            out.append(CCondition(C_STATUS, frozenset(c.statuses), text, c))
        elif isinstance(c, ir.SchoolTypeCondition):
            out.append(CCondition(C_SCHOOL_TYPE, frozenset(c.school_types), text, c))
        elif isinstance(c, ir.AfterCondition):
            out.append(CCondition(C_AFTER, after_ref(protocol, c.ref, ladders), text, c, c.negated))
        elif isinstance(c, ir.OutcomeCondition):
            out.append(CCondition(C_OUTCOME, norm_label(c.label), text, c))
        elif isinstance(c, ir.FirstTimeCondition):
            out.append(CCondition(C_FIRST, None, text, c))
    return tuple(out), tuple(texts)


def after_ref(protocol: Protocol, ref: ir.Ref, ladders: dict[str, ir.Ladder]) -> AfterRef:
    name = ref.last
    if len(ref.parts) == 2 and ref.head in ladders:
        return AfterRef(None, None, ((ref.head, name),), norm_label(name))
    steps = tuple((lad.id, s.id) for lad in ladders.values() for s in lad.steps if s.id == name)
    rules = {r.id for r in protocol.rules}
    resolved = protocol.resolve(name, "rule")
    return AfterRef(resolved if resolved in rules else None, name, steps, norm_label(name))


# ------------------------------------------------------------------------ actions


class CStep:
    __slots__ = ("ladder", "step", "earlier", "earlier_conditions", "conditions", "texts", "ref")

    def __init__(
        self,
        ladder: str,
        step: str,
        earlier: tuple[str, ...],
        conditions: tuple[CCondition, ...],
        texts: tuple[str, ...],
        earlier_conditions: tuple[tuple[CCondition, ...], ...] = (),
    ) -> None:
        self.ladder = ladder
        self.step = step
        self.earlier = earlier
        # each earlier step's own conditions: a step that cannot apply to the pupil
        # (Halt under 12) does not block the steps after it
        self.earlier_conditions = earlier_conditions or tuple(() for _ in earlier)
        self.conditions = conditions
        self.texts = texts
        self.ref = f"{ladder}.{step}"


class CAction:
    __slots__ = (
        "label",
        "actor",
        "actor_name",
        "modality",
        "text",
        "deadline_unit",
        "deadline_n",
        "clock",
        "duo",
        "recipients",
        "copies",
        "document",
        "meeting",
        "step",
        "conditions",
        "texts",
        "exception",
    )

    def __init__(self, protocol: Protocol, a: ir.Action, ladders: dict[str, ir.Ladder], exception: str | None = None) -> None:
        self.label = a.label
        self.actor = _actor_id(protocol, a.actor)
        self.actor_name = protocol.actor_label(a.actor)
        self.modality = a.modality.value
        self.text = a.text
        self.deadline_unit: Unit | None = None
        self.deadline_n = 0
        self.clock: str | None = None
        if a.deadline is not None:
            if a.deadline.within is not None:
                self.deadline_unit = a.deadline.within.unit
                self.deadline_n = int(a.deadline.within.value)
            self.clock = a.deadline.clock
        self.duo = protocol.duo_category(a.duo.last).name if a.duo is not None else None
        self.recipients = tuple(_recipient(protocol, r) for r in a.recipients)
        self.copies = tuple(_recipient(protocol, r) for r in a.copies)
        self.document = a.document
        self.meeting = protocol.resolve(a.meeting.last) if a.meeting is not None else None
        self.step: CStep | None = None
        if a.step is not None:
            self.step = _compile_step(protocol, a.step, ladders)
        self.conditions, self.texts = _compile_conditions(protocol, a.conditions, ladders)
        self.exception = exception


def _actor_id(protocol: Protocol, ref: ir.Ref) -> str:
    head = protocol.resolve(ref.head)
    return ".".join((head, *ref.parts[1:]))


def _recipient(protocol: Protocol, ref: ir.Ref) -> str:
    if len(ref.parts) == 1 and any(d.id == ref.head for d in protocol.desks):
        return ref.head
    return _actor_id(protocol, ref)


def _compile_step(protocol: Protocol, ref: ir.Ref, ladders: dict[str, ir.Ladder]) -> CStep | None:
    if len(ref.parts) == 2:
        ladder = ladders.get(ref.head)
    else:
        ladder = next((lad for lad in ladders.values() if any(s.id == ref.head for s in lad.steps)), None)
    if ladder is None:
        return None
    ids = [s.id for s in ladder.steps]
    if ref.last not in ids:
        return None
    pos = ids.index(ref.last)
    step = ladder.steps[pos]
    conds, texts = _compile_conditions(protocol, step.conditions, ladders)
    earlier_conds = tuple(
        _compile_conditions(protocol, s.conditions, ladders)[0] for s in ladder.steps[:pos]
    )
    return CStep(ladder.id, step.id, tuple(ids[:pos]), conds, texts, earlier_conds)


class CException:
    __slots__ = ("id", "conditions", "texts", "actions", "replaces")

    def __init__(self, protocol: Protocol, e: ir.RuleException, ladders: dict[str, ir.Ladder]) -> None:
        self.id = e.id
        self.conditions, self.texts = _compile_conditions(protocol, e.conditions, ladders)
        self.actions = tuple(CAction(protocol, a, ladders, exception=e.id) for a in e.actions)
        self.replaces = frozenset(e.replaces)


# ------------------------------------------------------------------------ rules


class CRule:
    """A rule or a classification, compiled."""

    __slots__ = (
        "index",
        "id",
        "title",
        "is_class",
        "source",
        "span",
        "triggers",
        "conditions",
        "texts",
        "actions",
        "exceptions",
        "precedes",
        "new_count",
        "rate_n",
        "rate_q",
        "contiguous",
        "once",
        "open_ended",
        "colour",
        "group",
        "status_dependent",
        "ages",
        "plain",
        "labels",
    )

    def __init__(self, protocol: Protocol, index: int, r: ir.Rule | ir.Classification, slots: dict[tuple[Any, ...], int], filters: list[FilterSpec], declared: frozenset[str], ladders: dict[str, ir.Ladder]) -> None:
        self.index = index
        self.id = r.id
        self.title = r.title
        self.is_class = isinstance(r, ir.Classification)
        self.source = r.source
        self.span = str(r.span)
        trig = []
        for t in r.triggers:
            spec = FilterSpec(protocol, t.filter, declared)
            slot = slots.get(spec.key)
            if slot is None:
                slot = slots[spec.key] = len(filters)
                filters.append(spec)
            trig.append(CTrigger(t, slot, _source_text(protocol, t.span)))
        self.triggers = tuple(trig)
        self.conditions, self.texts = _compile_conditions(protocol, r.conditions, ladders)
        # status and age conditions can turn true on a day without events (a birthday)
        self.status_dependent = any(c.kind == C_STATUS for c in self.conditions)
        self.ages = tuple(c.args for c in self.conditions if c.kind in (C_AGE_MIN, C_AGE_BELOW))
        self.actions = tuple(CAction(protocol, a, ladders) for a in r.actions)
        self.colour = getattr(r, "colour", None)
        self.group = getattr(r, "group", None)
        rep = r.repeat if isinstance(r, ir.Rule) else None
        self.exceptions = tuple(CException(protocol, e, ladders) for e in r.exceptions) if isinstance(r, ir.Rule) else ()
        self.precedes = tuple(protocol.resolve(p.last) for p in r.precedes) if isinstance(r, ir.Rule) else ()
        # most rules just list their actions (labelled or not): no per-action checks
        self.plain: tuple[tuple[CAction, tuple[str, ...]], ...] | None = None
        if not self.exceptions and all(not a.conditions and a.step is None for a in self.actions):
            self.plain = tuple((a, self.texts + a.texts) for a in self.actions)
        self.labels = tuple(a.label for a in self.actions if a.label is not None)
        self.new_count = bool(rep and rep.new_count)
        self.contiguous = bool(rep and rep.contiguous)
        self.once = bool(rep and rep.once)
        self.open_ended = bool(rep and rep.open_ended)
        self.rate_n = 0
        self.rate_q: ir.Quantity | None = None
        if rep is not None and rep.rate_limit is not None:
            self.rate_n = int(rep.rate_limit[0])
            self.rate_q = rep.rate_limit[1]


_MATCHING_LIMIT = 1 << 14
#: event types the engine records even when they count in no measure (conditions such as
#: `na uitkomst`, and enrolment, read them)
RECORDED_TYPES = frozenset({"outcome", "enrolled", "unenrolled"})


class Compiled:
    """A protocol ready to run: rules and classifications in protocol order."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol_id = protocol.id
        declared = frozenset(e.id for e in protocol.event_types)
        self.event_types = tuple(sorted(declared))
        ladders = {lad.id: lad for lad in protocol.ladders}
        slots: dict[tuple[Any, ...], int] = {}
        self.filters: list[FilterSpec] = []
        self.rules = tuple(
            CRule(protocol, i, r, slots, self.filters, declared, ladders) for i, r in enumerate(protocol.rules)
        )
        self.classifications = tuple(
            CRule(protocol, len(self.rules) + i, c, slots, self.filters, declared, ladders)
            for i, c in enumerate(protocol.classifications)
        )
        self.rule_by_id = {r.id: r for r in self.rules}
        # event type -> the measures it may count in (matching_slots applies their tests)
        by_type: dict[str, list[int]] = {}
        for slot, f in enumerate(self.filters):
            for t in f.types:
                by_type.setdefault(t, []).append(slot)
        self.slots_by_type = by_type
        self._matching: dict[tuple[Any, ...], tuple[int, ...]] = {}
        # the event types the engine does anything with; the others only need validating
        self.engine_types = frozenset(by_type) | RECORDED_TYPES
        all_conditions = [
            c
            for r in self.rules + self.classifications
            for c in (
                *r.conditions,
                *(c for a in r.actions for c in a.conditions),
                *(c for e in r.exceptions for c in e.conditions),
                *(c for e in r.exceptions for a in e.actions for c in a.conditions),
                *(c for a in r.actions if a.step for c in a.step.conditions),
            )
        ]
        kinds = {c.kind for c in all_conditions}
        self.uses_status = C_STATUS in kinds
        self.ages = tuple(sorted({c.args for c in all_conditions if c.kind in (C_AGE_MIN, C_AGE_BELOW)}))
        # a firing can enable another rule the next day (`na X`, ladder steps)
        self.uses_history = bool(kinds & {C_AFTER, C_OUTCOME}) or any(
            a.step is not None for r in self.rules for a in r.actions
        )
        # rules and states whose own conditions look back (`na X`, an outcome)
        self.history_rules = frozenset(
            r.index
            for r in self.rules + self.classifications
            if any(c.kind in (C_AFTER, C_OUTCOME) for c in r.conditions)
        )
        # day-by-day stepping is needed where amounts change without events: a
        # classification over a threshold holds (and ends) on days without events
        self.needs_dense = any(
            t.kind == "threshold" for c in self.classifications for t in c.triggers
        )
        # a percentage changes while absence is in its window: slot -> (rule, trigger)
        self.percent: dict[int, list[tuple[CRule, CTrigger]]] = {}
        for r in self.rules:
            for t in r.triggers:
                if t.kind == "threshold" and t.component == PERCENT:
                    self.percent.setdefault(t.slot, []).append((r, t))
        self._prefilter: Any = None
        self._emitter: Any = None
        self.due_cache = FiringCache()  # ActionDue objects of event firings, for run()
        self.plain_cache = FiringCache()  # (action, due, texts) of a plain rule firing on a day
        self.slot_rules: list[list[CRule]] = [[] for _ in self.filters]
        for r in self.rules + self.classifications:
            for t in r.triggers:
                if r not in self.slot_rules[t.slot]:
                    self.slot_rules[t.slot].append(r)
        # a rule that only reacts to events starting (`wanneer gebeurtenis ziek`) needs the
        # days its events start, not every day a long sick leave covers
        self.start_only = frozenset(
            r.index
            for r in self.rules
            if all(t.kind == "event" and not t.near_holiday and not t.without_enrolment for t in r.triggers)
        )
        self.slot_rules_covered = [
            [r for r in rules if r.index not in self.start_only] for rules in self.slot_rules
        ]

    def matching_slots(self, etype: str, authorized: Any, reason: Any, with_: Any, label: Any) -> tuple[int, ...]:
        """The measures an event with these fields counts in (cached: a region's events
        have few distinct combinations, and the filters' tests are pure)."""
        key = (etype, authorized, reason, with_, label)
        found = self._matching.get(key)
        if found is None:
            found = tuple(
                slot
                for slot in self.slots_by_type.get(etype, ())
                if self.filters[slot].match(etype, authorized, reason, with_, label)
            )
            if len(self._matching) < _MATCHING_LIMIT:
                self._matching[key] = found
        return found

    @property
    def emitter(self) -> Any:
        """JSON fragments of this protocol's actions, built as pupils need them."""
        if self._emitter is None:
            from .emit import Emitter

            self._emitter = Emitter()
        return self._emitter

    @property
    def prefilter(self) -> Any:
        """The reachability prefilter (interpreter.prefilter), built on first use."""
        if self._prefilter is None:
            from .prefilter import Prefilter

            self._prefilter = Prefilter(self)
        return self._prefilter


_CACHE: weakref.WeakKeyDictionary[Protocol, Compiled] = weakref.WeakKeyDictionary()


def compile_protocol(protocol: Protocol) -> Compiled:
    """The compiled form, built once per Protocol object."""
    try:
        return _CACHE[protocol]
    except KeyError:
        compiled = _CACHE[protocol] = Compiled(protocol)
        return compiled
    except TypeError:  # not weak-referenceable: compile every time
        return Compiled(protocol)
