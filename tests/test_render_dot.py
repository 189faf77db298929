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
from verzuimdsl.render.dot import REPORT, flow_dots
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


def _parkstad_pages() -> dict[str, list[str]]:
    protocol = verzuimdsl.load(HERE.parent / "protocols" / "parkstad.vz")
    return {f.id: [text for _, text in flow_dots(protocol, f)] for f in document_flows(protocol)}


def test_key_is_part_of_the_title_not_a_node(dots: dict[str, str]) -> None:
    """A key drawn as a node claims a column left of the lanes (the empty left margin);
    in the graph's label it does not. Outside the lanes only zero-size header posts."""
    for stem, text in dots.items():
        assert "legenda" not in text, stem
        assert re.search(r"label=<<TABLE[^\n]*<B>Legenda</B>", text), stem
        outside = re.findall(r"^  ([a-z][a-z0-9_]*) \[", text, re.M)
        outside = [n for n in outside if n not in ("graph", "node", "edge")]
        assert all(n.startswith("lane_") for n in outside), (stem, outside)


@needs_dot
def test_first_lane_starts_at_the_left_edge(dots: dict[str, str]) -> None:
    """The leftmost lane starts near the drawing's margin (8 pt in; a label may nudge it),
    not a third of the way in as when the key was a node below the lanes."""
    for stem, text in dots.items():
        done = subprocess.run(
            ["dot", "-Tsvg", "-Gsize="], input=text, capture_output=True, text=True, check=True
        )
        xs = re.findall(
            r"<title>cluster_[a-z_0-9]+</title>.*?points=\"([\d.\-]+),", done.stdout, re.S
        )
        assert xs and min(float(x) for x in xs) <= 48, (stem, xs)


def test_parallel_reports_are_one_arrow(protocol: verzuimdsl.Protocol) -> None:
    """Two actions of one actor that tell the same acting actor give one arrow, one label."""
    import attrs

    from verzuimdsl.render.flows import FlowSpec

    rule = protocol.rule("te_laat_zes")
    school = next(a for a in rule.actions if a.actor.head == "school")
    told = verzuimdsl.ir.Ref(parts=("consulent",))
    again = attrs.evolve(school, text="Nog eens melden", recipients=(told,), copies=(told,))
    first = attrs.evolve(school, recipients=(told,))
    answer = attrs.evolve(school, actor=told, text="Onderzoeken", recipients=())
    bad = attrs.evolve(rule, actions=(first, again, answer), exceptions=())
    ((_, text),) = flow_dots(protocol, FlowSpec(id="x", title="X", items=(bad,)))
    reports = re.findall(
        r"^  (b0_\w+)(?::\w+)* -> (b0_\w+)[^\n]*xlabel=\"(melding[^\"]*)\"", text, re.M
    )
    assert reports == [("b0_school", "b0_consulent", "melding en kopie")], reports
    # each box still says whom it tells
    assert "aan Consulent" in text and "kopie aan Consulent" in text


def test_actor_only_told_gets_no_lane(protocol: verzuimdsl.Protocol) -> None:
    """A lane holding nothing but 'receives a report' made pages wide and arrows long."""
    import attrs

    from verzuimdsl.render.flows import FlowSpec

    rule = protocol.rule("te_laat_zes")
    school = next(a for a in rule.actions if a.actor.head == "school")
    told = attrs.evolve(school, recipients=(verzuimdsl.ir.Ref(parts=("jeugdarts",)),))
    bad = attrs.evolve(rule, actions=(told,), exceptions=())
    ((_, text),) = flow_dots(protocol, FlowSpec(id="x", title="X", items=(bad,)))
    assert re.findall(r'subgraph "cluster_(\w+)"', text) == ["school"]
    assert "aan Jeugdarts" in text


