"""`vzc simulate`: the workload a protocol creates for a synthetic population over a year."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from . import EXIT_OK
from .options import root_option
from .run import load_protocol


@click.command()
@click.argument("protocol", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pupils", "--leerlingen", "pupils", type=click.IntRange(min=1), default=25000, show_default=True, help="Aantal leerlingen.")
@click.option("--seed", type=int, default=1, show_default=True, help="Zaadwaarde: dezelfde seed geeft dezelfde populatie.")
@click.option("--regio", "region", type=click.Choice(["noord", "midden", "zuid"]), default=None, help="Vakantieregio (standaard: die van het protocol, anders midden).")
@click.option("--schooljaar", "school_year", default=None, help="Schooljaar, bijv. 2025-2026 (standaard: dat van het protocol).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Aantal processen (standaard: alle kernen).")
@click.option("--timelines", "timelines_out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Schrijf de gegenereerde tijdlijnen ook als JSONL (voor vzc run of de benchmark).")
@root_option
def simulate(protocol: Path, pupils: int, seed: int, region: str | None, school_year: str | None, fmt: str, jobs: int | None, timelines_out: Path | None, root: Path | None) -> None:
    """Simuleer een populatie en toon wat het protocol over een schooljaar vraagt.

    Meldingen per DUO-categorie, acties per actor en regel, thuiszitters en andere
    classificaties, en de acties per maand.
    """
    from ..calendar import CalendarError
    from ..interpreter.batch import default_workers
    from ..simulate import generate, report_json, report_table
    from ..simulate import simulate as run_simulation

    proto = load_protocol(protocol, root)
    try:
        pop, tally = run_simulation(proto, pupils, seed, region=region, school_year=school_year, workers=jobs or default_workers())
    except CalendarError as exc:
        raise click.UsageError(str(exc)) from None
    if timelines_out is not None:
        with timelines_out.open("wb") as f:
            for tl in generate(pop, pupils, seed):
                f.write(orjson.dumps(tl.to_json()) + b"\n")
    if fmt == "json":
        click.echo(orjson.dumps(report_json(proto, pop, tally, seed), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(report_table(proto, pop, tally, seed), nl=False)
    sys.exit(EXIT_OK)
