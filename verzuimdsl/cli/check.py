"""`vzc check`: parse and type-check protocols, reporting every problem in one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import ir
from ..check import check_file
from ..diagnostics import Diagnostic, has_errors, render_human, sort_key, summary_line
from ..law import recorded_deviations
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
@click.option(
    "--law",
    is_flag=True,
    help="Toets ook aan de landelijke basis: strenger mag, zwakker niet (tenzij `afwijking`).",
)
@lang_option
@root_option
def check(
    files: tuple[Path, ...], fmt: str, strict: bool, law: bool, lang: str, root: Path | None
) -> None:
    """Controleer protocollen: syntaxis, namen, eenheden en logica.

    Een map staat voor alle .vz-bestanden eronder.
    """
    diagnostics: list[Diagnostic] = []
    sources = {}
    deviations: list[tuple[ir.Rule, str]] = []
    for path in protocol_files(files):
        result = check_file(path, root, law=law)
        diagnostics.extend(result.diagnostics)
        sources.update(result.sources)
        if law and result.protocol is not None:
            deviations.extend(recorded_deviations(result.protocol))
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
        for rule, text in deviations:
            label = "vastgelegde afwijking" if lang == "nl" else "recorded deviation"
            click.echo(f"{rule.span}: {label} in `{rule.id}`: {text}")
        click.echo(summary_line(ordered, lang))
    failed = has_errors(ordered) or (
        strict and any(d.severity is Severity.WARNING for d in ordered)
    )
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)
