"""Every region's hand-worked scenarios pass (issues 5 and 6: at least 15 each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from verzuimdsl.scenarios import render_outcome, run_file

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "protocols").glob("*.scenarios.toml"))


def test_every_region_has_its_scenarios() -> None:
    assert {f.name.split(".")[0] for f in FILES} >= {"parkstad", "ruw", "ijsselvecht", "kopnh", "zhz"}


@pytest.mark.parametrize("path", FILES, ids=[f.name.split(".")[0] for f in FILES])
def test_regional_scenarios_pass(path: Path) -> None:
    outcomes = run_file(path)
    assert len(outcomes) >= 15, f"{path.name}: {len(outcomes)} scenarios, at least 15 required"
    failed = [render_outcome(o) for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
