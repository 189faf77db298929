"""Comparing protocols: regions side by side for the same situation, or two versions of one.

The comparison is data (sections of rows of cells, one cell per protocol); the templates in
`templates/` only lay it out, so Markdown and HTML say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from . import ir
from .protocol import Protocol
from .render import wording

Cell = tuple[str, ...]


@attrs.frozen
class Column:
    id: str
    title: str
    publisher: str
    region: str
    school_year: str


@attrs.frozen
class Row:
    label: str
    cells: tuple[Cell, ...]


@attrs.frozen
class Section:
    title: str
    note: str
    rows: tuple[Row, ...]


@attrs.frozen
class Comparison:
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]


def _namer(p: Protocol) -> wording.Namer:
    def name(ref: ir.Ref) -> str | None:
        try:
            return p.actor_label(ref)
        except KeyError:
            return None

    return name


def _actor(p: Protocol, ref: ir.Ref) -> str:
    try:
        return p.actor_label(ref)
    except KeyError:
        return str(ref)


def _kinds(p: Protocol, item: ir.Rule | ir.Classification) -> set[str]:
    if item.kind is None:
        return set()
    return {k.id for k in p.kind_ancestors(item.kind.last)}


def _all_actions(r: ir.Rule) -> list[ir.Action]:
    return [*r.actions, *(a for e in r.exceptions for a in e.actions)]


def _trigger_items(
    p: Protocol, keep: Callable[[ir.Trigger], bool], with_actions: bool = True
) -> Cell:
    """Every trigger that `keep` selects, in escalation order, with the rule's first duties."""
    found: list[tuple[float, int, str]] = []
    for n, rule in enumerate(p.rules):
        for t in rule.triggers:
            if not keep(t):
                continue
            text = wording.upper_first(wording.trigger_text(t, _namer(p)))
            if rule.conditions:
                text += f" ({wording.conditions_text(rule.conditions, _namer(p))})"
            if with_actions:
                duties = [
                    f"{_actor(p, a.actor)}: {wording.lower_first(wording.action_text(a))}"
                    for a in rule.actions[:2]
                ]
                if duties:
                    text += " → " + "; ".join(duties)
            found.append((wording.trigger_weight(t), n, text))
    return tuple(text for _, _, text in sorted(found))


def _filter_is(*names: str) -> Callable[[ir.Trigger], bool]:
    return lambda t: t.filter.name in names


def _lateness(p: Protocol) -> Cell:
    return _trigger_items(p, _filter_is("te_laat"))


def _hours(p: Protocol) -> Cell:
    def keep(t: ir.Trigger) -> bool:
        return isinstance(t, ir.ThresholdTrigger) and t.filter.name in ("ongeoorloofd", "afwezig")

    return _trigger_items(p, keep)


def _sickness(p: Protocol) -> Cell:
    return _trigger_items(p, _filter_is("ziek"))


def _jeugdarts(p: Protocol) -> Cell:
    jeugdarts = p.resolve("jeugdarts", "actor")
    items = list(
        _trigger_items(
            p,
            lambda t: (
                t.filter.name == "no_show"
                or (t.filter.label is not None and t.filter.name == "uitkomst")
            ),
        )
    )
    for rule in p.rules:
        for a in _all_actions(rule):
            if p.resolve(a.actor.head, "actor") == jeugdarts and a.deadline is not None:
                items.append(
                    f"{_actor(p, a.actor)}: {wording.action_text(a)} {wording.deadline_text(a.deadline)}"
                )
    return tuple(items)


def _report_actions(p: Protocol, category: str) -> list[tuple[ir.Rule, ir.Action]]:
    return [
        (rule, a)
        for rule in p.rules
        for a in _all_actions(rule)
        if a.duo is not None and p.resolve(a.duo.last, "duo") == category
    ]


