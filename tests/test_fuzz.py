"""Random and mutated protocols always produce diagnostics and never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verzuimdsl.check import check_source
from verzuimdsl.diagnostics import render_human, render_json
from verzuimdsl.messages import CATALOGUE
from verzuimdsl.parser import TOP_LEVEL_KEYWORDS
from verzuimdsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1] / "protocols"
BASE = (ROOT / "nl" / "leerplichtwet.vz").read_text(encoding="utf-8")
WORDS = list(TOP_LEVEL_KEYWORDS) + [
    "wanneer",
    "als",
    "daarna",
    "moet",
    "kan",
    "zou",
    "moeten",
    "binnen",
    "per",
    "uur",
    "schoolweken",
    "werkdagen",
    "keer",
    "aaneengesloten",
    "tot",
    "minstens",
    "meer",
    "dan",
    "{",
    "}",
    ",",
    ":",
    ".",
    '"tekst"',
    '"""proza"""',
    "16",
    "4e",
    "2025-2026",
    "10:00",
    "school",
    "ongeoorloofd",
    "ziek",
    "te_laat",
    "# Kop",
    "\n",
    " ",
    "//",
    "bron",
    "vervangt",
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_well_formed(text: str) -> None:
    diags = check_source(text, "fuzz.vz", root=ROOT)
    source = SourceFile("fuzz.vz", text)
    for d in diags:
        assert d.code in CATALOGUE
        assert d.message("nl") and d.message("en")
        if d.span.file == "fuzz.vz":
            assert 0 <= d.span.start <= d.span.end <= len(text)
            assert 1 <= d.span.line <= len(source.line_starts)
    render_human(diags, {"fuzz.vz": source}, "nl")
    render_human(diags, {"fuzz.vz": source}, "en")
    render_json(diags)
    return None


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=60).map(" ".join))
def test_random_token_soup(text: str) -> None:
    _assert_well_formed(text)
    assert check_source(text, "fuzz.vz", root=ROOT), "nonsense must not check clean"


@SETTINGS
@given(st.text(min_size=1, max_size=300).filter(lambda s: s.strip()))
def test_random_text(text: str) -> None:
    _assert_well_formed(text)
    assert check_source(text, "fuzz.vz", root=ROOT)


@SETTINGS
@given(
    st.integers(min_value=0, max_value=len(BASE) - 1),
    st.integers(min_value=1, max_value=40),
    st.text(max_size=8),
)
def test_mutated_base_protocol(start: int, length: int, insert: str) -> None:
    mutated = BASE[:start] + insert + BASE[start + length :]
    _assert_well_formed(mutated)


@SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=BASE.count("\n")), min_size=1, max_size=4))
def test_lines_dropped_from_base_protocol(drop: list[int]) -> None:
    lines = BASE.split("\n")
    kept = [line for i, line in enumerate(lines) if i not in set(drop)]
    _assert_well_formed("\n".join(kept))
