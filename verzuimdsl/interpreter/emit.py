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
from .firing_cache import FiringCache

if TYPE_CHECKING:
    from .compiled import CAction, CRule
    from .engine import Engine, Firing

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
    """Per compiled protocol: fragments per (rule, action), quoted dates per day, and the
    JSON of event firings shared between pupils (FiringCache)."""

    def __init__(self) -> None:
        self.fragments: dict[tuple[int, int], Fragments] = {}
        self.dates: dict[int, bytes] = {}
        self.conditions: dict[tuple[str, ...], bytes] = {}
        self.cache = FiringCache()

    def date(self, o: int | None) -> bytes:
        if o is None:
            return _NULL
        found = self.dates.get(o)
        if found is None:
            found = self.dates[o] = b'"' + date.fromordinal(o).isoformat().encode() + b'"'
        return found

    def firing(self, f: Firing) -> bytes:
        """The actions of one firing, comma-separated."""
        q = self.date
        rule = f.rule
        first = b'{"date":' + q(f.o)
        span = b',"begin":' + q(f.begin) + b',"end":' + q(f.end)
        if f.closed is not None:
            span += b',"closed":' + q(f.closed)
        out = []
        for a, due, texts in f.actions:
            fr = self.fragments.get((rule.index, id(a)))
            if fr is None:
                fr = self.fragments[(rule.index, id(a))] = Fragments(rule, a)
            c = b""
            if texts:
                c = self.conditions.get(texts)  # type: ignore[assignment]
                if c is None:
                    c = self.conditions[texts] = b',"conditions":' + _dumps(list(texts))
            due_json = q(due.toordinal()) if due is not None else _NULL
            out.append(b"".join((first, fr.head, due_json, fr.mid, span, fr.tail, c, b"}")))
        return b",".join(out)

    def result(self, engine: Engine, student: str, as_of: date) -> bytes:
        """The result's JSON, byte for byte as Result.dumps() (not under explain).

        Actions are ordered by day, rule, firing and action, so each firing is one run of
        actions; event firings come from the FiringCache.
        """
        chunks = self.cache.each(engine.firings, engine.cal, self.firing)
        spans = [span.to_json() for span in engine.classification_spans()]
        return (
            b'{"format":' + _dumps(FORMAT)
            + b',"protocol":' + _dumps(engine.c.protocol_id)
            + b',"student":' + _dumps(student)
            + b',"as_of":' + _dumps(as_of.isoformat())
            + b',"actions":[' + b",".join(chunks)
            + b'],"classifications":' + _dumps(spans) + b"}"
        )
