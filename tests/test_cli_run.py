"""`vzc run`, `vzc test` and `vzc simulate` as a user meets them: output, errors, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from verzuimdsl.cli import cli

ROOT = Path(__file__).resolve().parents[1]
BASE = str(ROOT / "protocols" / "nl" / "leerplichtwet.vz")
PARKSTAD = str(ROOT / "protocols" / "parkstad.vz")
GOLDEN_DIR = str(ROOT / "protocols" / "nl")


def timeline(*events: dict[str, Any], sid: str = "L-1", as_of: str = "2025-10-31") -> dict[str, Any]:
    return {
        "format": "vz-timeline/1",
        "student": {"id": sid, "birth_date": "2012-03-04", "school_type": "vo"},
        "calendar": {"region": "zuid", "school_year": "2025-2026"},
        "as_of": as_of,
        "events": list(events),
    }


AWAY = {"date": "2025-09-01", "type": "absence", "authorized": False, "until": "2025-09-03"}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_one_timeline_as_json(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(timeline(AWAY)))
    res = invoke("run", BASE, str(path))
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert out["format"] == "vz-result/1" and out["student"] == "L-1"
    assert [(a["date"], a["actor"], a["due"]) for a in out["actions"]] == [
        ("2025-09-03", "school", "2025-09-10"),
        ("2025-09-03", "leerplichtambtenaar", None),
    ]


def test_run_table_and_explain(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(timeline(AWAY)))
    res = invoke("run", BASE, str(path), "--format", "table")
    assert res.exit_code == 0
    assert "03-09-2025  School" in res.stdout and "moet" in res.stdout and "10-09-2025" in res.stdout
    out = tmp_path / "r.json"
    res = invoke("run", BASE, str(path), "--explain", "-o", str(out))
    assert res.exit_code == 0 and res.stdout == ""
    explained = json.loads(out.read_text())["actions"][0]["explain"]
    assert explained["events"] == [0] and explained["amount"] == "18 uur"


def test_bad_timeline_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    tl = timeline({"date": "2025-09-01", "type": "absence", "authorized": False, "hours": -2}, {"date": "2025-09-31", "type": "sick"})
    path.write_text(json.dumps(tl, indent=2))
    res = invoke("run", BASE, str(path))
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    text = path.read_text().splitlines()
    hours_line = next(i for i, t in enumerate(text, 1) if '"hours": -2' in t)
    assert f"{path}:{hours_line}: events[0].hours: uren kunnen niet negatief zijn" in lines
    assert any("events[1].date: deze datum bestaat niet" in x for x in lines)
    assert lines[-1] == "2 problemen in de tijdlijn"
    assert "Traceback" not in res.stderr
    res = invoke("run", BASE, str(path), "--lang", "en")
    assert "hours cannot be negative" in res.stderr


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{nope")
    res = invoke("run", BASE, str(path))
    assert res.exit_code == 1 and "geen geldige JSON" in res.stderr
    assert invoke("run", BASE, str(tmp_path / "missing.json")).exit_code == 2


def test_a_protocol_with_errors_stops_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.vz"
    bad.write_text('protocol kapot "K" { schooljaar 2025-2026 }\nregel r "R" { wanneer 3 keer onbekend school moet "x" }\n')
    path = tmp_path / "t.json"
    path.write_text(json.dumps(timeline()))
    res = invoke("run", str(bad), str(path))
    assert res.exit_code == 1 and "VZ010" in res.stderr


def test_batch_streams_jsonl_on_two_processes(tmp_path: Path) -> None:
    src = tmp_path / "pupils.jsonl"
    # ~800 kB: several blocks, so the first runs in the parent and the rest in the pool
    lines = [json.dumps(timeline(AWAY, sid=f"P{n}")) for n in range(2000)]
    lines[1] = json.dumps(timeline({"date": "2025-09-01", "type": "abscence"}, sid="bad"))
    lines.insert(3, "")
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "verzuimdsl.cli", "run", BASE, str(src), "-o", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"{src}:2: events[0].type: onbekend soort gebeurtenis 'abscence'; bedoelde u 'absence'?" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "2000 tijdlijnen: 1999 verwerkt, 1 met problemen"
    results = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["student"] for r in results] == ["P0"] + [f"P{n}" for n in range(2, 2000)]
    assert all(len(r["actions"]) == 2 for r in results)


@pytest.mark.parametrize("workers", [1, 2])
def test_blocks_keep_input_order_and_line_numbers(workers: int) -> None:
    from verzuimdsl import load
    from verzuimdsl.interpreter.batch import run_jsonl

    lines = [json.dumps(timeline(AWAY, sid=f"P{n}")).encode() for n in range(300)]
    for n in (0, 137, 299):  # bad lines in the parent's block, in the pool's, and last
        lines[n] = json.dumps(timeline({"date": "2025-09-01", "type": "abscence"}, sid=f"bad{n}")).encode()
    blob = b"\n".join(lines) + b"\n"
    done = list(run_jsonl(load(BASE), io.BytesIO(blob), workers=workers, block_bytes=4096))
    assert len(done) > 10  # many small blocks
    failed = [f.line for b in done for f in b.failed]
    assert failed == [1, 138, 300]
    students = [json.loads(x)["student"] for b in done for x in b.output.splitlines()]
    assert students == [f"P{n}" for n in range(300) if n not in (0, 137, 299)]


def test_stopping_a_batch_early_stops_its_workers() -> None:
    import multiprocessing

    from verzuimdsl import load
    from verzuimdsl.interpreter.batch import run_jsonl

    blob = b"".join(json.dumps(timeline(AWAY, sid=f"P{n}")).encode() + b"\n" for n in range(300))
    batch = run_jsonl(load(BASE), io.BytesIO(blob), workers=2, block_bytes=4096)
    first = [next(batch) for _ in range(3)]
    assert [b.ok for b in first] == [b.lines for b in first]
    assert multiprocessing.active_children()  # the pool is running
    batch.close()
    assert multiprocessing.active_children() == []


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_failing_worker_is_reported_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    from verzuimdsl import load
    from verzuimdsl.interpreter import batch

    real = batch.run_block

    def broken(compiled, first, blob, explain=False):  # type: ignore[no-untyped-def]
        if first > 1:  # every block but the parent's own first one
            raise ValueError("kapot")
        return real(compiled, first, blob, explain)

    monkeypatch.setattr(batch, "run_block", broken)  # the forked workers inherit it
    blob = b"".join(json.dumps(timeline(AWAY, sid=f"P{n}")).encode() + b"\n" for n in range(100))
    with pytest.raises(ValueError, match="kapot"):
        list(batch.run_jsonl(load(BASE), io.BytesIO(blob), workers=2, block_bytes=4096))


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_worker_that_dies_stops_the_batch_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from verzuimdsl import load
    from verzuimdsl.interpreter import batch

    real = batch.run_block

    def dying(compiled, first, blob, explain=False):  # type: ignore[no-untyped-def]
        if first > 1:  # a worker, not the parent's own first block: die as the OOM killer would
            os._exit(9)
        return real(compiled, first, blob, explain)

    monkeypatch.setattr(batch, "run_block", dying)
    blob = b"".join(json.dumps(timeline(AWAY, sid=f"P{n}")).encode() + b"\n" for n in range(100))
    with pytest.raises(RuntimeError, match="onverwacht gestopt"):
        list(batch.run_jsonl(load(BASE), io.BytesIO(blob), workers=2, block_bytes=4096))


def test_spawned_workers_load_the_protocol_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where processes cannot fork (Windows), workers are spawned and load the protocol
    from its path; the results are the same as in one process."""
    from verzuimdsl import load
    from verzuimdsl.interpreter import batch

    monkeypatch.setattr(batch.mp, "get_all_start_methods", lambda: ["spawn"])
    blob = b"".join(json.dumps(timeline(AWAY, sid=f"P{n}")).encode() + b"\n" for n in range(60))
    spawned = list(batch.run_jsonl(load(BASE), io.BytesIO(blob), workers=2, block_bytes=4096, protocol_path=BASE))
    alone = list(batch.run_jsonl(load(BASE), io.BytesIO(blob), workers=1, block_bytes=4096))
    assert len(spawned) > 2
    assert b"".join(b.output for b in spawned) == b"".join(b.output for b in alone)


