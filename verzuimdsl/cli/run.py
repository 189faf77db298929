"""`vzc run`: what a protocol demands for one pupil, or for a whole region in batch.

    vzc run PROTOCOL tijdlijn.json [--format table] [--explain]
    vzc run PROTOCOL leerlingen.jsonl -o resultaten.jsonl [--jobs 2]

Problems in a timeline are reported in Dutch with file, line and field; the exit code is 1
when any timeline had problems, 2 for usage errors, 0 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from . import EXIT_OK, EXIT_PROBLEMS
from .options import root_option


def load_protocol(path: Path, root: Path | None):  # type: ignore[no-untyped-def]
    """The checked protocol, or exit 1 after printing its diagnostics as `vzc check` does."""
    from ..check import check_file
    from ..diagnostics import has_errors, render_human

    result = check_file(path, root)
    if result.protocol is None or has_errors(result.diagnostics):
        click.echo(render_human(list(result.diagnostics), result.sources, "nl"), err=True)
        click.echo(f"{path}: het protocol bevat fouten; los die eerst op (vzc check).", err=True)
        sys.exit(EXIT_PROBLEMS)
    return result.protocol


def problem_lines(source: str, problems, text: str | None = None, lang: str = "nl") -> list[str]:  # type: ignore[no-untyped-def]
    """`file:line: path: message` for each problem; the line is found in the JSON text if given."""
    from ..timeline import locate, split_path

    out = []
    for p in problems:
        line = None
        if text is not None and p.path and not p.path.startswith("regel "):
            parts = split_path(p.path)
            while parts and line is None:
                line = locate(text, parts)
                parts = parts[:-1]
        where = f"{source}:{line}" if line else source
        msg = p.message_en if lang == "en" else p.message
        out.append(f"{where}: {p.path}: {msg}" if p.path else f"{where}: {msg}")
    return out


def _is_batch(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


@click.command()
@click.argument("protocol", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("timeline", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Schrijf het resultaat naar dit bestand (standaard: het scherm).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True, help="JSON (vz-result/1) of een leesbare tabel.")
@click.option("--explain", is_flag=True, help="Toon per actie de gebeurtenissen, het venster en de regel die haar deden vallen.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Aantal processen voor een batch (standaard: alle kernen).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Taal van de foutmeldingen.")
@root_option
def run(
    protocol: Path,
    timeline: Path,
    output: Path | None,
    fmt: str,
    explain: bool,
    jobs: int | None,
    lang: str,
    root: Path | None,
) -> None:
    """Draai een protocol over een tijdlijn (.json) of over een batch tijdlijnen (.jsonl).

    Een .jsonl-bestand bevat één tijdlijn per regel; het resultaat is dan ook één
    regel per leerling.
    """
    batch = str(timeline) != "-" and _is_batch(timeline)
    if batch and fmt == "table":
        raise click.UsageError("--format table kan alleen bij één tijdlijn; een batch is altijd JSONL.")
    proto = load_protocol(protocol, root)
    if batch:
        sys.exit(_run_batch(proto, protocol, timeline, output, explain, jobs, lang, root))
    sys.exit(_run_one(proto, timeline, output, fmt, explain, lang))


def _run_one(proto, timeline: Path, output: Path | None, fmt: str, explain: bool, lang: str) -> int:  # type: ignore[no-untyped-def]
    from ..interpreter import run as run_protocol
    from ..timeline import TimelineError

    name = "<stdin>" if str(timeline) == "-" else str(timeline)
    raw = sys.stdin.buffer.read() if str(timeline) == "-" else timeline.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    try:
        result = run_protocol(proto, raw, explain=explain)
    except TimelineError as exc:
        for line in problem_lines(name, exc.problems, text, lang):
            click.echo(line, err=True)
        n = len(exc.problems)
        click.echo(
            f"{n} probleem in de tijdlijn" if n == 1 else f"{n} problemen in de tijdlijn", err=True
        )
        return EXIT_PROBLEMS
    body = result.to_table() if fmt == "table" else result.dumps(indent=True).decode() + "\n"
    if output is not None:
        output.write_text(body, encoding="utf-8")
    else:
        click.echo(body, nl=False)
    return EXIT_OK


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as f:
            return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return None


def _run_batch(  # type: ignore[no-untyped-def]
    proto,
    protocol_path: Path,
    timeline: Path,
    output: Path | None,
    explain: bool,
    jobs: int | None,
    lang: str,
    root: Path | None,
) -> int:
    from ..interpreter.batch import run_jsonl

    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the batch forks its workers
        progress = tqdm(total=_count_lines(timeline), unit=" leerlingen", file=sys.stderr, smoothing=0.1)
    ok = bad = 0
    out: IO[bytes] = output.open("wb") if output is not None else sys.stdout.buffer
    try:
        with timeline.open("rb") as inp:
            for block in run_jsonl(
                proto,
                inp,
                workers=jobs,
                explain=explain,
                protocol_path=str(protocol_path),
                root=str(root) if root else None,
            ):
                out.write(block.output)
                ok += block.ok
                bad += len(block.failed)
                for failure in block.failed:
                    # the line number is the JSONL line; the path names the field
                    for msg in problem_lines(f"{timeline}:{failure.line}", failure.problems, None, lang):
                        click.echo(msg, err=True)
                if progress is not None:
                    progress.update(block.lines)
    finally:
        if progress is not None:
            progress.close()
        if output is not None:
            out.close()
        else:
            out.flush()
    total = ok + bad
    summary = f"{total} tijdlijnen: {ok} verwerkt" + (f", {bad} met problemen" if bad else "")
    if lang == "en":
        summary = f"{total} timelines: {ok} processed" + (f", {bad} with problems" if bad else "")
    click.echo(summary, err=True)
    return EXIT_PROBLEMS if bad else EXIT_OK
