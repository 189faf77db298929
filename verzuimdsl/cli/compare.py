"""`vzc compare`: regions side by side, or what changed between two versions of one protocol."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..check import check_file
from ..compare import compare as build_comparison
from ..compare import diff as build_diff
from ..diagnostics import has_errors, render_human
from ..protocol import Protocol
from ..templating import environment
from . import EXIT_OK, EXIT_PROBLEMS
from .options import root_option


def _load(path: Path, root: Path | None) -> Protocol | None:
    result = check_file(path, root)
    if has_errors(result.diagnostics) or result.protocol is None:
        click.echo(render_human(result.diagnostics, result.sources), err=True)
        return None
    return result.protocol


def _write(text: str, path: Path | None) -> None:
    if path is None:
        click.echo(text, nl=False)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"geschreven: {path}", err=True)


@click.command()
@click.argument(
    "protocols",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--diff", "diff_mode", is_flag=True, help="Twee versies van één protocol: wat is er veranderd?"
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Map voor compare.md en compare.html (of diff.md).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default="md",
    show_default=True,
    help="Uitvoer op het scherm zonder -o.",
)
@root_option
def compare(
    protocols: tuple[Path, ...], diff_mode: bool, output: Path | None, fmt: str, root: Path | None
) -> None:
    """Zet regio's naast elkaar voor dezelfde situatie.

    Met --diff: OUD NIEUW, de verschillen tussen twee versies van één protocol.
    """
    if diff_mode and len(protocols) != 2:
        raise click.UsageError(
            "--diff vergelijkt precies twee versies: vzc compare --diff OUD.vz NIEUW.vz"
        )
    if not diff_mode and len(protocols) < 2:
        raise click.UsageError("geef minstens twee protocollen om te vergelijken")
    loaded = [_load(p, root) for p in protocols]
    if any(p is None for p in loaded):
        sys.exit(EXIT_PROBLEMS)
    ps = [p for p in loaded if p is not None]
    if diff_mode:
        old, new = ps
        text = (
            environment("md")
            .get_template("diff.md.j2")
            .render(old=old.header, new=new.header, changes=build_diff(old, new))
        )
        _write(text, output / "diff.md" if output else None)
        sys.exit(EXIT_OK)
    comparison = build_comparison(ps)
    for kind in ("md", "html"):
        if output is None and kind != fmt:
            continue
        text = (
            environment(kind)
            .get_template(f"compare.{kind}.j2")
            .render(columns=comparison.columns, sections=comparison.sections)
        )
        _write(text, output / f"compare.{kind}" if output else None)
    sys.exit(EXIT_OK)
