"""Parsing `.vz` text with Lark (LALR, strict), turning syntax errors into diagnostics.

A file that parses in one go takes the fast path. Otherwise every top-level declaration is
parsed on its own, with its character positions preserved, so that each broken declaration
yields one precise error and the healthy ones are still lowered and checked.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic
from .source import SourceFile

GRAMMAR_PATH = Path(__file__).resolve().parent / "grammar" / "vz.lark"

TOP_LEVEL_KEYWORDS = (
    "protocol",
    "actor",
    "soort",
    "duocategorie",
    "gebeurtenis",
    "regel",
    "classificatie",
    "ladder",
    "route",
    "overleg",
    "stroomschema",
    "meldpunt",
    "toon",
)
_CHUNK_START = re.compile(r"^(?:(?:" + "|".join(TOP_LEVEL_KEYWORDS) + r")\b|#|\"\"\")")

_TERMINAL_NAMES_NL = {
    "IDENT": "een naam (kleine letters, cijfers en _)",
    "STRING": 'een tekst tussen "aanhalingstekens"',
    "PROSE": 'een tekstblok tussen """',
    "NUMBER": "een getal",
    "ORDINAL": "een rangtelwoord zoals 4e",
    "SCHOOLYEAR": "een schooljaar zoals 2025-2026",
    "TIME": "een tijd zoals 10:00",
    "HEADING": "een kop (# ...)",
    "$END": "het einde van het bestand",
}
_TERMINAL_NAMES_EN = {
    "IDENT": "a name (lower-case letters, digits and _)",
    "STRING": 'a text in "quotes"',
    "PROSE": 'a text block in """',
    "NUMBER": "a number",
    "ORDINAL": "an ordinal such as 4e",
    "SCHOOLYEAR": "a school year such as 2025-2026",
    "TIME": "a time such as 10:00",
    "HEADING": "a heading (# ...)",
    "$END": "the end of the file",
}


