"""Name resolution: merge the modules, apply overrides, and check that every name exists.

Each kind of declaration has its own namespace (a kind and a DUO category may share an id,
as `luxe_verzuim` naturally does). Unknown names get a "bedoelde je ...?" suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from . import ir
from .diagnostics import Diagnostic
from .modules import ModuleSet
from .protocol import Protocol
from .source import Span

# the measures a trigger can count without declaring anything
BUILTIN_FILTERS: dict[str, str] = {
    "ongeoorloofd": "ongeoorloofde afwezigheid",
    "geoorloofd": "geoorloofde afwezigheid (ziekte, verlof, schorsing)",
    "afwezig": "elke afwezigheid, geoorloofd of niet",
    "ziek": "ziekmeldingen",
    "te_laat": "te laat komen",
    "luxe": "ongeoorloofde afwezigheid wegens vakantie",
    "no_show": "niet verschijnen op een afspraak",
    "geschorst": "schorsing",
    "ingeschreven": "inschrijving",
    "uitgeschreven": "uitschrijving",
    "vrijstelling": "vrijstelling",
    "verlof": "verleend verlof",
    "uitkomst": "een uitkomst of besluit",
}
STATUSES = ("niet_leerplichtig", "leerplichtig", "kwalificatieplichtig", "achttien_plus")
SCHOOL_TYPES = ("po", "so", "vo", "vso", "mbo")
REGIONS = ("noord", "midden", "zuid")
COLOURS = ("geel", "oranje", "rood", "groen", "blauw", "grijs", "paars")
SHOW_PARTS = (
    "verzuimkaart",
    "wie_doet_wat",
    "termijnen",
    "classificaties",
    "routes",
    "ladders",
    "overleggen",
    "soorten",
    "meldpunten",
    "bronnen",
    "stroomschema",
)

_NS_NL = {
    "actor": "actor",
    "kind": "soort",
    "duo": "DUO-categorie",
    "event": "gebeurtenis",
    "desk": "meldpunt",
    "meeting": "overleg",
    "flow": "stroomschema",
    "ladder": "ladder",
    "route": "route",
    "rule": "regel",
    "role": "rol",
    "filter": "maat of gebeurtenis",
    "status": "leerplichtstatus",
    "school_type": "schoolsoort",
    "region": "regio",
    "colour": "kleur",
    "step": "ladderstap",
    "label": "actie",
    "reference": "regel, stap of actie",
    "recipient": "actor of meldpunt",
}
_NS_EN = {
    "actor": "actor",
    "kind": "kind of absence",
    "duo": "DUO category",
    "event": "event type",
    "desk": "reporting desk",
    "meeting": "meeting",
    "flow": "flow diagram",
    "ladder": "ladder",
    "route": "route",
    "rule": "rule",
    "role": "role",
    "filter": "measure or event type",
    "status": "compulsory-education status",
    "school_type": "school type",
    "region": "region",
    "colour": "colour",
    "step": "ladder step",
    "label": "action",
    "reference": "rule, step or action",
    "recipient": "actor or reporting desk",
}

_DECL_NS: dict[type, str] = {
    ir.Actor: "actor",
    ir.Kind: "kind",
    ir.DuoCategory: "duo",
    ir.EventType: "event",
    ir.ReportingDesk: "desk",
    ir.Meeting: "meeting",
    ir.Flow: "flow",
    ir.Ladder: "ladder",
    ir.Route: "route",
    ir.Rule: "rule",
    ir.Classification: "rule",
}


def unknown(ns: str, name: str, span: Span, candidates: Iterable[str]) -> Diagnostic:
    suggestion = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return Diagnostic(
        "VZ010",
        span,
        {
            "what": _NS_NL[ns],
            "what_en": _NS_EN[ns],
            "name": name,
            "suggestion": suggestion[0] if suggestion else "",
        },
    )


class _Resolver:
    def unknown(self, ns: str, name: str, span: Span, candidates: Iterable[str]) -> Diagnostic:
        """VZ016 when the name exists as another kind of declaration, else VZ010."""
        for other_ns, table in sorted(self.tables.items()):
            if other_ns != ns and name in table and ns in _NS_NL:
                return Diagnostic(
                    "VZ016",
                    span,
                    {
                        "name": name,
                        "actual": _NS_NL[other_ns],
                        "actual_en": _NS_EN[other_ns],
                        "what": _NS_NL[ns],
                        "what_en": _NS_EN[ns],
                    },
                )
        return unknown(ns, name, span, candidates)

    def __init__(self, modules: ModuleSet) -> None:
        self.modules = modules
        self.diagnostics: list[Diagnostic] = []
        # namespace -> id -> declaration
        self.tables: dict[str, dict[str, Any]] = {ns: {} for ns in set(_DECL_NS.values())}
        # namespace -> overridden id -> the id that replaced it
        self.aliases: dict[str, dict[str, str]] = {ns: {} for ns in set(_DECL_NS.values())}
        self.module_names = {m.name for m in modules.modules}

    # ------------------------------------------------------------------ merging
    def merge(self) -> None:
        """Inherited declarations first, then each module's own, applying `vervangt`."""
        for module in self.modules.modules:
            for item in module.items:
                ns = _DECL_NS.get(type(item))
                if ns is None:
                    continue
                self._declare(ns, item)

    def _declare(self, ns: str, item: Any) -> None:
        table = self.tables[ns]
        target: ir.Ref | None = getattr(item, "overrides", None)
        if target is not None:
            name = target.last
            if (
                len(target.parts) > 1
                and target.head not in self.module_names
                and not any(
                    m.endswith("." + target.head) or m == target.head for m in self.module_names
                )
            ):
                self.diagnostics.append(unknown_module_ref(target, self.module_names))
                return
            existing = table.get(name)
            if existing is None or existing.module == item.module:
                suggestion = difflib.get_close_matches(name, sorted(table), n=1, cutoff=0.6)
                self.diagnostics.append(
                    Diagnostic(
                        "VZ012",
                        target.span,
                        {
                            "name": str(target),
                            "what": _NS_NL[ns],
                            "what_en": _NS_EN[ns],
                            "suggestion": suggestion[0] if suggestion else "",
                        },
                    )
                )
            else:
                del table[name]
                if name != item.id:
                    self.aliases[ns][name] = item.id
        if item.id in table:
            other = table[item.id]
            self.diagnostics.append(
                Diagnostic(
                    "VZ011",
                    item.span,
                    {
                        "name": item.id,
                        "what": f"{_NS_NL[ns]} op {other.span}",
                        "what_en": f"{_NS_EN[ns]} at {other.span}",
                    },
                    help=other.module != item.module,
                )
            )
            return
        table[item.id] = item

    def ordered(self, ns: str, cls: type | tuple[type, ...]) -> tuple[Any, ...]:
        """Own declarations first (the main module's order), then inherited ones."""
        table = self.tables[ns]
        main = self.modules.main
        own = [i for i in table.values() if main is not None and i.module == main.name]
        inherited = [i for i in table.values() if main is None or i.module != main.name]
        order = {id(item): n for n, item in enumerate(self._source_order())}
        own.sort(key=lambda i: order.get(id(i), 0))
        inherited.sort(key=lambda i: order.get(id(i), 0))
        return tuple(i for i in own + inherited if isinstance(i, cls))

    def _source_order(self) -> list[Any]:
        return [item for m in self.modules.modules for item in m.items]

    # ------------------------------------------------------------------ lookups
    def lookup(self, ns: str, ref: ir.Ref | None) -> Any:
        if ref is None:
            return None
        table = self.tables[ns]
        name = ref.last if ns != "actor" else ref.head
        if ns != "actor" and len(ref.parts) > 1:
            # module-qualified: leerplichtwet.wettelijk_verzuim
            qualifier = ".".join(ref.parts[:-1])
            if not any(m == qualifier or m.endswith("." + qualifier) for m in self.module_names):
                self.diagnostics.append(unknown_module_ref(ref, self.module_names))
                return None
        resolved = self._alias(name, ns)
        found = table.get(resolved)
        if found is None:
            self.diagnostics.append(self.unknown(ns, name, ref.span, table))
        return found

    def _alias(self, name: str, ns: str) -> str:
        aliases = self.aliases[ns]
        seen: set[str] = set()
        while name in aliases and name not in seen:
            seen.add(name)
            name = aliases[name]
        return name

    def actor_ref(self, ref: ir.Ref, allow_desk: bool = False) -> None:
        name = self._alias(ref.head, "actor")
        actor = self.tables["actor"].get(name)
        if actor is None:
            if allow_desk and name in self.tables["desk"] and len(ref.parts) == 1:
                return
            candidates = list(self.tables["actor"])
            if allow_desk:
                candidates += list(self.tables["desk"])
            self.diagnostics.append(
                self.unknown("recipient" if allow_desk else "actor", ref.head, ref.span, candidates)
            )
            return
        if len(ref.parts) > 2:
            self.diagnostics.append(self.unknown("role", ".".join(ref.parts[1:]), ref.span, []))
        elif len(ref.parts) == 2:
            roles = [r.id for r in actor.roles]
            if ref.parts[1] not in roles:
                self.diagnostics.append(self.unknown("role", ref.parts[1], ref.span, roles))

    def check_choice(self, ns: str, value: str, span: Span, allowed: Sequence[str]) -> None:
        if value not in allowed:
            self.diagnostics.append(self.unknown(ns, value, span, allowed))

    # ------------------------------------------------------------------ checks
    def check_all(self) -> None:
        for module in self.modules.modules:
            if module.header is not None:
                self.check_header(module.header)
            for item in module.items:
                check = getattr(self, f"check_{type(item).__name__.lower()}", None)
                if check is not None:
                    check(item)

    def check_header(self, h: ir.Header) -> None:
        for st in h.school_types:
            self.check_choice("school_type", st, h.span, SCHOOL_TYPES)
        if h.region is not None:
            self.check_choice("region", h.region, h.span, REGIONS)

    def check_actor(self, a: ir.Actor) -> None:
        seen: dict[str, Span] = {}
        for role in a.roles:
            if role.id in seen:
                self.diagnostics.append(
                    Diagnostic(
                        "VZ011",
                        role.span,
                        {
                            "name": role.id,
                            "what": "rol van deze actor",
                            "what_en": "role of this actor",
                        },
                        help=False,
                    )
                )
            seen[role.id] = role.span

    def check_kind(self, k: ir.Kind) -> None:
        self.lookup("kind", k.parent)
        self.lookup("duo", k.duo)

    def check_reportingdesk(self, d: ir.ReportingDesk) -> None:
        pass

    def check_meeting(self, m: ir.Meeting) -> None:
        for p in m.participants:
            self.actor_ref(p)
        for r in (*m.organisers, *([m.chair] if m.chair is not None else [])):
            self.actor_ref(r)

    def check_flow(self, f: ir.Flow) -> None:
        for r in f.rules:
            self.lookup("rule", r)

    def check_ladder(self, lad: ir.Ladder) -> None:
        seen: set[str] = set()
        for step in lad.steps:
            if step.id in seen:
                self.diagnostics.append(
                    Diagnostic(
                        "VZ011",
                        step.span,
                        {
                            "name": step.id,
                            "what": "stap van deze ladder",
                            "what_en": "step of this ladder",
                        },
                        help=False,
                    )
                )
            seen.add(step.id)
            if step.actor is not None:
                self.actor_ref(step.actor)
            for c in step.conditions:
                self.check_condition(c, labels=())

    def check_route(self, r: ir.Route) -> None:
        self.lookup("ladder", r.ladder)
        labels = tuple(a.label for a in r.actions if a.label)
        for a in r.actions:
            self.check_action(a, labels)

    def _labels(self, actions: Iterable[ir.Action]) -> tuple[str, ...]:
        seen: dict[str, ir.Action] = {}
        for a in actions:
            if a.label is None:
                continue
            if a.label in seen:
                self.diagnostics.append(
                    Diagnostic(
                        "VZ011",
                        a.span,
                        {
                            "name": a.label,
                            "what": "actie in deze regel",
                            "what_en": "action in this rule",
                        },
                        help=False,
                    )
                )
            seen[a.label] = a
        return tuple(seen)

    def check_rule(self, r: ir.Rule) -> None:
        self.lookup("kind", r.kind)
        for p in r.precedes:
            self.lookup("rule", p)
        actions = list(r.actions) + [a for e in r.exceptions for a in e.actions]
        labels = self._labels(actions)
        for t in r.triggers:
            self.check_trigger(t)
        for c in r.conditions:
            self.check_condition(c, labels)
        for a in actions:
            self.check_action(a, labels)
        for e in r.exceptions:
            for c in e.conditions:
                self.check_condition(c, labels)
            for name in e.replaces:
                if name not in labels:
                    self.diagnostics.append(self.unknown("label", name, e.span, labels))
        for d in r.discretions:
            if d.action is not None and d.action not in labels:
                self.diagnostics.append(self.unknown("label", d.action, d.span, labels))

    def check_classification(self, c: ir.Classification) -> None:
        self.lookup("kind", c.kind)
        if c.colour is not None:
            self.check_choice("colour", c.colour, c.span, COLOURS)
        labels = self._labels(c.actions)
        for t in c.triggers:
            self.check_trigger(t)
        for cond in c.conditions:
            self.check_condition(cond, labels)
        for a in c.actions:
            self.check_action(a, labels)

    def check_show(self, s: ir.Show) -> None:
        if s.what not in SHOW_PARTS:
            suggestion = difflib.get_close_matches(s.what, SHOW_PARTS, n=1)
            self.diagnostics.append(
                Diagnostic(
                    "VZ035",
                    s.span,
                    {"name": s.what, "suggestion": suggestion[0] if suggestion else ""},
                )
            )
        elif s.what == "stroomschema" and s.arg is not None:
            if s.arg not in self.tables["flow"] and s.arg not in self.tables["kind"]:
                self.diagnostics.append(
                    self.unknown(
                        "flow", s.arg, s.span, list(self.tables["flow"]) + list(self.tables["kind"])
                    )
                )

    def check_trigger(self, t: ir.Trigger) -> None:
        f = t.filter
        names = list(BUILTIN_FILTERS) + list(self.tables["event"])
        if f.name not in BUILTIN_FILTERS and f.name not in self.tables["event"]:
            self.diagnostics.append(self.unknown("filter", f.name, f.span, names))
        if f.with_actor is not None:
            self.actor_ref(f.with_actor)

    def _step_exists(self, ref: ir.Ref) -> bool:
        ladders = self.tables["ladder"]
        if len(ref.parts) == 2 and ref.head in ladders:
            return any(s.id == ref.parts[1] for s in ladders[ref.head].steps)
        if len(ref.parts) == 1:
            return any(s.id == ref.head for lad in ladders.values() for s in lad.steps)
        return False

    def check_condition(self, c: ir.Condition, labels: Sequence[str]) -> None:
        if isinstance(c, ir.StatusCondition):
            for s in c.statuses:
                self.check_choice("status", s, c.span, STATUSES)
        elif isinstance(c, ir.SchoolTypeCondition):
            for s in c.school_types:
                self.check_choice("school_type", s, c.span, SCHOOL_TYPES)
        elif isinstance(c, ir.AfterCondition):
            ref = c.ref
            name = self._alias(ref.last, "rule")
            if len(ref.parts) == 1 and (
                name in self.tables["rule"] or name in labels or self._step_exists(ref)
            ):
                return
            if len(ref.parts) == 2 and self._step_exists(ref):
                return
            candidates = list(self.tables["rule"]) + list(labels)
            candidates += [s.id for lad in self.tables["ladder"].values() for s in lad.steps]
            self.diagnostics.append(self.unknown("reference", str(ref), ref.span, candidates))

    def check_action(self, a: ir.Action, labels: Sequence[str]) -> None:
        self.actor_ref(a.actor)
        for r in a.recipients + a.copies:
            self.actor_ref(r, allow_desk=True)
        self.lookup("duo", a.duo)
        self.lookup("meeting", a.meeting)
        if a.step is not None and not self._step_exists(a.step):
            steps = [
                f"{lad.id}.{s.id}" for lad in self.tables["ladder"].values() for s in lad.steps
            ]
            self.diagnostics.append(self.unknown("step", str(a.step), a.step.span, steps))
        for c in a.conditions:
            self.check_condition(c, labels)

    # ------------------------------------------------------------------ result
    def protocol(self) -> Protocol | None:
        main = self.modules.main
        if main is None or main.header is None:
            return None
        return Protocol(
            header=main.header,
            modules=tuple(self.modules.modules),
            actors=self.ordered("actor", ir.Actor),
            kinds=self.ordered("kind", ir.Kind),
            duo_categories=self.ordered("duo", ir.DuoCategory),
            event_types=self.ordered("event", ir.EventType),
            desks=self.ordered("desk", ir.ReportingDesk),
            meetings=self.ordered("meeting", ir.Meeting),
            flows=self.ordered("flow", ir.Flow),
            ladders=self.ordered("ladder", ir.Ladder),
            routes=self.ordered("route", ir.Route),
            rules=self.ordered("rule", ir.Rule),
            classifications=self.ordered("rule", ir.Classification),
            aliases={ns: dict(table) for ns, table in sorted(self.aliases.items())},
            sources=dict(self.modules.sources),
        )


def unknown_module_ref(ref: ir.Ref, module_names: Iterable[str]) -> Diagnostic:
    qualifier = ".".join(ref.parts[:-1])
    suggestion = difflib.get_close_matches(qualifier, sorted(module_names), n=1)
    return Diagnostic(
        "VZ014",
        ref.span,
        {
            "name": qualifier,
            "path": "de modules in `gebruikt`",
            "suggestion": suggestion[0] if suggestion else "",
        },
    )


def resolve(modules: ModuleSet) -> tuple[Protocol | None, list[Diagnostic]]:
    resolver = _Resolver(modules)
    resolver.merge()
    resolver.check_all()
    return resolver.protocol(), resolver.diagnostics
