"""The handbook's view model: every generated part as plain, already-worded values.

Templates only lay these out; all wording lives here and in `wording`, so a region's own
templates (`--templates DIR`) cannot get the Dutch wrong and need no access to the IR.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs

from .. import ir
from ..protocol import Protocol
from . import wording
from .flows import FlowSpec, Item, document_flows, flow_for
from .names import Names, lane_order

LEERPLICHT = "leerplichtambtenaar"
SCHOOL = "school"


# ---------------------------------------------------------------------- values


@attrs.frozen
class ActionView:
    actor_id: str  # the resolved lane actor, or the desk id
    who: str  # `Mentor (School)`
    role: str  # `Mentor`, or ""
    text: str  # as the card writes it: `Evt. ...` when optional
    plain: str  # as the protocol writes it
    modality: str  # moet, zou moeten, kan
    optional: bool
    deadline: str
    conditions: str  # `vanaf 12 jaar`, or ""
    recipients: str  # `aan Leerplichtambtenaar; cc Inspectie`, or ""
    duo: str
    document: str
    step: str
    meeting: str
    exception: str  # the exception's title when the action belongs to an `uitzondering`

    @property
    def line(self) -> str:
        """The action in one line for lists: `Indien ...: text (binnen 5 werkdagen)`."""
        text = self.text
        if self.conditions:
            text = f"Indien {self.conditions}: {wording.lower_first(text)}"
        if self.role:
            text = f"{self.role}: {wording.lower_first(text)}"
        if self.exception:
            text = f"Uitzondering ({wording.lower_first(self.exception)}): {text}"
        return text


@attrs.frozen
class ExceptionView:
    title: str
    conditions: str
    replaces: str
    actions: tuple[ActionView, ...]
    source: str
    notes: tuple[str, ...]


@attrs.frozen
class RuleView:
    id: str
    anchor: str
    title: str
    label: str  # the verzuimkaart's row label: `kaart`, else the title
    classification: bool
    trigger: str
    conditions: str
    repeat: tuple[str, ...]
    actions: tuple[ActionView, ...]
    exceptions: tuple[ExceptionView, ...]
    discretions: tuple[str, ...]
    kind: str
    duo: str
    colour: str
    colour_fill: str
    colour_ink: str
    group: str
    source: str
    notes: tuple[str, ...]
    text: str  # Markdown
    deviations: tuple[str, ...]
    overrides: str
    origin: str  # module name when inherited, "" when the protocol's own

    @property
    def all_actions(self) -> tuple[ActionView, ...]:
        return self.actions + tuple(a for e in self.exceptions for a in e.actions)


@attrs.frozen
class CardRow:
    rule: RuleView
    school: tuple[ActionView, ...]
    leerplicht: tuple[ActionView, ...]
    others: tuple[ActionView, ...]


@attrs.frozen
class Card:
    school_title: str
    leerplicht_title: str
    rows: tuple[CardRow, ...]
    has_others: bool


@attrs.frozen
class Duty:
    """One thing an actor does, with the situation it answers to."""

    when: str  # the rule's label, route or ladder title
    trigger: str
    anchor: str
    actions: tuple[ActionView, ...]


@attrs.frozen
class ActorView:
    id: str
    anchor: str
    name: str
    roles: tuple[str, ...]
    contact: str
    text: str
    source: str
    overrides: str
    duties: tuple[Duty, ...]
    steps: tuple[str, ...]  # ladder steps this actor takes
    meetings: tuple[str, ...]


@attrs.frozen
class DeadlineRow:
    who: str
    what: str
    deadline: str
    when: str
    anchor: str
    source: str


@attrs.frozen
class StepView:
    title: str
    actor: str
    conditions: str


@attrs.frozen
class LadderView:
    id: str
    anchor: str
    title: str
    steps: tuple[StepView, ...]
    source: str
    notes: tuple[str, ...]
    text: str


@attrs.frozen
class RouteView:
    id: str
    anchor: str
    title: str
    phases: tuple[str, ...]
    ladder: LadderView | None
    actions: tuple[ActionView, ...]
    source: str
    notes: tuple[str, ...]
    text: str


@attrs.frozen
class MeetingView:
    id: str
    name: str
    participants: str
    chair: str
    frequency: str
    source: str
    notes: tuple[str, ...]
    text: str


@attrs.frozen
class DeskView:
    id: str
    name: str
    municipalities: str
    contact: str
    fallback: bool
    source: str
    text: str


@attrs.frozen
class KindView:
    id: str
    name: str
    depth: int
    parent: str
    duo: str
    source: str
    notes: tuple[str, ...]
    text: str


@attrs.frozen
class NamedView:
    """A DUO category or event type: a name with its source and notes."""

    id: str
    name: str
    source: str
    notes: tuple[str, ...]
    text: str


@attrs.frozen
class SourceRow:
    what: str
    anchor: str
    source: str
    origin: str


_SVG_SIZE = re.compile(r'<svg\b[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


@attrs.frozen
class PageView:
    """One A4 page of a stroomschema: its files' stem and its SVG for inlining."""

    file_stem: str
    number: int
    svg: str  # cleaned inline SVG, or "" when diagrams were not drawn

    @property
    def landscape(self) -> bool:
        """Whether the page prints larger on A4 landscape, as `dot.py` chose its `size`;
        the handbook's print CSS then gives the drawing a landscape page of its own."""
        from .dot import A4_LONG, A4_LOW, A4_SHORT, A4_WIDE

        found = _SVG_SIZE.search(self.svg)
        if found is None:
            return False
        w, h = float(found.group(1)), float(found.group(2))
        return min(1.0, A4_WIDE / w, A4_LOW / h) > min(1.0, A4_SHORT / w, A4_LONG / h)


