"""Stroomschema's as Graphviz DOT text, written by hand so the text is deterministic.

Layout, top to bottom, one band per rule in escalation order:

    lane headers (one swimlane cluster per actor, in declaration order)
    ◇ trigger (threshold and window) in the leftmost lane that acts on it
    ├─ per actor: a stack of action boxes with their deadlines, side by side like the
    │  verzuimkaart; each box names who is told (`aan`, `cc`), and a report to an actor
    │  that acts on the same rule is one arrow into that actor's stack (a report back to
    │  a stack level with it, to the left, stays in the box's text)
    └─ "verzuim houdt aan": escalation to the next threshold of the same measure

Only actors that act get a lane: an actor that is merely told stays in the box's text, so
a page is as narrow as the work it shows and no report arrow crosses empty lanes.
Classifications are states (rounded, double border, filled with their colour code).
Obligatory actions have a solid border, optional ones (`kan`, `mag`, `evt`) a dashed one.

A flow is cut into as few A4 pages as keep the text legible (MIN_SCALE), and the bands are
spread evenly over them. Sizes are estimated from DejaVu Sans' advance widths, so the DOT
text never depends on running `dot`.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Callable

import attrs

from .. import ir
from ..protocol import Protocol
from . import flows, wording
from .flows import FlowSpec, Item, same_family
from .names import Names, lane_order

FONT = "DejaVu Sans"
CELL_WIDTH = 26  # characters per line in an action box
DIAMOND_WIDTH = 22  # characters per line in a trigger diamond
# The box a diagram gets on an A4 page, in inches: 10 mm page margins and room for a caption
# line (the handbook's print CSS uses the same box). `dot` only shrinks to fit, never enlarges.
A4_PORTRAIT = "7.5,10.2"
A4_LANDSCAPE = "10.8,6.9"
A4_SHORT, A4_LONG = 540.0, 734.0  # the portrait box in points; landscape is 778 x 497
A4_WIDE, A4_LOW = 778.0, 497.0
MIN_SCALE = 0.7  # 10 pt text printed at no less than 7 pt; a single band may go below
RANKSEP = 20.0  # points, the graph's ranksep
# dot does not stack a lane's nodes in one column: escalation arcs with their labels and
# stacks set off from another lane stand beside each other; measured against dot's own
# drawings of all regions, the column estimate is ~10 % narrow (median)
WIDTH_SLACK = 1.1
NODESEP = 16.0  # points, the graph's nodesep

# DejaVu Sans advance widths of ' '..'~' in hundredths of an em, for the size estimates
_ADVANCE = bytes.fromhex(
    "20282e54405f4e1b272732542024202240404040404040404040222254545435644445464d3f3a4d4b1d1d"
    "4238564b4f3c4f453f3d494463453d452722275432323d3f373f3e233f3f1c1c3a1c613f3d3f3f2934273f"
    "3b523b3b3440224054"
)
_TOKEN = re.compile(r"<(/?)([A-Za-z]+)([^>]*)>|([^<]+)")
_POINT_SIZE = re.compile(r'POINT-SIZE="([\d.]+)"')


LANE_FILLS = ("#eef2f7", "#f7f9fb")
HEADER_FILL = "#1f4e79"
ESCALATION = "#a3281a"
OPTIONAL_FILL = "#f2f2f2"
TRIGGER_FILL = "#fff3d1"
TRIGGER_LINE = "#8a6a12"
STATE_FILL = "#e6e0f2"
REPORT = "#2f5f8a"


def _advance(ch: str) -> float:
    """One character's width in ems; accented letters count as their base letter."""
    code = ord(ch)
    if 32 <= code < 127:
        return _ADVANCE[code - 32] / 100
    return 0.62 if ch.isalpha() else 0.8


def measure(markup: str, size: float = 10.0) -> tuple[float, float]:
    """Width and height in points of an HTML-like label as `dot` sets it in DejaVu Sans:
    line by line, with FONT POINT-SIZE and bold (about 14% wider) taken into account."""
    lines: list[list[float]] = [[0.0, size]]
    sizes = [size]
    bold = 0
    for m in _TOKEN.finditer(markup):
        close, tag, attrs_, text = m.groups()
        if text is not None:
            text = html.unescape(text)
            width = sum(_advance(ch) for ch in text) * sizes[-1] * (1.14 if bold else 1.0)
            lines[-1][0] += width
            lines[-1][1] = max(lines[-1][1], sizes[-1])
            continue
        tag = tag.upper()
        if tag == "BR":
            lines.append([0.0, sizes[-1]])
        elif tag == "FONT":
            if close:
                if len(sizes) > 1:
                    sizes.pop()
            else:
                found = _POINT_SIZE.search(attrs_)
                sizes.append(float(found.group(1)) if found else sizes[-1])
        elif tag == "B":
            bold += -1 if close else 1
    return max(w for w, _ in lines), sum(1.12 * h for _, h in lines)


def _esc(text: str) -> str:
    """Text for an HTML-like label: protocol text can never become markup."""
    return html.escape(text, quote=True)


def _quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lines(text: str, width: int) -> str:
    return "<BR/>".join(_esc(line) for line in wording.wrap(text, width))


@attrs.frozen
class _Cell:
    port: str
    lines: str  # label markup
    style: str  # "must", "should" or "optional"


@attrs.define
class _Stack:
    lane: str
    node: str
    cells: list[_Cell] = attrs.Factory(list)
    fed_by: str | None = None  # the stack whose report sets this actor off


@attrs.frozen
class _Report:
    """One arrow from a stack to the stack of an actor it tells, however many of its
    actions do: parallel reports are merged, so labels never pile up."""

    source: str  # stack node
    port: str  # the first action that reports
    target: str  # stack node
    label: str  # "melding", "kopie" or "melding en kopie"


