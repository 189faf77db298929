"""docs/errors.md covers every code and matches the checked examples."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from verzuimdsl.messages import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]


def test_error_index_is_fresh_and_complete() -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "tools" / "gen_error_index.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert text == gen.render(), "docs/errors.md is stale: run python tools/gen_error_index.py"
    for code in CATALOGUE:
        assert f"## {code}" in text
