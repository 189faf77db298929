"""`vzc test`: run the protocols' named scenarios and summarise.

    vzc test                       # every *.scenarios.toml below protocols/
    vzc test protocols/parkstad.vz # the scenarios beside one protocol
    vzc test -k herhaal -k lrv     # only scenarios whose name holds every word
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import EXIT_OK, EXIT_PROBLEMS
from .options import root_option


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-k", "filters", multiple=True, help="Alleen scenario's waarvan de naam dit woord bevat (herhaalbaar).")
@click.option("-q", "--quiet", is_flag=True, help="Toon alleen mislukte scenario's en de samenvatting.")
@root_option
def test(paths: tuple[Path, ...], filters: tuple[str, ...], quiet: bool, root: Path | None) -> None:
    """Draai de scenario's van protocollen (<protocol>.scenarios.toml)."""
    from ..diagnostics import DiagnosticError
    from ..scenarios import ScenarioFileError, discover, render_outcome, run_file, summary

    if not paths:
        default = Path("protocols")
        paths = (default if default.is_dir() else Path("."),)
    files = discover(paths)
    if not files:
        click.echo("geen scenario's gevonden (bestanden heten <protocol>.scenarios.toml)", err=True)
        sys.exit(EXIT_PROBLEMS if filters else EXIT_OK)
    outcomes = []
    broken = 0
    cache: dict = {}
    for f in files:
        try:
            results = run_file(f, filters, root, cache)
        except ScenarioFileError as exc:
            broken += 1
            click.echo(f"{f}:", err=True)
            for p in exc.problems:
                click.echo(f"  {p}", err=True)
            continue
        except DiagnosticError as exc:
            broken += 1
            click.echo(f"{f}: het protocol bevat fouten:", err=True)
            click.echo(exc.render("nl"), err=True)
            continue
        if not results:
            continue
        shown = [o for o in results if not (quiet and o.passed)]
        if shown:
            click.echo(str(f))
            for o in shown:
                click.echo(render_outcome(o))
        outcomes.extend(results)
    if filters and not outcomes and not broken:
        click.echo(f"geen scenario's met {' en '.join(repr(x) for x in filters)} in de naam", err=True)
        sys.exit(EXIT_PROBLEMS)
    line = summary(outcomes)
    if broken:
        line += f"; {broken} scenariobestand(en) onleesbaar"
    click.echo(line)
    failed = broken or any(not o.passed for o in outcomes)
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)
