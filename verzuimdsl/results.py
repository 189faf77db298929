"""Results of running a protocol: the public `vz-result/1` contract (docs/result.md).

Results are plain frozen values built once at the end of a run, so they serialise the
same way every time: same input, byte-identical JSON. Display names (for the table) travel
with the result, so rendering needs no protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import orjson

FORMAT = "vz-result/1"

_MODALITY_NL = {"must": "moet", "should": "zou moeten", "may": "kan"}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


@attrs.frozen(slots=False)
class ActionDue:
    """One action that fell due: who must do what, by when, and why.

    Built by the engine for every action of a run (a heavy pupil gets hundreds), so built
    cheaply: positionally (in field order), and without __slots__ (a frozen slotted class
    sets each field through object.__setattr__, a dict-backed one writes its __dict__).
    Together that is about twice as fast."""

    date: date
    rule: str
    actor: str
    action: str
    modality: str  # must | should | may
    due: date | None
    duo: str | None
    source: str | None
    begin: date | None = None
    end: date | None = None
    due_time: str | None = None
    label: str | None = None
    exception: str | None = None
    recipients: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()
    document: str | None = None
    meeting: str | None = None
    step: str | None = None
    conditions: tuple[str, ...] = ()
    closed: date | None = None
    explain: Mapping[str, Any] | None = attrs.field(default=None, eq=False)
    # display only (the table), not part of the JSON contract
    actor_name: str = attrs.field(default="", eq=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": self.date.isoformat(),
            "rule": self.rule,
            "actor": self.actor,
            "action": self.action,
            "modality": self.modality,
            "due": _iso(self.due),
        }
        if self.due_time is not None:
            out["due_time"] = self.due_time
        out["duo"] = self.duo
        out["source"] = self.source
        out["begin"] = _iso(self.begin)
        out["end"] = _iso(self.end)
        if self.closed is not None:
            out["closed"] = self.closed.isoformat()
        for key in ("label", "exception", "document", "meeting", "step"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.recipients:
            out["recipients"] = list(self.recipients)
        if self.copies:
            out["copies"] = list(self.copies)
        if self.conditions:
            out["conditions"] = list(self.conditions)
        if self.explain is not None:
            out["explain"] = dict(self.explain)
        return out


@attrs.frozen(kw_only=True)
class ClassificationSpan:
    """A state (thuiszitter, RUW oranje, ...) that held from `start` until `until` (inclusive)."""

    start: date
    until: date | None  # None: still holds on as_of
    label: str
    name: str = ""
    colour: str | None = None
    group: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "from": self.start.isoformat(),
            "until": _iso(self.until),
            "label": self.label,
            "name": self.name,
        }
        if self.colour is not None:
            out["colour"] = self.colour
        if self.group is not None:
            out["group"] = self.group
        return out


@attrs.frozen(kw_only=True)
class WithheldAction:
    """An action that would have fallen due but did not, and why (shown under --explain)."""

    date: date
    rule: str
    actor: str
    action: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "rule": self.rule,
            "actor": self.actor,
            "action": self.action,
            "reason": self.reason,
        }


@attrs.frozen(kw_only=True)
class Result:
    """What a protocol demands for one pupil up to `as_of`."""

    protocol: str
    student: str
    as_of: date
    actions: tuple[ActionDue, ...] = ()
    classifications: tuple[ClassificationSpan, ...] = ()
    withheld: tuple[WithheldAction, ...] | None = None  # only with explain

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "protocol": self.protocol,
            "student": self.student,
            "as_of": self.as_of.isoformat(),
            "actions": [a.to_json() for a in self.actions],
            "classifications": [c.to_json() for c in self.classifications],
        }
        if self.withheld is not None:
            out["withheld"] = [w.to_json() for w in self.withheld]
        return out

    def dumps(self, *, indent: bool = False) -> bytes:
        """The JSON bytes; deterministic (keys in contract order, no floats, no sets)."""
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(self.to_json(), option=option)

    def to_table(self) -> str:
        return to_table(self)


def _cell(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return lines


def to_table(result: Result) -> str:
    """A readable Dutch table: actions in date order, then the classifications."""
    lines = [
        f"Protocol {result.protocol} · leerling {result.student} · peildatum "
        f"{_cell(result.as_of)}",
        "",
    ]
    if result.actions:
        rows = []
        for a in result.actions:
            due = _cell(a.due) + (f" {a.due_time}" if a.due_time else "")
            text = a.action + (f" [indien: {'; '.join(a.conditions)}]" if a.conditions else "")
            rows.append(
                [
                    _cell(a.date),
                    a.actor_name or a.actor,
                    _MODALITY_NL.get(a.modality, a.modality),
                    text,
                    due,
                    _cell(a.duo),
                    a.rule,
                ]
            )
        lines += _grid(["datum", "wie", "moet", "actie", "uiterlijk", "DUO", "regel"], rows)
    else:
        lines.append("Geen acties.")
    if result.classifications:
        lines.append("")
        rows = [
            [
                _cell(c.start),
                _cell(c.until) if c.until else "nu nog",
                c.name or c.label,
                _cell(c.colour),
            ]
            for c in result.classifications
        ]
        lines += _grid(["van", "tot en met", "classificatie", "kleur"], rows)
    if result.withheld:
        lines.append("")
        lines.append("Niet (nog) aan de orde:")
        for w in result.withheld:
            lines.append(f"  {_cell(w.date)}  {w.rule}: {w.action} ({w.reason})")
    return "\n".join(lines) + "\n"