def test_a_batch_over_small_pipes_cannot_deadlock(tmp_path: Path) -> None:
    """Where a pipe cannot be widened (macOS, or over a user's pipe limit) it holds 64 kB:
    less than a block, and less than a block's results. The parent must then never wait
    to hand a worker a block while that worker waits to hand back its results."""
    src = tmp_path / "pupils.jsonl"
    lines = [json.dumps(timeline(AWAY, sid=f"P{n}")) for n in range(1500)]
    src.write_text("\n".join(lines) + "\n")
    script = (
        "import sys\n"
        "from verzuimdsl import load\n"
        "from verzuimdsl.interpreter import batch\n"
        "batch._widen = lambda conn: 0\n"
        "with open(sys.argv[2], 'rb') as f:\n"
        "    done = list(batch.run_jsonl(load(sys.argv[1]), f, workers=2, block_bytes=60_000))\n"
        "print(len(done), sum(b.ok for b in done), sum(len(b.output) for b in done))\n"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script, PARKSTAD, str(src)],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the batch deadlocked")
    blocks_done, ok, out = map(int, proc.stdout.split())
    assert blocks_done > 4 and ok == 1500
    assert out / blocks_done > 65536  # each block's results overfill a small pipe


def test_batch_cannot_be_a_table(tmp_path: Path) -> None:
    src = tmp_path / "pupils.jsonl"
    src.write_text(json.dumps(timeline()) + "\n")
    res = invoke("run", BASE, str(src), "--format", "table")
    assert res.exit_code == 2


