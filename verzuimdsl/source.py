"""Source files and spans: every IR node and diagnostic points back into the text."""

from __future__ import annotations

import bisect
import os
from pathlib import Path

import attrs


def display_path(path: Path | str) -> str:
    """Paths in diagnostics are relative to the working directory, so output is portable."""
    try:
        return os.path.relpath(Path(path).resolve(), Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        return str(path)


@attrs.frozen
class SourceFile:
    """A protocol text with a precomputed line table, so spans stay cheap."""

    path: str
    text: str
    line_starts: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                starts.append(i + 1)
        object.__setattr__(self, "line_starts", tuple(starts))

    @classmethod
    def read(cls, path: Path | str, display: str | None = None) -> SourceFile:
        p = Path(path)
        return cls(display or str(p), p.read_text(encoding="utf-8"))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(self.path, start, end, line, col, end_line, end_col)


@attrs.frozen(order=True)
class Span:
    """A half-open character range [start, end) with 1-based line/column of both ends."""

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


NO_SPAN = Span("<intern>", 0, 0, 1, 1, 1, 1)
