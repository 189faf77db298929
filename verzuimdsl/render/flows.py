"""Which stroomschema's a protocol has, and which rules each one shows, in escalation order.

Every protocol gets one flow per kind of absence a reader looks for (ziekte, ongeoorloofd
relatief verzuim, luxe verzuim, thuiszitters), plus the named `stroomschema` declarations,
which list their rules themselves. A rule belongs to the nearest of those kinds above it, so
luxe verzuim (which sits under relatief verzuim) gets its own diagram instead of two.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .. import ir
from ..protocol import Protocol
from . import wording

Item = ir.Rule | ir.Classification

# the kind flows every reader expects, by the base protocol's kind ids, with their titles
STANDARD_KINDS: tuple[tuple[str, str], ...] = (
    ("ziekte", "Stroomschema ziekteverzuim"),
    ("relatief", "Stroomschema ongeoorloofd relatief verzuim"),
    ("luxe", "Stroomschema luxe verzuim"),
    ("thuiszitten", "Stroomschema thuiszitters"),
)
_THUISZITTERS = "thuiszitten"


@attrs.frozen
class FlowSpec:
    """One diagram: a stable id (file names use it), a title and its items in order."""

    id: str
    title: str
    items: tuple[Item, ...]
    source: str | None = None
    text: str | None = None
    kind: str | None = None  # the kind id for a kind flow, None for a named flow

    @property
    def file_stem(self) -> str:
        return f"stroomschema-{self.id.replace('_', '-')}"


def _kind_ids(protocol: Protocol, item: Item) -> list[str]:
    """The item's kind and the kinds above it, nearest first, as resolved ids."""
    if item.kind is None:
        return []
    return [k.id for k in protocol.kind_ancestors(item.kind.last)]


def _standard(protocol: Protocol) -> list[tuple[str, str, str]]:
    """(key, resolved kind id, title) for each standard kind the protocol declares."""
    known = {k.id for k in protocol.kinds}
    out = []
    for key, title in STANDARD_KINDS:
        resolved = protocol.resolve(key)
        if resolved in known:
            out.append((key, resolved, title))
    return out


def _items(protocol: Protocol) -> list[Item]:
    return [*protocol.rules, *protocol.classifications]


def kind_items(protocol: Protocol, kind_id: str) -> list[Item]:
    """Items under a kind; for a standard kind, minus those a nearer standard kind claims."""
    resolved = protocol.resolve(kind_id)
    standard = [k for _, k, _ in _standard(protocol)]
    out: list[Item] = []
    for item in _items(protocol):
        kinds = _kind_ids(protocol, item)
        if resolved in kinds:
            if resolved in standard:
                nearest = next((k for k in kinds if k in standard), None)
                if nearest != resolved:
                    continue
            out.append(item)
        elif resolved == protocol.resolve(_THUISZITTERS) and isinstance(item, ir.Classification):
            out.append(item)  # every classification is a kind of thuiszitter
    return out


def escalation_order(items: Sequence[Item]) -> list[Item]:
    """Group items by what they count (te laat, ongeoorloofd, ziek), lowest threshold first.

    Groups keep the order in which they first appear; one-off events stay where they are.
    """
    groups: dict[str, list[tuple[float, int, Item]]] = {}
    for n, item in enumerate(items):
        family = _family(item)
        key = family if family is not None else f"#{n}"
        groups.setdefault(key, []).append((weight(item), n, item))
    out: list[Item] = []
    for members in groups.values():
        out.extend(item for _, _, item in sorted(members, key=lambda m: (m[0], m[1])))
    return out


def weight(item: Item) -> float:
    """The largest threshold of an item's triggers, to sort a measure's thresholds."""
    return max((wording.trigger_weight(t) for t in item.triggers), default=0.0)


def _family(item: Item) -> str | None:
    return wording.trigger_family(item.triggers[0]) if item.triggers else None


def same_family(a: Item, b: Item) -> bool:
    fa = _family(a)
    return fa is not None and fa == _family(b)


def kind_flow(protocol: Protocol, kind_id: str, key: str | None = None) -> FlowSpec:
    """The flow of one kind of absence; `key` is the id the files get (defaults to the kind)."""
    kind = protocol.kind(kind_id)
    titles = dict(STANDARD_KINDS)
    name = key or kind_id
    title = titles.get(name) or f"Stroomschema {wording.lower_first(kind.name)}"
    items = escalation_order(kind_items(protocol, kind_id))
    return FlowSpec(
        id=name, title=title, items=tuple(items), source=kind.source, text=kind.text, kind=kind.id
    )


def named_flow(protocol: Protocol, flow: ir.Flow) -> FlowSpec:
    """A `stroomschema` declaration: its rules as listed, thresholds in escalation order."""
    index = {i.id: i for i in _items(protocol)}
    items = [
        index[protocol.resolve(r.last)] for r in flow.rules if protocol.resolve(r.last) in index
    ]
    text = flow.text or (" ".join(flow.notes) if flow.notes else None)
    return FlowSpec(
        id=flow.id,
        title=flow.title,
        items=tuple(escalation_order(items)),
        source=flow.source,
        text=text,
    )


def all_flows(protocol: Protocol) -> list[FlowSpec]:
    """The standard kind flows that have rules, then the named flows, in declaration order."""
    named = [named_flow(protocol, f) for f in protocol.flows]
    named_ids = {f.id for f in named}
    out = []
    for key, resolved, _ in _standard(protocol):
        spec = kind_flow(protocol, resolved, key=key if key not in named_ids else f"{key}_soort")
        if spec.items:
            out.append(spec)
    return out + named


def flow_for(protocol: Protocol, name: str, flows: Sequence[FlowSpec]) -> FlowSpec | None:
    """The flow `toon stroomschema NAME` asks for: a named flow first, else a kind's flow."""
    resolved = protocol.resolve(name)
    for spec in flows:
        if spec.kind is None and spec.id == resolved:
            return spec
    for spec in flows:
        if spec.kind is not None and (spec.id == name or spec.kind == resolved):
            return spec
    if resolved in {k.id for k in protocol.kinds}:
        return kind_flow(protocol, resolved, key=name)
    return None


def document_flows(protocol: Protocol) -> list[FlowSpec]:
    """Every diagram the protocol renders: `all_flows` plus kind flows a `toon` asks for."""
    flows = all_flows(protocol)
    seen = {f.id for f in flows}
    for item in protocol.document:
        if isinstance(item, ir.Show) and item.what == "stroomschema" and item.arg:
            spec = flow_for(protocol, item.arg, flows)
            if spec is not None and spec.id not in seen:
                flows.append(spec)
                seen.add(spec.id)
    return flows
