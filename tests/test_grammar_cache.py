"""Lark's analysed grammar is cached between runs, only where nobody else can write."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from verzuimdsl import parser


def test_cache_lives_in_a_private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    found = parser._cache_file("grammar text")
    assert isinstance(found, str)
    folder = Path(found).parent
    assert folder == tmp_path / "verzuimdsl"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # another grammar, another file: a changed grammar never loads stale tables
    assert parser._cache_file("other grammar") != found


def test_no_cache_in_a_folder_others_can_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "verzuimdsl"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parser._cache_file("grammar text") is False


def test_no_cache_where_the_folder_cannot_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert parser._cache_file("grammar text") is False
