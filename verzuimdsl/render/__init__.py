"""`vzc render`: a checked protocol becomes stroomschema's (DOT, SVG, PNG, PDF) and a handbook
(Markdown, HTML, PDF) in one folder, generated/<protocol-id>/.

`render_files` is the whole job in memory (file name -> bytes), so writing and the
freshness check (`--check`) compare exactly what would be written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

from ..protocol import Protocol

FORMATS = ("md", "html", "pdf", "dot", "svg", "png")
# compared byte for byte by --check; the others (layout engines' output) only for presence
EXACT = (".md", ".dot", ".html")


@attrs.frozen
class Stale:
    path: Path
    reason: str  # ontbreekt, verouderd, overbodig


def render_files(
    protocol: Protocol,
    formats: Iterable[str] = FORMATS,
    templates: Path | None = None,
    *,
    layout_bytes: bool = True,
) -> dict[str, bytes]:
    """Every output file of one protocol, by name, in a stable order.

    With layout_bytes=False, PNG and PDF files are listed with empty contents: enough for
    `--check`, which only asks whether they exist, and much faster.
    """
    from . import graphviz_runner, handbook
    from .dot import flow_dots
    from .flows import document_flows
    from .model import build_handbook

    wanted = set(formats)
    files: dict[str, bytes] = {}
    pages: dict[str, list[tuple[str, str]]] = {}
    draw = bool(wanted & {"svg", "png", "pdf", "html"})
    for spec in document_flows(protocol):
        pages[spec.id] = []
        for stem, text in flow_dots(protocol, spec):
            if "dot" in wanted:
                files[f"{stem}.dot"] = text.encode("utf-8")
            svg = b""
            if draw:
                svg = graphviz_runner.run_dot(text, "svg")
                if "svg" in wanted:
                    files[f"{stem}.svg"] = svg
            pages[spec.id].append((stem, svg.decode("utf-8")))
            for fmt in ("png", "pdf"):
                if fmt in wanted:
                    data = graphviz_runner.run_dot(text, fmt) if layout_bytes else b""
                    files[f"{stem}.{fmt}"] = data
    book = build_handbook(protocol, pages)
    env = handbook.environment(templates)
    if "md" in wanted:
        files["handbook.md"] = handbook.render_markdown(book, env).encode("utf-8")
    if "html" in wanted or "pdf" in wanted:
        html_text = handbook.render_html(book, env)
        if "html" in wanted:
            files["handbook.html"] = html_text.encode("utf-8")
        if "pdf" in wanted:
            files["handbook.pdf"] = handbook.html_to_pdf(html_text) if layout_bytes else b""
    names = sorted([*files, "index.md"])
    files["index.md"] = handbook.render_index(book, env, names).encode("utf-8")
    return dict(sorted(files.items()))


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the files and remove earlier outputs this render no longer makes.

    Layout-engine output (SVG, PNG, PDF) is only rewritten when its diagram's DOT changed:
    another Graphviz or cairo build may draw the same DOT with other bytes, and a commit
    should not churn on that. The HTML is rewritten when any of its bytes differ.
    """
    out_dir.mkdir(parents=True, exist_ok=True)

    def differs(name: str) -> bool:
        path = out_dir / name
        return not path.exists() or path.read_bytes() != files[name]

    changed_stems = {n.rsplit(".", 1)[0] for n in files if n.endswith(".dot") and differs(n)}
    html_changed = "handbook.html" in files and (differs("handbook.html") or bool(changed_stems))
    written = []
    for name, data in files.items():
        path = out_dir / name
        stem, _, ext = name.rpartition(".")
        if not path.exists():
            write = True
        elif ext in ("svg", "png", "pdf") and stem != "handbook":
            has_dot = f"{stem}.dot" in files
            write = stem in changed_stems if has_dot else path.read_bytes() != data
        elif name == "handbook.html":
            write = html_changed
        elif name == "handbook.pdf":
            write = html_changed or "handbook.html" not in files and path.read_bytes() != data
        else:
            write = path.read_bytes() != data
        if write:
            path.write_bytes(data)
            written.append(path)
    for path in _ours(out_dir):
        if path.name not in files:
            path.unlink()
    return written


def _ours(out_dir: Path) -> list[Path]:
    """Files in the folder that a render makes: handbook.*, index.md, stroomschema-*."""
    if not out_dir.is_dir():
        return []
    return sorted(
        p
        for p in out_dir.iterdir()
        if p.is_file()
        and (p.name.startswith(("handbook.", "stroomschema-")) or p.name == "index.md")
    )


def stale_files(out_dir: Path, files: dict[str, bytes]) -> list[Stale]:
    """What differs between the folder and a fresh render: md, dot and html (with its inline
    diagrams) byte for byte, svg, png and pdf only by presence (their bytes depend on the
    layout engine's build)."""
    out = []
    for name, data in files.items():
        path = out_dir / name
        if not path.exists():
            out.append(Stale(path, "ontbreekt"))
        elif name.endswith(EXACT) and path.read_bytes() != data:
            out.append(Stale(path, "verouderd"))
    for path in _ours(out_dir):
        if path.name not in files:
            out.append(Stale(path, "overbodig"))
    return out