@attrs.define
class _Band:
    item: Item
    trigger: str
    lane: str
    state: str | None = None
    stacks: list[_Stack] = attrs.Factory(list)
    reports: list[_Report] = attrs.Factory(list)
    continues: str | None = None  # a later part of a rule too wide for one page: its first part


class _Builder:
    def __init__(self, protocol: Protocol, flow: FlowSpec) -> None:
        self.p = protocol
        self.flow = flow
        self.names = Names(protocol)
        self.lanes = lane_order(protocol)
        self.order = {a.id: n for n, a in enumerate(self.lanes)}
        self.prefix = flow.id.replace("_", "-")

    # ------------------------------------------------------------------ bands
    def actions(self, item: Item) -> list[tuple[ir.Action, str | None]]:
        """The item's actions, then its exceptions' actions (with the exception's title)."""
        out: list[tuple[ir.Action, str | None]] = [(a, None) for a in item.actions]
        if isinstance(item, ir.Rule):
            for exc in item.exceptions:
                out.extend((a, exc.title) for a in exc.actions)
        return out

    def cell(self, action: ir.Action, port: str, exception: str | None) -> _Cell:
        text = wording.action_text(action)
        role = self.names.role(action.actor)
        parts = []
        if exception:
            parts.append(f"<I>{_lines('Uitzondering: ' + exception, CELL_WIDTH)}</I>")
        conds = wording.conditions_text(action.conditions, self.names)
        if conds:
            text = f"Indien {conds}: {wording.lower_first(text)}"
        body = _lines(text, CELL_WIDTH)
        if role:
            # a short role leads the first line; a long one gets lines of its own
            body = (
                f"<B>{_esc(role)}:</B> {body}"
                if len(role) < 14
                else f"<B>{_lines(role + ':', CELL_WIDTH)}</B><BR/>{body}"
            )
        parts.append(body)
        meta = []
        deadline = wording.deadline_text(action.deadline)
        if deadline:
            meta.append(f'<FONT COLOR="{ESCALATION}"><B>{_esc(deadline)}</B></FONT>')
        told = [self.names.actor(r) for r in action.recipients]
        if told:
            meta.append(_lines("aan " + wording.join(told), CELL_WIDTH))
        copied = [self.names.actor(r) for r in action.copies]
        if copied:
            meta.append(_lines("kopie aan " + wording.join(copied), CELL_WIDTH))
        if action.step is not None:
            step = self.names(action.step) or str(action.step)
            meta.append(_lines(f"stap: {wording.lower_first(step)}", CELL_WIDTH))
        if meta:
            parts.append(f'<FONT POINT-SIZE="9">{"<BR/>".join(meta)}</FONT>')
        if wording.is_optional(action.modality):
            style = "optional"
        elif action.modality is ir.Modality.SHOULD:
            style = "should"
        else:
            style = "must"
        return _Cell(port=port, lines="<BR/>".join(parts), style=style)

    def band(self, n: int, item: Item) -> _Band:
        """One rule: a stack per acting actor, and one arrow per pair of stacks that report."""
        stacks: dict[str, _Stack] = {}
        pending: list[tuple[str, str, str, str]] = []  # (stack node, port, lane told, label)
        for k, (action, exception) in enumerate(self.actions(item)):
            lane = self.names.lane(action.actor)
            if lane is None:
                continue
            stack = stacks.get(lane)
            if stack is None:
                stack = stacks[lane] = _Stack(lane=lane, node=f"b{n}_{lane}")
            port = f"a{k}"
            stack.cells.append(self.cell(action, port, exception))
            for refs, label in ((action.recipients, "melding"), (action.copies, "kopie")):
                for r in refs:
                    target = self.names.lane(r)
                    if target is not None and target != lane:
                        pending.append((stack.node, port, target, label))
        order = list(stacks)
        lane_of = {s.node: s.lane for s in stacks.values()}
        merged: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for node, port, lane, label in pending:
            stack = stacks.get(lane)
            if stack is None:
                continue  # an actor that is only told: the box says so, no lane needed
            # a report feeds only a stack that starts later, so reports never form a cycle
            if stack.fed_by is None and order.index(lane_of[node]) < order.index(lane):
                stack.fed_by = node
            first_port, labels = merged.setdefault((node, stack.node), (port, []))
            if label not in labels:
                labels.append(label)
        reports = [
            _Report(
                source=src, port=port, target=dst, label=" en ".join(sorted(labels, reverse=True))
            )
            for (src, dst), (port, labels) in merged.items()
        ]
        ordered = sorted(stacks.values(), key=lambda s: self.order.get(s.lane, 999))
        unfed = [s for s in ordered if s.fed_by is None]
        if ordered:
            lane = (unfed or ordered)[0].lane
        else:
            lane = "school" if "school" in self.order else self.lanes[0].id
        band = _Band(item=item, trigger=f"b{n}_t", lane=lane, stacks=ordered, reports=reports)
        if isinstance(item, ir.Classification):
            band.state = f"b{n}_s"
        return band

    # ------------------------------------------------------------------ output
    def trigger_label(self, item: Item) -> str:
        if item.triggers:
            parts = [
                _lines(wording.trigger_text(t, self.names), DIAMOND_WIDTH) for t in item.triggers
            ]
            text = "<BR/><I>of</I><BR/>".join(parts)
        else:
            label = item.card if isinstance(item, ir.Rule) and item.card else item.title
            text = _lines(label, DIAMOND_WIDTH)
        conds = wording.conditions_text(item.conditions, self.names)
        if conds:
            text += f'<BR/><FONT POINT-SIZE="9"><I>{_lines(conds, DIAMOND_WIDTH + 4)}</I></FONT>'
        return f"<{text}>"

    def state_label(self, item: ir.Classification) -> str:
        lines = [f"<B>{_lines(item.title, CELL_WIDTH)}</B>"]
        sub = [s for s in (wording.colour_text(item.colour), item.group or "") if s]
        if sub:
            lines.append(f'<FONT POINT-SIZE="9">{_lines(" · ".join(sub), CELL_WIDTH)}</FONT>')
        return "<" + "<BR/>".join(lines) + ">"

    def stack_label(self, stack: _Stack) -> str:
        rows = []
        for cell in stack.cells:
            attrs_ = {
                "must": 'BORDER="1" COLOR="#222222" BGCOLOR="#ffffff"',
                "should": 'BORDER="1" COLOR="#555555" BGCOLOR="#ffffff"',
                "optional": f'BORDER="1" STYLE="dashed" COLOR="#555555" BGCOLOR="{OPTIONAL_FILL}"',
            }[cell.style]
            rows.append(
                f'<TR><TD PORT="{cell.port}" {attrs_} CELLPADDING="5" ALIGN="LEFT" '
                f'BALIGN="LEFT">{cell.lines}</TD></TR>'
            )
        return (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0">'
            + "".join(rows)
            + "</TABLE>>"
        )

    def legend(self, has_state: bool, has_optional: bool, has_report: bool) -> str:
        """The key, three entries a row in 9 pt, so it never sets the width of a page."""
        cells = [
            f'<TD BORDER="1" COLOR="{TRIGGER_LINE}" BGCOLOR="{TRIGGER_FILL}">'
            "\u25c7 drempel: wanneer</TD>",
            '<TD BORDER="1" COLOR="#222222" BGCOLOR="#ffffff">verplichte actie</TD>',
        ]
        if has_optional:
            cells.append(
                f'<TD BORDER="1" STYLE="dashed" COLOR="#555555" BGCOLOR="{OPTIONAL_FILL}">'
                "Evt. (optionele actie)</TD>"
            )
        if has_state:
            cells.append(
                f'<TD BORDER="1" STYLE="rounded" BGCOLOR="{STATE_FILL}">status (classificatie)</TD>'
            )
        cells.append(
            f'<TD><FONT COLOR="{ESCALATION}"><B>termijn</B> \u00b7 \u2192 verzuim houdt aan'
            "</FONT></TD>"
        )
        if has_report:
            cells.append(
                f'<TD><FONT COLOR="{REPORT}">\u2192 melding aan wie ook handelt</FONT></TD>'
            )
        rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
        first = f'<TD ROWSPAN="{len(rows)}"><B>Legenda</B></TD>'
        body = "".join(
            "<TR>" + (first if n == 0 else "") + "".join(row) + "</TR>"
            for n, row in enumerate(rows)
        )
        return (
            '<FONT POINT-SIZE="9"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" '
            f'CELLPADDING="3">{body}</TABLE></FONT>'
        )

    # ------------------------------------------------------------------ layout
    def levels(self, band: _Band) -> dict[str, int]:
        """Rank of each stack below its trigger: 1 when the trigger sets it off; beside the
        reporting stack when a report (`aan`, `cc`) from its left sets it off and no stack
        stands between the two on that rank, else one rank lower, so a report arrow never
        crosses a box and never runs level to the left."""
        feeder = {s.node: s.fed_by for s in band.stacks}
        stair: dict[str, int] = {}
        for s in band.stacks:
            seen: list[str] = []
            node: str | None = s.node
            while node is not None and node not in seen and node not in stair:
                seen.append(node)
                node = feeder.get(node)
            base = stair.get(node, 0) if node is not None else 0
            if node is not None and node in seen:  # a cycle of reports: cut it here
                base = 0
            for depth, n in enumerate(reversed(seen), start=1):
                stair[n] = base + depth
        index = {s.node: self.order.get(s.lane, 999) for s in band.stacks}
        level: dict[str, int] = {}
        for s in sorted(band.stacks, key=lambda s: (stair[s.node], index[s.node])):
            up = feeder.get(s.node)
            if up is None or up not in level:
                level[s.node] = 1
                continue
            lo, hi = sorted((index[up], index[s.node]))
            blocked = any(
                level.get(o.node) == level[up] and lo < index[o.node] < hi for o in band.stacks
            )
            # fed from the right: one rank lower, so the arrow runs down into the stack
            # (a level arrow to the left is one that dot 2.43 draws the wrong way round)
            level[s.node] = level[up] + (1 if blocked or index[up] > index[s.node] else 0)
        offset = 1 if band.state else 0
        return {n: v + offset for n, v in level.items()}

    def trigger_size(self, item: Item) -> tuple[float, float]:
        """A diamond's size as `dot` sizes it: the label box grown by sqrt 2 (or widened
        when the minimum height leaves room), then by 1/cos 45 degrees for the corners."""
        tw, th = measure(self.trigger_label(item)[1:-1])
        bx, by = tw + 3.0, th + 3.0
        if by * math.sqrt(2) < 36:
            bx *= math.sqrt(1 / (1 - (by / 36) ** 2))
        else:
            bx, by = bx * math.sqrt(2), by * math.sqrt(2)
        return max(bx * math.sqrt(2), 54.0), max(by * math.sqrt(2), 36.0)

    def state_size(self, item: ir.Classification) -> tuple[float, float]:
        tw, th = measure(self.state_label(item)[1:-1])
        return max(tw + 23.0, 54.0), max(th + 16.0, 36.0)

    def stack_size(self, stack: _Stack) -> tuple[float, float]:
        """The table of boxes: text plus 5 pt padding and 1 pt border per cell, 4 pt apart."""
        sizes = [measure(c.lines) for c in stack.cells]
        width = max(w for w, _ in sizes) + 12 + 8
        height = sum(h + 12 for _, h in sizes) + 4 * (len(sizes) + 1)
        return width, height

    def height(self, band: _Band) -> float:
        """Estimated height in points of one band, down to the next band's trigger."""
        total = self.trigger_size(band.item)[1] + RANKSEP
        if band.state and isinstance(band.item, ir.Classification):
            total += self.state_size(band.item)[1] + RANKSEP
        per_level: dict[int, float] = {}
        sizes = {s.node: self.stack_size(s)[1] for s in band.stacks}
        for node, lvl in self.levels(band).items():
            per_level[lvl] = max(per_level.get(lvl, 0.0), sizes[node])
        return total + sum(h + RANKSEP for h in per_level.values())

    def lanes_of(self, bands: list[_Band]) -> list[ir.Actor]:
        used = {b.lane for b in bands} | {s.lane for b in bands for s in b.stacks}
        return [a for a in self.lanes if a.id in used]

    def lane_widths(self, band: _Band) -> dict[str, float]:
        """The widest node each lane needs for one band."""
        out = {band.lane: self.trigger_size(band.item)[0]}
        if band.state and isinstance(band.item, ir.Classification):
            out[band.lane] = max(out[band.lane], self.state_size(band.item)[0])
        for st in band.stacks:
            out[st.lane] = max(out.get(st.lane, 0.0), self.stack_size(st)[0])
        return out

    def width(self, bands: list[_Band], beside: dict[str, float] | None = None) -> float:
        """Estimated width in points: the widest node of each lane (or its header), lanes
        side by side; `beside` is the width of the off-page connector by a diamond."""
        widest: dict[str, float] = {}
        for b in bands:
            for lane, w in self.lane_widths(b).items():
                if lane == b.lane and beside:
                    w = max(
                        w, self.trigger_size(b.item)[0] + beside.get(b.trigger, -NODESEP) + NODESEP
                    )
                widest[lane] = max(widest.get(lane, 0.0), w)
        total = 0.0
        for lane, w in widest.items():
            header = measure(self.lane_label(self.names.p.actor(lane))[1:-1], 12)[0] + 12
            total += max(w, header) + 16 + NODESEP
        return (total - NODESEP + 2 * 14.4) * WIDTH_SLACK

    def title_size(self, bands: list[_Band]) -> tuple[float, float]:
        """Title (16 pt, with a part number), protocol line (11 pt) and key, stacked."""
        title = measure(f"<B>{_esc(self.flow.title)}</B> (deel 1 van 2)", 16)
        sub = measure(_esc(self.p.header.title) + ", schooljaar 2025-2026", 11)
        rows = [
            measure("".join(re.findall(r"<TD[^>]*>(.*?)</TD>", row)), 9)[0] + 60 + 60
            for row in re.findall(r"<TR>(.*?)</TR>", self.title_label(bands, 0, 1))
        ][2:]
        width = max(title[0], sub[0], *rows)
        return width, title[1] + sub[1] + len(rows) * 24 + 8

    def size(
        self, bands: list[_Band], beside: dict[str, float] | None = None
    ) -> tuple[float, float]:
        """Estimated drawing size in points: title and key, lane headers, bands, margins."""
        tw, th = self.title_size(bands)
        w = max(self.width(bands, beside), tw + 30)
        h = th + 50 + sum(self.height(b) for b in bands) + 30
        return w, h

    def scale(
        self, bands: list[_Band], beside: dict[str, float] | None = None
    ) -> tuple[float, bool]:
        """The print scale on A4 and whether landscape gives the larger one."""
        w, h = self.size(bands, beside)
        portrait = min(1.0, A4_SHORT / w, A4_LONG / h)
        landscape = min(1.0, A4_WIDE / w, A4_LOW / h)
        return (landscape, True) if landscape > portrait else (portrait, False)

    def pages(self, bands: list[_Band], edges: dict[tuple[str, str], str]) -> list[list[_Band]]:
        """Bands per A4 page: the fewest pages on which every page stays legible (scale at
        least MIN_SCALE; a band too big on its own gets a page of its own), and of those
        cuts the one whose smallest page scale is largest, so pages fill evenly."""
        n = len(bands)
        if n == 0:
            return [[]]
        pos = {b.trigger: i for i, b in enumerate(bands)}
        pairs = [(pos[a], pos[b]) for a, b in edges]
        memo: dict[tuple[int, int], float] = {}

        def fit(i: int, j: int) -> float:
            """The scale of bands[i:j] on one page, or -1 when it may not share one."""
            if (i, j) not in memo:
                # one connector beside each diamond that escalates past this page
                leaving = {a for a, b in pairs if i <= a < j and not i <= b < j}
                beside = {bands[a].trigger: 150.0 for a in leaving}
                sc = self.scale(bands[i:j], beside)[0]
                memo[(i, j)] = sc if sc >= MIN_SCALE or j == i + 1 else -1.0
            return memo[(i, j)]

        # best[j] = (pages, -smallest scale) for bands[:j]; cut[j] = where its last page starts
        best: list[tuple[int, float]] = [(0, -2.0)] + [(n + 1, 0.0)] * n
        cut = [0] * (n + 1)
        for j in range(1, n + 1):
            for i in range(j - 1, -1, -1):
                sc = fit(i, j)
                if sc < 0:
                    break
                pages_i, neg_i = best[i]
                cand = (pages_i + 1, max(neg_i, -sc))
                if cand < best[j]:
                    best[j], cut[j] = cand, i
        out: list[list[_Band]] = []
        j = n
        while j > 0:
            out.append(bands[cut[j] : j])
            j = cut[j]
        return out[::-1]

    # ------------------------------------------------------------------ output
    def build(self) -> list[str]:
        whole = [self.band(n, item) for n, item in enumerate(self.flow.items)]
        edges = self.escalations(whole)
        bands: list[_Band] = []
        for b in whole:
            parts = self.split(b)
            bands.extend(parts)
            for part in parts[1:]:
                edges[(b.trigger, part.trigger)] = "vervolg"
        pages = self.pages(bands, edges)
        page_of = {b.trigger: k for k, page in enumerate(pages) for b in page}
        return [self.page(page, k, len(pages), edges, page_of) for k, page in enumerate(pages)]

    def split(self, band: _Band) -> list[_Band]:
        """A rule that is illegible on one A4 page is cut into parts: first by lanes (in
        declaration order), when many actors act on it, then by rows, when one actor has a
        long list of actions; each time the fewest parts that print at MIN_SCALE, or else
        the cut whose smallest scale is largest. Each later part restates the trigger as a
        continuation; a report between parts stays in the box's text (`aan ...`)."""
        if self.scale([band])[0] >= MIN_SCALE:
            return [band]
        lanes = [s.lane for s in band.stacks]
        groups = self._fewest(
            [
                [lanes[i:j] for i, j in zip((0, *cuts), (*cuts, len(lanes)), strict=True)]
                for count in range(1, len(lanes) + 1)
                for cuts in _cuts(len(lanes), count)
            ],
            lambda g: self._select(band, {lane: None for lane in g}),
        )
        # the trigger's own lane leads the first part
        groups.sort(key=lambda g: band.lane not in g)
        pieces: list[_Band] = []
        for g in groups:
            part = self._select(band, {lane: None for lane in g})
            tallest = max((len(s.cells) for s in part.stacks), default=1)
            rows = self._fewest(
                [[(i, m) for i in range(m)] for m in range(1, tallest + 1)],
                lambda r, part=part: self._select(part, {s.lane: r for s in part.stacks}),
            )
            pieces.extend(self._select(part, {s.lane: r for s in part.stacks}) for r in rows)
        return [self._numbered(band, piece, k) for k, piece in enumerate(pieces)]

    def _fewest(self, cuts: list[list[object]], make: Callable[[object], _Band]) -> list[object]:
        """Of the candidate cuts (each a list of parts, fewest parts first), the first whose
        parts all print at MIN_SCALE with as few parts as any such, or else the best one."""
        best: tuple[float, int, list[object]] = (-1.0, 0, cuts[0])
        for cut in cuts:
            if best[0] >= MIN_SCALE and len(cut) > best[1]:
                break
            worst = min(self.scale([make(c)])[0] for c in cut)
            if worst > best[0] + 1e-9:
                best = (worst, len(cut), cut)
        return best[2]

    def _select(self, band: _Band, rows: dict[str, tuple[int, int] | None]) -> _Band:
        """The stacks of the given lanes, each cut to its share i of m row chunks (or whole);
        a stack no longer fed from inside the selection starts from the trigger."""
        stacks: list[_Stack] = []
        for s in band.stacks:
            if s.lane not in rows:
                continue
            cut = rows[s.lane]
            cells, node = s.cells, s.node
            if cut is not None and cut[1] > 1:
                i, m = cut
                cells = s.cells[i * len(s.cells) // m : (i + 1) * len(s.cells) // m]
                node = s.node if i == 0 else f"{s.node}r{i}"
            if cells:
                stacks.append(_Stack(lane=s.lane, node=node, cells=cells, fed_by=s.fed_by))
        node_of = {o.lane: o.node for o in stacks}  # a band has one stack per lane
        ports = {o.node: {c.port for c in o.cells} for o in stacks}
        lane_of = {o.node: o.lane for o in band.stacks}
        reports: list[_Report] = []
        for r in band.reports:
            src, dst = node_of.get(lane_of[r.source]), node_of.get(lane_of[r.target])
            if src is not None and dst is not None and r.port in ports[src]:
                reports.append(attrs.evolve(r, source=src, target=dst))
        arrows = {(r.source, r.target) for r in reports}
        for o in stacks:
            # still fed by the same lane, if that report is drawn in this selection
            feeder = node_of.get(lane_of.get(o.fed_by, "")) if o.fed_by is not None else None
            o.fed_by = feeder if (feeder, o.node) in arrows else None
        first = not rows or all(c is None or c[0] == 0 for c in rows.values())
        return _Band(
            item=band.item,
            trigger=band.trigger,
            lane=band.lane,
            state=band.state if first else None,
            stacks=stacks,
            reports=reports,
        )

    def _numbered(self, band: _Band, piece: _Band, k: int) -> _Band:
        """Part k of a band: the first keeps the band's trigger and state; a later one gets
        a trigger of its own, in the lane of its first stack that the trigger sets off."""
        if k == 0:
            return attrs.evolve(piece, trigger=band.trigger, state=band.state)
        unfed = [s for s in piece.stacks if s.fed_by is None]
        lane = (unfed or piece.stacks)[0].lane if piece.stacks else band.lane
        return attrs.evolve(
            piece, trigger=f"{band.trigger}{k}", lane=lane, state=None, continues=band.trigger
        )

    def escalations(self, bands: list[_Band]) -> dict[tuple[str, str], str]:
        """Escalation edges: the next threshold of the same measure, then `na` and `gaat_voor`."""
        index = {b.item.id: b for b in bands}
        out: dict[tuple[str, str], str] = {}
        for a, b in _escalation_pairs(bands):
            out[(a.trigger, b.trigger)] = "verzuim houdt aan"
        for b in bands:
            for cond in b.item.conditions:
                if isinstance(cond, ir.AfterCondition) and not cond.negated:
                    before = index.get(self.p.resolve(cond.ref.last))
                    if before is not None and before is not b:
                        out.setdefault((before.trigger, b.trigger), "daarna")
            if isinstance(b.item, ir.Rule):
                for ref in b.item.precedes:
                    lower = index.get(self.p.resolve(ref.last))
                    if lower is not None and lower is not b:
                        out.setdefault((lower.trigger, b.trigger), "gaat voor")
        return out

    def page(
        self,
        bands: list[_Band],
        k: int,
        count: int,
        escalations: dict[tuple[str, str], str],
        page_of: dict[str, int],
    ) -> str:
        pid = self.prefix if count == 1 else f"{self.prefix}-{k + 1}"
        lanes = self.lanes_of(bands)
        if not lanes:
            lanes = [a for a in self.lanes if a.id == "school"] or self.lanes[:1]
        lane_ids = [a.id for a in lanes]
        out: list[str] = []
        w = out.append
        size = (
            A4_LANDSCAPE
            if self.scale(bands, self.beside(escalations, page_of, k))[1]
            else A4_PORTRAIT
        )
        w(f"digraph {_quote(pid)} {{")
        w(
            f"  graph [id={_quote(pid)}, newrank=true, rankdir=TB, splines=spline, "
            f"nodesep=0.22, ranksep=0.28, pad=0.2, size={_quote(size)}, fontname={_quote(FONT)}, "
            f"fontsize=16, labelloc=t, labeljust=l, label={self.title_label(bands, k, count)}];"
        )
        w(
            f"  node [fontname={_quote(FONT)}, fontsize=10, shape=box, style=filled, "
            'fillcolor="#ffffff", color="#333333", margin="0.1,0.05"];'
        )
        w(f'  edge [fontname={_quote(FONT)}, fontsize=9, color="#4a4a4a", arrowsize=0.7];')
        # nodes, by lane
        lane_nodes: dict[str, list[str]] = {a: [] for a in lane_ids}
        for b in bands:
            lane_nodes[b.lane].extend(self.band_nodes(b, pid))
            for s in b.stacks:
                if s.lane != b.lane:
                    lane_nodes[s.lane].append(self.stack_node(s, pid))
        # off-page connectors stand beside their diamond, in its lane, saying why and where;
        # one per diamond and other part, however many escalations it stands for
        band_of = {b.trigger: b for b in bands}
        links = self.off_page(escalations, page_of, k)
        for (t, incoming), reasons in links.items():
            text = self.link_text(reasons, incoming)
            lane_nodes[band_of[t].lane].append(
                self.connector(self.link_node(t, incoming), text, pid)
            )
        # lane headers stand outside the clusters, in one row: dot keeps a chain of flat
        # edges between plain nodes in order, which it does not do across clusters
        for actor in lanes:
            w(f'  lane_{actor.id} [shape=point, width=0, height=0, style=invis, label=""];')
        w(f"  {{ rank=same; {'; '.join(f'lane_{a}' for a in lane_ids)}; }}")
        if len(lane_ids) > 1:
            w(f"  {' -> '.join(f'lane_{a}' for a in lane_ids)} [style=invis, weight=10];")
        for n, actor in enumerate(lanes):
            fill = LANE_FILLS[n % 2]
            a = actor.id
            w(f"  subgraph {_quote('cluster_' + a)} {{")
            w(
                f'    graph [id={_quote(f"{pid}-lane-{a}")}, style=filled, fillcolor="{fill}", '
                f'color="#b9c3cf", margin=8, labelloc=t, labeljust=c, tooltip={_quote(actor.name)}, '
                f"label={self.lane_label(actor)}];"
            )
            # invisible posts at the top and bottom make every lane run the full height
            w(f'    top_{a} [shape=point, width=0, height=0, style=invis, label=""];')
            for b in bands:
                w(f'    {b.trigger}_{a} [shape=point, width=0, height=0, style=invis, label=""];')
            for line in lane_nodes[a]:
                w(f"    {line}")
            w(f'    bot_{a} [shape=point, width=0, height=0, style=invis, label=""];')
            w("  }")
            w(f"  lane_{a} -> top_{a} [style=invis, weight=100];")
            for line in lane_nodes[a]:
                node = line.split(" ", 1)[0]
                w(f"  top_{a} -> {node} [style=invis, weight=0];")
                w(f"  {node} -> bot_{a} [style=invis, weight=0];")
        w(f"  {{ rank=same; {'; '.join(f'top_{a}' for a in lane_ids)}; }}")
        if len(lane_ids) > 1:
            w(f"  {' -> '.join(f'top_{a}' for a in lane_ids)} [style=invis];")
        # a row of posts on each trigger's rank, one per lane, holds the lanes in order
        for b in bands:
            posts = [f"{b.trigger}_{a}" for a in lane_ids]
            w(f"  {{ rank=same; {b.trigger}; {'; '.join(posts)}; }}")
            if len(posts) > 1:
                w(f"  {' -> '.join(posts)} [style=invis];")
            for a in lane_ids:
                w(f"  top_{a} -> {b.trigger}_{a} -> bot_{a} [style=invis, weight=0];")
        w(f"  {{ rank=same; {'; '.join(f'bot_{a}' for a in lane_ids)}; }}")
        for n, b in enumerate(bands):
            self.band_edges(w, b, bands[n + 1] if n + 1 < len(bands) else None, n == 0)
        for (a, b), label in escalations.items():
            if page_of[a] == k and page_of[b] == k:
                more = "weight=4" if band_of[a].lane == band_of[b].lane else "constraint=false"
                w(
                    f'  {a} -> {b} [color="{ESCALATION}", fontcolor="{ESCALATION}", '
                    f'penwidth=1.6, xlabel="{label}", {more}];'
                )
        for t, incoming in links:
            node = self.link_node(t, incoming)
            if incoming:  # just above its diamond
                w(f'  {node} -> {t} [color="{ESCALATION}", penwidth=1.6, weight=50];')
                continue
            # beside its diamond: on the rank below it would stand between two stacks that
            # report to each other, and `dot` then bends that report over the top
            w(f"  {{ rank=same; {t}; {node}; }}")
            w(f'  {t} -> {node} [color="{ESCALATION}", penwidth=1.6];')
        w("}")
        return "\n".join(out) + "\n"

    def off_page(
        self, escalations: dict[tuple[str, str], str], page_of: dict[str, int], k: int
    ) -> dict[tuple[str, bool], dict[str, list[int]]]:
        """Escalations that leave or enter page k, merged per diamond on this page and
        direction: reason -> the other parts. One connector each, because two flat edges
        from one diamond make `dot` 2.43 search its crossings forever."""
        out: dict[tuple[str, bool], dict[str, list[int]]] = {}
        for (a, b), reason in escalations.items():
            if page_of[a] == k and page_of[b] != k:
                key, other = (a, False), page_of[b] + 1
            elif page_of[b] == k and page_of[a] != k:
                key, other = (b, True), page_of[a] + 1
            else:
                continue
            parts = out.setdefault(key, {}).setdefault(reason, [])
            if other not in parts:
                parts.append(other)
        return out

    def beside(
        self, escalations: dict[tuple[str, str], str], page_of: dict[str, int], k: int
    ) -> dict[str, float]:
        """The width of the off-page connector beside each diamond on page k."""
        out: dict[str, float] = {}
        for (t, incoming), reasons in self.off_page(escalations, page_of, k).items():
            if not incoming:
                out[t] = measure(self.link_text(reasons, False), 9)[0] + 40
        return out

    @staticmethod
    def link_text(reasons: dict[str, list[int]], incoming: bool) -> str:
        """`verzuim houdt aan / verder in deel 2`; with several reasons, a line each."""
        where = "van deel" if incoming else "verder in deel"

        def parts(ns: list[int]) -> str:
            return wording.join([str(n) for n in sorted(ns)])

        if len(reasons) == 1:
            ((reason, ns),) = reasons.items()
            return f"{_esc(reason)}<BR/>{where} {parts(ns)}"
        lines = [f"{_esc(reason)}: {parts(ns)}" for reason, ns in reasons.items()]
        return "<BR/>".join([where.removesuffix(" deel"), *lines])

    @staticmethod
    def link_node(trigger: str, incoming: bool) -> str:
        return f"{'van' if incoming else 'naar'}_{trigger}"

    def connector(self, node: str, text: str, pid: str) -> str:
        """An off-page connector: the escalation's reason and the part it continues in."""
        return (
            f"{node} [id={_quote(f'{pid}-{node}')}, shape=invhouse, "
            f'fillcolor="#ffffff", color="{ESCALATION}", fontcolor="{ESCALATION}", '
            f'fontsize=9, margin="0.06,0.03", label=<{text}>];'
        )

    def title_label(self, bands: list[_Band], k: int, count: int) -> str:
        """Title, protocol and key in the graph's own label, left above the lanes: a key
        drawn as a node would claim a column of its own and push the lanes right."""
        title = f"<B>{_esc(self.flow.title)}</B>"
        if count > 1:
            title += f"&#160;(deel {k + 1} van {count})"
        sub = self.p.header.title
        if self.p.header.school_year:
            sub += f", schooljaar {wording.school_year(self.p.header.school_year)}"
        cells = [c for b in bands for s in b.stacks for c in s.cells]
        key = self.legend(
            any(b.state for b in bands),
            any(c.style == "optional" for c in cells),
            any(b.reports for b in bands),
        )
        return (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD ALIGN="LEFT">{title}</TD></TR>'
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11">{_esc(sub)}</FONT></TD></TR>'
            f'<TR><TD ALIGN="LEFT">{key}</TD></TR></TABLE>>'
        )

    def lane_label(self, actor: ir.Actor) -> str:
        """The lane's header: the actor's name, white on dark blue, over the lane's width."""
        return (
            f'<<TABLE BORDER="0" CELLPADDING="6" BGCOLOR="{HEADER_FILL}"><TR><TD>'
            f'<FONT COLOR="#ffffff" POINT-SIZE="12"><B>{_lines(actor.name, 22)}</B></FONT>'
            "</TD></TR></TABLE>>"
        )

    def band_nodes(self, b: _Band, pid: str) -> list[str]:
        """The trigger, the state and the stacks in the trigger's own lane."""
        tip = _quote(b.item.card if isinstance(b.item, ir.Rule) and b.item.card else b.item.title)
        # a continuation restates its rule's trigger with a dashed border
        dashed = 'style="filled,dashed", ' if b.continues else ""
        out = [
            f"{b.trigger} [id={_quote(f'{pid}-{b.trigger}')}, shape=diamond, {dashed}"
            f'fillcolor="{TRIGGER_FILL}", color="{TRIGGER_LINE}", margin="0.02,0.02", '
            f"tooltip={tip}, label={self.trigger_label(b.item)}];"
        ]
        if b.state and isinstance(b.item, ir.Classification):
            fill, ink = wording.COLOURS.get(b.item.colour or "", (STATE_FILL, "#1a1a1a"))
            out.append(
                f"{b.state} [id={_quote(f'{pid}-{b.state}')}, shape=box, "
                f'style="rounded,filled,bold", peripheries=2, fillcolor="{fill}", '
                f'fontcolor="{ink}", tooltip={_quote(b.item.title)}, '
                f"label={self.state_label(b.item)}];"
            )
        out.extend(self.stack_node(s, pid) for s in b.stacks if s.lane == b.lane)
        return out

    def stack_node(self, s: _Stack, pid: str) -> str:
        return (
            f'{s.node} [id={_quote(f"{pid}-{s.node}")}, shape=plain, style="", '
            f"tooltip={_quote(self.names.name_of(s.lane))}, label={self.stack_label(s)}];"
        )

    def sinks(self, b: _Band) -> list[str]:
        return [b.trigger] + ([b.state] if b.state else []) + [s.node for s in b.stacks]

    def band_edges(
        self, w: Callable[[str], None], b: _Band, nxt: _Band | None, first: bool
    ) -> None:
        """Trigger -> actions -> reports, all downward.

        Only edges inside a lane constrain the layout; edges between lanes are drawn with
        constraint=false and each stack hangs from its band's post in its own lane. So `dot`
        has no reason to reorder the lanes, which it would otherwise do to save crossings.
        """
        if first:
            w(f"  top_{b.lane} -> {b.trigger} [style=invis, weight=50];")
        src = b.trigger
        if b.state:
            w(f"  {b.trigger} -> {b.state} [weight=8];")
            src = b.state
        levels = self.levels(b)
        for s in b.stacks:
            w(
                f"  {b.trigger}_{s.lane} -> {s.node} "
                f"[style=invis, minlen={levels[s.node]}, weight=4];"
            )
            if s.fed_by is None:
                label = 'xlabel="ja", ' if src == b.trigger else ""
                more = "weight=8" if s.lane == b.lane else "constraint=false"
                w(f"  {src} -> {s.node} [{label}{more}];")
        lane_index = {a.id: n for n, a in enumerate(self.lanes)}
        stack_of = {s.node: s for s in b.stacks}
        for r in b.reports:
            here, there = stack_of[r.source], stack_of[r.target]
            leftward = lane_index[there.lane] < lane_index[here.lane]
            level = levels[r.target] == levels[r.source]
            if leftward and level:
                # a report back to a stack beside it (feedback to the school, mostly) is
                # left to the box's text (`aan ...`): on such a level edge `dot` 2.43 draws
                # the arrowhead at the sender, or the edge twice, and two level edges in
                # opposite directions make its layout change from run to run
                continue
            tail = "w" if leftward else "e"
            # into the top of a stack the report sets off, else into the side that faces it
            head = "e" if leftward else "w"
            if levels[r.target] > levels[r.source]:
                head = "n"
            style = ", style=dashed" if r.label == "kopie" else ""
            ends = f"{r.source}:{r.port}:{tail} -> {r.target}:{head}"
            if leftward:
                # written along the lane order and reversed, so `dot` never swaps the lanes
                ends = f"{r.target}:{head} -> {r.source}:{r.port}:{tail}"
                style += ", dir=back"
            w(
                f'  {ends} [xlabel="{r.label}", color="{REPORT}", fontcolor="{REPORT}", '
                f"constraint=false{style}];"
            )
        if nxt is not None:
            # the next band starts below all of this one, lane by lane
            if b.state:
                w(f"  {b.state} -> {nxt.trigger}_{b.lane} [style=invis, weight=0];")
            for st in b.stacks:
                w(f"  {st.node} -> {nxt.trigger}_{st.lane} [style=invis, weight=0];")
            w(f"  {b.trigger}_{b.lane} -> {nxt.trigger}_{b.lane} [style=invis, weight=0];")
            if nxt.lane == b.lane:  # the triggers form a straight spine
                w(f"  {b.trigger} -> {nxt.trigger} [style=invis, weight=50];")


def _cuts(n: int, count: int) -> list[tuple[int, ...]]:
    """The ways to cut n lanes into `count` non-empty runs: the inner cut positions."""
    return list(itertools.combinations(range(1, n), count - 1))


def _escalation_pairs(bands: list[_Band]) -> list[tuple[_Band, _Band]]:
    """Each threshold to the next higher one of the same measure; equal thresholds are
    alternatives (18- and 18+), so both follow the lower one and neither follows the other."""
    pairs: list[tuple[_Band, _Band]] = []
    n = 0
    previous: list[_Band] = []
    while n < len(bands):
        level = [bands[n]]
        weight = flows.weight(bands[n].item)
        while (
            n + len(level) < len(bands)
            and same_family(bands[n].item, bands[n + len(level)].item)
            and flows.weight(bands[n + len(level)].item) == weight
        ):
            level.append(bands[n + len(level)])
        if previous and same_family(previous[0].item, level[0].item):
            pairs.extend((a, b) for a in previous for b in level)
        previous = level
        n += len(level)
    return pairs


def flow_dots(protocol: Protocol, flow: FlowSpec) -> list[tuple[str, str]]:
    """(file stem, DOT text) per A4 page of one stroomschema; the same protocol always
    gives the same text. A flow that fits one page keeps the plain file stem."""
    pages = _Builder(protocol, flow).build()
    if len(pages) == 1:
        return [(flow.file_stem, pages[0])]
    return [(f"{flow.file_stem}-{n}", text) for n, text in enumerate(pages, start=1)]
