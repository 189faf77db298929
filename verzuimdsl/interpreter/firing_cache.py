"""What a firing produces, shared between the pupils of one calendar.

A rule that fires on an event's own day, with the same actions, produces the same output
(JSON bytes, ActionDue objects; both immutable) for every pupil of a calendar: the due
dates follow from the action, the day and the calendar alone. Most firings in a region
are such event firings (a sick report sets off the same duties for everyone), so a batch
builds each once. Firings about a period (a threshold's window) rarely recur and are not
kept. The cache is bounded, so memory stays flat in the number of pupils.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Firing

Key = tuple[Any, ...]


def firing_order(f: Firing) -> tuple[int, int, int]:
    """Output order: day, rule (declaration order), then firing."""
    return (f.o, f.rule.index, f.seq)


class FiringCache:
    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self.count = 0
        self._by_calendar: dict[int, tuple[object, dict[Key, Any]]] = {}

    def table(self, calendar: object) -> dict[Key, Any]:
        """The entries of one calendar, found by identity (hashing a calendar hashes all its
        fields; the calendar is kept alive, so its id is never reused for another)."""
        entry = self._by_calendar.get(id(calendar))
        if entry is None or entry[0] is not calendar:
            entry = self._by_calendar[id(calendar)] = (calendar, {})
        return entry[1]

    @staticmethod
    def key(f: Firing) -> Key | None:
        """The firing's key, or None for a firing about a period."""
        if f.begin != f.o:
            return None
        # a plain rule's actions follow from the rule alone
        acts = None if f.plain else tuple([(id(a), texts) for a, _, texts in f.actions])
        return (f.rule.index, f.o, f.begin, f.end, f.closed, acts)

    def put(self, table: dict[Key, Any], key: Key, value: Any) -> None:
        if self.count < self.limit:
            table[key] = value
            self.count += 1

    def each(
        self,
        firings: Iterable[Firing],
        calendar: object,
        make: Callable[[Firing], Any],
        *,
        cached: bool = True,
    ) -> list[Any]:
        """make(f) for every firing with actions, in output order, from the cache where
        the firing is an event's (and `cached`)."""
        table = self.table(calendar)
        out = []
        for f in sorted(firings, key=firing_order):
            if not f.actions:
                continue
            key = self.key(f) if cached else None
            value = table.get(key) if key is not None else None
            if value is None:
                value = make(f)
                if key is not None:
                    self.put(table, key, value)
            out.append(value)
        return out
