"""Streaming JSONL batches over several processes, with flat memory.

The input is read in blocks of whole lines. Each block goes to a worker as one bytes
object and comes back as one bytes object holding its result lines (plus the few lines
that had problems), so the parent does a constant amount of work per block, not per
pupil. At most a few blocks per worker are in flight, so memory does not grow with the
number of pupils, and results are written in input order. A bad line never stops the
batch: it comes back with its problems and line number.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO, Any

import attrs
import orjson

from ..protocol import Protocol
from ..timeline import Problem, TimelineError, parse_timeline
from . import run_timeline, run_timeline_json
from .compiled import Compiled, compile_protocol

BLOCK_BYTES = 1 << 18  # about 400 pupils a block


@attrs.frozen
class LineResult:
    """A line that could not be run: its 1-based line number and what is wrong."""

    line: int
    problems: tuple[Problem, ...] = ()


@attrs.frozen
class Block:
    """The outcome of a block of input lines."""

    output: bytes  # one vz-result/1 per valid line, in input order, newline-terminated
    lines: int  # input lines in the block, empty ones included
    ok: int  # timelines run
    failed: tuple[LineResult, ...] = ()


def run_line(compiled: Compiled, raw: bytes, explain: bool = False) -> bytes | tuple[Problem, ...]:
    """One JSONL line: the result's JSON, or the problems of the timeline."""
    bounds = None
    tl = None
    if not explain:
        empty, tl, bounds = compiled.prefilter.scan_line(raw)
        if empty is not None:
            return empty
    if tl is None:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return (Problem("", "geen geldige JSON", "not valid JSON"),)
        try:
            tl = parse_timeline(data, compiled.event_types)
        except TimelineError as exc:
            return exc.problems
    if explain:
        return run_timeline(compiled, tl, explain=True).dumps()
    return run_timeline_json(compiled, tl, bounds=bounds)


def run_block(compiled: Compiled, first_line: int, blob: bytes, explain: bool = False) -> Block:
    out: list[bytes] = []
    failed: list[LineResult] = []
    lines = blob.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the block's final newline
    for n, raw in enumerate(lines, start=first_line):
        if not raw or raw.isspace():
            continue
        r = run_line(compiled, raw, explain)
        if type(r) is bytes:
            out.append(r)
        else:
            failed.append(LineResult(n, r))  # type: ignore[arg-type]
    if out:
        out.append(b"")
    return Block(b"\n".join(out), len(lines), len(out) - 1 if out else 0, tuple(failed))


def blocks(source: IO[bytes] | Iterable[bytes], size: int = BLOCK_BYTES) -> Iterator[tuple[int, bytes]]:
    """(first line number, whole lines) from a binary stream or an iterable of lines."""
    line = 1
    read = getattr(source, "read", None)
    if read is not None:
        rest = b""
        while True:
            chunk = read(size)
            if not chunk:
                break
            chunk = rest + chunk
            cut = chunk.rfind(b"\n")
            if cut < 0:
                rest = chunk
                continue
            blob, rest = chunk[: cut + 1], chunk[cut + 1 :]
            yield line, blob
            line += blob.count(b"\n")
        if rest:
            yield line, rest + b"\n"
        return
    pending: list[bytes] = []
    total = 0
    for raw in source:  # type: ignore[union-attr]
        raw = raw.rstrip(b"\r\n")
        pending.append(raw)
        total += len(raw) + 1
        if total >= size:
            yield line, b"\n".join(pending) + b"\n"
            line += len(pending)
            pending, total = [], 0
    if pending:
        yield line, b"\n".join(pending) + b"\n"


# ------------------------------------------------------------------------ worker processes

_WORKER: dict[str, Any] = {}


def _init_worker(protocol: Protocol | None, path: str | None, root: str | None, explain: bool) -> None:
    if protocol is None:
        from ..check import load

        assert path is not None
        protocol = load(path, root)
    _WORKER["compiled"] = compile_protocol(protocol)
    _WORKER["explain"] = explain


def _work(job: tuple[int, bytes]) -> Block:
    return run_block(_WORKER["compiled"], job[0], job[1], _WORKER["explain"])


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_jsonl(
    protocol: Protocol,
    source: IO[bytes] | Iterable[bytes],
    *,
    workers: int | None = None,
    explain: bool = False,
    block_bytes: int = BLOCK_BYTES,
    protocol_path: str | None = None,
    root: str | None = None,
) -> Iterator[Block]:
    """Run every JSONL line (one timeline each); yields Blocks in input order.

    With more than one worker, blocks are spread over a process pool with at most a few
    per worker in flight, so a file of any size streams in constant memory.
    """
    n = workers or default_workers()
    if n <= 1:
        compiled = compile_protocol(protocol)
        for first, blob in blocks(source, block_bytes):
            yield run_block(compiled, first, blob, explain)
        return
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    jobs = blocks(source, block_bytes)
    if ctx.get_start_method() == "fork":
        # the workers inherit what the parent has built: compile here, and run the first
        # block here too, so the calendar and the shared caches exist before the fork
        # (otherwise every worker builds them again at start-up)
        init_args: tuple[Any, ...] = (protocol, None, None, explain)
        compiled = compile_protocol(protocol)
        first = next(jobs, None)
        if first is None:
            return
        yield run_block(compiled, first[0], first[1], explain)
        second = next(jobs, None)
        if second is None:
            return  # one block: no pool needed
        jobs = itertools.chain([second], jobs)
    else:  # spawn: the workers load the protocol themselves
        init_args = (None, protocol_path, root, explain)
    with ctx.Pool(n, initializer=_init_worker, initargs=init_args) as pool:
        inflight: deque[Any] = deque()
        limit = 3 * n
        for job in jobs:
            inflight.append(pool.apply_async(_work, (job,)))
            while len(inflight) >= limit:
                yield inflight.popleft().get()
        while inflight:
            yield inflight.popleft().get()
