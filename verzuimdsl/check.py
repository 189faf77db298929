"""The checking pipeline: read, parse, lower, resolve names, type-check.

Every stage runs even when an earlier one found problems, so one run reports every error.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .diagnostics import Diagnostic, DiagnosticError, has_errors, sort_key
from .modules import find_root, load_modules, module_name
from .protocol import Protocol
from .resolve import resolve
from .source import SourceFile, display_path
from .typecheck import typecheck


@attrs.frozen
class CheckResult:
    protocol: Protocol | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile]

    @property
    def ok(self) -> bool:
        return self.protocol is not None and not has_errors(self.diagnostics)


def check(source: SourceFile, root: Path, name: str, law: bool = False) -> CheckResult:
    """Check one protocol; with `law`, also its conformance with the national base."""
    modules = load_modules(source, root, name)
    diagnostics = list(modules.diagnostics)
    protocol, resolve_diags = resolve(modules)
    diagnostics += resolve_diags
    if protocol is not None:
        diagnostics += typecheck(protocol)
        if law and not has_errors(diagnostics):
            from .law import check_law

            diagnostics += check_law(protocol)
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for d in diagnostics:
        unique.setdefault((d.code, d.span, d.message("nl")), d)
    ordered = tuple(sorted(unique.values(), key=sort_key))
    return CheckResult(protocol, ordered, modules.sources)



def check_file(
    path: Path | str, root: Path | str | None = None, law: bool = False
) -> CheckResult:
    p = Path(path)
    root_path = Path(root) if root is not None else find_root(p)
    try:
        source = SourceFile.read(p, display_path(p))
    except (OSError, UnicodeDecodeError) as exc:
        from .diagnostics import Diagnostic
        from .source import NO_SPAN

        span = NO_SPAN.__class__(display_path(p), 0, 0, 1, 1, 1, 1)
        diag = Diagnostic("VZ005", span, {"path": display_path(p), "reason": str(exc)})
        return CheckResult(None, (diag,), {})
    return check(source, root_path, module_name(p, root_path), law)


def check_source(
    text: str, path: str = "<tekst>", root: Path | str | None = None
) -> list[Diagnostic]:
    """Diagnostics for a protocol given as text; `gebruikt` is looked up below `root`."""
    root_path = Path(root) if root is not None else Path.cwd()
    result = check(SourceFile(path, text), root_path, Path(path).stem or "tekst")
    return list(result.diagnostics)


def load(path: Path | str, root: Path | str | None = None) -> Protocol:
    """A checked protocol, or DiagnosticError carrying every diagnostic."""
    result = check_file(path, root)
    if not result.ok or result.protocol is None:
        raise DiagnosticError(result.diagnostics, result.sources)
    return result.protocol
