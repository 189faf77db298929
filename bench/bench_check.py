"""How long `vzc check` takes per protocol, against a baseline measured in the same run.

Baseline: the same grammar parsed with Lark's Earley parser (Lark's default, what a first
implementation would use), parse only. Ours: the full pipeline (LALR parse, lowering, name
resolution over all imported modules, type checking). Target: well under 100 ms each.

    .venv/bin/python bench/bench_check.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from lark import Lark

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verzuimdsl.check import check_file  # noqa: E402
from verzuimdsl.modules import clear_cache  # noqa: E402
from verzuimdsl.parser import GRAMMAR_PATH  # noqa: E402

TARGET_MS = 100.0


def _median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    earley = Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"), parser="earley", propagate_positions=True
    )
    files = sorted((ROOT / "protocols").rglob("*.vz"))
    print(
        f"{'protocol':<32} {'lines':>6} {'check (ms)':>11} {'earley parse (ms)':>18} {'ratio':>7} {'target':>8}"
    )
    worst = 0.0
    for path in files:
        text = path.read_text(encoding="utf-8")
        check_file(path)  # warm the grammar cache once, as a long-running tool would
        # full cost: the parse cache is cleared before every run, imports included
        ours = _median_ms(lambda p=path: (clear_cache(), check_file(p)), 15)
        base = _median_ms(lambda t=text: earley.parse(t), 3)
        worst = max(worst, ours)
        ok = "ok" if ours < TARGET_MS else "TOO SLOW"
        rel = path.relative_to(ROOT / "protocols")
        print(
            f"{str(rel):<32} {text.count(chr(10)):>6} {ours:>11.1f} {base:>18.1f} {base / ours:>6.1f}x {ok:>8}"
        )
    clear_cache()
    t0 = time.perf_counter()
    for path in files:
        check_file(path)
    all_ms = (time.perf_counter() - t0) * 1000
    print(f"\ncheck all {len(files)} protocols in one process (shared base parsed once): {all_ms:.0f} ms")
    cold_t0 = time.perf_counter()
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-c",
            "import verzuimdsl.check as c, sys; c.check_file(sys.argv[1])",
            str(files[-1]),
        ],
        check=True,
    )
    print(
        f"\nworst warm check: {worst:.1f} ms (target < {TARGET_MS:.0f} ms; ratio {TARGET_MS / worst:.1f}x under)"
    )
    cold = (time.perf_counter() - cold_t0) * 1000
    # the same without Lark's grammar cache: the LALR tables built from scratch
    no_cache_t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import verzuimdsl.parser as p, sys; p._cache_file = lambda text: False; "
            "import verzuimdsl.check as c; c.check_file(sys.argv[1])",
            str(files[-1]),
        ],
        check=True,
    )
    no_cache = (time.perf_counter() - no_cache_t0) * 1000
    print(
        f"cold start of a new process: {cold:.0f} ms with the grammar cache, "
        f"{no_cache:.0f} ms building the grammar ({no_cache / cold:.1f}x)"
    )


if __name__ == "__main__":
    main()
