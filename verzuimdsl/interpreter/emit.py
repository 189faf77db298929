"""vz-result/1 bytes straight from an engine's firings, without result objects.

A batch spends a third of its time turning firings into ActionDue objects, then into
dicts, then into JSON. Most of an action's JSON never changes between pupils (rule,
actor, text, DUO category, source, ...), so each (rule, action) pair gets its constant
fragments encoded once per compiled protocol, and a pupil only adds dates. The bytes are
the same as `Result.dumps()`: tests compare the two over a simulated population.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import orjson

from ..results import FORMAT

if TYPE_CHECKING:
    from .compiled import CAction, CRule
    from .engine import Engine

_dumps = orjson.dumps
_NULL = b"null"


class Fragments:
    """The constant parts of one action's JSON object, between its dates."""

    __slots__ = ("head", "mid", "tail")

    def __init__(self, rule: CRule, a: CAction) -> None:
        self.head = (  # after "date"
            b',"rule":' + _dumps(rule.id)
            + b',"actor":' + _dumps(a.actor)
            + b',"action":' + _dumps(a.text)
            + b',"modality":' + _dumps(a.modality)
            + b',"due":'
        )
        mid = b""
        if a.clock is not None:
            mid += b',"due_time":' + _dumps(a.clock)
        self.mid = mid + b',"duo":' + _dumps(a.duo) + b',"source":' + _dumps(rule.source)
        tail = b""
        for key, value in (
            ("label", a.label),
            ("exception", a.exception),
            ("document", a.document),
            ("meeting", a.meeting),
            ("step", a.step.ref if a.step is not None else None),
        ):
            if value is not None:
                tail += b',"' + key.encode() + b'":' + _dumps(value)
        if a.recipients:
            tail += b',"recipients":' + _dumps(list(a.recipients))
        if a.copies:
            tail += b',"copies":' + _dumps(list(a.copies))
        self.tail = tail  # before "conditions"


class Emitter:
    """Per compiled protocol: fragments per (rule, action) and quoted dates per day."""

    def __init__(self) -> None:
        self.fragments: dict[tuple[int, int], Fragments] = {}
        self.dates: dict[int, bytes] = {}
        self.conditions: dict[tuple[str, ...], bytes] = {}

    def date(self, o: int | None) -> bytes:
        if o is None:
            return _NULL
        found = self.dates.get(o)
        if found is None:
            found = self.dates[o] = b'"' + date.fromordinal(o).isoformat().encode() + b'"'
        return found

    def result(self, engine: Engine, student: str, as_of: date) -> bytes:
        """The result's JSON, byte for byte as Result.dumps() (not under explain)."""
        q = self.date
        frags = self.fragments
        conds = self.conditions
        keyed: list[tuple[tuple[int, int, int, int], bytes]] = []
        join = b"".join
        for f in engine.firings:
            rule = f.rule
            first = b'{"date":' + q(f.o)
            span = b',"begin":' + q(f.begin) + b',"end":' + q(f.end)
            if f.closed is not None:
                span += b',"closed":' + q(f.closed)
            index, seq = rule.index, f.seq
            for n, (a, due, texts) in enumerate(f.actions):
                fr = frags.get((index, id(a)))
                if fr is None:
                    fr = frags[(index, id(a))] = Fragments(rule, a)
                c = b""
                if texts:
                    c = conds.get(texts)  # type: ignore[assignment]
                    if c is None:
                        c = conds[texts] = b',"conditions":' + _dumps(list(texts))
                keyed.append(
                    (
                        (f.o, index, seq, n),
                        join((first, fr.head, q(due.toordinal()) if due is not None else _NULL, fr.mid, span, fr.tail, c, b"}")),
                    )
                )
        keyed.sort(key=lambda x: x[0])
        spans = [span.to_json() for span in engine.classification_spans()]
        return (
            b'{"format":' + _dumps(FORMAT)
            + b',"protocol":' + _dumps(engine.c.protocol_id)
            + b',"student":' + _dumps(student)
            + b',"as_of":' + _dumps(as_of.isoformat())
            + b',"actions":[' + b",".join(x for _, x in keyed)
            + b'],"classifications":' + _dumps(spans) + b"}"
        )
