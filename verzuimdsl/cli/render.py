"""`vzc render`: protocols become stroomschema's and handbooks in generated/<id>/.

`--check` renders in memory and compares with what is on disk, so CI can fail on a stale
generated/ folder. Errors are Dutch sentences with an exit code, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..check import check_file
from ..diagnostics import render_human
from . import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from .options import lang_option, protocol_files, root_option

FORMATS = ("md", "html", "pdf", "dot", "svg", "png")


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"onbekend formaat {', '.join(unknown) or '(leeg)'}; kies uit {', '.join(FORMATS)}",
            param_hint="--formats",
        )
    return chosen


@click.command()
@click.argument("protocols", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Uitvoermap. Eén protocol: de map zelf (standaard generated/<id>/). "
    "Meer protocols of een map: een submap per protocol-id.",
)
@click.option(
    "--check", "check_only", is_flag=True, help="Schrijf niets; faal als generated/ verouderd is."
)
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Map met eigen sjablonen die de meegeleverde vervangen (zelfde bestandsnamen).",
)
@click.option(
    "--formats",
    "formats",
    default=",".join(FORMATS),
    show_default=True,
    help="Welke uitvoer, komma-gescheiden.",
)
@lang_option
@root_option
def render(
    protocols: tuple[Path, ...],
    output: Path | None,
    check_only: bool,
    templates: Path | None,
    formats: str,
    lang: str,
    root: Path | None,
) -> None:
    """Maak stroomschema's en het handboek van protocollen (Markdown, HTML, PDF, DOT, SVG, PNG).

    Een map staat voor alle .vz-bestanden eronder.
    """
    from ..render import render_files, stale_files, write_files
    from ..render.graphviz_runner import GraphvizError
    from ..render.handbook import TemplateProblem

    try:
        chosen = _formats(formats)
    except click.BadParameter as exc:
        click.echo(f"fout: --formats: {exc.message}", err=True)
        sys.exit(EXIT_USAGE)
    files = protocol_files(protocols)
    if not files:
        click.echo("fout: geen .vz-bestanden gevonden", err=True)
        sys.exit(EXIT_USAGE)
    per_protocol = len(files) > 1 or any(p.is_dir() for p in protocols)
    failed = False
    stale_count = 0
    for path in files:
        result = check_file(path, root)
        if not result.ok or result.protocol is None:
            click.echo(render_human(result.diagnostics, result.sources, lang), err=True)
            click.echo(f"{path}: niet gerenderd, het protocol bevat fouten", err=True)
            failed = True
            continue
        protocol = result.protocol
        if output is None:
            out_dir = Path("generated") / protocol.id
        else:
            out_dir = output / protocol.id if per_protocol else output
        try:
            rendered = render_files(protocol, chosen, templates, layout_bytes=not check_only)
        except GraphvizError as exc:
            click.echo(f"fout: {exc}", err=True)
            sys.exit(EXIT_PROBLEMS)
        except TemplateProblem as exc:
            click.echo(f"fout in sjabloon: {exc}", err=True)
            failed = True
            continue
        if check_only:
            stale = stale_files(out_dir, rendered)
            for item in stale:
                click.echo(f"{item.path}: {item.reason}")
            stale_count += len(stale)
            continue
        written = write_files(out_dir, rendered)
        click.echo(
            f"{protocol.id}: {len(rendered)} bestanden in {out_dir}/ ({len(written)} gewijzigd)"
        )
    if check_only and stale_count:
        click.echo(
            f"{stale_count} {'bestand is' if stale_count == 1 else 'bestanden zijn'} verouderd; "
            "draai `vzc render` opnieuw en commit generated/.",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    if failed:
        sys.exit(EXIT_PROBLEMS)
    sys.exit(EXIT_OK)
