"""The intermediate representation: frozen attrs nodes, one per language construct.

Every node carries its source span and the heading path of the prose section it stands in,
so diagnostics, the interpreter's explanations and the handbook can all point back to the
text and to the seed document (`source`, from `bron`).
"""

from __future__ import annotations

import enum

import attrs

from .source import NO_SPAN, Span
from .units import Unit

Headings = tuple[str, ...]


def node(cls: type) -> type:
    return attrs.frozen(kw_only=True)(cls)


# ---------------------------------------------------------------------- small values


@node
class Ref:
    """A reference by name: `school`, `school.mentor`, `leerplichtwet.wettelijk_verzuim`."""

    parts: tuple[str, ...]
    span: Span = NO_SPAN

    @property
    def head(self) -> str:
        return self.parts[0]

    @property
    def last(self) -> str:
        return self.parts[-1]

    def __str__(self) -> str:
        return ".".join(self.parts)


@node
class Quantity:
    value: float
    unit: Unit
    span: Span = NO_SPAN

    def __str__(self) -> str:
        return self.unit.with_number(self.value)


@node
class Bound:
    """A threshold: `16` and `minstens 16` and `4e` mean at least; `meer dan 5` means above.

    An upper bound (`hooguit 10`, `minder dan 10`) only sizes a single event.
    """

    value: float
    strict: bool = False
    ordinal: bool = False
    at_most: bool = False
    span: Span = NO_SPAN

    def reached(self, amount: float) -> bool:
        if self.at_most:
            return amount < self.value if self.strict else amount <= self.value
        return amount > self.value if self.strict else amount >= self.value

    @property
    def minimum(self) -> float:
        """The smallest whole amount that satisfies the bound."""
        return self.value + 1 if self.strict else self.value


class Modality(enum.Enum):
    MUST = "must"
    SHOULD = "should"
    MAY = "may"

    @property
    def dutch(self) -> str:
        return {"must": "moet", "should": "zou moeten", "may": "kan"}[self.value]


# ---------------------------------------------------------------------- triggers


@node
class Filter:
    """What a trigger counts: a built-in measure (ongeoorloofd, ziek, te_laat, ...) or an event type."""

    name: str
    with_actor: Ref | None = None
    label: str | None = None
    span: Span = NO_SPAN


class WindowKind(enum.Enum):
    SLIDING = "binnen"  # the last N units, as the law counts 16 hours in 4 school weeks
    CALENDAR = "per"  # per calendar month, quarter or school year


@node
class Window:
    kind: WindowKind
    size: float
    unit: Unit
    span: Span = NO_SPAN


@node
class ThresholdTrigger:
    """`wanneer minstens 16 uur ongeoorloofd binnen 4 schoolweken`."""

    bound: Bound
    unit: Unit
    filter: Filter
    window: Window | None
    span: Span = NO_SPAN


@node
class RunTrigger:
    """`wanneer 4 schooldagen aaneengesloten ziek`, optionally with an upper end (`tot 3 maanden`)."""

    bound: Bound
    unit: Unit
    filter: Filter
    upper: Quantity | None
    span: Span = NO_SPAN


@node
class EventTrigger:
    """`wanneer gebeurtenis geschorst van meer dan 1 schooldag`: fires on one event."""

    filter: Filter
    size: Bound | None = None
    size_unit: Unit | None = None
    near_holiday: bool = False
    without_enrolment: bool = False
    span: Span = NO_SPAN


Trigger = ThresholdTrigger | RunTrigger | EventTrigger


# ---------------------------------------------------------------------- conditions


@node
class AgeCondition:
    minimum: int | None  # `als leeftijd minstens 12 jaar`
    below: int | None  # `als leeftijd onder 18 jaar`
    span: Span = NO_SPAN


@node
class StatusCondition:
    statuses: tuple[
        str, ...
    ]  # leerplichtig, kwalificatieplichtig, achttien_plus, niet_leerplichtig
    span: Span = NO_SPAN


@node
class SchoolTypeCondition:
    school_types: tuple[str, ...]
    span: Span = NO_SPAN


@node
class AfterCondition:
    """`als na waarschuwing`: an earlier rule, action, ladder step or outcome happened (or not)."""

    ref: Ref
    negated: bool = False
    span: Span = NO_SPAN


@node
class OutcomeCondition:
    label: str
    span: Span = NO_SPAN


@node
class FirstTimeCondition:
    span: Span = NO_SPAN


@node
class TextCondition:
    """A condition only a person can judge; shown with the action, never evaluated."""

    text: str
    span: Span = NO_SPAN


Condition = (
    AgeCondition
    | StatusCondition
    | SchoolTypeCondition
    | AfterCondition
    | OutcomeCondition
    | FirstTimeCondition
    | TextCondition
)


# ---------------------------------------------------------------------- actions


@node
class Deadline:
    within: Quantity | None = None  # `binnen 5 werkdagen`, `uiterlijk na 4 weken`
    clock: str | None = None  # `voor 10:00`, the same day
    span: Span = NO_SPAN