@attrs.frozen
class DiagramView:
    id: str
    anchor: str
    title: str
    file_stem: str
    text: str
    source: str
    pages: tuple[PageView, ...]

    @property
    def svg(self) -> str:
        return "".join(p.svg for p in self.pages)


@attrs.frozen
class HeaderView:
    id: str
    title: str
    publisher: str
    school_year: str
    school_types: str
    version: str
    region: str
    uses: str
    principles: tuple[str, ...]
    source: str
    notes: tuple[str, ...]


@attrs.frozen
class TocEntry:
    level: int
    text: str
    anchor: str


@attrs.frozen
class Block:
    """One piece of the handbook, in document order.

    kind: heading, prose, part (a `toon`), or a declaration group: actors, kinds, duo,
    events, rules, meetings, desks, ladders, routes, flows.
    """

    kind: str
    level: int = 0
    text: str = ""
    anchor: str = ""
    part: str = ""
    arg: str = ""
    items: tuple[Any, ...] = ()


@attrs.frozen
class Handbook:
    header: HeaderView
    blocks: tuple[Block, ...]
    toc: tuple[TocEntry, ...]
    card: Card
    actors: tuple[ActorView, ...]
    deadlines: tuple[DeadlineRow, ...]
    classifications: tuple[RuleView, ...]
    rules: tuple[RuleView, ...]
    routes: tuple[RouteView, ...]
    ladders: tuple[LadderView, ...]
    meetings: tuple[MeetingView, ...]
    kinds: tuple[KindView, ...]
    desks: tuple[DeskView, ...]
    sources: tuple[SourceRow, ...]
    diagrams: tuple[DiagramView, ...]


# ---------------------------------------------------------------------- building


def slug(text: str) -> str:
    """An HTML anchor from a heading: `Bijlage 3: Verzuimkaart` -> `bijlage-3-verzuimkaart`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out or "sectie"


class _Anchors:
    """Unique anchors in order of use, so links are stable between renders."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        base = slug(text)
        n = self.used.get(base, 0)
        self.used[base] = n + 1
        return base if n == 0 else f"{base}-{n + 1}"


