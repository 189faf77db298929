"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

lang_option = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Taal van de meldingen.",
)

root_option = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Protocolmap waarin `gebruikt` zoekt (standaard: de map met nl/).",
)


def protocol_files(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; a folder stands for every protocol below it, in sorted order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.rglob("*.vz")))
        else:
            out.append(p)
    return out
