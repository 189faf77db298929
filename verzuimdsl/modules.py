"""Finding, reading and ordering the modules a protocol uses (`gebruikt`).

Module `nl.leerplichtwet` is `<root>/nl/leerplichtwet.vz`, or `<root>/nl/leerplichtwet/protocol.vz`
for a protocol kept as a folder. Imports are looked up below the protocol root only.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

import attrs

from . import ir
from .diagnostics import Diagnostic
from .lower import lower
from .parser import parse
from .source import SourceFile, display_path


def find_root(path: Path) -> Path:
    """The protocol root: the nearest folder holding the national base `nl/`, else the file's folder."""
    start = path.resolve().parent
    for folder in (start, *start.parents):
        if (folder / "nl").is_dir():
            return folder
    return start


def module_name(path: Path, root: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        return path.stem
    parts = list(rel.with_suffix("").parts)
    if len(parts) > 1 and parts[-1] == "protocol":
        parts = parts[:-1]
    return ".".join(parts)


def _candidates(root: Path, name: str) -> list[Path]:
    base = root.joinpath(*name.split("."))
    return [base.with_suffix(".vz"), base / "protocol.vz"]


def _all_module_names(root: Path) -> list[str]:
    names = []
    for p in sorted(root.rglob("*.vz")):
        names.append(module_name(p, root))
    return names


@attrs.define
class ModuleSet:
    """The parsed modules of one protocol, imports first, the main module last."""

    root: Path
    modules: list[ir.Module] = attrs.Factory(list)
    sources: dict[str, SourceFile] = attrs.Factory(dict)
    diagnostics: list[Diagnostic] = attrs.Factory(list)

    @property
    def main(self) -> ir.Module | None:
        return self.modules[-1] if self.modules else None


def parse_module(source: SourceFile, name: str) -> tuple[ir.Module, list[Diagnostic]]:
    """Parse and lower one file. Results are cached by path and content: every region uses
    the same national base, and a batch, a comparison or a render loads it many times."""
    module, diagnostics = _parse_cached(source.path, source.text, name)
    return module, list(diagnostics)


@functools.lru_cache(maxsize=128)
def _parse_cached(path: str, text: str, name: str) -> tuple[ir.Module, tuple[Diagnostic, ...]]:
    source = SourceFile(path, text)
    tree, diagnostics = parse(source)
    module, lower_diags = lower(tree, source, name) if tree is not None else (None, [])
    if module is None:
        module = ir.Module(name=name, path=source.path, header=None, items=())
    return module, tuple(diagnostics + lower_diags)


def clear_cache() -> None:
    """Forget parsed modules (benchmarks measure the full cost with it)."""
    _parse_cached.cache_clear()



def load_modules(main: SourceFile, root: Path, main_name: str) -> ModuleSet:
    """Parse the main module and everything it uses, depth first, reporting cycles once."""
    result = ModuleSet(root=root)
    result.sources[main.path] = main
    done: dict[str, ir.Module] = {}
    root_resolved = root.resolve()

    def visit(module: ir.Module, stack: list[str]) -> None:
        if module.header is None:
            return
        for ref in module.header.uses:
            name = str(ref)
            if name in stack:
                cycle = " -> ".join([*stack[stack.index(name) :], name])
                result.diagnostics.append(Diagnostic("VZ013", ref.span, {"cycle": cycle}))
                continue
            if name in done:
                continue
            path = next((p for p in _candidates(root, name) if p.is_file()), None)
            if path is None:
                suggestion = difflib.get_close_matches(name, _all_module_names(root), n=1)
                result.diagnostics.append(
                    Diagnostic(
                        "VZ014",
                        ref.span,
                        {
                            "name": name,
                            "path": display_path(_candidates(root, name)[0]),
                            "suggestion": suggestion[0] if suggestion else "",
                        },
                    )
                )
                continue
            if not path.resolve().is_relative_to(root_resolved):
                result.diagnostics.append(
                    Diagnostic("VZ015", ref.span, {"name": name, "root": display_path(root)})
                )
                continue
            try:
                source = SourceFile.read(path, display_path(path))
            except (OSError, UnicodeDecodeError) as exc:
                result.diagnostics.append(
                    Diagnostic("VZ005", ref.span, {"path": display_path(path), "reason": str(exc)})
                )
                continue
            result.sources[source.path] = source
            imported, diags = parse_module(source, name)
            result.diagnostics.extend(diags)
            done[name] = imported
            visit(imported, [*stack, name])
            result.modules.append(imported)

    main_module, diags = parse_module(main, main_name)
    result.diagnostics.extend(diags)
    if main_module.header is None and not any(
        d.code in ("VZ001", "VZ002", "VZ003", "VZ004") for d in diags
    ):
        result.diagnostics.append(
            Diagnostic(
                "VZ006",
                main.span(0, min(len(main.text), len(main.text.split("\n", 1)[0]) or 1)),
                {
                    "problem": "dit bestand heeft geen protocolkop",
                    "problem_en": "this file has no protocol header",
                },
            )
        )
    visit(main_module, [main_name])
    result.modules.append(main_module)
    return result
