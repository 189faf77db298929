"""Running Debian's `dot` to turn DOT text into SVG, PNG and PDF.

The DOT text is ours and deterministic; what `dot` adds (its version comment, per-node
comments) is stripped from SVG, so a handbook that inlines it stays byte-stable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

PNG_DPI = 150
INSTALL_HINT = (
    "Graphviz (`dot`) is niet gevonden. Installeer het met `sudo apt-get install graphviz` "
    "(Debian/Ubuntu) of `brew install graphviz` (macOS), of render zonder diagrammen met "
    "`--formats md,dot`."
)

_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_PDF_DATE = re.compile(rb"/CreationDate \(D:\d{14}Z\)")
_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


class GraphvizError(Exception):
    """`dot` is missing or refused a diagram; the message is Dutch and says what to do."""


def dot_path() -> str | None:
    return shutil.which("dot")


def run_dot(dot_text: str, fmt: str) -> bytes:
    """Lay out one diagram in `svg`, `png` or `pdf`; warnings from `dot` are not errors.

    PNG and PDF keep the DOT's A4 `size`; SVG is drawn at natural size for screens.
    """
    exe = dot_path()
    if exe is None:
        raise GraphvizError(INSTALL_HINT)
    args = [exe, f"-T{fmt}"]
    if fmt == "svg":
        # SVG is for screens: natural size, scaled by the page (the A4 `size` is for print)
        args.append("-Gsize=")
    if fmt == "png":
        args.append(f"-Gdpi={PNG_DPI}")
    try:
        # cairo stamps PDFs with the time unless SOURCE_DATE_EPOCH says otherwise
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
        done = subprocess.run(
            args,
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphvizError(f"`dot` kon niet draaien: {exc}") from exc
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"`dot` gaf een fout bij het tekenen van een stroomschema: {message}")
    out = done.stdout
    if fmt == "svg":
        out = clean_svg(out.decode("utf-8")).encode("utf-8")
    elif fmt == "pdf":
        # a fixed date of the same length, so the xref offsets stay valid
        out = _PDF_DATE.sub(b"/CreationDate (D:19700101000000Z)", out)
    return out


def clean_svg(svg: str) -> str:
    """SVG fit to inline in HTML: no XML prologue, doctype or comments (dot's version)."""
    svg = _PROLOGUE.sub("", svg)
    svg = _COMMENT.sub("", svg)
    return svg.strip() + "\n"
