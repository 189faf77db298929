"""Run a protocol over pupils' absence timelines.

    result = run(protocol, timeline)            # a Result; result.to_json() is vz-result/1
    for result in run_batch(protocol, lines):   # lazily, one pupil at a time
        ...
    session = Session(protocol, header)         # feed events day by day
    session.add({"date": "2025-09-15", "type": "sick"})
    session.advance("2025-09-19")

The protocol is compiled once (cached per Protocol object); each pupil gets a fresh engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from ..protocol import Protocol
from ..results import ActionDue, Result
from ..timeline import (
    CORE_TYPES,
    Event,
    Problem,
    Timeline,
    TimelineError,
    parse_event,
    parse_header,
    parse_timeline,
)
from .compiled import Compiled, compile_protocol
from .engine import Engine

__all__ = ["Session", "compile_protocol", "run", "run_batch", "run_timeline", "run_timeline_json"]


def _timeline(compiled: Compiled, timeline: Any) -> Timeline:
    if isinstance(timeline, Timeline):
        allowed = set(CORE_TYPES) | set(compiled.event_types)
        bad = [e for e in timeline.events if e.type not in allowed]
        if bad:
            raise TimelineError(
                [
                    Problem(
                        f"events[{e.index}].type",
                        "onbekend soort gebeurtenis voor dit protocol",
                        "event type unknown to this protocol",
                        e.index,
                        "type",
                    )
                    for e in bad
                ]
            )
        return timeline
    return parse_timeline(timeline, compiled.event_types)


def _stepped(
    compiled: Compiled,
    tl: Timeline,
    *,
    explain: bool = False,
    dense: bool = False,
    recompute: bool = False,
    bounds: Any = None,
) -> Engine | None:
    """An engine that has stepped through the timeline up to as_of, or None when the
    prefilter shows that no trigger can be reached (nothing falls due)."""
    active = None
    if not (explain or dense or recompute):
        pf = compiled.prefilter
        if bounds is None:
            active = pf.timeline_active(tl)
        else:
            active = bounds.active
            if active is None:
                from .prefilter import pupil_of

                active = pf.active(bounds, pupil_of(tl))
        if not active:
            return None
    engine = Engine(
        compiled,
        tl.student,
        tl.calendar,
        explain=explain,
        dense=dense,
        recompute=recompute,
        active=active,
        cal=bounds.cal if bounds is not None else None,
    )
    events = tl.events
    if active is not None:  # not the reference: leave out what the engine ignores anyway
        types = compiled.engine_types
        events = [e for e in events if e.type in types]
    for e in sorted(events, key=Event.sort_key):
        engine.add(e)
    engine.advance(tl.as_of)
    return engine


def run_timeline(
    compiled: Compiled,
    tl: Timeline,
    *,
    explain: bool = False,
    dense: bool = False,
    recompute: bool = False,
    bounds: Any = None,
) -> Result:
    """Run a validated timeline; `dense`/`recompute` select the reference stepping (tests, bench).

    Pupils for whom no trigger can be reached get their (empty) result without stepping
    through the year; the reference modes always step, so they stay an independent check.
    """
    engine = _stepped(compiled, tl, explain=explain, dense=dense, recompute=recompute, bounds=bounds)
    if engine is None:
        return Result(protocol=compiled.protocol_id, student=tl.student.id, as_of=tl.as_of)
    return engine.result(tl.as_of)


def run_timeline_json(compiled: Compiled, tl: Timeline, *, bounds: Any = None) -> bytes:
    """The vz-result/1 bytes of `run_timeline(...).dumps()`, without building result
    objects (the batch's path)."""
    engine = _stepped(compiled, tl, bounds=bounds)
    if engine is None:
        return Result(protocol=compiled.protocol_id, student=tl.student.id, as_of=tl.as_of).dumps()
    return compiled.emitter.result(engine, tl.student.id, tl.as_of)


def run(protocol: Protocol, timeline: Any, *, explain: bool = False) -> Result:
    """What the protocol demands for one pupil: a timeline (dict, JSON text or Timeline) in.

    Raises TimelineError (every problem, with event index and field) for bad input.
    """
    compiled = compile_protocol(protocol)
    return run_timeline(compiled, _timeline(compiled, timeline), explain=explain)


def run_batch(
    protocol: Protocol, timelines: Iterable[Any], *, explain: bool = False
) -> Iterator[Result]:
    """Results one by one, in input order, holding one pupil in memory at a time.

    A bad timeline raises TimelineError when its turn comes; use `vzc run` (or
    `verzuimdsl.interpreter.batch`) for error-tolerant, parallel processing of files.
    """
    compiled = compile_protocol(protocol)
    for tl in timelines:
        yield run_timeline(compiled, _timeline(compiled, tl), explain=explain)


def _to_date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise TimelineError(
            [Problem("as_of", "geen datum; schrijf JJJJ-MM-DD", "not a date; write YYYY-MM-DD")]
        ) from None


class Session:
    """An incremental run: feed events as they happen, move the clock, ask what is due.

    `header` is a timeline without events and as_of ({"student": ..., "calendar": ...}).
    Events must be added before the clock passes their date; the results always equal
    `run()` over the same events with as_of = the session's current day.
    """

    def __init__(self, protocol: Protocol, header: Mapping[str, Any], *, explain: bool = False) -> None:
        self.compiled = compile_protocol(protocol)
        self.student, self.calendar = parse_header(header)
        self.engine = Engine(self.compiled, self.student, self.calendar, explain=explain)
        self.today: date | None = None
        self._seen = 0

    def add(self, event: Mapping[str, Any]) -> Event:
        """Validate and add one event (raises TimelineError naming its index and field)."""
        index = self._seen
        ev = parse_event(event, index, self.calendar, self.compiled.event_types)
        if self.today is not None and ev.date <= self.today:
            raise TimelineError(
                [
                    Problem(
                        f"events[{index}].date",
                        "ligt niet na de huidige dag van de sessie; voeg gebeurtenissen toe "
                        "voordat de klok hun datum passeert",
                        "does not lie after the session's current day; add events before "
                        "the clock passes their date",
                        index,
                        "date",
                    )
                ]
            )
        self._seen += 1
        self.engine.add(ev)
        return ev

    def advance(self, to: date | str) -> list[ActionDue]:
        """Move the clock to `to` (inclusive) and return the actions that fell due meanwhile."""
        d = _to_date(to)
        if d > self.calendar.last_day or d < self.calendar.first_day:
            raise TimelineError(
                [
                    Problem(
                        "as_of",
                        f"valt buiten schooljaar {self.calendar.label}",
                        f"lies outside school year {self.calendar.label}",
                    )
                ]
            )
        before = self.today
        if before is not None and d < before:
            raise TimelineError(
                [Problem("as_of", "de klok kan niet terug", "the clock cannot go back")]
            )
        self.engine.advance(d)
        self.today = d
        return [a for a in self.result().actions if before is None or a.date > before]

    def result(self) -> Result:
        if self.today is None:
            raise TimelineError(
                [Problem("as_of", "de sessie is nog niet begonnen; roep advance() aan", "the session has not started; call advance()")]
            )
        return self.engine.result(self.today)

    def due(self, on: date | str | None = None) -> list[ActionDue]:
        """Actions that have fallen due and whose deadline has not passed on `on` (default: today)."""
        day = _to_date(on) if on is not None else self.today
        if day is None:
            return []
        return [
            a
            for a in self.result().actions
            if a.date <= day and (a.due is None or a.due >= day)
        ]