def _cache_file(text: str) -> str | bool:
    """Where Lark keeps the analysed grammar between runs (a new process would otherwise
    spend ~200 ms building the LALR tables): a private folder of the user's own, never the
    shared /tmp, because Lark reads the file back with pickle. Without one, no cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "verzuimdsl")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.stat(folder)
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
    except (OSError, AttributeError):
        return False
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return os.path.join(folder, f"vz-{digest}-lark{lark.__version__}.cache")


@functools.lru_cache(maxsize=1)
def grammar() -> Lark:
    text = GRAMMAR_PATH.read_text(encoding="utf-8")
    return Lark(
        text,
        parser="lalr",
        strict=True,
        propagate_positions=True,
        maybe_placeholders=True,
        cache=_cache_file(text),
    )


def _literal(name: str) -> str | None:
    """The literal text of a keyword or punctuation terminal, if it is one."""
    try:
        term = grammar().get_terminal(name)
    except KeyError:
        return None
    if term.pattern.type == "str":
        return str(term.pattern.value)
    return None


def describe_terminal(name: str, lang: str) -> str:
    names = _TERMINAL_NAMES_EN if lang == "en" else _TERMINAL_NAMES_NL
    if name in names:
        return names[name]
    lit = _literal(name)
    return f"`{lit}`" if lit is not None else name


def describe_expected(names: set[str] | frozenset[str], lang: str) -> str:
    from .units import WORDS

    units = {n for n in names if _literal(n) in WORDS}
    shown = sorted({describe_terminal(n, lang) for n in names if n not in units})
    if units:
        shown.insert(
            0,
            "een eenheid zoals `werkdagen` of `schoolweken`"
            if lang != "en"
            else "a unit such as `werkdagen` or `schoolweken`",
        )
    keywords = [s for s in shown if s.startswith("`")]
    others = [s for s in shown if not s.startswith("`")]  # descriptions first, then keywords
    items = others + keywords
    if len(items) > 8:
        more = len(items) - 8
        items = items[:8] + [f"nog {more} andere" if lang != "en" else f"{more} more"]
    joiner = " of " if lang != "en" else " or "
    return ", ".join(items[:-1]) + joiner + items[-1] if len(items) > 1 else "".join(items)


def _describe_found(token: Token, lang: str) -> str:
    if token.type == "$END":
        return "einde van het bestand" if lang != "en" else "end of file"
    if token.type == "STRING":
        return f"tekst {token.value}" if lang != "en" else f"text {token.value}"
    if token.type == "IDENT":
        return f"naam `{token.value}`" if lang != "en" else f"name `{token.value}`"
    if token.type in ("NUMBER", "ORDINAL"):
        return f"getal `{token.value}`" if lang != "en" else f"number `{token.value}`"
    return f"`{token.value}`"


def _char_hint(ch: str) -> tuple[str, str]:
    if ch in "“”„‘’":
        return ('gebruik rechte aanhalingstekens: "..."', 'use straight quotes: "..."')
    if ch.isalpha() and ch.isupper():
        return (
            "namen (ids) zijn kleine letters, cijfers en _, zoals `wettelijk_verzuim`; "
            "zet zichtbare tekst tussen aanhalingstekens",
            "names (ids) are lower-case letters, digits and _, such as `wettelijk_verzuim`; "
            "put visible text in quotes",
        )
    if ch.isalpha():
        return (
            "namen (ids) bevatten alleen a-z, 0-9 en _; zet tekst met accenten tussen aanhalingstekens",
            "names (ids) contain only a-z, 0-9 and _; put text with accents in quotes",
        )
    if ch == "-":
        return ("gebruik _ in plaats van - in namen", "use _ instead of - in names")
    if ch == "/":
        return ("een opmerking begint met //", "a comment starts with //")
    return ("", "")


def _to_diagnostic(err: UnexpectedInput, source: SourceFile) -> Diagnostic:
    text = source.text
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream
        ch = text[pos] if pos < len(text) else ""
        if text.startswith('"""', pos):
            return Diagnostic("VZ003", source.span(pos, pos + 3), {"closer": '"""'})
        if ch == '"':
            eol = text.find("\n", pos)
            eol = len(text) if eol < 0 else eol
            return Diagnostic("VZ003", source.span(pos, eol), {"closer": '"'})
        hint, hint_en = _char_hint(ch)
        return Diagnostic(
            "VZ002", source.span(pos, pos + 1), {"char": ch, "hint": hint, "hint_en": hint_en}
        )
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        start = tok.start_pos if tok.start_pos is not None else 0
        end = tok.end_pos if tok.end_pos is not None else start + 1
        expected = set(err.expected)
        return Diagnostic(
            "VZ001",
            source.span(start, end),
            {
                "found": _describe_found(tok, "nl"),
                "found_en": _describe_found(tok, "en"),
                "expected": describe_expected(expected, "nl"),
                "expected_en": describe_expected(expected, "en"),
            },
        )
    expected_names: set[str] = set(getattr(err, "expected", ()) or ())
    end = len(text.rstrip())
    return Diagnostic(
        "VZ004",
        source.span(max(0, end - 1), end),
        {
            "expected": describe_expected(expected_names, "nl") if expected_names else "meer tekst",
            "expected_en": describe_expected(expected_names, "en")
            if expected_names
            else "more text",
        },
    )


def _chunks(text: str) -> list[tuple[int, int]]:
    """Top-level declarations: they start at column 0 with a top-level keyword, # or \"\"\"."""
    starts: list[int] = []
    offset = 0
    in_prose = False
    for line in text.splitlines(keepends=True):
        if not in_prose and _CHUNK_START.match(line):
            starts.append(offset)
        if line.count('"""') % 2 == 1:
            in_prose = not in_prose
        offset += len(line)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if a < b]


def _masked(text: str, start: int, end: int) -> str:
    """The text with everything outside [start, end) blanked, newlines kept, so positions hold."""

    def blank(s: str) -> str:
        return re.sub(r"[^\n]", " ", s)

    return blank(text[:start]) + text[start:end] + blank(text[end:])


def parse(source: SourceFile) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse a file; returns the tree of whatever parsed and the syntax diagnostics."""
    parser = grammar()
    try:
        return parser.parse(source.text), []
    except (UnexpectedInput, UnexpectedEOF):
        pass
    children: list[Tree | Token] = []
    diagnostics: list[Diagnostic] = []
    for start, end in _chunks(source.text):
        if not source.text[start:end].strip():
            continue
        try:
            tree = parser.parse(_masked(source.text, start, end))
        except UnexpectedInput as err:
            diagnostics.append(_to_diagnostic(err, source))
            continue
        children.extend(tree.children)
    return Tree("start", children), diagnostics