class _Build:
    def __init__(self, protocol: Protocol, pages: dict[str, list[tuple[str, str]]]) -> None:
        self.p = protocol
        self.names = Names(protocol)
        self.pages = pages
        self.anchors = _Anchors()
        self.main = protocol.main.name
        self.rule_anchor: dict[str, str] = {}

    # ------------------------------------------------------------------ pieces
    def _join_refs(self, refs: Iterable[ir.Ref]) -> str:
        return wording.join(self.names.actor(r) for r in refs)

    def action(self, a: ir.Action, exception: str = "") -> ActionView:
        recipients = []
        if a.recipients:
            recipients.append("aan " + self._join_refs(a.recipients))
        if a.copies:
            recipients.append("cc " + self._join_refs(a.copies))
        return ActionView(
            actor_id=self.names.lane(a.actor) or a.actor.head,
            who=self.names.actor(a.actor),
            role=self.names.role(a.actor) or "",
            text=wording.action_text(a),
            plain=a.text,
            modality=wording.modality_text(a.modality),
            optional=wording.is_optional(a.modality),
            deadline=wording.deadline_text(a.deadline),
            conditions=wording.conditions_text(a.conditions, self.names),
            recipients="; ".join(recipients),
            duo=self.names(a.duo) or "" if a.duo else "",
            document=a.document or "",
            step=(self.names(a.step) or str(a.step)) if a.step else "",
            meeting=(self.names(a.meeting) or str(a.meeting)) if a.meeting else "",
            exception=exception,
        )

    def _duo(self, item: Item) -> str:
        for a in item.actions:
            if a.duo is not None:
                return self.names(a.duo) or ""
        if item.kind is not None:
            for k in self.p.kind_ancestors(item.kind.last):
                if k.duo is not None:
                    return self.names(k.duo) or ""
        return ""

    def rule(self, item: Item) -> RuleView:
        is_rule = isinstance(item, ir.Rule)
        label = item.card if is_rule and item.card else item.title
        anchor = self.rule_anchor.get(item.id)
        if anchor is None:
            anchor = self.rule_anchor[item.id] = self.anchors("regel-" + item.id)
        exceptions: tuple[ExceptionView, ...] = ()
        discretions: tuple[str, ...] = ()
        repeat: tuple[str, ...] = ()
        if isinstance(item, ir.Rule):
            exceptions = tuple(
                ExceptionView(
                    title=e.title,
                    conditions=wording.conditions_text(e.conditions, self.names),
                    replaces=wording.join(wording.humanise(r) for r in e.replaces),
                    actions=tuple(self.action(a, e.title) for a in e.actions),
                    source=e.source or "",
                    notes=e.notes,
                )
                for e in item.exceptions
            )
            discretions = tuple(
                d.text + (f" (vastleggen: {d.record})" if d.record else "")
                for d in item.discretions
            )
            repeat = tuple(wording.repeat_text(item.repeat))
        colour = item.colour if isinstance(item, ir.Classification) else None
        fill, ink = wording.COLOURS.get(colour or "", ("", ""))
        return RuleView(
            id=item.id,
            anchor=anchor,
            title=item.title,
            label=label,
            classification=not is_rule,
            trigger=wording.triggers_text(item.triggers, self.names),
            conditions=wording.conditions_text(item.conditions, self.names),
            repeat=repeat,
            actions=tuple(self.action(a) for a in item.actions),
            exceptions=exceptions,
            discretions=discretions,
            kind=(self.names(item.kind) or "") if item.kind else "",
            duo=self._duo(item),
            colour=colour or "",
            colour_fill=fill,
            colour_ink=ink,
            group=(item.group or "") if isinstance(item, ir.Classification) else "",
            source=item.source or "",
            notes=item.notes,
            text=item.text or "",
            deviations=item.deviations,
            overrides=str(item.overrides) if item.overrides else "",
            origin="" if item.module == self.main else item.module,
        )

    def card(self, rules: list[RuleView]) -> Card:
        lp = self.p.resolve(LEERPLICHT)
        school = self.p.resolve(SCHOOL)
        with_card = [r for r in self.p.rules if r.card]
        chosen = with_card or list(self.p.rules)
        views = {r.id: r for r in rules}
        rows = []
        for rule in chosen:
            view = views[rule.id]
            acts = view.all_actions
            rows.append(
                CardRow(
                    rule=view,
                    school=tuple(a for a in acts if a.actor_id == school),
                    leerplicht=tuple(a for a in acts if a.actor_id == lp),
                    others=tuple(a for a in acts if a.actor_id not in (school, lp)),
                )
            )
        lp_name = self.names.name_of(lp)
        return Card(
            school_title=f"Acties {wording.lower_first(self.names.name_of(school))}",
            leerplicht_title=f"Acties {wording.lower_first(lp_name)}",
            rows=tuple(rows),
            has_others=any(r.others for r in rows),
        )

    def ladder(self, lad: ir.Ladder) -> LadderView:
        return LadderView(
            id=lad.id,
            anchor=self.anchors("ladder-" + lad.id),
            title=lad.title,
            steps=tuple(
                StepView(
                    title=s.title,
                    actor=self.names.actor(s.actor) if s.actor else "",
                    conditions=wording.conditions_text(s.conditions, self.names),
                )
                for s in lad.steps
            ),
            source=lad.source or "",
            notes=lad.notes,
            text=lad.text or "",
        )

    def route(self, r: ir.Route, ladders: dict[str, LadderView]) -> RouteView:
        return RouteView(
            id=r.id,
            anchor=self.anchors("route-" + r.id),
            title=r.title,
            phases=tuple(ph.title for ph in r.phases),
            ladder=ladders.get(self.p.resolve(r.ladder.last)) if r.ladder else None,
            actions=tuple(self.action(a) for a in r.actions),
            source=r.source or "",
            notes=r.notes,
            text=r.text or "",
        )

    def meeting(self, m: ir.Meeting) -> MeetingView:
        if m.frequency is not None:
            freq = f"elke {wording.quantity(m.frequency.value, m.frequency.unit)}"
            if m.frequency.value == 1:
                freq = f"elke {m.frequency.unit.label(1)}"
        else:
            freq = m.frequency_text or ""
        return MeetingView(
            id=m.id,
            name=m.name,
            participants=self._join_refs(m.participants),
            chair=self.names.actor(m.chair) if m.chair else "",
            frequency=freq,
            source=m.source or "",
            notes=m.notes,
            text=m.text or "",
        )

    def desk(self, d: ir.ReportingDesk) -> DeskView:
        return DeskView(
            id=d.id,
            name=d.name,
            municipalities=wording.join(d.municipalities)
            if d.municipalities
            else ("alle overige gemeenten" if d.fallback else ""),
            contact=d.contact or "",
            fallback=d.fallback,
            source=d.source or "",
            text=d.text or "",
        )

    def kinds(self) -> list[KindView]:
        """The kinds as a tree in declaration order, each under its parent."""
        children: dict[str | None, list[ir.Kind]] = {}
        known = {k.id for k in self.p.kinds}
        for k in self.p.kinds:
            parent = self.p.resolve(k.parent.last) if k.parent else None
            children.setdefault(parent if parent in known else None, []).append(k)
        out: list[KindView] = []

        def walk(parent: str | None, depth: int) -> None:
            for k in children.get(parent, []):
                out.append(
                    KindView(
                        id=k.id,
                        name=k.name,
                        depth=depth,
                        parent=(self.names(k.parent) or "") if k.parent else "",
                        duo=(self.names(k.duo) or "") if k.duo else "",
                        source=k.source or "",
                        notes=k.notes,
                        text=k.text or "",
                    )
                )
                walk(k.id, depth + 1)

        # geoorloofd first: the order in which protocols and the law present them
        walk(None, 0)
        return out

    def actors(self, rules: list[RuleView], routes: list[RouteView]) -> list[ActorView]:
        out = []
        for actor in lane_order(self.p):
            duties = []
            for r in rules:
                mine = tuple(a for a in r.all_actions if a.actor_id == actor.id)
                if mine:
                    duties.append(Duty(r.label, r.trigger, r.anchor, mine))
            for route in routes:
                mine = tuple(a for a in route.actions if a.actor_id == actor.id)
                if mine:
                    duties.append(Duty(route.title, "", route.anchor, mine))
            steps = tuple(
                f"{s.title} ({wording.lower_first(lad.title)})"
                for lad in self.p.ladders
                for s in lad.steps
                if s.actor is not None and self.names.lane(s.actor) == actor.id
            )
            meetings = []
            for m in self.p.meetings:
                if m.chair is not None and self.names.lane(m.chair) == actor.id:
                    meetings.append(f"{m.name} (voorzitter)")
                elif any(self.names.lane(p) == actor.id for p in m.participants):
                    meetings.append(m.name)
            out.append(
                ActorView(
                    id=actor.id,
                    anchor=self.anchors("wie-" + actor.id),
                    name=actor.name,
                    roles=tuple(r.name for r in actor.roles),
                    contact=actor.contact or "",
                    text=actor.text or "",
                    source=actor.source or "",
                    overrides=self._replaced_actor(actor),
                    duties=tuple(duties),
                    steps=steps,
                    meetings=tuple(meetings),
                )
            )
        return out

    def _replaced_actor(self, actor: ir.Actor) -> str:
        """The name of the base actor a regional one `vervangt`: it is gone from the merge."""
        if actor.overrides is None:
            return ""
        for module in self.p.modules:
            for item in module.items:
                if isinstance(item, ir.Actor) and item.id == actor.overrides.last:
                    return item.name
        return wording.humanise(actor.overrides.last)

    def header(self) -> HeaderView:
        h = self.p.header
        return HeaderView(
            id=h.id,
            title=h.title,
            publisher=h.publisher or "",
            school_year=wording.school_year(h.school_year) if h.school_year else "",
            school_types=wording.join(
                wording.SCHOOL_TYPE_WORDS.get(s, s.upper()) for s in h.school_types
            ),
            version=h.version or "",
            region=h.region or "",
            uses=wording.join(str(u) for u in h.uses),
            principles=h.principles,
            source=h.source or "",
            notes=h.notes,
        )

    def diagram(self, spec: FlowSpec) -> DiagramView:
        return DiagramView(
            id=spec.id,
            anchor=self.anchors(spec.file_stem),
            title=spec.title,
            file_stem=spec.file_stem,
            text=spec.text or "",
            source=spec.source or "",
            pages=tuple(
                PageView(file_stem=stem, number=n, svg=svg)
                for n, (stem, svg) in enumerate(
                    self.pages.get(spec.id, [(spec.file_stem, "")]), start=1
                )
            ),
        )

    # ------------------------------------------------------------------ the whole
    def build(self) -> Handbook:
        header = self.header()
        items: list[Item] = [*self.p.rules, *self.p.classifications]
        # anchors for the protocol's own declarations follow the document
        rules = [self.rule(i) for i in items]
        by_id = {r.id: r for r in rules}
        ladders = [self.ladder(lad) for lad in self.p.ladders]
        ladder_index = {lad.id: lad for lad in ladders}
        routes = [self.route(r, ladder_index) for r in self.p.routes]
        route_index = {r.id: r for r in routes}
        meetings = [self.meeting(m) for m in self.p.meetings]
        meeting_index = {m.id: m for m in meetings}
        desks = [self.desk(d) for d in self.p.desks]
        desk_index = {d.id: d for d in desks}
        flows = document_flows(self.p)
        diagrams = [self.diagram(f) for f in flows]
        diagram_index = {d.id: d for d in diagrams}
        actors = self.actors(rules, routes)
        actor_index = {a.id: a for a in actors}

        deadlines = [
            DeadlineRow(a.who, a.line, a.deadline, r.label, r.anchor, r.source)
            for r in rules
            for a in r.all_actions
            if a.deadline
        ]
        deadlines += [
            DeadlineRow(a.who, a.line, a.deadline, route.title, route.anchor, route.source)
            for route in routes
            for a in route.actions
            if a.deadline
        ]
        sources = [
            SourceRow(
                ("Classificatie: " if r.classification else "") + r.label,
                r.anchor,
                r.source,
                r.origin,
            )
            for r in rules
        ]

        shown_flows = {
            (flow_for(self.p, s.arg, flows) or flows[0]).id if s.arg else "*"
            for s in self.p.document
            if isinstance(s, ir.Show) and s.what == "stroomschema" and flows
        }
        blocks: list[Block] = []
        toc: list[TocEntry] = []
        any_show = False
        group_kind = {
            ir.Actor: "actors",
            ir.Kind: "kinds",
            ir.DuoCategory: "duo",
            ir.EventType: "events",
            ir.Rule: "rules",
            ir.Classification: "rules",
            ir.Meeting: "meetings",
            ir.ReportingDesk: "desks",
            ir.Ladder: "ladders",
            ir.Route: "routes",
            ir.Flow: "flows",
        }
        shown_parts = {s.what for s in self.p.document if isinstance(s, ir.Show)}
        part_of = {
            "meetings": "overleggen",
            "desks": "meldpunten",
            "ladders": "ladders",
            "routes": "routes",
            "kinds": "soorten",
        }
        level = 1
        for item in self.p.document:
            if isinstance(item, ir.Header):
                continue
            if isinstance(item, ir.Heading):
                level = min(item.level + 1, 6)
                anchor = self.anchors(item.text)
                blocks.append(Block("heading", level=level, text=item.text, anchor=anchor))
                if level <= 3:
                    toc.append(TocEntry(level, item.text, anchor))
                continue
            if isinstance(item, ir.Prose):
                blocks.append(Block("prose", text=item.text))
                continue
            if isinstance(item, ir.Show):
                any_show = True
                arg = item.arg or ""
                if item.what == "stroomschema" and arg:
                    spec = flow_for(self.p, arg, flows)
                    arg = spec.id if spec is not None else arg
                blocks.append(Block("part", part=item.what, arg=arg, level=level))
                continue
            kind = group_kind.get(type(item))
            if kind is None or part_of.get(kind) in shown_parts:
                continue  # unknown, or a `toon` shows this declaration's overview elsewhere
            view: Any
            if kind == "actors":
                view = actor_index[self.p.resolve(item.id)]
            elif kind == "kinds":
                view = KindView(
                    id=item.id,
                    name=item.name,
                    depth=0,
                    parent=(self.names(item.parent) or "") if item.parent else "",
                    duo=(self.names(item.duo) or "") if item.duo else "",
                    source=item.source or "",
                    notes=item.notes,
                    text=item.text or "",
                )
            elif kind in ("duo", "events"):
                view = NamedView(item.id, item.name, item.source or "", item.notes, item.text or "")
            elif kind == "rules":
                view = by_id.get(item.id)
            elif kind == "meetings":
                view = meeting_index.get(item.id)
            elif kind == "desks":
                view = desk_index.get(item.id)
            elif kind == "ladders":
                view = ladder_index.get(item.id)
            elif kind == "routes":
                view = route_index.get(item.id)
            else:
                if item.id in shown_flows or "*" in shown_flows:
                    continue  # a `toon` places this diagram elsewhere
                view = diagram_index.get(item.id)
            if view is None:
                continue
            if blocks and blocks[-1].kind == kind:
                blocks[-1] = attrs.evolve(blocks[-1], items=blocks[-1].items + (view,))
            else:
                blocks.append(Block(kind, level=min(level + 1, 6), items=(view,)))
        if not any_show:
            # a protocol without `toon` still gets its overviews, as appendices
            anchor = self.anchors("Overzichten")
            blocks.append(Block("heading", level=2, text="Overzichten", anchor=anchor))
            toc.append(TocEntry(2, "Overzichten", blocks[-1].anchor))
            for part in ("verzuimkaart", "stroomschema", "wie_doet_wat", "termijnen", "bronnen"):
                blocks.append(Block("part", part=part, level=2))

        classifications = [r for r in rules if r.classification]
        return Handbook(
            header=header,
            blocks=tuple(blocks),
            toc=tuple(toc),
            card=self.card(rules),
            actors=tuple(actors),
            deadlines=tuple(deadlines),
            classifications=tuple(classifications),
            rules=tuple(rules),
            routes=tuple(routes),
            ladders=tuple(ladders),
            meetings=tuple(meetings),
            kinds=tuple(self.kinds()),
            desks=tuple(desks),
            sources=tuple(sources),
            diagrams=tuple(diagrams),
        )


def build_handbook(
    protocol: Protocol, pages: dict[str, list[tuple[str, str]]] | None = None
) -> Handbook:
    """The view model of a protocol's handbook; `pages` maps a flow id to its pages'
    (file stem, inline SVG), as `render_files` drew them."""
    return _Build(protocol, pages or {}).build()


def diagrams_for(handbook: Handbook, part: Block) -> tuple[DiagramView, ...]:
    """The diagrams a `toon stroomschema [X]` block shows."""
    if not part.arg:
        return handbook.diagrams
    for d in handbook.diagrams:
        if d.id == part.arg:
            return (d,)
    return ()
