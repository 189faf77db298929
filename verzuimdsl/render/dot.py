"""Stroomschema's as Graphviz DOT text, written by hand so the text is deterministic.

Layout, top to bottom, one band per rule in escalation order:

    lane headers (one swimlane cluster per actor, in declaration order)
    ◇ trigger (threshold and window) in the leftmost lane that acts on it
    ├─ per actor: a stack of action boxes with their deadlines, side by side like the
    │  verzuimkaart; a report (`aan`, `cc`) is an arrow into the recipient's lane
    └─ "verzuim houdt aan": escalation to the next threshold of the same measure

Classifications are states (rounded, double border, filled with their colour code).
Obligatory actions have a solid border, optional ones (`kan`, `mag`, `evt`) a dashed one.
"""

from __future__ import annotations

import html
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
# A4 with margins, in inches; `dot` only shrinks a diagram to fit, never enlarges it
A4_PORTRAIT = "7.5,10.8"
A4_LANDSCAPE = "10.8,7.5"
A4_SHORT, A4_LONG = 540.0, 778.0  # the same, in points
MIN_SCALE = 0.6  # 10 pt text printed at no less than 6 pt; a single band may go below


LANE_FILLS = ("#eef2f7", "#f7f9fb")
HEADER_FILL = "#1f4e79"
ESCALATION = "#a3281a"
RECEIPT_FILL = "#e4edf6"
OPTIONAL_FILL = "#f2f2f2"
TRIGGER_FILL = "#fff3d1"
TRIGGER_LINE = "#8a6a12"
STATE_FILL = "#e6e0f2"
REPORT = "#2f5f8a"


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
    style: str  # "must", "should", "optional" or "receipt"


@attrs.define
class _Stack:
    lane: str
    node: str
    cells: list[_Cell] = attrs.Factory(list)
    fed_by: str | None = None  # "node:port" of the action that reports to this actor


