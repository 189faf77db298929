"""A checked protocol: the main module merged with the modules it uses.

Declarations are listed own-first: the protocol's own declarations in source order, then
the inherited ones it did not override, in import order. Overridden ids are aliases of
their replacement, so a base rule that names `leerplichtambtenaar` reaches the region's
`consulent` when the region declares `actor consulent "..." vervangt leerplichtambtenaar`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from . import ir
from .source import SourceFile

if TYPE_CHECKING:  # pragma: no cover
    from .results import Result


_NAMESPACES = (
    "actor",
    "rule",
    "kind",
    "duo",
    "meeting",
    "ladder",
    "flow",
    "desk",
    "event",
    "route",
)


@attrs.frozen(eq=False)
class Protocol:
    header: ir.Header
    modules: tuple[ir.Module, ...]
    actors: tuple[ir.Actor, ...]
    kinds: tuple[ir.Kind, ...]
    duo_categories: tuple[ir.DuoCategory, ...]
    event_types: tuple[ir.EventType, ...]
    desks: tuple[ir.ReportingDesk, ...]
    meetings: tuple[ir.Meeting, ...]
    flows: tuple[ir.Flow, ...]
    ladders: tuple[ir.Ladder, ...]
    routes: tuple[ir.Route, ...]
    rules: tuple[ir.Rule, ...]
    classifications: tuple[ir.Classification, ...]
    aliases: Mapping[str, Mapping[str, str]]  # namespace -> overridden id -> replacement
    sources: Mapping[str, SourceFile]

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def main(self) -> ir.Module:
        return self.modules[-1]

    @property
    def document(self) -> tuple[ir.Item, ...]:
        """The main module's items in source order: the handbook's spine."""
        return self.main.items

    def _index(self, items: Iterable[Any]) -> dict[str, Any]:
        return {i.id: i for i in items}

    def resolve(self, name: str, ns: str | None = None) -> str:
        """The id that stands for `name` after overrides, in namespace `ns` (actor, rule, kind,
        duo, meeting, ladder, flow, desk, event, route); without `ns`, the first namespace in
        that order where `name` was overridden."""
        if ns is None:
            ns = next((n for n in _NAMESPACES if name in self.aliases.get(n, {})), "actor")
        aliases = self.aliases.get(ns, {})
        seen = set()
        while name in aliases and name not in seen:
            seen.add(name)
            name = aliases[name]
        return name

    def actor(self, name: str) -> ir.Actor:
        return self._index(self.actors)[self.resolve(name, "actor")]

    def rule(self, name: str) -> ir.Rule:
        return self._index(self.rules)[self.resolve(name, "rule")]

    def kind(self, name: str) -> ir.Kind:
        return self._index(self.kinds)[self.resolve(name, "kind")]

    def duo_category(self, name: str) -> ir.DuoCategory:
        return self._index(self.duo_categories)[self.resolve(name, "duo")]

    def meeting(self, name: str) -> ir.Meeting:
        return self._index(self.meetings)[self.resolve(name, "meeting")]

    def ladder(self, name: str) -> ir.Ladder:
        return self._index(self.ladders)[self.resolve(name, "ladder")]

    def flow(self, name: str) -> ir.Flow:
        return self._index(self.flows)[self.resolve(name, "flow")]

    def classification(self, name: str) -> ir.Classification:
        return self._index(self.classifications)[self.resolve(name, "rule")]

    def kind_ancestors(self, name: str) -> Iterator[ir.Kind]:
        """The kind and the kinds above it, nearest first."""
        index = self._index(self.kinds)
        seen: set[str] = set()
        current = index.get(self.resolve(name, "kind"))
        while current is not None and current.id not in seen:
            seen.add(current.id)
            yield current
            current = (
                index.get(self.resolve(current.parent.last, "kind")) if current.parent else None
            )

    def actor_label(self, ref: ir.Ref) -> str:
        """`school.mentor` reads as `Mentor (School)`."""
        actor = self.actor(ref.head)
        if len(ref.parts) > 1:
            role = next((r for r in actor.roles if r.id == ref.parts[1]), None)
            if role is not None:
                return f"{role.name} ({actor.name})"
        return actor.name

    # the interpreter's entry points; imported lazily to keep checking light
    def run(self, timeline: Any, *, explain: bool = False) -> Result:
        from .interpreter import run

        return run(self, timeline, explain=explain)

    def run_batch(self, timelines: Iterable[Any], *, explain: bool = False) -> Iterator[Result]:
        from .interpreter import run_batch

        return run_batch(self, timelines, explain=explain)