@node
class Action:
    label: str | None
    actor: Ref
    modality: Modality
    text: str
    deadline: Deadline | None = None
    duo: Ref | None = None
    recipients: tuple[Ref, ...] = ()
    copies: tuple[Ref, ...] = ()
    document: str | None = None
    meeting: Ref | None = None
    step: Ref | None = None
    conditions: tuple[Condition, ...] = ()
    span: Span = NO_SPAN
    heading: Headings = ()


@node
class Repeat:
    new_count: bool = False  # `daarna nieuwe teltermijn`
    rate_limit: tuple[int, Quantity] | None = None  # `hooguit 1 melding per 7 dagen`
    contiguous: bool = False  # `aansluitend`
    once: bool = False  # `eenmalig`
    open_ended: bool = False  # `zonder einddatum`
    span: Span = NO_SPAN


@node
class RuleException:
    """`uitzondering`: when its conditions hold, its actions replace the named ones."""

    id: str
    title: str
    conditions: tuple[Condition, ...] = ()
    actions: tuple[Action, ...] = ()
    replaces: tuple[str, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    span: Span = NO_SPAN
    heading: Headings = ()


@node
class Discretion:
    """`ruimte`: room the protocol grants to depart from an action, and what must then be recorded."""

    action: str | None
    text: str
    record: str | None = None
    span: Span = NO_SPAN


# ---------------------------------------------------------------------- declarations


@node
class Role:
    id: str
    name: str
    span: Span = NO_SPAN


@node
class Actor:
    id: str
    name: str
    overrides: Ref | None = None
    roles: tuple[Role, ...] = ()
    contact: str | None = None
    source: str | None = None
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Kind:
    id: str
    name: str
    parent: Ref | None = None
    duo: Ref | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class DuoCategory:
    id: str
    name: str
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class EventType:
    id: str
    name: str
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class ReportingDesk:
    """`meldpunt`: who receives a report, by the pupil's municipality (Parkstad Bijlage 2)."""

    id: str
    name: str
    municipalities: tuple[str, ...] = ()
    contact: str | None = None
    fallback: bool = False
    source: str | None = None
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Meeting:
    id: str
    name: str
    participants: tuple[Ref, ...] = ()
    chair: Ref | None = None
    organisers: tuple[Ref, ...] = ()
    frequency: Quantity | None = None
    frequency_text: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Flow:
    """`stroomschema`: a named flow diagram over a list of rules."""

    id: str
    title: str
    rules: tuple[Ref, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Step:
    id: str
    title: str
    actor: Ref | None = None
    conditions: tuple[Condition, ...] = ()
    span: Span = NO_SPAN


@node
class Ladder:
    """An escalation ladder: each step may only follow the ones before it."""

    id: str
    title: str
    overrides: Ref | None = None
    steps: tuple[Step, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Phase:
    id: str
    title: str
    span: Span = NO_SPAN


@node
class Route:
    """A route such as MAS's four: phases, an optional ladder and the actions it entails."""

    id: str
    title: str
    overrides: Ref | None = None
    phases: tuple[Phase, ...] = ()
    ladder: Ref | None = None
    actions: tuple[Action, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Rule:
    id: str
    title: str
    overrides: Ref | None = None
    kind: Ref | None = None
    card: str | None = None
    precedes: tuple[Ref, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    conditions: tuple[Condition, ...] = ()
    repeat: Repeat | None = None
    actions: tuple[Action, ...] = ()
    exceptions: tuple[RuleException, ...] = ()
    discretions: tuple[Discretion, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    deviations: tuple[str, ...] = ()
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Classification:
    """A state that holds over a period: thuiszitter, RUW type 5 (oranje), IJssel-Vecht 2b."""

    id: str
    title: str
    overrides: Ref | None = None
    colour: str | None = None
    group: str | None = None
    kind: Ref | None = None
    triggers: tuple[Trigger, ...] = ()
    conditions: tuple[Condition, ...] = ()
    actions: tuple[Action, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    text: str | None = None
    deviations: tuple[str, ...] = ()
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


# ---------------------------------------------------------------------- document structure


@node
class Heading:
    level: int
    text: str
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Prose:
    text: str  # Markdown
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Show:
    """`toon verzuimkaart`: where the handbook places a generated part."""

    what: str
    arg: str | None = None
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


@node
class Header:
    id: str
    title: str
    publisher: str | None = None
    school_year: str | None = None
    school_year_span: Span = NO_SPAN
    school_types: tuple[str, ...] = ()
    version: str | None = None
    region: str | None = None
    uses: tuple[Ref, ...] = ()
    principles: tuple[str, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    span: Span = NO_SPAN
    heading: Headings = ()
    module: str = ""


Declaration = (
    Actor
    | Kind
    | DuoCategory
    | EventType
    | ReportingDesk
    | Meeting
    | Flow
    | Ladder
    | Route
    | Rule
    | Classification
)
Item = Header | Declaration | Heading | Prose | Show


@node
class Module:
    """One parsed `.vz` file: its items in source order."""

    name: str
    path: str
    header: Header | None
    items: tuple[Item, ...]