def test_parkstad_flows_fit_few_legible_pages() -> None:
    """Every Parkstad part prints at >= MIN_SCALE by the estimate (a single rule too big
    for a page excepted), and there are as few parts as that allows: no two neighbouring
    parts would fit on one page (how many that is follows the size estimate)."""
    from verzuimdsl.render import dot

    protocol = verzuimdsl.load(HERE.parent / "protocols" / "parkstad.vz")
    for spec in document_flows(protocol):
        builder = dot._Builder(protocol, spec)
        bands = [builder.band(n, item) for n, item in enumerate(spec.items)]
        pages = builder.pages(bands, builder.escalations(bands))
        assert 1 <= len(pages) <= len(bands), (spec.id, len(pages), len(bands))
        for page in pages:
            if len(page) > 1:
                assert builder.scale(page)[0] >= dot.MIN_SCALE, (spec.id, len(page))
        # as few pages as that allows: no two neighbours would fit on one page together
        for a, b in zip(pages, pages[1:], strict=False):
            assert builder.scale(a + b)[0] < dot.MIN_SCALE, spec.id


def test_size_estimate_matches_dot(dots: dict[str, str]) -> None:
    """The estimate that cuts pages measures text as DejaVu Sans does."""
    from verzuimdsl.render.dot import measure

    w, h = measure("aaaaaaaaaaaaaaaaaaaa<BR/>aaaa")
    assert abs(w - 122) < 2 and abs(h - 22.4) < 1
    assert measure("<B>aaaaaaaaaa</B>")[0] > measure("aaaaaaaaaa")[0]
    assert measure('<FONT POINT-SIZE="9">aaaaaaaaaa</FONT>')[0] < measure("aaaaaaaaaa")[0]


_REPORT_EDGE = re.compile(
    r"^\s+(\w+)(?::\w+)*(?::[nsew])? -> (\w+)(?::\w+)*(?::[nsew])? \[xlabel=\"(?:melding|kopie)[^\]]*\];$",
    re.M,
)
_SVG_GROUP = re.compile(r'<g id="[^"]*" class="(node|edge)">\s*<title>([^<]*)</title>(.*?)</g>', re.S)
_POINTS = re.compile(r'points="([^"]*)"')


def _points(text: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for group in _POINTS.findall(text)
        for x, y in (p.split(",") for p in group.split())
    ]


def _distance(p: tuple[float, float], box: list[tuple[float, float]]) -> float:
    xs, ys = [x for x, _ in box], [y for _, y in box]
    dx = max(min(xs) - p[0], 0.0, p[0] - max(xs))
    dy = max(min(ys) - p[1], 0.0, p[1] - max(ys))
    return (dx * dx + dy * dy) ** 0.5


def test_report_arrows_point_at_whoever_is_told() -> None:
    """In every published diagram, each report arrow has one head, at the actor told, not
    at the sender (`dot` 2.43 turned leftward arrows round on level edges with ports)."""
    root = HERE.parent / "generated"
    checked = 0
    for dot_path in sorted(root.glob("*/stroomschema-*.dot")):
        svg = dot_path.with_suffix(".svg").read_text(encoding="utf-8").replace("&#45;", "-")
        nodes = {t: _points(body) for kind, t, body in _SVG_GROUP.findall(svg) if kind == "node"}
        # report edges (drawn in the report colour) per pair of nodes, in DOT order
        edges: dict[str, list[str]] = {}
        for kind, t, body in _SVG_GROUP.findall(svg):
            if kind == "edge" and f'stroke="{REPORT}"' in body:
                edges.setdefault(re.sub(r":\w+", "", t.replace("&gt;", ">")), []).append(body)
        for line in _REPORT_EDGE.finditer(dot_path.read_text(encoding="utf-8")):
            tail, head = line.group(1), line.group(2)
            # a report written against the lane order carries its arrowhead at the tail
            told, sender = (tail, head) if "dir=back" in line.group(0) else (head, tail)
            # dot 2.43 may draw a level edge twice over itself: count distinct arrowheads
            heads = sorted(set(_POINTS.findall(edges[f"{tail}->{head}"].pop(0))))
            assert len(heads) == 1, f"{dot_path.name}: {line.group(0).strip()}: {len(heads)} heads"
            arrow = _points(f'points="{heads[0]}"')
            tip = (sum(x for x, _ in arrow) / 4, sum(y for _, y in arrow) / 4)
            assert _distance(tip, nodes[told]) < _distance(tip, nodes[sender]), (
                f"{dot_path.name}: {line.group(0).strip()}"
            )
            checked += 1
    assert checked > 50
