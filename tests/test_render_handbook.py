"""The handbook: structure from the protocol's own text, the generated parts where `toon`
asks, Dutch wording, safe templates, and a generated/ folder that `--check` keeps honest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import verzuimdsl
from verzuimdsl.cli import cli
from verzuimdsl.render import render_files, stale_files, write_files
from verzuimdsl.render.handbook import (
    TemplateProblem,
    environment,
    html_prose,
    md_escape,
    render_markdown,
)
from verzuimdsl.render.model import build_handbook

HERE = Path(__file__).parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "render" / "regio.vz"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` ontbreekt")
FAST = ("md", "dot", "html", "svg")


@pytest.fixture(scope="module")
def protocol() -> verzuimdsl.Protocol:
    return verzuimdsl.load(FIXTURE)


@pytest.fixture(scope="module")
def markdown(protocol: verzuimdsl.Protocol) -> str:
    return render_markdown(build_handbook(protocol), environment())


@pytest.fixture(scope="module")
def rendered(protocol: verzuimdsl.Protocol) -> dict[str, bytes]:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` ontbreekt")
    return render_files(protocol, FAST)


# ---------------------------------------------------------------------- structure


def test_prose_sections_in_source_order(markdown: str) -> None:
    headings = re.findall(r"^(#{1,6}) (.+)$", markdown, re.M)
    top = [text for hashes, text in headings if len(hashes) <= 3]
    assert top[0] == "Handreiking schoolverzuim Proefregio"
    order = [
        "Inleiding",
        "Wie zijn er betrokken?",
        "Soorten verzuim",
        "Verzuim melden",
        "Thuiszitters",
        "Overleg en melden",
        "Escalatie",
        "Stroomschema's",
        "Bijlage 3: Verzuimkaart",
    ]
    assert [t for t in top if t in order] == order
    # the protocol's `#` headings sit one level below the title
    assert "## Inleiding" in markdown and "### Wie zijn er betrokken?" in markdown


def test_verzuimkaart_has_one_row_per_card_rule(markdown: str) -> None:
    card = markdown[markdown.index("| Situatie |") :]
    card = card[: card.index("\n\n")]
    header, _, *rows = card.splitlines()
    assert header.startswith("| Situatie | Acties school | Acties consulent leerrecht |")
    labels = [re.match(r"\| \*\*(.+?)\*\*", r).group(1) for r in rows]  # type: ignore[union-attr]
    assert labels == [
        "Leerling komt zes keer te laat",
        "Leerling komt tien keer te laat",
        "Leerling verzuimt 16 uur in 4 weken",
        "Ziekteverzuim vroegtijdig signaleren (M@ZL-criteria)",
        "Luxe verzuim: vrije dagen zonder toestemming",
        "Verwijdering leerling",
        "Uitschrijving zonder inschrijving",
        "Langdurig relatief verzuim 18+",
    ]
    sixteen = rows[2]
    # the trigger and the DUO category under the label, as on the Parkstad card
    assert "Minstens 16 uur ongeoorloofd binnen 4 schoolweken" in sixteen
    assert "(16 uur in 4 weken)" in sixteen
    school, leerplicht = sixteen.split(" | ")[1:3]
    assert (
        "Melding via digitaal verzuimloket DUO (wettelijk verzuim) (**binnen 5 werkdagen**)"
        in school
    )
    assert "Evt. kennisgevingsbrief of eigen verklaring toesturen" in leerplicht
    assert "Ontvangst melding" not in school and "Registreren" not in leerplicht


def test_wie_doet_wat_per_actor(markdown: str) -> None:
    section = markdown[markdown.index("#### School") : markdown.index("### Soorten verzuim")]
    actors = re.findall(r"^#### (.+)$", section, re.M)
    assert actors[:3] == ["School", "Ouders/verzorgers", "Consulent leerrecht"]
    consulent = section[section.index("#### Consulent leerrecht") :]
    assert "Oproepen voor intake of verzuimgesprek — **binnen 2 weken**" in consulent
    assert "**Escalatiestappen:** Officiële waarschuwing" in consulent


def test_deadlines_classifications_and_sources(markdown: str) -> None:
    assert (
        "| School | Melding via digitaal verzuimloket DUO (luxe verzuim) | **vóór 10:00 uur** |"
        in markdown
    )
    assert "| Consulent leerrecht | Beslissen op de aanvraag | **binnen 6 weken** |" in markdown
    assert "binnen 1 werkdag" in markdown and "binnen 1 werkdagen" not in markdown
    assert "| **Thuiszitter type 5: langer geoorloofd** | oranje | Geoorloofd verzuim |" in markdown
    # the source of every rule, own or inherited
    assert "| Langdurig relatief verzuim | DUO verzuimregister | nl.basis |" in markdown
    assert "| Leerling komt zes keer te laat | 003 Bijlage 3 | eigen protocol |" in markdown


def test_rule_blocks_carry_their_details(markdown: str) -> None:
    block = markdown[markdown.index("#### Leerling verzuimt 16 uur in 4 weken") :]
    block = block[: block.index("\n#### ")]
    assert "- **Wanneer:** minstens 16 uur ongeoorloofd binnen 4 schoolweken" in block
    assert "- **Voor:** leerplichtig of kwalificatieplichtig" in block
    assert "hooguit 1 melding per 7 dagen" in block
    assert "**Uitzondering: Leerling blijkt ziek**" in block
    assert "*Ruimte:* De school mag wachten" in block
    assert "*Afwijking:* Parkstad meldt al bij 16 uur" in block
    assert "*Bron:* 003 Bijlage 3; Lpw art. 21a" in block


def test_show_places_diagrams(markdown: str) -> None:
    section = markdown[markdown.index("### Stroomschema's") : markdown.index("## Bijlage 3")]
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", section)
    # `toon stroomschema ziekte`, `toon stroomschema ongeoorloofd_regio`, then all of them
    assert images[0] == "stroomschema-ziekte.svg"
    assert images[1].startswith("stroomschema-ongeoorloofd-regio")
    assert "stroomschema-luxe.svg" in images and "stroomschema-thuiszitten.svg" in images


def test_protocol_without_toon_still_gets_overviews(tmp_path: Path) -> None:
    (tmp_path / "p.vz").write_text(
        'protocol p "Proef" { schooljaar 2025-2026 }\n# Kop\n"""Tekst."""\n'
        'actor school "School"\nregel r "Regel" { wanneer gebeurtenis geschorst school moet "Iets" }\n',
        encoding="utf-8",
    )
    md = render_markdown(build_handbook(verzuimdsl.load(tmp_path / "p.vz")), environment())
    assert "## Overzichten" in md and "| Situatie |" in md


# ---------------------------------------------------------------------- safety


def test_markdown_escapes_protocol_text() -> None:
    assert md_escape("a | b") == r"a \| b"
    assert md_escape("<script>") == "&lt;script&gt;"
    assert md_escape("*vet* _x_") == r"\*vet\* \_x\_"


def test_prose_cannot_open_tags_in_markdown(markdown: str) -> None:
    assert "<script>" not in markdown and "&lt;script>" in markdown


def test_prose_html_is_escaped() -> None:
    out = str(html_prose("Hallo <script>alert(1)</script> **vet** [x](javascript:alert(1))"))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<strong>vet</strong>" in out
    assert 'href="javascript' not in out


def test_html_autoescapes_everything(rendered: dict[str, bytes]) -> None:
    html = rendered["handbook.html"].decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    assert html.count("<svg") >= 5 and 'id="verzuimkaart"' in html


def test_templates_run_in_the_sandbox(tmp_path: Path, protocol: verzuimdsl.Protocol) -> None:
    (tmp_path / "handbook.md.j2").write_text("{{ book.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(TemplateProblem):
        render_markdown(build_handbook(protocol), environment(tmp_path))


def test_region_overrides_a_template(tmp_path: Path, protocol: verzuimdsl.Protocol) -> None:
    (tmp_path / "handbook.md.j2").write_text(
        "# Eigen {{ h.title }}\n{% for r in book.card.rows %}- {{ r.rule.label }}\n{% endfor %}",
        encoding="utf-8",
    )
    md = render_markdown(build_handbook(protocol), environment(tmp_path))
    assert md.startswith("# Eigen Handreiking schoolverzuim Proefregio\n- Leerling komt zes keer")


# ---------------------------------------------------------------------- files and CLI


def test_rendering_twice_is_byte_identical(
    protocol: verzuimdsl.Protocol, rendered: dict[str, bytes]
) -> None:
    again = render_files(protocol, FAST)
    for name in rendered:
        if name.endswith((".md", ".dot", ".html", ".svg")):
            assert again[name] == rendered[name], name
    # the HTML with its inline diagrams, byte for byte: --check compares it whole
    html = "handbook.html"
    assert rendered[html].count(b"<svg") >= 5


def test_write_then_check(tmp_path: Path, rendered: dict[str, bytes]) -> None:
    write_files(tmp_path, rendered)
    assert stale_files(tmp_path, rendered) == []
    # a changed byte inside an inline diagram makes the HTML stale too
    html = tmp_path / "handbook.html"
    html.write_bytes(rendered["handbook.html"].replace(b"<svg", b"<svg data-x=\"1\"", 1))
    assert [s.path.name for s in stale_files(tmp_path, rendered)] == ["handbook.html"]
    html.write_bytes(rendered["handbook.html"])
    (tmp_path / "handbook.md").write_text("oud", encoding="utf-8")
    (tmp_path / "stroomschema-weg.dot").write_text("oud", encoding="utf-8")
    reasons = {s.path.name: s.reason for s in stale_files(tmp_path, rendered)}
    assert reasons == {"handbook.md": "verouderd", "stroomschema-weg.dot": "overbodig"}
    write_files(tmp_path, rendered)
    assert not (tmp_path / "stroomschema-weg.dot").exists()


@needs_dot
def test_cli_render_and_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "regio"
    res = runner.invoke(
        cli, ["render", str(FIXTURE), "-o", str(out), "--formats", "md,dot,html,svg,png"]
    )
    assert res.exit_code == 0, res.output
    assert (out / "handbook.md").exists() and (out / "index.md").exists()
    assert (out / "stroomschema-ziekte.png").read_bytes()[:4] == b"\x89PNG"
    res = runner.invoke(
        cli, ["render", str(FIXTURE), "-o", str(out), "--check", "--formats", "md,dot,html,svg,png"]
    )
    assert res.exit_code == 0, res.output
    (out / "handbook.html").write_text("oud", encoding="utf-8")
    res = runner.invoke(
        cli, ["render", str(FIXTURE), "-o", str(out), "--check", "--formats", "md,dot,html,svg,png"]
    )
    assert res.exit_code == 1 and "handbook.html: verouderd" in res.output


def test_cli_errors_are_dutch_with_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["render", str(FIXTURE), "--formats", "md,doc"])
    assert res.exit_code == 2 and "onbekend formaat doc" in res.output
    bad = tmp_path / "kapot.vz"
    bad.write_text('protocol k "K" { }\nregel r "R" { soort bestaat_niet }\n', encoding="utf-8")
    res = runner.invoke(cli, ["render", str(bad), "-o", str(tmp_path / "uit"), "--formats", "md"])
    assert res.exit_code == 1 and "bestaat_niet" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "uit").exists()


def test_cli_without_dot_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    res = CliRunner().invoke(
        cli, ["render", str(FIXTURE), "-o", str(tmp_path), "--formats", "md,svg"]
    )
    assert res.exit_code == 1 and "apt-get install graphviz" in res.output
    # Markdown and DOT need no Graphviz
    res = CliRunner().invoke(
        cli, ["render", str(FIXTURE), "-o", str(tmp_path), "--formats", "md,dot"]
    )
    assert res.exit_code == 0, res.output


@needs_dot
def test_pdf_handbook(protocol: verzuimdsl.Protocol) -> None:
    files = render_files(protocol, ("html", "pdf"))
    assert files["handbook.pdf"][:5] == b"%PDF-"
    assert b"CreationDate" not in files["handbook.pdf"]


@needs_dot
def test_generated_folder_is_fresh() -> None:
    """The committed generated/ matches the protocols: `vzc render protocols/ -o generated/`."""
    protocols = ROOT / "protocols"
    if not (ROOT / "generated").is_dir() or not any(protocols.glob("*.vz")):
        pytest.skip("no protocols or no generated/ folder")
    res = CliRunner().invoke(
        cli, ["render", str(protocols), "-o", str(ROOT / "generated"), "--check"]
    )
    assert res.exit_code == 0, res.output
