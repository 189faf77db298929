"""Lowering: the Lark parse tree becomes IR nodes with spans and heading paths.

Lowering is purely structural. Whether a name exists or a unit fits is for name resolution
and the type checker; only what cannot even be represented (a repeated single item) is
reported here.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from lark import Token, Transformer, Tree, v_args

from . import ir
from .diagnostics import Diagnostic
from .source import SourceFile, Span
from .units import WORDS, Unit

Tagged = tuple[str, Any, Span]

# the keyword an author wrote for each single-valued item, for VZ034
_KEYWORDS = {
    "kind": "soort",
    "card": "kaart",
    "repeat": "daarna",
    "source": "bron",
    "text": "tekst",
    "deadline": "binnen",
    "duo": "duo",
    "recipients": "aan",
    "copies": "cc",
    "document": "document",
    "meeting": "overleg",
    "step": "stap",
    "parent": "onder",
    "contact": "contact",
    "colour": "kleur",
    "group": "groep",
    "publisher": "uitgever",
    "school_year": "schooljaar",
    "version": "versie",
    "region": "regio",
    "ladder": "ladder",
    "actor": "door",
    "chair": "voorzitter",
    "frequency": "frequentie",
    "frequency_text": "frequentie",
    "fallback": "overig",
    "size": "van",
    "near_holiday": "rond vakantie",
    "without_enrolment": "zonder inschrijving",
    "new_count": "nieuwe teltermijn",
    "rate_limit": "hooguit",
    "contiguous": "aansluitend",
    "once": "eenmalig",
    "open_ended": "zonder einddatum",
}


def _unquote(s: str) -> str:
    return s[1:-1]


def _prose(s: str) -> str:
    """Strip the triple quotes and the common indentation of a prose block."""
    import textwrap

    body = s[3:-3]
    if body.startswith("\n"):
        body = body[1:]
    return textwrap.dedent(body).strip("\n")


def _number(s: str) -> float:
    s = s.rstrip("estd")
    return float(s.replace(",", "."))


class _HeadingIndex:
    """Which headings are in force at a character offset."""

    def __init__(self, tree: Tree) -> None:
        self.starts: list[int] = []
        self.paths: list[tuple[str, ...]] = []
        stack: list[tuple[int, str]] = []
        for child in tree.children:
            if isinstance(child, Tree) and child.data == "heading":
                tok = child.children[0]
                hashes = len(tok.value) - len(tok.value.lstrip("#"))
                text = tok.value[hashes:].strip()
                while stack and stack[-1][0] >= hashes:
                    stack.pop()
                stack.append((hashes, text))
                self.starts.append(tok.start_pos)
                self.paths.append(tuple(t for _, t in stack))

    def at(self, offset: int) -> tuple[str, ...]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.paths[i] if i >= 0 else ()


@v_args(meta=True)
class _Lower(Transformer):  # type: ignore[type-arg]
    def __init__(self, source: SourceFile, headings: _HeadingIndex, module: str) -> None:
        super().__init__(visit_tokens=False)
        self.src = source
        self.headings = headings
        self.module = module
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------------ helpers
    def sp(self, meta: Any) -> Span:
        if getattr(meta, "empty", False):
            return self.src.span(0, 0)
        return self.src.span(meta.start_pos, meta.end_pos)

    def tsp(self, tok: Token) -> Span:
        return self.src.span(tok.start_pos, tok.end_pos)

    def hd(self, meta: Any) -> tuple[str, ...]:
        return self.headings.at(0 if getattr(meta, "empty", False) else meta.start_pos)

    def _collect(self, items: list[Tagged], single: tuple[str, ...], owner: str) -> dict[str, Any]:
        """Group tagged items; single-valued items may appear once."""
        out: dict[str, Any] = {}
        seen: dict[str, Span] = {}
        for tag, value, span in items:
            if tag in single:
                if tag in seen:
                    keyword = _KEYWORDS.get(tag, tag)
                    self.diagnostics.append(
                        Diagnostic("VZ034", span, {"item": keyword, "line": seen[tag].line})
                    )
                    continue
                seen[tag] = span
                out[tag] = value
            else:
                out.setdefault(tag, []).append(value)
        return out

    # ------------------------------------------------------------------ leaves
    def ident_list(self, meta: Any, children: list[Token]) -> list[Token]:
        return list(children)

    def string_list(self, meta: Any, children: list[Token]) -> list[str]:
        return [_unquote(c) for c in children]

    def ref(self, meta: Any, children: list[Token]) -> ir.Ref:
        parts = tuple(str(c) for c in children if c is not None)
        return ir.Ref(parts=parts, span=self.sp(meta))

    def ref_list(self, meta: Any, children: list[ir.Ref]) -> tuple[ir.Ref, ...]:
        return tuple(children)

    def module_path(self, meta: Any, children: list[Token]) -> ir.Ref:
        return ir.Ref(parts=tuple(str(c) for c in children), span=self.sp(meta))

    def unit(self, meta: Any, children: list[Token]) -> tuple[Unit, Span]:
        return WORDS[str(children[0])], self.sp(meta)

    def quantity(self, meta: Any, children: list[Any]) -> ir.Quantity:
        num, (unit, _) = children
        return ir.Quantity(value=_number(num), unit=unit, span=self.sp(meta))

    def at_least(self, meta: Any, children: list[Token]) -> ir.Bound:
        tok = children[0]
        return ir.Bound(value=_number(tok), ordinal=tok.type == "ORDINAL", span=self.sp(meta))

    def more_than(self, meta: Any, children: list[Token]) -> ir.Bound:
        return ir.Bound(value=_number(children[0]), strict=True, span=self.sp(meta))

    def at_most(self, meta: Any, children: list[Token]) -> ir.Bound:
        return ir.Bound(value=_number(children[0]), at_most=True, span=self.sp(meta))

    def less_than(self, meta: Any, children: list[Token]) -> ir.Bound:
        return ir.Bound(value=_number(children[0]), at_most=True, strict=True, span=self.sp(meta))

    def filter(self, meta: Any, children: list[Any]) -> ir.Filter:
        name, actor, label = children
        return ir.Filter(
            name=str(name),
            with_actor=actor,
            label=_unquote(label) if label is not None else None,
            span=self.sp(meta),
        )

    def window_sliding(self, meta: Any, children: list[Any]) -> ir.Window:
        q: ir.Quantity = children[0]
        return ir.Window(kind=ir.WindowKind.SLIDING, size=q.value, unit=q.unit, span=self.sp(meta))

    def window_calendar(self, meta: Any, children: list[Any]) -> ir.Window:
        unit, _ = children[0]
        return ir.Window(kind=ir.WindowKind.CALENDAR, size=1, unit=unit, span=self.sp(meta))

    # ------------------------------------------------------------------ triggers
    def threshold_trigger(self, meta: Any, children: list[Any]) -> ir.ThresholdTrigger:
        bound, (unit, _), flt, window = children
        return ir.ThresholdTrigger(
            bound=bound, unit=unit, filter=flt, window=window, span=self.sp(meta)
        )

    def run_trigger(self, meta: Any, children: list[Any]) -> ir.RunTrigger:
        bound, (unit, _), flt, upper = children
        return ir.RunTrigger(bound=bound, unit=unit, filter=flt, upper=upper, span=self.sp(meta))

    def event_size(self, meta: Any, children: list[Any]) -> Tagged:
        bound, (unit, _) = children
        return ("size", (bound, unit), self.sp(meta))

    def event_near_holiday(self, meta: Any, children: list[Any]) -> Tagged:
        return ("near_holiday", True, self.sp(meta))

    def event_without_enrolment(self, meta: Any, children: list[Any]) -> Tagged:
        return ("without_enrolment", True, self.sp(meta))

    def event_trigger(self, meta: Any, children: list[Any]) -> ir.EventTrigger:
        flt, *quals = children
        d = self._collect(quals, ("size", "near_holiday", "without_enrolment"), "gebeurtenis")
        size = d.get("size")
        return ir.EventTrigger(
            filter=flt,
            size=size[0] if size else None,
            size_unit=size[1] if size else None,
            near_holiday=bool(d.get("near_holiday")),
            without_enrolment=bool(d.get("without_enrolment")),
            span=self.sp(meta),
        )

    def trigger(self, meta: Any, children: list[Any]) -> Tagged:
        return ("trigger", children[0], self.sp(meta))

    # ------------------------------------------------------------------ conditions
    def age_min(self, meta: Any, children: list[Any]) -> str:
        return "min"

    def age_below(self, meta: Any, children: list[Any]) -> str:
        return "below"

    def cond_age(self, meta: Any, children: list[Any]) -> ir.AgeCondition:
        op, num = children
        years = int(_number(num))
        return ir.AgeCondition(
            minimum=years if op == "min" else None,
            below=years if op == "below" else None,
            span=self.sp(meta),
        )

    def cond_status(self, meta: Any, children: list[Any]) -> ir.StatusCondition:
        return ir.StatusCondition(statuses=tuple(str(t) for t in children[0]), span=self.sp(meta))

    def cond_school_type(self, meta: Any, children: list[Any]) -> ir.SchoolTypeCondition:
        return ir.SchoolTypeCondition(
            school_types=tuple(str(t) for t in children[0]), span=self.sp(meta)
        )

    def cond_after(self, meta: Any, children: list[Any]) -> ir.AfterCondition:
        return ir.AfterCondition(ref=children[0], span=self.sp(meta))

    def cond_not_after(self, meta: Any, children: list[Any]) -> ir.AfterCondition:
        return ir.AfterCondition(ref=children[0], negated=True, span=self.sp(meta))

    def cond_outcome(self, meta: Any, children: list[Any]) -> ir.OutcomeCondition:
        return ir.OutcomeCondition(label=_unquote(children[0]), span=self.sp(meta))

    def cond_first_time(self, meta: Any, children: list[Any]) -> ir.FirstTimeCondition:
        return ir.FirstTimeCondition(span=self.sp(meta))

    def cond_text(self, meta: Any, children: list[Any]) -> ir.TextCondition:
        return ir.TextCondition(text=_unquote(children[0]), span=self.sp(meta))

    def condition(self, meta: Any, children: list[Any]) -> Tagged:
        return ("condition", children[0], self.sp(meta))

    # ------------------------------------------------------------------ repeat
    def new_count(self, meta: Any, children: list[Any]) -> Tagged:
        return ("new_count", True, self.sp(meta))

    def rate_limit(self, meta: Any, children: list[Any]) -> Tagged:
        num, q = children
        return ("rate_limit", (int(_number(num)), q), self.sp(meta))

    def contiguous(self, meta: Any, children: list[Any]) -> Tagged:
        return ("contiguous", True, self.sp(meta))

    def once(self, meta: Any, children: list[Any]) -> Tagged:
        return ("once", True, self.sp(meta))

    def open_ended(self, meta: Any, children: list[Any]) -> Tagged:
        return ("open_ended", True, self.sp(meta))

    def repeat(self, meta: Any, children: list[Tagged]) -> Tagged:
        d = self._collect(
            children, ("new_count", "rate_limit", "contiguous", "once", "open_ended"), "daarna"
        )
        rep = ir.Repeat(
            new_count=bool(d.get("new_count")),
            rate_limit=d.get("rate_limit"),
            contiguous=bool(d.get("contiguous")),
            once=bool(d.get("once")),
            open_ended=bool(d.get("open_ended")),
            span=self.sp(meta),
        )
        return ("repeat", rep, self.sp(meta))

    # ------------------------------------------------------------------ actions
    def must(self, meta: Any, children: list[Any]) -> ir.Modality:
        return ir.Modality.MUST

    def should(self, meta: Any, children: list[Any]) -> ir.Modality:
        return ir.Modality.SHOULD

    def may(self, meta: Any, children: list[Any]) -> ir.Modality:
        return ir.Modality.MAY

    def deadline(self, meta: Any, children: list[Any]) -> Tagged:
        return ("deadline", ir.Deadline(within=children[0], span=self.sp(meta)), self.sp(meta))

    def deadline_clock(self, meta: Any, children: list[Any]) -> Tagged:
        return (
            "deadline",
            ir.Deadline(clock=str(children[0]), span=self.sp(meta)),
            self.sp(meta),
        )

    def action_duo(self, meta: Any, children: list[Any]) -> Tagged:
        tok = children[0]
        return ("duo", ir.Ref(parts=(str(tok),), span=self.tsp(tok)), self.sp(meta))

    def recipients(self, meta: Any, children: list[Any]) -> Tagged:
        return ("recipients", children[0], self.sp(meta))

    def copies(self, meta: Any, children: list[Any]) -> Tagged:
        return ("copies", children[0], self.sp(meta))

    def document(self, meta: Any, children: list[Any]) -> Tagged:
        return ("document", _unquote(children[0]), self.sp(meta))

    def action_meeting(self, meta: Any, children: list[Any]) -> Tagged:
        tok = children[0]
        return ("meeting", ir.Ref(parts=(str(tok),), span=self.tsp(tok)), self.sp(meta))

    def action_step(self, meta: Any, children: list[Any]) -> Tagged:
        return ("step", children[0], self.sp(meta))

    def action_condition(self, meta: Any, children: list[Any]) -> Tagged:
        return ("condition", children[0], self.sp(meta))

    def action(self, meta: Any, children: list[Any]) -> Tagged:
        label, actor, modality, text, *opts = children
        d = self._collect(
            opts,
            ("deadline", "duo", "recipients", "copies", "document", "meeting", "step"),
            "actie",
        )
        act = ir.Action(
            label=str(label) if label is not None else None,
            actor=actor,
            modality=modality,
            text=_unquote(text),
            deadline=d.get("deadline"),
            duo=d.get("duo"),
            recipients=d.get("recipients", ()),
            copies=d.get("copies", ()),
            document=d.get("document"),
            meeting=d.get("meeting"),
            step=d.get("step"),
            conditions=tuple(d.get("condition", ())),
            span=self.sp(meta),
            heading=self.hd(meta),
        )
        return ("action", act, self.sp(meta))

    # ------------------------------------------------------------------ shared items
    def source(self, meta: Any, children: list[Any]) -> Tagged:
        return ("source", _unquote(children[0]), self.sp(meta))

    def note(self, meta: Any, children: list[Any]) -> Tagged:
        return ("note", _unquote(children[0]), self.sp(meta))

    def text(self, meta: Any, children: list[Any]) -> Tagged:
        return ("text", _prose(children[0]), self.sp(meta))

    def deviation(self, meta: Any, children: list[Any]) -> Tagged:
        return ("deviation", _unquote(children[0]), self.sp(meta))

    def contact(self, meta: Any, children: list[Any]) -> Tagged:
        return ("contact", _unquote(children[0]), self.sp(meta))

    # ------------------------------------------------------------------ header
    def h_publisher(self, meta: Any, c: list[Any]) -> Tagged:
        return ("publisher", _unquote(c[0]), self.sp(meta))

    def h_school_year(self, meta: Any, c: list[Any]) -> Tagged:
        return ("school_year", str(c[0]), self.sp(meta))

    def h_school_types(self, meta: Any, c: list[Any]) -> Tagged:
        return ("school_types", c[0], self.sp(meta))

    def h_version(self, meta: Any, c: list[Any]) -> Tagged:
        return ("version", _unquote(c[0]), self.sp(meta))

    def h_region(self, meta: Any, c: list[Any]) -> Tagged:
        return ("region", c[0], self.sp(meta))

    def h_uses(self, meta: Any, c: list[Any]) -> Tagged:
        return ("uses", tuple(c), self.sp(meta))

    def h_principle(self, meta: Any, c: list[Any]) -> Tagged:
        return ("principle", _unquote(c[0]), self.sp(meta))

    def protocol_header(self, meta: Any, children: list[Any]) -> ir.Header:
        ident, title, *items = children
        d = self._collect(
            items, ("publisher", "school_year", "version", "region", "source"), "protocol"
        )
        year_span = next((sp for tag, _, sp in items if tag == "school_year"), self.sp(meta))
        school_types: list[Token] = [t for group in d.get("school_types", []) for t in group]
        uses = tuple(r for group in d.get("uses", []) for r in group)
        return ir.Header(
            id=str(ident),
            title=_unquote(title),
            publisher=d.get("publisher"),
            school_year=d.get("school_year"),
            school_year_span=year_span,
            school_types=tuple(str(t) for t in school_types),
            version=d.get("version"),
            region=str(d["region"]) if "region" in d else None,
            uses=uses,
            principles=tuple(d.get("principle", ())),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    # ------------------------------------------------------------------ declarations
    def _name_span(self, meta: Any, ident: Token) -> Span:
        """Declarations point at their id, which is where a reader looks for them."""
        return self.tsp(ident)

    def role(self, meta: Any, c: list[Any]) -> Tagged:
        return (
            "role",
            ir.Role(id=str(c[0]), name=_unquote(c[1]), span=self.tsp(c[0])),
            self.sp(meta),
        )

    def actor_decl(self, meta: Any, children: list[Any]) -> ir.Actor:
        ident, name, overrides, *items = children
        items = [i for i in items if i is not None]
        d = self._collect(items, ("contact", "source", "text"), "actor")
        return ir.Actor(
            id=str(ident),
            name=_unquote(name),
            overrides=overrides,
            roles=tuple(d.get("role", ())),
            contact=d.get("contact"),
            source=d.get("source"),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def kind_parent(self, meta: Any, c: list[Any]) -> Tagged:
        return ("parent", ir.Ref(parts=(str(c[0]),), span=self.tsp(c[0])), self.sp(meta))

    def kind_duo(self, meta: Any, c: list[Any]) -> Tagged:
        return ("duo", ir.Ref(parts=(str(c[0]),), span=self.tsp(c[0])), self.sp(meta))

    def kind_decl(self, meta: Any, children: list[Any]) -> ir.Kind:
        ident, name, *items = children
        items = [i for i in items if i is not None]
        d = self._collect(items, ("parent", "duo", "source", "text"), "soort")
        return ir.Kind(
            id=str(ident),
            name=_unquote(name),
            parent=d.get("parent"),
            duo=d.get("duo"),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def _simple(self, cls: Callable[..., Any], meta: Any, children: list[Any]) -> Any:
        ident, name, *items = children
        items = [i for i in items if i is not None]
        d = self._collect(items, ("source", "text"), cls.__name__)
        return cls(
            id=str(ident),
            name=_unquote(name),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def duo_decl(self, meta: Any, children: list[Any]) -> ir.DuoCategory:
        return self._simple(ir.DuoCategory, meta, children)

    def event_decl(self, meta: Any, children: list[Any]) -> ir.EventType:
        return self._simple(ir.EventType, meta, children)

    def desk_municipalities(self, meta: Any, c: list[Any]) -> Tagged:
        return ("municipalities", c[0], self.sp(meta))

    def desk_fallback(self, meta: Any, c: list[Any]) -> Tagged:
        return ("fallback", True, self.sp(meta))

    def desk_decl(self, meta: Any, children: list[Any]) -> ir.ReportingDesk:
        ident, name, *items = children
        d = self._collect(items, ("contact", "fallback", "source", "text"), "meldpunt")
        return ir.ReportingDesk(
            id=str(ident),
            name=_unquote(name),
            municipalities=tuple(m for group in d.get("municipalities", []) for m in group),
            contact=d.get("contact"),
            fallback=bool(d.get("fallback")),
            source=d.get("source"),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def participants(self, meta: Any, c: list[Any]) -> Tagged:
        return ("participants", c[0], self.sp(meta))

    def organisers(self, meta: Any, c: list[Any]) -> Tagged:
        return ("organisers", c[0], self.sp(meta))

    def chair(self, meta: Any, c: list[Any]) -> Tagged:
        return ("chair", c[0], self.sp(meta))

    def frequency(self, meta: Any, c: list[Any]) -> Tagged:
        return ("frequency", c[0], self.sp(meta))

    def frequency_text(self, meta: Any, c: list[Any]) -> Tagged:
        return ("frequency_text", _unquote(c[0]), self.sp(meta))

    def meeting_decl(self, meta: Any, children: list[Any]) -> ir.Meeting:
        ident, name, *items = children
        d = self._collect(
            items, ("chair", "frequency", "frequency_text", "source", "text"), "overleg"
        )
        return ir.Meeting(
            id=str(ident),
            name=_unquote(name),
            participants=tuple(r for group in d.get("participants", []) for r in group),
            chair=d.get("chair"),
            organisers=tuple(r for group in d.get("organisers", []) for r in group),
            frequency=d.get("frequency"),
            frequency_text=d.get("frequency_text"),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def flow_rules(self, meta: Any, c: list[Any]) -> Tagged:
        refs = tuple(ir.Ref(parts=(str(t),), span=self.tsp(t)) for t in c[0])
        return ("rules", refs, self.sp(meta))

    def flow_decl(self, meta: Any, children: list[Any]) -> ir.Flow:
        ident, title, *items = children
        d = self._collect(items, ("source", "text"), "stroomschema")
        return ir.Flow(
            id=str(ident),
            title=_unquote(title),
            rules=tuple(r for group in d.get("rules", []) for r in group),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def step_actor(self, meta: Any, c: list[Any]) -> Tagged:
        return ("actor", c[0], self.sp(meta))

    def step_condition(self, meta: Any, c: list[Any]) -> Tagged:
        return ("condition", c[0], self.sp(meta))

    def step(self, meta: Any, children: list[Any]) -> Tagged:
        ident, title, *opts = children
        d = self._collect(opts, ("actor",), "stap")
        st = ir.Step(
            id=str(ident),
            title=_unquote(title),
            actor=d.get("actor"),
            conditions=tuple(d.get("condition", ())),
            span=self.tsp(ident),
        )
        return ("step", st, self.sp(meta))

    def ladder_decl(self, meta: Any, children: list[Any]) -> ir.Ladder:
        ident, title, overrides, *items = children
        d = self._collect(items, ("source", "text"), "ladder")
        return ir.Ladder(
            id=str(ident),
            title=_unquote(title),
            overrides=overrides,
            steps=tuple(d.get("step", ())),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def phase(self, meta: Any, c: list[Any]) -> Tagged:
        return (
            "phase",
            ir.Phase(id=str(c[0]), title=_unquote(c[1]), span=self.tsp(c[0])),
            self.sp(meta),
        )

    def route_ladder(self, meta: Any, c: list[Any]) -> Tagged:
        return ("ladder", ir.Ref(parts=(str(c[0]),), span=self.tsp(c[0])), self.sp(meta))

    def route_decl(self, meta: Any, children: list[Any]) -> ir.Route:
        ident, title, overrides, *items = children
        d = self._collect(items, ("ladder", "source", "text"), "route")
        return ir.Route(
            id=str(ident),
            title=_unquote(title),
            overrides=overrides,
            phases=tuple(d.get("phase", ())),
            ladder=d.get("ladder"),
            actions=tuple(d.get("action", ())),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    # ------------------------------------------------------------------ rules
    def rule_kind(self, meta: Any, c: list[Any]) -> Tagged:
        return ("kind", ir.Ref(parts=(str(c[0]),), span=self.tsp(c[0])), self.sp(meta))

    def card_label(self, meta: Any, c: list[Any]) -> Tagged:
        return ("card", _unquote(c[0]), self.sp(meta))

    def rule_precedes(self, meta: Any, c: list[Any]) -> Tagged:
        refs = tuple(ir.Ref(parts=(str(t),), span=self.tsp(t)) for t in c[0])
        return ("precedes", refs, self.sp(meta))

    def replaces_action(self, meta: Any, c: list[Any]) -> Tagged:
        return ("replaces", str(c[0]), self.sp(meta))

    def exception(self, meta: Any, children: list[Any]) -> Tagged:
        ident, title, *items = children
        d = self._collect(items, ("source",), "uitzondering")
        exc = ir.RuleException(
            id=str(ident),
            title=_unquote(title),
            conditions=tuple(d.get("condition", ())),
            actions=tuple(d.get("action", ())),
            replaces=tuple(d.get("replaces", ())),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            span=self.tsp(ident),
            heading=self.hd(meta),
        )
        return ("exception", exc, self.sp(meta))

    def discretion(self, meta: Any, children: list[Any]) -> Tagged:
        action, text, record = children
        disc = ir.Discretion(
            action=str(action) if action is not None else None,
            text=_unquote(text),
            record=_unquote(record) if record is not None else None,
            span=self.sp(meta),
        )
        return ("discretion", disc, self.sp(meta))

    def colour(self, meta: Any, c: list[Any]) -> Tagged:
        return ("colour", str(c[0]), self.sp(meta))

    def group(self, meta: Any, c: list[Any]) -> Tagged:
        return ("group", _unquote(c[0]), self.sp(meta))

    def rule_decl(self, meta: Any, children: list[Any]) -> ir.Rule:
        ident, title, overrides, *items = children
        d = self._collect(items, ("kind", "card", "repeat", "source", "text"), "regel")
        return ir.Rule(
            id=str(ident),
            title=_unquote(title),
            overrides=overrides,
            kind=d.get("kind"),
            card=d.get("card"),
            precedes=tuple(r for group in d.get("precedes", []) for r in group),
            triggers=tuple(d.get("trigger", ())),
            conditions=tuple(d.get("condition", ())),
            repeat=d.get("repeat"),
            actions=tuple(d.get("action", ())),
            exceptions=tuple(d.get("exception", ())),
            discretions=tuple(d.get("discretion", ())),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            deviations=tuple(d.get("deviation", ())),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    def class_decl(self, meta: Any, children: list[Any]) -> ir.Classification:
        ident, title, overrides, *items = children
        d = self._collect(items, ("colour", "group", "kind", "source", "text"), "classificatie")
        return ir.Classification(
            id=str(ident),
            title=_unquote(title),
            overrides=overrides,
            colour=d.get("colour"),
            group=d.get("group"),
            kind=d.get("kind"),
            triggers=tuple(d.get("trigger", ())),
            conditions=tuple(d.get("condition", ())),
            actions=tuple(d.get("action", ())),
            source=d.get("source"),
            notes=tuple(d.get("note", ())),
            text=d.get("text"),
            deviations=tuple(d.get("deviation", ())),
            span=self._name_span(meta, ident),
            heading=self.hd(meta),
            module=self.module,
        )

    # ------------------------------------------------------------------ document
    def heading(self, meta: Any, children: list[Token]) -> ir.Heading:
        tok = children[0]
        hashes = len(tok.value) - len(tok.value.lstrip("#"))
        return ir.Heading(
            level=hashes,
            text=tok.value[hashes:].strip(),
            span=self.tsp(tok),
            heading=self.hd(meta),
            module=self.module,
        )

    def prose(self, meta: Any, children: list[Token]) -> ir.Prose:
        return ir.Prose(
            text=_prose(children[0]), span=self.sp(meta), heading=self.hd(meta), module=self.module
        )

    def show(self, meta: Any, children: list[Any]) -> ir.Show:
        what, arg = children
        return ir.Show(
            what=str(what),
            arg=str(arg) if arg is not None else None,
            span=self.sp(meta),
            heading=self.hd(meta),
            module=self.module,
        )

    def start(self, meta: Any, children: list[Any]) -> list[Any]:
        return list(children)


def lower(tree: Tree, source: SourceFile, module: str) -> tuple[ir.Module, list[Diagnostic]]:
    """Lower a parse tree into a module; reports a missing or repeated protocol header."""
    lowering = _Lower(source, _HeadingIndex(tree), module)
    items: list[ir.Item] = lowering.transform(tree)
    diagnostics = lowering.diagnostics
    headers = [i for i in items if isinstance(i, ir.Header)]
    header = headers[0] if headers else None
    for extra in headers[1:]:
        diagnostics.append(
            Diagnostic(
                "VZ006",
                extra.span,
                {
                    "problem": "dit bestand heeft al een protocolkop; één per bestand",
                    "problem_en": "this file already has a protocol header; one per file",
                },
                help=False,
            )
        )
    return ir.Module(name=module, path=source.path, header=header, items=tuple(items)), diagnostics
