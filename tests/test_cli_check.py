"""`vzc check` as a user meets it: exit codes, languages, formats, folders, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from verzuimdsl.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "diagnostics"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.output


def test_clean_protocols_exit_0() -> None:
    code, out = run(str(ROOT / "protocols" / "nl"))
    assert code == 0, out
    assert out.strip().endswith("0 fouten, 0 waarschuwingen")


def test_errors_exit_1_with_caret_and_help() -> None:
    code, out = run("--root", str(EXAMPLES / "VZ010"), str(EXAMPLES / "VZ010" / "bad.vz"))
    assert code == 1
    assert "fout[VZ010]: onbekende actor `schol`" in out
    assert "^^^^^" in out and "= help: bedoelde je `school`?" in out


def test_warnings_pass_unless_strict() -> None:
    args = ["--root", str(EXAMPLES / "VZ031"), str(EXAMPLES / "VZ031" / "bad.vz")]
    assert run(*args)[0] == 0
    assert run("--strict", *args)[0] == 1


def test_english_and_json() -> None:
    code, out = run(
        "--lang",
        "en",
        "--format",
        "json",
        "--root",
        str(EXAMPLES / "VZ021"),
        str(EXAMPLES / "VZ021" / "bad.vz"),
    )
    assert code == 1
    data = json.loads(out)
    (d,) = data["diagnostics"]
    assert d["code"] == "VZ021" and d["message"] == "a deadline in uur is not possible"


def test_usage_errors_exit_2() -> None:
    assert run()[0] == 2
    assert run("bestaat-niet.vz")[0] == 2
    assert run("--lang", "fr", str(ROOT / "protocols" / "nl"))[0] == 2


def test_several_files_report_all_errors(tmp_path: Path) -> None:
    a = tmp_path / "a.vz"
    b = tmp_path / "b.vz"
    a.write_text('protocol a "A" {\n  regio oost\n}\n')
    b.write_text('protocol b "B" {\n  schooljaar 2025-2027\n}\n')
    code, out = run(str(a), str(b))
    assert code == 1
    assert "a.vz:1:10" in out and "VZ010" in out
    assert "b.vz:2:3" in out and "VZ026" in out
    assert "2 fouten" in out


def test_no_traceback_on_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "binair.vz"
    bad.write_bytes(b"\xff\xfe\x00protocol")
    proc = subprocess.run(
        [sys.executable, "-m", "verzuimdsl.cli", "check", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "VZ005" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
