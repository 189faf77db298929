"""`vzc check`: parse and type-check protocols, reporting every problem in one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..check import check_file
from ..diagnostics import Diagnostic, has_errors, render_human, sort_key, summary_line
from ..severity import Severity
from . import EXIT_OK, EXIT_PROBLEMS
from .options import lang_option, protocol_files, root_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["human", "json"]),
    default="human",
    show_default=True,
    help="Uitvoer voor mensen (zoals rustc) of als JSON voor gereedschap.",
)
@click.option("--strict", is_flag=True, help="Waarschuwingen tellen ook als problemen.")
@lang_option
@root_option
def check(files: tuple[Path, ...], fmt: str, strict: bool, lang: str, root: Path | None) -> None:
    """Controleer protocollen: syntaxis, namen, eenheden en logica.

    Een map staat voor alle .vz-bestanden eronder.
    """
    diagnostics: list[Diagnostic] = []
    sources = {}
    for path in protocol_files(files):
        result = check_file(path, root)
        diagnostics.extend(result.diagnostics)
        sources.update(result.sources)
    unique = {(d.code, d.span): d for d in diagnostics}
    ordered = sorted(unique.values(), key=sort_key)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "format": "vz-diagnostics/1",
                    "diagnostics": [d.to_json(lang) for d in ordered],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        if ordered:
            click.echo(render_human(ordered, sources, lang))
            click.echo()
        click.echo(summary_line(ordered, lang), err=not ordered and False)
    failed = has_errors(ordered) or (
        strict and any(d.severity is Severity.WARNING for d in ordered)
    )
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)
