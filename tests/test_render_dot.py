"""Stroomschema's: golden DOT text, and what the drawing must show (lanes in actor order,
decision shapes with their thresholds, optional actions dashed, escalation in order)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import verzuimdsl
from verzuimdsl.render.dot import flow_dots
from verzuimdsl.render.flows import all_flows, document_flows, escalation_order, flow_for
from verzuimdsl.render.graphviz_runner import clean_svg
from verzuimdsl.render.names import lane_order

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "render" / "regio.vz"
GOLDEN = HERE / "golden" / "render"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` ontbreekt")


@pytest.fixture(scope="module")
def protocol() -> verzuimdsl.Protocol:
    return verzuimdsl.load(FIXTURE)


@pytest.fixture(scope="module")
def dots(protocol: verzuimdsl.Protocol) -> dict[str, str]:
    return {stem: text for f in document_flows(protocol) for stem, text in flow_dots(protocol, f)}


def test_golden_dot(dots: dict[str, str]) -> None:
    """The DOT text is the contract; regenerate with VZ_UPDATE_GOLDEN=1 after a deliberate change."""
    if os.environ.get("VZ_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for old in GOLDEN.glob("*.dot"):
            old.unlink()
        for stem, text in dots.items():
            (GOLDEN / f"{stem}.dot").write_text(text, encoding="utf-8")
    expected = {p.stem: p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.dot"))}
    assert sorted(expected) == sorted(dots)
    for stem, text in dots.items():
        assert text == expected[stem], f"{stem}.dot wijkt af van tests/golden/render"


def test_dot_is_deterministic(protocol: verzuimdsl.Protocol, dots: dict[str, str]) -> None:
    again = {stem: text for f in document_flows(protocol) for stem, text in flow_dots(protocol, f)}
    assert again == dots


def test_standard_and_named_flows(protocol: verzuimdsl.Protocol) -> None:
    ids = [f.id for f in all_flows(protocol)]
    assert ids == ["ziekte", "relatief", "luxe", "thuiszitten", "ongeoorloofd_regio"]
    flows = all_flows(protocol)
    relatief = flow_for(protocol, "relatief", flows)
    assert relatief is not None
    # luxe verzuim sits under relatief verzuim but has its own diagram
    assert "luxe_regio" not in [i.id for i in relatief.items]
    assert [i.id for i in flow_for(protocol, "luxe", flows).items] == ["luxe_regio"]  # type: ignore[union-attr]
    # every classification is a kind of thuiszitter
    thuis = [i.id for i in flow_for(protocol, "thuiszitten", flows).items]  # type: ignore[union-attr]
    assert {"type_geel", "type_oranje", "thuiszitter_regio"} <= set(thuis)


def test_escalation_runs_in_threshold_order(protocol: verzuimdsl.Protocol) -> None:
    flow = flow_for(protocol, "ongeoorloofd_regio", all_flows(protocol))
    assert flow is not None
    # declared as tien, zes, ...: drawn zes before tien, then hours, then the long runs
    assert [i.id for i in flow.items][:3] == ["te_laat_zes", "te_laat_tien", "wettelijk_regio"]
    ordered = escalation_order(list(flow.items))
    assert [i.id for i in ordered] == [i.id for i in flow.items]


def test_lanes_follow_actor_declaration_order(
    protocol: verzuimdsl.Protocol, dots: dict[str, str]
) -> None:
    order = [a.id for a in lane_order(protocol)]
    # the consulent replaces the leerplichtambtenaar and takes its place, after the school
    assert order.index("school") < order.index("consulent") < order.index("jeugdarts")
    for stem, text in dots.items():
        lanes = re.findall(r'subgraph "cluster_([a-z_0-9]+)"', text)
        assert lanes == sorted(lanes, key=order.index), stem


def test_shapes_say_what_they_are(dots: dict[str, str]) -> None:
    text = dots["stroomschema-ziekte"]
    # a decision shape states threshold and window
    assert re.search(r"shape=diamond[^\n]*meer dan 7 schooldagen<BR/>aaneengesloten ziek", text)
    assert "de 4e keer ziek binnen<BR/>12 schoolweken" in text
    # classifications are states filled with their colour code
    assert re.search(r'peripheries=2, fillcolor="#ffe066"', text)
    # deadlines in the action boxes
    assert "binnen 2 schoolweken" in text
    # optional actions are dashed and read "Evt."
    relatief = dots["stroomschema-relatief-1"]
    assert re.search(r'STYLE="dashed"[^>]*>Evt\. melden via het', relatief)
    # a report to another lane is an arrow into the recipient's lane
    assert 'xlabel="melding"' in relatief


def test_protocol_text_cannot_break_the_dot(protocol: verzuimdsl.Protocol) -> None:
    import attrs

    rule = protocol.rule("te_laat_zes")
    evil = attrs.evolve(rule.actions[0], text='Registreren <TABLE> & "x" \\ }')
    bad = attrs.evolve(rule, actions=(evil,) + rule.actions[1:])
    from verzuimdsl.render.flows import FlowSpec

    ((_, text),) = flow_dots(protocol, FlowSpec(id="x", title="X <b>", items=(bad,)))
    assert "Registreren &lt;TABLE&gt; &amp; &quot;x&quot;" in text
    assert "X &lt;b&gt;" in text


@needs_dot
def test_dot_lays_out_every_page_with_lanes_in_order(
    protocol: verzuimdsl.Protocol, dots: dict[str, str]
) -> None:
    """Render with the real `dot`: no lost edges, and the lanes stand left to right in order."""
    order = [a.id for a in lane_order(protocol)]
    for stem, text in dots.items():
        done = subprocess.run(
            ["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=True
        )
        assert "lost" not in done.stderr and "Error" not in done.stderr, (stem, done.stderr)
        svg = clean_svg(done.stdout)
        assert "<!--" not in svg and not svg.startswith("<?xml")
        xs = [
            (float(m.group(2)), m.group(1))
            for m in re.finditer(
                r"<title>cluster_([a-z_0-9]+)</title>.*?points=\"([\d.\-]+),", svg, re.S
            )
        ]
        lanes = [name for _, name in sorted(xs)]
        assert lanes == sorted(lanes, key=order.index), (stem, lanes)