def _categories(protocols: Sequence[Protocol]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for p in protocols:
        for c in p.duo_categories:
            seen.setdefault(c.id, c.name)
    return list(seen.items())


def _deadline_cell(p: Protocol, category: str) -> Cell:
    items = []
    for rule, a in _report_actions(p, category):
        when = wording.deadline_text(a.deadline) or "zonder termijn"
        items.append(
            f"{_actor(p, a.actor)} {wording.modality_text(a.modality)} melden {when} ({rule.title})"
        )
    return tuple(dict.fromkeys(items))


def _recipients_cell(p: Protocol, category: str) -> Cell:
    items = []
    for _, a in _report_actions(p, category):
        to = [_actor_or_desk(p, r) for r in a.recipients]
        cc = [_actor_or_desk(p, r) for r in a.copies]
        text = wording.join(to) if to else "DUO (verzuimloket)"
        if cc:
            text += f", cc {wording.join(cc)}"
        items.append(text)
    return tuple(dict.fromkeys(items))


def _actor_or_desk(p: Protocol, ref: ir.Ref) -> str:
    desk = next((d for d in p.desks if d.id == ref.head), None)
    return desk.name if desk is not None else _actor(p, ref)


def _desks(p: Protocol) -> Cell:
    items = []
    for d in p.desks:
        where = "overige gemeenten" if d.fallback else wording.join(d.municipalities)
        items.append(f"{where}: {d.name}")
    return tuple(items)


def _other_deadlines(p: Protocol) -> Cell:
    items = []
    for rule in p.rules:
        for a in _all_actions(rule):
            if a.duo is None and a.deadline is not None:
                items.append(
                    f"{wording.action_text(a)}: {wording.deadline_text(a.deadline)} ({_actor(p, a.actor)})"
                )
    for c in p.classifications:
        for a in c.actions:
            if a.deadline is not None:
                items.append(
                    f"{wording.action_text(a)}: {wording.deadline_text(a.deadline)} ({_actor(p, a.actor)})"
                )
    return tuple(dict.fromkeys(items))


def _thuiszitters(p: Protocol) -> Cell:
    items = []
    for c in p.classifications:
        if "thuiszitten" not in _kinds(p, c) and "thuiszit" not in (c.id + c.title).lower():
            continue
        text = c.title
        if c.colour:
            text += f" [{c.colour}]"
        if c.triggers:
            text += ": " + wording.triggers_text(c.triggers, _namer(p))
        if c.conditions:
            text += f" ({wording.conditions_text(c.conditions, _namer(p))})"
        items.append(text)
    return tuple(items)


def _first_meetings(p: Protocol) -> Cell:
    items = []
    sources: Iterable[ir.Rule | ir.Classification] = [*p.rules, *p.classifications]
    for item in sources:
        actions = _all_actions(item) if isinstance(item, ir.Rule) else list(item.actions)
        for a in actions:
            if a.meeting is None:
                continue
            try:
                meeting = p.meeting(a.meeting.last).name
            except KeyError:
                meeting = str(a.meeting)
            when = wording.deadline_text(a.deadline)
            items.append(f"{meeting}{' ' + when if when else ''} ({item.title})")
    for m in p.meetings:
        if m.frequency is not None:
            items.append(f"{m.name}: elke {wording.quantity(m.frequency.value, m.frequency.unit)}")
    return tuple(dict.fromkeys(items))


def _ladders(p: Protocol) -> Cell:
    items = []
    for lad in p.ladders:
        steps = []
        for n, s in enumerate(lad.steps, 1):
            text = f"{n}. {s.title}"
            if s.conditions:
                text += f" ({wording.conditions_text(s.conditions, _namer(p))})"
            steps.append(text)
        items.append(f"{lad.title}: " + " → ".join(steps))
    return tuple(items)


def _routes(p: Protocol) -> Cell:
    return tuple(r.title for r in p.routes)


def compare(protocols: Sequence[Protocol]) -> Comparison:
    """The same situations across regions: thresholds, criteria, deadlines, receivers, ladders."""
    ps = list(protocols)

    def row(label: str, fn: Callable[[Protocol], Cell]) -> Row:
        return Row(label, tuple(fn(p) for p in ps))

    categories = _categories(ps)
    sections = [
        Section(
            "Te laat komen",
            "Drempels voor te laat komen, van laag naar hoog, met de eerste acties.",
            (row("Drempels", _lateness),),
        ),
        Section(
            "Uren ongeoorloofd verzuim",
            "De wet: 16 uur in 4 schoolweken. Regio's mogen eerder melden, nooit later.",
            (row("Drempels en teltermijnen", _hours),),
        ),
        Section(
            "Ziekteverzuim (M@ZL)",
            "Wanneer ziekteverzuim zorgelijk is en wie dan wat doet.",
            (row("Criteria", _sickness), row("Jeugdarts", _jeugdarts)),
        ),
        Section(
            "Termijnen",
            "Binnen welke termijn een melding in het DUO-verzuimloket moet staan.",
            tuple(row(name, lambda p, c=cid: _deadline_cell(p, c)) for cid, name in categories)
            + (row("Overige termijnen", _other_deadlines),),
        ),
        Section(
            "Wie ontvangt welke melding",
            "De ontvangers van elke melding, en welk loket bij welke woonplaats hoort.",
            tuple(row(name, lambda p, c=cid: _recipients_cell(p, c)) for cid, name in categories)
            + (row("Meldpunten", _desks),),
        ),
        Section(
            "Thuiszitters",
            "De definitie van een thuiszitter en de termijn voor het eerste overleg.",
            (row("Definitie", _thuiszitters), row("Overleg", _first_meetings)),
        ),
        Section(
            "Escalatie",
            "De escalatieladders en routes.",
            (row("Ladders", _ladders), row("Routes", _routes)),
        ),
    ]
    columns = tuple(
        Column(
            p.id,
            p.header.title,
            p.header.publisher or "",
            p.header.region or "",
            p.header.school_year or "",
        )
        for p in ps
    )
    return Comparison(columns, tuple(sections))


# ---------------------------------------------------------------------- diff mode


@attrs.frozen
class Change:
    kind: str  # "nieuw", "vervallen", "gewijzigd"
    what: str  # "regel", "actor", ...
    id: str
    title: str
    details: tuple[tuple[str, str, str], ...] = ()  # (aspect, old, new)


def _rule_aspects(p: Protocol, r: ir.Rule | ir.Classification) -> dict[str, str]:
    namer = _namer(p)
    aspects = {
        "titel": r.title,
        "wanneer": wording.triggers_text(r.triggers, namer),
        "als": wording.conditions_text(r.conditions, namer),
        "bron": r.source or "",
    }
    actions = _all_actions(r) if isinstance(r, ir.Rule) else list(r.actions)
    for n, a in enumerate(actions, 1):
        duo = f" [{p.duo_category(a.duo.last).name}]" if a.duo is not None else ""
        deadline = wording.deadline_text(a.deadline)
        aspects[f"actie {n}"] = (
            f"{_actor(p, a.actor)} {wording.modality_text(a.modality)} {a.text}"
            f"{' ' + deadline if deadline else ''}{duo}"
        )
    if isinstance(r, ir.Rule):
        aspects["daarna"] = ", ".join(wording.repeat_text(r.repeat))
    else:
        aspects["kleur"] = r.colour or ""
    return aspects


def _named(p: Protocol) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    out: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    for r in p.rules:
        out[("regel", r.id)] = (r.title, _rule_aspects(p, r))
    for c in p.classifications:
        out[("classificatie", c.id)] = (c.title, _rule_aspects(p, c))
    for a in p.actors:
        out[("actor", a.id)] = (
            a.name,
            {"naam": a.name, "rollen": ", ".join(r.name for r in a.roles)},
        )
    for m in p.meetings:
        freq = (
            wording.quantity(m.frequency.value, m.frequency.unit)
            if m.frequency
            else m.frequency_text or ""
        )
        out[("overleg", m.id)] = (m.name, {"naam": m.name, "frequentie": freq})
    for lad in p.ladders:
        out[("ladder", lad.id)] = (lad.title, {"stappen": " → ".join(s.title for s in lad.steps)})
    for d in p.desks:
        out[("meldpunt", d.id)] = (
            d.name,
            {"gemeenten": ", ".join(d.municipalities), "contact": d.contact or ""},
        )
    return out


def diff(old: Protocol, new: Protocol) -> tuple[Change, ...]:
    """What changed from one version of a protocol to the next, in source order of the new one."""
    before, after = _named(old), _named(new)
    changes: list[Change] = []
    for key, (title, aspects) in after.items():
        if key not in before:
            changes.append(Change("nieuw", key[0], key[1], title))
            continue
        _, old_aspects = before[key]
        details = tuple(
            (aspect, old_aspects.get(aspect, ""), aspects.get(aspect, ""))
            for aspect in dict.fromkeys([*old_aspects, *aspects])
            if old_aspects.get(aspect, "") != aspects.get(aspect, "")
        )
        if details:
            changes.append(Change("gewijzigd", key[0], key[1], title, details))
    for key, (title, _) in before.items():
        if key not in after:
            changes.append(Change("vervallen", key[0], key[1], title))
    return tuple(changes)