@attrs.define
class _Band:
    item: Item
    trigger: str
    lane: str
    state: str | None = None
    stacks: list[_Stack] = attrs.Factory(list)
    reports: list[tuple[str, str, str]] = attrs.Factory(list)  # (from node:port, to node, label)


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
            body = (
                f"<B>{_esc(role)}:</B> {body}"
                if len(role) < 14
                else (f"<B>{_esc(role)}:</B><BR/>{body}")
            )
        parts.append(body)
        meta = []
        deadline = wording.deadline_text(action.deadline)
        if deadline:
            meta.append(f'<FONT COLOR="{ESCALATION}"><B>{_esc(deadline)}</B></FONT>')
        desks = [self.names.actor(r) for r in action.recipients if self.names.lane(r) is None]
        if desks:
            meta.append(_lines("aan " + wording.join(desks), CELL_WIDTH))
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
        stacks: dict[str, _Stack] = {}
        reports: list[tuple[str, str, str]] = []
        pending: list[tuple[str, str, str]] = []  # (source node:port, lane, label)
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
                        pending.append((f"{stack.node}:{port}", target, label))
        for source, lane, label in pending:
            stack = stacks.get(lane)
            if stack is None:
                stack = stacks[lane] = _Stack(lane=lane, node=f"b{n}_{lane}")
                stack.cells.append(
                    _Cell(
                        port="in",
                        lines=f"<I>ontvangt {'kopie' if label == 'kopie' else 'melding'}</I>",
                        style="receipt",
                    )
                )
            order = list(stacks)
            source_lane = next(x.lane for x in stacks.values() if x.node == source.split(":")[0])
            # a report feeds only a stack that starts later, so reports never form a cycle
            if stack.fed_by is None and order.index(source_lane) < order.index(lane):
                stack.fed_by = source
            reports.append((source, stack.node, label))
        ordered = sorted(stacks.values(), key=lambda s: self.order.get(s.lane, 999))
        unfed = [s for s in ordered if s.fed_by is None]
        if ordered:
            lane = (unfed or ordered)[0].lane
        else:
            lane = "school" if "school" in self.order else self.lanes[0].id
        band = _Band(
            item=item,
            trigger=f"b{n}_t",
            lane=lane,
            stacks=ordered,
            reports=reports,
        )
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
                "receipt": f'BORDER="1" STYLE="rounded" COLOR="#7d98b3" BGCOLOR="{RECEIPT_FILL}"',
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

    def legend(self, has_state: bool, has_optional: bool, has_receipt: bool) -> str:
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
        if has_receipt:
            cells.append(
                f'<TD BORDER="1" STYLE="rounded" COLOR="#7d98b3" BGCOLOR="{RECEIPT_FILL}">'
                "<I>ontvangt melding</I></TD>"
            )
        if has_state:
            cells.append(
                f'<TD BORDER="1" STYLE="rounded" BGCOLOR="{STATE_FILL}">status (classificatie)</TD>'
            )
        cells.append(
            f'<TD><FONT COLOR="{ESCALATION}"><B>termijn</B> \u00b7 \u2192 verzuim houdt aan'
            "</FONT></TD>"
        )
        return (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6" CELLPADDING="4"><TR>'
            "<TD><B>Legenda</B></TD>" + "".join(cells) + "</TR></TABLE>>"
        )

    # ------------------------------------------------------------------ layout
    def levels(self, band: _Band) -> dict[str, int]:
        """Rank of each stack below its trigger: 1 when the trigger sets it off, one more
        than the reporting stack when a report (`aan`, `cc`) sets it off."""
        feeder = {s.node: s.fed_by.split(":")[0] if s.fed_by else None for s in band.stacks}
        level: dict[str, int] = {}
        for s in band.stacks:
            seen: list[str] = []
            node: str | None = s.node
            while node is not None and node not in seen and node not in level:
                seen.append(node)
                node = feeder.get(node)
            base = level.get(node, 0) if node is not None else 0
            if node is not None and node in seen:  # a cycle of reports: cut it here
                base = 0
            for depth, n in enumerate(reversed(seen), start=1):
                level[n] = base + depth
        offset = 1 if band.state else 0
        return {n: v + offset for n, v in level.items()}

    def height(self, band: _Band) -> float:
        """Estimated height in points, to fit pages on A4 before `dot` runs."""
        lines = self.trigger_label(band.item).count("<BR/>") + 1
        total = 1.6 * (11 * lines + 8)
        if band.state:
            total += 45
        per_level: dict[int, float] = {}
        for node, lvl in self.levels(band).items():
            stack = next(s for s in band.stacks if s.node == node)
            h = sum(12 + 10.5 * (c.lines.count("<BR/>") + 1) for c in stack.cells)
            per_level[lvl] = max(per_level.get(lvl, 0.0), h)
        return total + sum(per_level.values()) + 20 * (len(per_level) + 1)

    def lanes_of(self, bands: list[_Band]) -> list[ir.Actor]:
        used = {b.lane for b in bands} | {s.lane for b in bands for s in b.stacks}
        return [a for a in self.lanes if a.id in used]

    def width(self, bands: list[_Band]) -> float:
        """Estimated width in points: the widest node of each lane, lanes side by side."""
        widest: dict[str, float] = {}

        def chars(markup: str) -> int:
            text = re.sub(r"<[^>]+>", "\n", markup.replace("<BR/>", "\n"))
            return max((len(line) for line in text.split("\n")), default=0)

        for b in bands:
            diamond = 1.7 * (chars(self.trigger_label(b.item)) * 5.8 + 16)
            widest[b.lane] = max(widest.get(b.lane, 0.0), diamond)
            for st in b.stacks:
                w = max(chars(c.lines) for c in st.cells) * 5.8 + 26
                widest[st.lane] = max(widest.get(st.lane, 0.0), w)
        return sum(w + 40 for w in widest.values())

    def scale(self, bands: list[_Band]) -> tuple[float, bool]:
        """The print scale on A4 and whether landscape gives the larger one."""
        w = self.width(bands)
        h = sum(self.height(b) for b in bands) + 110
        portrait = min(1.0, A4_SHORT / w, A4_LONG / h)
        landscape = min(1.0, A4_LONG / w, A4_SHORT / h)
        return (landscape, True) if landscape > portrait else (portrait, False)

    def pages(self, bands: list[_Band]) -> list[list[_Band]]:
        """Bands per A4 page: as many as stay legible (scale >= MIN_SCALE), at least one."""
        pages: list[list[_Band]] = []
        current: list[_Band] = []
        for b in bands:
            if current and self.scale(current + [b])[0] < MIN_SCALE:
                pages.append(current)
                current = []
            current.append(b)
        if current or not pages:
            pages.append(current)
        return pages

    # ------------------------------------------------------------------ output
    def build(self) -> list[str]:
        bands = [self.band(n, item) for n, item in enumerate(self.flow.items)]
        pages = self.pages(bands)
        page_of = {b.trigger: k for k, page in enumerate(pages) for b in page}
        edges = self.escalations(bands)
        return [self.page(page, k, len(pages), edges, page_of) for k, page in enumerate(pages)]

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
        title = f"<B>{_esc(self.flow.title)}</B>"
        if count > 1:
            title += f"&#160;(deel {k + 1} van {count})"
        sub = self.p.header.title
        if self.p.header.school_year:
            sub += f", schooljaar {wording.school_year(self.p.header.school_year)}"
        size = A4_LANDSCAPE if self.scale(bands)[1] else A4_PORTRAIT
        w(f"digraph {_quote(pid)} {{")
        w(
            f"  graph [id={_quote(pid)}, newrank=true, rankdir=TB, splines=spline, "
            f"nodesep=0.22, ranksep=0.28, pad=0.2, size={_quote(size)}, fontname={_quote(FONT)}, "
            f'fontsize=16, labelloc=t, labeljust=l, label=<{title}<BR ALIGN="LEFT"/>'
            f'<FONT POINT-SIZE="11">{_esc(sub)}</FONT><BR ALIGN="LEFT"/>>];'
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
        # off-page connectors live in the trigger's lane
        incoming = [(a, b) for (a, b) in escalations if page_of[b] == k and page_of[a] != k]
        outgoing = [(a, b) for (a, b) in escalations if page_of[a] == k and page_of[b] != k]
        band_of = {b.trigger: b for b in bands}
        for a, b in incoming:
            target = band_of[b]
            node = f"van_{a}"
            lane_nodes[target.lane].insert(
                0,
                f"{node} [id={_quote(f'{pid}-{node}')}, shape=invhouse, "
                f'fillcolor="#ffffff", color="{ESCALATION}", fontcolor="{ESCALATION}", '
                f'fontsize=9, label="van deel {page_of[a] + 1}"];',
            )
        for a, b in outgoing:
            source = band_of[a]
            node = f"naar_{b}"
            lane_nodes[source.lane].append(
                f"{node} [id={_quote(f'{pid}-{node}')}, shape=invhouse, "
                f'fillcolor="#ffffff", color="{ESCALATION}", fontcolor="{ESCALATION}", '
                f'fontsize=9, label="verder in deel {page_of[b] + 1}"];'
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
        for a, b in incoming:
            w(f"  top_{band_of[b].lane} -> van_{a} [style=invis, weight=50];")
            w(f'  van_{a} -> {b} [color="{ESCALATION}", penwidth=1.6, weight=50];')
        for n, b in enumerate(bands):
            self.band_edges(w, b, bands[n + 1] if n + 1 < len(bands) else None, n == 0)
        for (a, b), label in escalations.items():
            if page_of[a] == k and page_of[b] == k:
                more = "weight=4" if band_of[a].lane == band_of[b].lane else "constraint=false"
                w(
                    f'  {a} -> {b} [color="{ESCALATION}", fontcolor="{ESCALATION}", '
                    f'penwidth=1.6, xlabel="{label}", {more}];'
                )
        for a, b in outgoing:
            w(
                f'  {a} -> naar_{b} [color="{ESCALATION}", fontcolor="{ESCALATION}", '
                f'penwidth=1.6, xlabel="{escalations[(a, b)]}"];'
            )
        # legend below everything
        cells = [c for b in bands for s in b.stacks for c in s.cells]
        w(
            f'  legenda [id={_quote(pid + "-legenda")}, shape=plain, style="", '
            f"label={self.legend(any(b.state for b in bands), any(c.style == 'optional' for c in cells), any(c.style == 'receipt' for c in cells))}];"
        )
        w(f"  bot_{lane_ids[0]} -> legenda [style=invis, weight=0];")
        w("}")
        return "\n".join(out) + "\n"

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
        out = [
            f"{b.trigger} [id={_quote(f'{pid}-{b.trigger}')}, shape=diamond, "
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
        for source, target, label in b.reports:
            node = source.split(":")[0]
            tail = (
                "w" if lane_index[stack_of[target].lane] < lane_index[stack_of[node].lane] else "e"
            )
            style = ", style=dashed" if label == "kopie" else ""
            w(
                f'  {source}:{tail} -> {target} [xlabel="{label}", color="{REPORT}", '
                f'fontcolor="{REPORT}", constraint=false{style}];'
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
