"""`vzc`: a thin command-line adapter over the pure core.

Exit codes are stable: 0 ok, 1 problems found, 2 usage error. Commands are loaded lazily,
each from its own module, so `vzc check` does not import the renderers.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

# command name -> "module:attribute" below verzuimdsl.cli
COMMANDS: dict[str, str] = {
    "check": "check:check",
    "run": "run:run",
    "test": "test:test",
    "simulate": "simulate:simulate",
    "compare": "compare:compare",
    "render": "render:render",
}

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        cmd: click.Command = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="verzuimdsl", prog_name="vzc")
def cli() -> None:
    """vzc: schrijf, controleer, draai en publiceer verzuimprotocollen."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point: no traceback reaches a user unless VZC_DEBUG is set."""
    try:
        return cli.main(args=argv, prog_name="vzc", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("afgebroken", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("VZC_DEBUG"):
            raise
        click.echo(
            f"interne fout in vzc: {type(exc).__name__}: {exc}\n"
            "Dit is een fout in vzc, niet in uw protocol. Draai opnieuw met VZC_DEBUG=1 "
            "voor details en meld het.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
