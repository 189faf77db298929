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
import pickle
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
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
    if not explain:
        empty, tl, bounds = compiled.prefilter.scan_line(raw)
        if empty is not None:
            return empty
        if tl is not None:
            return run_timeline_json(compiled, tl, bounds=bounds)
    return _full_line(compiled, raw, explain)


def _full_line(compiled: Compiled, raw: bytes, explain: bool) -> bytes | tuple[Problem, ...]:
    """A line the fast path did not take (or --explain): the full validation, which finds
    and words every problem."""
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
    return run_timeline_json(compiled, tl)


def run_block(compiled: Compiled, first_line: int, blob: bytes, explain: bool = False) -> Block:
    """Every line of a block, as `run_line` runs them (inlined: this loop is the batch)."""
    out: list[bytes] = []
    failed: list[LineResult] = []
    lines = blob.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the block's final newline
    scan = None if explain else compiled.prefilter.scan_line
    for n, raw in enumerate(lines, start=first_line):
        if scan is not None:
            empty, tl, bounds = scan(raw)
            if empty is not None:
                out.append(empty)
                continue
            if tl is not None:
                out.append(run_timeline_json(compiled, tl, bounds=bounds))
                continue
        if not raw or raw.isspace():
            continue
        r = _full_line(compiled, raw, explain)
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

_PIPE_BYTES = 1 << 20  # room for a few blocks in each pipe, so neither side waits to write
_FRAME = 16  # a job's bytes besides its block: its first line number, the pipe's header


def _widen(conn: Connection) -> int:
    """Make a pipe hold a few blocks (Linux), so a block can wait in it while the worker
    finishes the one before; the pipe's size, or 0 where it is not known."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
        return int(fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032)))
    except (ImportError, OSError):  # pragma: no cover - not Linux, or over the user's pipe limit
        return 0


def _worker(
    jobs: Connection,
    results: Connection,
    parents_ends: list[int],
    protocol: Protocol | None,
    path: str | None,
    root: str | None,
    explain: bool,
) -> None:
    """A worker's loop: a block in, its Block out, until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    for fd in parents_ends:  # forked: without this the pipes never reach EOF
        os.close(fd)
    if protocol is None:  # spawned, not forked: load the protocol here
        from ..check import load

        assert path is not None
        protocol = load(path, root)
    compiled = compile_protocol(protocol)
    while True:
        try:
            msg = jobs.recv_bytes()
        except EOFError:
            return
        first = int.from_bytes(msg[:8], "little")
        try:
            reply: Any = run_block(compiled, first, msg[8:], explain)
        except Exception as exc:  # a bug: raise it in the parent
            reply = exc
        try:
            results.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the parent stopped reading (it stopped early): stop too
            return


def _stopped(worker: int) -> RuntimeError:
    return RuntimeError(f"werkproces {worker + 1} van de batch is onverwacht gestopt (te weinig geheugen?)")


class _Pool:
    """n worker processes, each fed through its own pipe, with no threads in the parent.

    (multiprocessing.Pool's feeder and collector threads fight the parent's own work for
    the GIL and the cores; here the parent writes jobs and reads results itself.)

    The parent must never wait to write a job while a worker waits to write a result (a
    deadlock): a job goes to a worker only if it fits in what is free of the worker's pipe,
    or if the worker has nothing left to hand back (it is then reading its pipe).
    """

    def __init__(self, ctx: Any, n: int, args: tuple[Any, ...]) -> None:
        self.jobs: list[Connection] = []
        self.results: list[Connection] = []
        self.procs: list[Any] = []
        self.room: list[int] = []  # each job pipe's size (0: unknown)
        self.waiting: list[deque[int]] = []  # each worker's jobs not yet answered, in bytes
        forked = ctx.get_start_method() == "fork"
        for _ in range(n):
            job_r, job_w = ctx.Pipe(duplex=False)
            res_r, res_w = ctx.Pipe(duplex=False)
            self.room.append(_widen(job_w))
            self.waiting.append(deque())
            _widen(res_w)
            # a forked worker inherits every pipe end the parent holds; it closes them
            ends = [c.fileno() for c in (*self.jobs, *self.results, job_w, res_r)] if forked else []
            proc = ctx.Process(target=_worker, args=(job_r, res_w, ends, *args), daemon=True)
            proc.start()
            job_r.close()
            res_w.close()
            self.jobs.append(job_w)
            self.results.append(res_r)
            self.procs.append(proc)

    def takes(self, worker: int, blob: bytes) -> bool:
        """Whether sending this block to the worker cannot wait on the worker."""
        waiting = self.waiting[worker]
        return not waiting or sum(waiting) + len(blob) + _FRAME <= self.room[worker]

    def send(self, worker: int, first: int, blob: bytes) -> None:
        try:
            self.jobs[worker].send_bytes(first.to_bytes(8, "little") + blob)
        except OSError:  # its end of the pipe is gone
            raise _stopped(worker) from None
        self.waiting[worker].append(len(blob) + _FRAME)

    def ready(self, timeout: float | None) -> list[int]:
        """The workers with a result waiting (waits up to `timeout`; None: until one has)."""
        conns = connection_wait(self.results, timeout)
        return [self.results.index(c) for c in conns]  # type: ignore[arg-type]

    def receive(self, worker: int) -> Block:
        try:
            reply = pickle.loads(self.results[worker].recv_bytes())
        except EOFError:
            raise _stopped(worker) from None
        self.waiting[worker].popleft()
        if isinstance(reply, BaseException):
            raise reply
        return reply  # type: ignore[no-any-return]

    def close(self) -> None:
        for conn in (*self.jobs, *self.results):
            conn.close()  # the workers see EOF (or cannot send) and return
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():  # pragma: no cover - a worker stuck in a block
                proc.terminate()
                proc.join()


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

    With more than one worker, blocks are spread over worker processes with at most a
    few per worker in flight, so a file of any size streams in constant memory.
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
        args: tuple[Any, ...] = (protocol, None, None, explain)
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
        args = (None, protocol_path, root, explain)
    pool = _Pool(ctx, n, args)
    try:
        depth = 3  # blocks queued per worker: enough that none waits for the next
        limit = 2 * depth * n  # blocks sent but not yet yielded
        order: deque[int] = deque()  # the worker of each block in flight, in input order
        done: list[deque[Block]] = [deque() for _ in range(n)]

        def collect(timeout: float | None) -> None:
            for w in pool.ready(timeout):
                done[w].append(pool.receive(w))

        for first_line, blob in jobs:
            while True:
                # the least busy worker that can take the block without waiting on it
                free = [w for w in range(n) if len(pool.waiting[w]) < depth and pool.takes(w, blob)]
                if free and len(order) < limit:
                    break
                # else wait: for a worker's answer, or for an earlier, slower block while too
                # many wait behind it (memory stays bounded whatever the blocks cost)
                if done[order[0]]:
                    yield done[order.popleft()].popleft()
                else:
                    collect(None)
            w = min(free, key=lambda x: len(pool.waiting[x]))
            pool.send(w, first_line, blob)
            order.append(w)
            collect(0)
            while order and done[order[0]]:
                yield done[order.popleft()].popleft()
        while order:
            w = order.popleft()
            while not done[w]:
                collect(None)
            yield done[w].popleft()
    finally:
        pool.close()
