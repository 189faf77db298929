"""Every id named in docs/coverage/<protocol>.md exists in that protocol.

A coverage document lists every table row, threshold and duty of a seed with the rule that
encodes it (`| Seed | Wat de seed zegt | Regel |`), or `niet gecodeerd: <reden>`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import verzuimdsl
from verzuimdsl import ir

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs" / "coverage").glob("*.md"))
_ID = re.compile(r"`([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)`")


def declared_ids(protocol: verzuimdsl.Protocol) -> set[str]:
    ids: set[str] = {name for table in protocol.aliases.values() for name in table}
    for group in (
        protocol.rules,
        protocol.classifications,
        protocol.actors,
        protocol.kinds,
        protocol.duo_categories,
        protocol.event_types,
        protocol.desks,
        protocol.meetings,
        protocol.flows,
        protocol.ladders,
        protocol.routes,
    ):
        ids.update(item.id for item in group)
    for actor in protocol.actors:
        ids.update(f"{actor.id}.{r.id}" for r in actor.roles)
    for ladder in protocol.ladders:
        ids.update(f"{ladder.id}.{s.id}" for s in ladder.steps)
    for rule in protocol.rules:
        for action in (*rule.actions, *(a for e in rule.exceptions for a in e.actions)):
            if action.label:
                ids.add(f"{rule.id}.{action.label}")
        ids.update(f"{rule.id}.{e.id}" for e in rule.exceptions)
    return ids


def rows(doc: Path) -> list[tuple[int, str]]:
    """(line number, Regel cell) of every body row of every table."""
    out = []
    for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 3:
            continue
        if set(cells[-1]) <= set("-: ") or cells[-1].lower() == "regel":
            continue
        out.append((n, cells[-1]))
    return out


def _protocol_path(doc: Path) -> Path:
    flat = ROOT / "protocols" / f"{doc.stem}.vz"
    return flat if flat.exists() else ROOT / "protocols" / doc.stem / "protocol.vz"


@pytest.mark.parametrize("doc", DOCS, ids=[d.stem for d in DOCS])
def test_coverage_ids_exist(doc: Path) -> None:
    protocol = verzuimdsl.load(_protocol_path(doc))
    known = declared_ids(protocol)
    problems = []
    body = rows(doc)
    assert len(body) >= 10, (
        f"{doc.name}: a coverage list with {len(body)} rows is not a coverage list"
    )
    for line, cell in body:
        ids = _ID.findall(cell)
        if not ids:
            if not re.match(r"niet gecodeerd:\s*\S", cell, re.IGNORECASE):
                problems.append(f"{doc.name}:{line}: no rule id and no 'niet gecodeerd: <reden>'")
            continue
        problems += [
            f"{doc.name}:{line}: `{i}` does not exist in {protocol.id}"
            for i in ids
            if i not in known
        ]
    assert not problems, "\n".join(problems)


def test_coverage_detects_a_missing_id(tmp_path: Path) -> None:
    """The check can fail: a made-up id in a row is reported."""
    doc = tmp_path / "x.md"
    doc.write_text("| Seed | Wat | Regel |\n|---|---|---|\n| 1 | iets | `bestaat_niet` |\n")
    protocol = verzuimdsl.load(ROOT / "protocols" / "nl" / "leerplichtwet.vz")
    ((_, cell),) = rows(doc)
    assert _ID.findall(cell) == ["bestaat_niet"]
    assert "bestaat_niet" not in declared_ids(protocol)
    assert "wettelijk_verzuim" in declared_ids(protocol)
    assert isinstance(protocol.rule("wettelijk_verzuim"), ir.Rule)
