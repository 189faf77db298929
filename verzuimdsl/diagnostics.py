"""Diagnostics: collected, never raised one at a time, and rendered rustc-style or as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .messages import CATALOGUE
from .severity import Severity
from .source import NO_SPAN, SourceFile, Span

LANGUAGES = ("nl", "en")


class _Blank(dict):  # type: ignore[type-arg]
    """Leaves unknown template fields empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str | None, args: Mapping[str, Any]) -> str | None:
    if template is None:
        return None
    text = template.format_map(_Blank(args)).strip()
    return text or None


@attrs.frozen
class Diagnostic:
    code: str
    span: Span
    args: Mapping[str, Any] = attrs.field(factory=dict, eq=False)
    help: bool = True  # whether the catalogue's help line applies here
    # secondary places, rustc's `note:` blocks: (Dutch label, English label, span)
    related: tuple[tuple[str, str, Span], ...] = attrs.field(default=(), eq=False)

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def message(self, lang: str = "nl") -> str:
        m = CATALOGUE[self.code]
        return _fill(m.en if lang == "en" else m.nl, self.args) or self.code

    def help_text(self, lang: str = "nl") -> str | None:
        if not self.help:
            return None
        m = CATALOGUE[self.code]
        text = _fill(m.help_en if lang == "en" else m.help_nl, self.args)
        # a help line that points at a missing suggestion says nothing
        if text and "``" in text:
            return None
        return text

    def to_json(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message(lang),
            "help": self.help_text(lang),
            "span": self.span.to_json(),
            "related": [
                {"message": en if lang == "en" else nl, "span": sp.to_json()}
                for nl, en, sp in self.related
            ],
        }


class DiagnosticError(Exception):
    """Raised by the Python API when a protocol does not check; carries every diagnostic."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile]):
        self.diagnostics = tuple(diagnostics)
        self.sources = dict(sources)
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = f"{first.span}: {first.code} {first.message('en')}" if first else "no diagnostics"
        super().__init__(f"{len(errors)} error(s); first: {summary}")

    def render(self, lang: str = "nl") -> str:
        return render_human(self.diagnostics, self.sources, lang)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.span.file, d.span.line, d.span.column, d.code)


# ---------------------------------------------------------------------- rendering


def _snippet(span: Span, source: SourceFile | None, width: int) -> list[str]:
    if source is None or span is NO_SPAN or span.line > len(source.line_starts):
        return []
    text = source.line_text(span.line)
    pad = " " * width
    if span.end_line == span.line:
        length = max(1, span.end_column - span.column)
    else:
        length = max(1, len(text) - span.column + 1)
    # expand tabs consistently so the caret lines up
    prefix = text[: span.column - 1].expandtabs(4)
    shown = text.expandtabs(4)
    caret = " " * len(prefix) + "^" * length
    return [f"{pad} |", f"{span.line:>{width}} | {shown}", f"{pad} | {caret.rstrip()}"]


def render_one(
    d: Diagnostic,
    source: SourceFile | None,
    lang: str = "nl",
    sources: Mapping[str, SourceFile] | None = None,
) -> str:
    lines = [f"{d.severity.label(lang)}[{d.code}]: {d.message(lang)}"]
    width = max(len(str(s.line)) for s in [d.span, *(r[2] for r in d.related)])
    lines.append(f"{' ' * width}--> {d.span}")
    lines.extend(_snippet(d.span, source, width))
    for nl, en, span in d.related:
        lines.append(f"note: {en if lang == 'en' else nl}")
        lines.append(f"{' ' * width}--> {span}")
        lines.extend(_snippet(span, (sources or {}).get(span.file), width))
    help_text = d.help_text(lang)
    if help_text:
        lines.append(f"{' ' * width} = help: {help_text}")
    return "\n".join(lines)


def summary_line(diagnostics: Iterable[Diagnostic], lang: str = "nl") -> str:
    ds = list(diagnostics)
    errors = sum(1 for d in ds if d.severity is Severity.ERROR)
    warnings = len(ds) - errors
    if lang == "en":
        return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return f"{errors} {'fout' if errors == 1 else 'fouten'}, {warnings} {'waarschuwing' if warnings == 1 else 'waarschuwingen'}"


def render_human(
    diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile], lang: str = "nl"
) -> str:
    ds = sorted(diagnostics, key=sort_key)
    blocks = [render_one(d, sources.get(d.span.file), lang, sources) for d in ds]
    return "\n\n".join(blocks)


def render_json(diagnostics: Iterable[Diagnostic], lang: str = "nl") -> str:
    ds = sorted(diagnostics, key=sort_key)
    return json.dumps(
        {"format": "vz-diagnostics/1", "diagnostics": [d.to_json(lang) for d in ds]},
        ensure_ascii=False,
        indent=2,
    )
