"""Jinja2 in its sandbox: templates format data, they can never reach into Python.

Markdown output escapes what would break a table; HTML output autoescapes, so protocol text
cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jinja2 import FileSystemLoader, PackageLoader, StrictUndefined
from jinja2.loaders import BaseLoader, ChoiceLoader
from jinja2.sandbox import ImmutableSandboxedEnvironment


def md_cell(text: object) -> str:
    """One value inside a Markdown table cell: no pipes, no line breaks."""
    return " ".join(str(text).replace("|", "\\|").split())


def md_cells(items: Iterable[object]) -> str:
    return "<br>".join(md_cell(i) for i in items)


def environment(kind: str, overrides: Path | None = None) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment for `md` or `html` output; `overrides` is searched first."""
    loaders: list[BaseLoader] = []
    if overrides is not None:
        loaders.append(FileSystemLoader(str(overrides)))
    loaders.append(PackageLoader("verzuimdsl", "templates"))
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=kind == "html",
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["cell"] = md_cell
    env.filters["cells"] = md_cells
    return env
