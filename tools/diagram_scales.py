"""How large each published stroomschema prints on A4, from the drawn size in its SVG.

    .venv/bin/python tools/diagram_scales.py [generated/] [--below 0.7]

The print scale of a diagram is the factor by which it must shrink to fit the A4 box the
handbook gives it (portrait 540 x 734 pt or landscape 778 x 497 pt, whichever is larger;
never enlarged), so 10 pt text prints at 10 x scale pt. Lists the diagrams below the
threshold, smallest first, and a summary line.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verzuimdsl.render.dot import A4_LONG, A4_LOW, A4_SHORT, A4_WIDE  # noqa: E402

_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def print_scale(svg: str) -> float:
    found = _SIZE.search(svg)
    if found is None:
        raise ValueError("no size in the SVG")
    w, h = float(found.group(1)), float(found.group(2))
    portrait = min(1.0, A4_SHORT / w, A4_LONG / h)
    landscape = min(1.0, A4_WIDE / w, A4_LOW / h)
    return max(portrait, landscape)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default=str(ROOT / "generated"))
    parser.add_argument("--below", type=float, default=0.7)
    args = parser.parse_args()
    scales = sorted(
        (print_scale(p.read_text(encoding="utf-8")), p.relative_to(args.folder).as_posix())
        for p in Path(args.folder).glob("*/stroomschema-*.svg")
    )
    for scale, name in scales:
        if scale < args.below:
            print(f"{scale:.2f}  {name}")
    below = sum(1 for s, _ in scales if s < args.below)
    print(
        f"{len(scales)} diagrams; smallest print scale {scales[0][0]:.2f}; "
        f"{below} below {args.below}"
    )


if __name__ == "__main__":
    main()