def test_vzc_test_exit_codes(tmp_path: Path) -> None:
    res = invoke("test", GOLDEN_DIR, "-q")
    assert res.exit_code == 0, res.stdout
    assert "15 scenario's: 15 geslaagd, 0 mislukt" in res.stdout
    res = invoke("test", GOLDEN_DIR, "-k", "luxe")
    assert res.exit_code == 0 and "1 scenario: 1 geslaagd" in res.stdout
    assert invoke("test", GOLDEN_DIR, "-k", "bestaat-niet").exit_code == 1
    failing = tmp_path / "fout.scenarios.toml"
    failing.write_text(
        f'protocol = "{Path(BASE).as_posix()}"\n[[scenario]]\nnaam = "x"\npeildatum = 2025-09-30\n'
        'leerling = { geboortedatum = 2012-03-04, schoolsoort = "vo" }\n'
        'kalender = { regio = "zuid", schooljaar = "2025-2026" }\n'
        '[[scenario.verwacht]]\nregel = "wettelijk_verzuim"\n'
    )
    res = invoke("test", str(failing))
    assert res.exit_code == 1 and "✗ x" in res.stdout and "er is geen enkele actie" in res.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_simulate_is_deterministic(jobs: str) -> None:
    res = invoke("simulate", BASE, "--pupils", "400", "--seed", "3", "--format", "json", "--jobs", jobs)
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    again = json.loads(invoke("simulate", BASE, "--pupils", "400", "--seed", "3", "--format", "json", "--jobs", "1").stdout)
    assert out == again
    assert out["pupils"] == 400 and out["events"] > 400
    assert set(out["duo_reports"]) <= {"16 uur in 4 weken", "Langdurig relatief verzuim", "Luxe verzuim", "18+ verzuim (Doorstroompunt)"}


def test_simulate_table_mentions_what_the_issue_asks_for() -> None:
    res = invoke("simulate", BASE, "--pupils", "2000", "--seed", "1", "--jobs", "1")
    assert res.exit_code == 0
    for heading in ("Meldingen per DUO-categorie", "Acties per actor", "thuiszitters"):
        assert heading in res.stdout
