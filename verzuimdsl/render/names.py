"""Display names for references, so generated text says `Jeugdarts (JGZ/GGD)`, not `jeugdarts`."""

from __future__ import annotations

from .. import ir
from ..protocol import Protocol
from . import wording


class Names:
    """Looks up the human name of any id in one protocol (actors, rules, steps, events...)."""

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self._actors = {a.id: a for a in protocol.actors}
        self._rules: dict[str, str] = {r.id: r.title for r in protocol.rules}
        self._rules.update({c.id: c.title for c in protocol.classifications})
        self._steps: dict[str, str] = {}
        self._ladder_steps: dict[tuple[str, str], str] = {}
        for lad in protocol.ladders:
            for s in lad.steps:
                self._steps.setdefault(s.id, s.title)
                self._ladder_steps[(lad.id, s.id)] = s.title
        self._other: dict[str, str] = {}
        for group in (
            protocol.event_types,
            protocol.desks,
            protocol.kinds,
            protocol.duo_categories,
            protocol.meetings,
        ):
            for d in group:
                self._other.setdefault(d.id, d.name)
        for group2 in (protocol.ladders, protocol.routes, protocol.flows):
            for d2 in group2:
                self._other.setdefault(d2.id, d2.title)

    def __call__(self, ref: ir.Ref) -> str | None:
        """The name for a reference, or None when the id names nothing known."""
        head = self.p.resolve(ref.head)
        if head in self._actors:
            return self.actor(ref)
        if len(ref.parts) == 2 and (ref.head, ref.parts[1]) in self._ladder_steps:
            return self._ladder_steps[(ref.head, ref.parts[1])]
        last = self.p.resolve(ref.last)
        for table in (self._other, self._rules, self._steps):
            if last in table:
                return table[last]
        return None

    def actor(self, ref: ir.Ref) -> str:
        """`school.mentor` reads `Mentor (School)`; an unknown id reads as words."""
        head = self.p.resolve(ref.head)
        actor = self._actors.get(head)
        if actor is None:
            return self._other.get(head, wording.humanise(str(ref)))
        if len(ref.parts) > 1:
            role = next((r for r in actor.roles if r.id == ref.parts[1]), None)
            if role is not None:
                return f"{role.name} ({actor.name})"
        return actor.name

    def role(self, ref: ir.Ref) -> str | None:
        """Just the role's name (`Mentor`), when the reference names a role."""
        actor = self._actors.get(self.p.resolve(ref.head))
        if actor is None or len(ref.parts) < 2:
            return None
        role = next((r for r in actor.roles if r.id == ref.parts[1]), None)
        return role.name if role is not None else None

    def lane(self, ref: ir.Ref) -> str | None:
        """The resolved actor id an action by `ref` belongs to, or None for a reporting desk."""
        head = self.p.resolve(ref.head)
        return head if head in self._actors else None

    def name_of(self, name: str) -> str:
        return self(ir.Ref(parts=(name,))) or wording.humanise(name)


def lane_order(protocol: Protocol) -> list[ir.Actor]:
    """Actors in declaration order across the modules, base first.

    A regional actor that `vervangt` a base actor takes that actor's place, so Parkstad's
    consulent leerrecht stands where the leerplichtambtenaar stood: right of the school.
    """
    live = {a.id: a for a in protocol.actors}
    slots: list[str] = []
    for module in protocol.modules:
        for item in module.items:
            if not isinstance(item, ir.Actor):
                continue
            if item.overrides is not None and item.overrides.last in slots:
                slots[slots.index(item.overrides.last)] = item.id
            elif item.id not in slots:
                slots.append(item.id)
    ordered = [live[s] for s in slots if s in live and live[s] is not None]
    seen = {a.id for a in ordered}
    return ordered + [a for a in protocol.actors if a.id not in seen]
