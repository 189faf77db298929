"""The handbook: Markdown (primary), one self-contained HTML file, and PDF from that HTML.

Templates run in Jinja2's sandbox; HTML is autoescaped and prose Markdown is converted with
markdown-it with raw HTML switched off, so protocol text can never inject markup. A region
overrides any template by putting a file of the same name in `--templates DIR`.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import wording
from .model import Handbook, diagrams_for, slug

TEMPLATES = Path(__file__).parent / "templates"
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])(?!https?:|mailto:)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


class TemplateProblem(Exception):
    """A template could not be loaded or rendered; the message is for the user, in Dutch."""


def md_escape(text: Any) -> str:
    """Generated text inside Markdown: literal, on one line, safe in a table cell."""
    s = " ".join(str(text).split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("\\<", "&lt;").replace("\\>", "&gt;")


def md_prose(text: str) -> str:
    """An author's Markdown, as written, except that it cannot open an HTML tag."""
    parts = re.split(r"(`+[^`]*`+)", text)
    return "".join(p if i % 2 else _TAG_OPEN.sub("&lt;", p) for i, p in enumerate(parts))


def _markdown_it() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable("table")
    return md


_MD: Any = None


def html_prose(text: str, shift: int = 1) -> Markup:
    """Prose Markdown as HTML; raw HTML in the protocol is shown as text, never run."""
    global _MD
    if _MD is None:
        _MD = _markdown_it()
    out = _MD.render(text)
    if shift:
        out = re.sub(
            r"<(/?)h([1-6])>", lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}>", out
        )
    return Markup(out)  # noqa: S704 - markdown-it escapes all text, raw HTML disabled


def inline_svg(svg: str) -> Markup:
    """Our own `dot` output (labels escaped in dot.py), inlined as-is."""
    return Markup(svg)  # noqa: S704


def environment(templates: Path | None = None) -> SandboxedEnvironment:
    """A sandboxed environment: the region's templates first, then the shipped ones."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        md=md_escape,
        md_prose=md_prose,
        markdown=html_prose,
        svg=inline_svg,
        slug=slug,
        lower_first=wording.lower_first,
        upper_first=wording.upper_first,
        dutch_date=wording.dutch_date,
        escape=escape,
    )
    env.globals.update(
        diagrams_for=diagrams_for,
        plural=wording.plural,
        join=wording.join,
        date=_dt.date,
    )
    return env


def render_template(env: SandboxedEnvironment, name: str, **context: Any) -> str:
    """Render one template; any template problem becomes a TemplateProblem with a Dutch message."""
    try:
        template = env.get_template(name)
        text = template.render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(f"sjabloon `{exc.name}` niet gevonden") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(
            f"sjabloon `{exc.filename or exc.name}` regel {exc.lineno}: {exc.message}"
        ) from exc
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateProblem(f"sjabloon `{name}` doet iets wat niet mag: {exc}") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"sjabloon `{name}`: {exc.message}") from exc
    # one trailing newline, no trailing spaces, no runs of blank lines: stable and tidy
    lines = [line.rstrip() for line in text.splitlines()]
    out = "\n".join(lines).strip("\n") + "\n"
    return re.sub(r"\n{3,}", "\n\n", out)


def render_markdown(book: Handbook, env: SandboxedEnvironment) -> str:
    return render_template(env, "handbook.md.j2", book=book, h=book.header)


def render_html(book: Handbook, env: SandboxedEnvironment) -> str:
    return render_template(env, "handbook.html.j2", book=book, h=book.header)


def render_index(book: Handbook, env: SandboxedEnvironment, files: list[str]) -> str:
    return render_template(env, "index.md.j2", book=book, h=book.header, files=files)


def html_to_pdf(html_text: str, base_url: str | None = None) -> bytes:
    """PDF through WeasyPrint, with fixed metadata so the same HTML gives the same PDF."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html_text, base_url=base_url).render()
    document.metadata.created = None
    document.metadata.modified = None
    pdf = document.write_pdf(pdf_identifier=b"verzuimdsl")
    assert isinstance(pdf, bytes)
    return pdf
