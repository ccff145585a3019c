"""Automatic BPMN diagram interchange (DI) for pathway files that have none.

A pathway file needs a `bpmndi:BPMNDiagram` before a standard modeller (bpmn.io, Camunda Modeler) can open it.
`add_diagram` lays the process out and appends a diagram as the last child of `bpmn:definitions`, leaving every
other byte of the file as it was (the diagram is spliced into the text, then the result is re-parsed and checked
to have the same semantic content).

The layout is deliberately simple and deterministic (lxml only, no graph library):

* columns: longest-path rank from the start event(s) over the sequence flows; back edges found by a depth-first
  search (loops) are ignored for ranking and drawn as a return path below the row;
* rows: each lane is a horizontal band of the pool; inside a lane every element sits on a *track* (a row).
  The longest path from the first start event runs straight along track 0, branches go on the tracks below, and
  a flow that jumps over columns runs along a free track so that it does not cross the elements it skips;
* boundary events sit on the bottom edge of their task; what follows them is placed below and to the right;
* sizes are bpmn.io's defaults: tasks 100x80, events 36x36, gateways 50x50; sub-processes are drawn collapsed
  (100x80) with their content on a drill-down diagram of their own, as bpmn.io does;
* sequence flows are routed orthogonally (straight, L or Z shaped).

`python -m engine.modelling.layout FILE_OR_DIRECTORY...` adds a diagram to each file in place.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

from lxml import etree

from engine.catalogue.xml import BPMN_NS, BPMNDI_NS, safe_parser

DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
_STANDARD_PREFIXES = {BPMNDI_NS: "bpmndi", DC_NS: "dc", DI_NS: "di"}

EVENT_TAGS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                        "boundaryEvent", "implicitThrowEvent"})
GATEWAY_TAGS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                          "complexGateway"})
SUBPROCESS_TAGS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITY_TAGS = frozenset({"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask",
                           "receiveTask", "businessRuleTask", "callActivity"}) | SUBPROCESS_TAGS
FLOW_NODE_TAGS = EVENT_TAGS | GATEWAY_TAGS | ACTIVITY_TAGS

TASK_SIZE = (100, 80)
EVENT_SIZE = (36, 36)
GATEWAY_SIZE = (50, 50)

ORIGIN_X = 160
ORIGIN_Y = 80
LABEL_BAND = 30  # the band on the left of a pool or lane that holds its (vertical) name
MARGIN = 50  # between a label band and the first column, and after the last column
COLUMN_GAP = 60  # between the widest elements of two neighbouring columns
ROW_PITCH = 130  # distance between the centre lines of two tracks
LANE_PADDING = 15  # above the first and below the last track of a lane
POOL_GAP = 60  # between two pools
BLACK_BOX_POOL_HEIGHT = 100

_CHAR_WIDTH = 6  # rough width of a character of an 11px label
_LINE_HEIGHT = 14
_LABEL_WIDTH = 90  # bpmn.io wraps external labels at 90px


def _q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


# --------------------------------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def overlaps(self, other: "Box") -> bool:
        return (self.x < other.right and other.x < self.right and self.y < other.bottom
                and other.y < self.bottom)


Point = tuple[int, int]


@dataclass
class _Shape:
    element_id: str
    bounds: Box
    attributes: dict[str, str] = field(default_factory=dict)
    label: Box | None = None


@dataclass
class _Edge:
    element_id: str
    waypoints: list[Point]
    label: Box | None = None


@dataclass
class _Diagram:
    plane_element: str
    plane_id: str
    diagram_id: str
    shapes: list[_Shape] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)


def _node_size(tag: str) -> tuple[int, int]:
    if tag in EVENT_TAGS:
        return EVENT_SIZE
    if tag in GATEWAY_TAGS:
        return GATEWAY_SIZE
    return TASK_SIZE


def _label_size(text: str) -> tuple[int, int]:
    """A rough estimate of the box bpmn.io needs for an external label."""
    per_line = _LABEL_WIDTH // _CHAR_WIDTH
    lines: list[str] = []
    for paragraph in text.splitlines() or [text]:
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > per_line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    width = max(len(line) for line in lines) * _CHAR_WIDTH
    return max(10, min(width, 150)), _LINE_HEIGHT * len(lines)


def _simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle one of three collinear points."""
    result: list[Point] = []
    for point in points:
        if result and result[-1] == point:
            continue
        if len(result) >= 2:
            (x0, y0), (x1, y1) = result[-2], result[-1]
            if (x0 == x1 == point[0]) or (y0 == y1 == point[1]):
                result[-1] = point
                continue
        result.append(point)
    return result


def _flow_label(points: list[Point], text: str, taken: list[Box]) -> Box:
    """Above the start of the first horizontal segment whose place is not taken by another label."""
    w, h = _label_size(text)
    places = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if y0 == y1 and x0 != x1:
            places.append(Box(x0 + 6 if x1 > x0 else x0 - 6 - w, y0 - 4 - h, w, h))
        elif x0 == x1 and y0 != y1:
            places.append(Box(x0 + 6, min(y0, y1) + 4, w, h))
    places = places or [Box(points[0][0] + 6, points[0][1] + 4, w, h)]
    label = next((place for place in places if not any(place.overlaps(other) for other in taken)), places[0])
    taken.append(label)
    return label


# ----------------------------------------------------------------------------------------- one flow container


class _ContainerLayout:
    """Lays out the flow nodes and sequence flows directly inside one process or sub-process.

    `band_of` maps a flow node id to its band (lane) index; nodes not in it go in band 0.
    Call `place` with the x of the first column and the top of each band, then `shapes` and `edges`.
    """

    def __init__(self, container: etree._Element, band_count: int = 1,
                 band_of: dict[str, int] | None = None) -> None:
        self.container = container
        self.band_count = max(1, band_count)
        self.nodes: dict[str, etree._Element] = {}
        self.boundaries: dict[str, etree._Element] = {}
        self.host: dict[str, str] = {}
        candidates = [child for child in container if _local(child) in FLOW_NODE_TAGS and child.get("id")]
        ids = {child.get("id") for child in candidates}
        for child in candidates:
            attached = child.get("attachedToRef")
            if _local(child) == "boundaryEvent" and attached in ids and attached != child.get("id"):
                self.boundaries[child.get("id")] = child
                self.host[child.get("id")] = attached
            else:
                self.nodes[child.get("id")] = child
        # a boundary event attached to another boundary event is not drawable as such: make it a node
        for boundary_id, host_id in list(self.host.items()):
            if host_id not in self.nodes:
                del self.host[boundary_id]
                self.nodes[boundary_id] = self.boundaries.pop(boundary_id)
        self.order = {node_id: i for i, node_id in enumerate(list(self.nodes) + list(self.boundaries))}
        self.flows: list[tuple[str, str, str, etree._Element]] = []
        for child in container:
            if _local(child) == "sequenceFlow" and child.get("id"):
                source, target = child.get("sourceRef"), child.get("targetRef")
                if source in self.order and target in self.order:
                    self.flows.append((child.get("id"), source, target, child))
        self.band = {node_id: min(max((band_of or {}).get(node_id, 0), 0), self.band_count - 1)
                     for node_id in self.nodes}
        self.boxes: dict[str, Box] = {}
        self._rank()
        self._assign_tracks()

    # ranks (columns) ---------------------------------------------------------------------------------------

    def _node_of(self, element_id: str) -> str:
        return self.host.get(element_id, element_id)

    def _rank(self) -> None:
        succ: dict[str, list[tuple[str, str]]] = {node_id: [] for node_id in self.nodes}
        has_incoming: set[str] = set()
        for flow_id, source, target, _ in self.flows:
            a, b = self._node_of(source), self._node_of(target)
            succ[a].append((flow_id, b))
            if a != b:
                has_incoming.add(b)
        roots = [n for n in self.nodes if n not in has_incoming]
        roots.sort(key=lambda n: (_local(self.nodes[n]) != "startEvent", self.order[n]))
        # depth-first search: an edge to a node still on the stack closes a loop
        back: set[str] = set()
        state: dict[str, int] = {}
        for root in roots + list(self.nodes):
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(succ[root]))]
            while stack:
                node, successors = stack[-1]
                for flow_id, nxt in successors:
                    seen = state.get(nxt)
                    if seen is None:
                        state[nxt] = 1
                        stack.append((nxt, iter(succ[nxt])))
                        break
                    if seen == 1:
                        back.add(flow_id)
                else:
                    state[node] = 2
                    stack.pop()
        self.back = back
        self.loop_ends = {self._node_of(end) for fid, source, target, _ in self.flows if fid in back
                          for end in (source, target)}
        self.dag_succ: dict[str, list[tuple[str, str]]] = {n: [] for n in self.nodes}
        self.dag_pred: dict[str, list[tuple[str, str]]] = {n: [] for n in self.nodes}
        for flow_id, source, target, _ in self.flows:
            if flow_id in back:
                continue
            a, b = self._node_of(source), self._node_of(target)
            self.dag_succ[a].append((flow_id, b))
            self.dag_pred[b].append((flow_id, a))
        # longest path from the roots (Kahn's algorithm)
        indegree = {n: len(self.dag_pred[n]) for n in self.nodes}
        queue = [n for n in self.nodes if indegree[n] == 0]
        topological: list[str] = []
        while queue:
            node = queue.pop(0)
            topological.append(node)
            for _, nxt in self.dag_succ[node]:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    queue.append(nxt)
        self.rank = {n: 0 for n in self.nodes}
        for node in topological:
            for _, nxt in self.dag_succ[node]:
                self.rank[nxt] = max(self.rank[nxt], self.rank[node] + 1)
        self.height = {n: 0 for n in self.nodes}
        for node in reversed(topological):
            for _, nxt in self.dag_succ[node]:
                self.height[node] = max(self.height[node], self.height[nxt] + 1)
        # the main path: from the first start event, always on to the successor with the longest way to go
        self.main_path: list[str] = []
        if self.nodes:
            node = roots[0] if roots else next(iter(self.nodes))
            self.main_path.append(node)
            while self.dag_succ[node]:
                node = max(self.dag_succ[node], key=lambda item: self.height[item[1]])[1]
                self.main_path.append(node)
        self.columns = max(self.rank.values(), default=0) + 1

    # tracks (rows inside a band) ---------------------------------------------------------------------------

    def _assign_tracks(self) -> None:
        occupied: dict[tuple[int, int], set[int]] = {}  # (band, column) -> tracks holding a node
        self.track: dict[str, int] = {}

        def take(node: str, track: int) -> None:
            self.track[node] = track
            occupied.setdefault((self.band[node], self.rank[node]), set()).add(track)

        for node in self.main_path:
            take(node, 0)
        by_rank: dict[int, list[str]] = {}
        for node in self.nodes:
            if node not in self.track:
                by_rank.setdefault(self.rank[node], []).append(node)
        for rank in sorted(by_rank):
            preferred: dict[str, int] = {}
            for node in by_rank[rank]:
                wishes = []
                for flow_id, pred in self.dag_pred[node]:
                    if pred in self.track and self.band[pred] == self.band[node]:
                        below_host = self._flow_source(flow_id) in self.boundaries
                        wishes.append(self.track[pred] + (1 if below_host else 0))
                preferred[node] = min(wishes, default=0)
            for node in sorted(by_rank[rank], key=lambda n: (preferred[n], -self.height[n], self.order[n])):
                track = preferred[node]
                while track in occupied.get((self.band[node], rank), ()):
                    track += 1
                take(node, track)

        # a flow that skips columns runs along a track that is free over the columns it skips
        self.run: dict[str, tuple[int, int]] = {}  # flow id -> (band, track)
        runs_at: dict[tuple[int, int], dict[int, str]] = {}  # (band, column) -> track -> target
        long_flows = []
        for index, (flow_id, source, target, _) in enumerate(self.flows):
            if flow_id in self.back:
                continue
            a = self._node_of(source)
            span = self.rank[target] - self.rank[a]
            if span >= 2:
                long_flows.append((span, index, flow_id, source, a, target))
        limit = max(self.track.values(), default=0) + len(long_flows) + 2
        # first the flows that can run straight on from their source (or straight into their target),
        # then the others on the first track that is free
        for straight_only in (True, False):
            for span, _, flow_id, source, a, target in sorted(long_flows):
                if flow_id in self.run:
                    continue
                band = self.band[a]
                skipped = range(self.rank[a] + 1, self.rank[target])
                wishes = [self.track[a] + (1 if source in self.boundaries else 0)]
                if self.band[target] == band:
                    wishes.append(self.track[target])
                for track in wishes + ([] if straight_only else list(range(limit))):
                    if all(track not in occupied.get((band, col), ()) and
                           runs_at.get((band, col), {}).get(track, target) == target for col in skipped):
                        self.run[flow_id] = (band, track)
                        for col in skipped:
                            runs_at.setdefault((band, col), {})[track] = target
                        break
        self.tracks = [1] * self.band_count
        for node, track in self.track.items():
            self.tracks[self.band[node]] = max(self.tracks[self.band[node]], track + 1)
        for band, track in self.run.values():
            self.tracks[band] = max(self.tracks[band], track + 1)

    def _flow_source(self, flow_id: str) -> str:
        return next(source for fid, source, _, _ in self.flows if fid == flow_id)

    # geometry ----------------------------------------------------------------------------------------------

    def band_height(self, band: int) -> int:
        return self.tracks[band] * ROW_PITCH + 2 * LANE_PADDING

    @property
    def width(self) -> int:
        return sum(self._column_widths()) + COLUMN_GAP * (self.columns - 1)

    def _column_widths(self) -> list[int]:
        widths = [GATEWAY_SIZE[0]] * self.columns
        for node_id, element in self.nodes.items():
            widths[self.rank[node_id]] = max(widths[self.rank[node_id]], _node_size(_local(element))[0])
        return widths

    def place(self, x: int, band_tops: list[int]) -> None:
        widths = self._column_widths()
        self.column_x: list[int] = []
        for width in widths:
            self.column_x.append(x)
            x += width + COLUMN_GAP
        self.column_w = widths
        self.band_tops = band_tops
        self._jogs: dict[int, list[tuple[int, int, int, str, str]]] = {}
        for node_id, element in self.nodes.items():
            w, h = _node_size(_local(element))
            col = self.rank[node_id]
            cy = self.row_y(self.band[node_id], self.track[node_id])
            self.boxes[node_id] = Box(self.column_x[col] + (widths[col] - w) // 2, cy - h // 2, w, h)
        on_host: dict[str, int] = {}
        for boundary_id, host_id in self.host.items():
            host = self.boxes[host_id]
            k = on_host.get(host_id, 0)
            on_host[host_id] = k + 1
            cx = max(host.right - 22 - k * 46, host.x + 18)
            self.boxes[boundary_id] = Box(cx - EVENT_SIZE[0] // 2, host.bottom - EVENT_SIZE[1] // 2, *EVENT_SIZE)

    def row_y(self, band: int, track: int) -> int:
        return self.band_tops[band] + LANE_PADDING + ROW_PITCH // 2 + track * ROW_PITCH

    def _jog(self, gap: int, y0: int, y1: int, source: str, target: str) -> int:
        """x of a vertical segment in the gap after column `gap`, clear of other flows' segments there."""
        centre = self.column_x[gap] + self.column_w[gap] + COLUMN_GAP // 2
        low, high = min(y0, y1), max(y0, y1)
        taken = self._jogs.setdefault(gap, [])
        for offset in (0, -10, 10, -20, 20):
            x = centre + offset
            if all(other_x != x or other_high < low or high < other_low or source == other_source
                   or target == other_target
                   for other_low, other_high, other_x, other_source, other_target in taken):
                break
        else:
            x = centre
        taken.append((low, high, x, source, target))
        return x

    def _blocked(self, col: int, y0: int, y1: int, *ignore: str) -> bool:
        """Does a vertical line in column `col` between y0 and y1 pass through an element?"""
        low, high = min(y0, y1), max(y0, y1)
        for node_id, box in self.boxes.items():
            if node_id in ignore or node_id in self.host or self.rank[node_id] != col:
                continue
            if box.y <= high and low <= box.bottom:
                return True
        return False

    def _is_gateway(self, element_id: str) -> bool:
        return element_id in self.nodes and _local(self.nodes[element_id]) in GATEWAY_TAGS

    def _vertical_ok(self, element_id: str, box: Box, level: int) -> bool:
        """May a flow leave or enter this gateway vertically towards `level`? (Loops use the bottom.)"""
        return (self._is_gateway(element_id) and level != box.cy
                and not (level > box.cy and element_id in self.loop_ends)
                and not self._blocked(self.rank[element_id], box.cy, level, element_id))

    def route(self, flow_id: str, source: str, target: str) -> list[Point]:
        s_node = self._node_of(source)
        s, t = self.boxes[source], self.boxes[target]
        host_row = self.boxes[s_node].cy
        if flow_id in self.back or self.rank[target] <= self.rank[s_node]:
            # back to an earlier column: down below the lower of the two rows, left, and up into the target
            channel = max(host_row, t.cy) + ROW_PITCH // 2
            if source == target:
                return _simplify([(s.right, s.bottom - 10), (s.right + 15, s.bottom - 10), (s.right + 15, channel),
                                  (s.cx, channel), (s.cx, s.bottom)])
            return _simplify([(s.cx, s.bottom), (s.cx, channel), (t.cx, channel), (t.cx, t.bottom)])

        c1, c2 = self.rank[s_node], self.rank[target]
        if flow_id in self.run:
            level = self.row_y(*self.run[flow_id])
        elif self._vertical_ok(target, t, s.cy) and not self._vertical_ok(source, s, t.cy):
            level = s.cy
        else:
            level = t.cy
        points: list[Point] = []
        # leave the source
        if source in self.boundaries:
            points.append((s.cx, s.bottom))
            if level > s.bottom and not self._blocked(c1, s.bottom, level, s_node):
                points.append((s.cx, level))
            else:
                channel = host_row + ROW_PITCH // 2
                gap = self._jog(c1, channel, level, s_node, target)
                points += [(s.cx, channel), (gap, channel), (gap, level)]
        elif self._vertical_ok(source, s, level):
            points += [(s.cx, s.bottom if level > s.cy else s.y), (s.cx, level)]
        else:
            points.append((s.right, s.cy))
            if level != s.cy:
                gap = self._jog(c1, s.cy, level, s_node, target)
                points += [(gap, s.cy), (gap, level)]
        # enter the target
        if level == t.cy:
            points.append((t.x, t.cy))
        elif self._vertical_ok(target, t, level):
            points += [(t.cx, level), (t.cx, t.bottom if level > t.cy else t.y)]
        else:
            gap = self._jog(c2 - 1, level, t.cy, s_node, target)
            points += [(gap, level), (gap, t.cy), (t.x, t.cy)]
        return _simplify(points)

    def shapes(self) -> list[_Shape]:
        result = []
        for element_id in sorted(self.boxes, key=lambda i: self.order[i]):
            element = self.nodes.get(element_id, self.boundaries.get(element_id))
            tag = _local(element)
            box = self.boxes[element_id]
            attributes: dict[str, str] = {}
            if tag == "exclusiveGateway":
                attributes["isMarkerVisible"] = "true"
            if tag in SUBPROCESS_TAGS:
                attributes["isExpanded"] = "false"
            label = None
            name = (element.get("name") or "").strip()
            if name and tag in EVENT_TAGS:
                w, h = _label_size(name)
                if element_id in self.boundaries:  # beside it, clear of its flow (down) and of loops (below)
                    label = Box(box.right + 2, box.cy + 2, w, h)
                else:
                    label = Box(box.cx - w // 2, box.bottom + 5, w, h)
            elif name and tag in GATEWAY_TAGS:  # above: branches leave a gateway downwards
                w, h = _label_size(name)
                label = Box(box.cx - w // 2, box.y - 7 - h, w, h)
            result.append(_Shape(element_id, box, attributes, label))
        return result

    def edges(self) -> list[_Edge]:
        result = []
        labels: list[Box] = [shape.label for shape in self.shapes() if shape.label is not None]
        for flow_id, source, target, element in self.flows:
            points = self.route(flow_id, source, target)
            name = (element.get("name") or "").strip()
            result.append(_Edge(flow_id, points, _flow_label(points, name, labels) if name else None))
        return result

    def subprocesses(self) -> list[etree._Element]:
        return [element for element in self.nodes.values() if _local(element) in SUBPROCESS_TAGS]


# --------------------------------------------------------------------------------------------- whole document


@dataclass
class _Lane:
    element: etree._Element
    depth: int
    leaves: list[int]  # indexes of the leaf lanes (bands) it spans


def _lanes(process: etree._Element) -> tuple[list[_Lane], list[etree._Element], dict[str, int]]:
    """All lanes (depth first), the leaf lanes in order, and flow node id -> leaf lane index."""
    lanes: list[_Lane] = []
    leaves: list[etree._Element] = []
    depth_of_node: dict[str, int] = {}
    band_of: dict[str, int] = {}

    def visit(lane_set: etree._Element, depth: int) -> list[int]:
        spanned: list[int] = []
        for lane in lane_set.findall(_q("lane")):
            entry = _Lane(lane, depth, [])
            lanes.append(entry)
            children = lane.findall(_q("childLaneSet"))
            for child_set in children:
                entry.leaves += visit(child_set, depth + 1)
            if not entry.leaves:
                leaves.append(lane)
                entry.leaves = [len(leaves) - 1]
            for ref in lane.findall(_q("flowNodeRef")):
                node_id = (ref.text or "").strip()
                if depth > depth_of_node.get(node_id, 0):
                    depth_of_node[node_id] = depth
                    band_of[node_id] = entry.leaves[0]
            spanned += entry.leaves
        return spanned

    for lane_set in process.findall(_q("laneSet")):
        visit(lane_set, 1)
    return lanes, leaves, band_of


class _IdMaker:
    def __init__(self, used: set[str]) -> None:
        self.used = set(used)

    def __call__(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.used:
            n += 1
            candidate = f"{wanted}_{n}"
        self.used.add(candidate)
        return candidate


def _layout_document(root: etree._Element, ids: _IdMaker) -> list[_Diagram]:
    processes = {p.get("id"): p for p in root.findall(_q("process")) if p.get("id")}
    collaboration = root.find(_q("collaboration"))
    diagrams: list[_Diagram] = []
    subprocess_layouts: list[_ContainerLayout] = []

    if collaboration is not None and collaboration.get("id"):
        plane_element = collaboration.get("id")
        main = _Diagram(plane_element, ids(f"{plane_element}_di"), ids(f"{plane_element}_diagram"))
        pools = []
        laid_out: set[str] = set()
        for participant in collaboration.findall(_q("participant")):
            if not participant.get("id"):
                continue
            process = processes.get(participant.get("processRef") or "")
            if process is None or process.get("id") in laid_out:
                pools.append((participant, None, [], []))
                continue
            laid_out.add(process.get("id"))
            lanes, leaves, band_of = _lanes(process)
            layout = _ContainerLayout(process, len(leaves), band_of)
            pools.append((participant, layout, lanes, leaves))
        max_depth = max((lane.depth for _, _, lanes, _ in pools for lane in lanes), default=0)
        content_x = ORIGIN_X + LABEL_BAND * (max_depth + 1) + MARGIN
        content_width = max([layout.width for _, layout, _, _ in pools if layout is not None] + [200])
        pool_width = content_x - ORIGIN_X + content_width + MARGIN
        y = ORIGIN_Y
        boxes: dict[str, Box] = {}
        for participant, layout, lanes, leaves in pools:
            if layout is None:
                pool = Box(ORIGIN_X, y, pool_width, BLACK_BOX_POOL_HEIGHT)
                main.shapes.append(_Shape(participant.get("id"), pool, {"isHorizontal": "true"}))
            else:
                tops, top = [], y
                for band in range(layout.band_count):
                    tops.append(top)
                    top += layout.band_height(band)
                pool = Box(ORIGIN_X, y, pool_width, top - y)
                layout.place(content_x, tops)
                main.shapes.append(_Shape(participant.get("id"), pool, {"isHorizontal": "true"}))
                for lane in lanes:
                    if not lane.element.get("id"):
                        continue
                    first, last = lane.leaves[0], lane.leaves[-1]
                    lane_x = ORIGIN_X + LABEL_BAND * lane.depth
                    lane_box = Box(lane_x, tops[first], pool.right - lane_x,
                                   tops[last] + layout.band_height(last) - tops[first])
                    main.shapes.append(_Shape(lane.element.get("id"), lane_box, {"isHorizontal": "true"}))
                main.shapes += layout.shapes()
                main.edges += layout.edges()
                subprocess_layouts += [_ContainerLayout(sub) for sub in layout.subprocesses()]
                boxes.update(layout.boxes)
            boxes[participant.get("id")] = pool
            y = pool.bottom + POOL_GAP
        for message_flow in collaboration.findall(_q("messageFlow")):
            source, target = boxes.get(message_flow.get("sourceRef")), boxes.get(message_flow.get("targetRef"))
            if message_flow.get("id") and source is not None and target is not None:
                main.edges.append(_Edge(message_flow.get("id"), _message_route(source, target)))
        diagrams.append(main)
    else:
        executable = [p for p in processes.values() if p.get("isExecutable") == "true"]
        process = (executable or list(processes.values()) or [None])[0]
        if process is None:
            raise ValueError("the file has neither a collaboration nor a process to draw")
        plane_element = process.get("id")
        main = _Diagram(plane_element, ids(f"{plane_element}_di"), ids(f"{plane_element}_diagram"))
        _, leaves, band_of = _lanes(process)  # lanes without a pool are not drawn, but still group the rows
        layout = _ContainerLayout(process, len(leaves), band_of)
        _place_free(layout)
        main.shapes += layout.shapes()
        main.edges += layout.edges()
        subprocess_layouts += [_ContainerLayout(sub) for sub in layout.subprocesses()]
        diagrams.append(main)

    # collapsed sub-processes get a drill-down diagram each (as bpmn.io draws them)
    while subprocess_layouts:
        layout = subprocess_layouts.pop(0)
        element_id = layout.container.get("id")
        sub = _Diagram(element_id, ids(f"{element_id}_plane"), ids(f"{element_id}_diagram"))
        _place_free(layout)
        sub.shapes += layout.shapes()
        sub.edges += layout.edges()
        subprocess_layouts += [_ContainerLayout(child) for child in layout.subprocesses()]
        diagrams.append(sub)
    return diagrams


def _place_free(layout: _ContainerLayout) -> None:
    tops, top = [], ORIGIN_Y
    for band in range(layout.band_count):
        tops.append(top)
        top += layout.band_height(band)
    layout.place(ORIGIN_X + MARGIN, tops)


def _message_route(source: Box, target: Box) -> list[Point]:
    sx = source.cx
    tx = min(max(sx, target.x + 10), target.right - 10) if target.w > 2 * TASK_SIZE[0] else target.cx
    if target.y >= source.bottom:
        start, end = (sx, source.bottom), (tx, target.y)
    else:
        start, end = (sx, source.y), (tx, target.bottom)
    middle = (start[1] + end[1]) // 2
    return _simplify([start, (sx, middle), (tx, middle), end])


# ------------------------------------------------------------------------------------------------- rendering


def _render(diagrams: list[_Diagram], prefixes: dict[str, str], declarations: dict[str, str],
            base: str, unit: str, newline: str) -> str:
    bpmndi, dc, di = prefixes[BPMNDI_NS], prefixes[DC_NS], prefixes[DI_NS]

    def attrs(values: dict[str, object]) -> str:
        return "".join(f' {name}="{escape(str(value), {chr(34): "&quot;"})}"' for name, value in values.items())

    def bounds(box: Box) -> str:
        return f"<{dc}:Bounds{attrs({'x': box.x, 'y': box.y, 'width': box.w, 'height': box.h})} />"

    lines: list[str] = []
    for diagram in diagrams:
        i1, i2, i3, i4 = base, base + unit, base + unit * 2, base + unit * 3
        extra = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in declarations.items())
        lines.append(f"{i1}<{bpmndi}:BPMNDiagram{attrs({'id': diagram.diagram_id})}{extra}>")
        lines.append(f"{i2}<{bpmndi}:BPMNPlane{attrs({'id': diagram.plane_id, 'bpmnElement': diagram.plane_element})}>")
        for shape in diagram.shapes:
            values = {"id": f"{shape.element_id}_di", "bpmnElement": shape.element_id, **shape.attributes}
            lines.append(f"{i3}<{bpmndi}:BPMNShape{attrs(values)}>")
            lines.append(f"{i4}{bounds(shape.bounds)}")
            if shape.label is not None:
                lines += [f"{i4}<{bpmndi}:BPMNLabel>", f"{i4}{unit}{bounds(shape.label)}", f"{i4}</{bpmndi}:BPMNLabel>"]
            lines.append(f"{i3}</{bpmndi}:BPMNShape>")
        for edge in diagram.edges:
            values = {"id": f"{edge.element_id}_di", "bpmnElement": edge.element_id}
            lines.append(f"{i3}<{bpmndi}:BPMNEdge{attrs(values)}>")
            for x, y in edge.waypoints:
                lines.append(f"{i4}<{di}:waypoint{attrs({'x': x, 'y': y})} />")
            if edge.label is not None:
                lines += [f"{i4}<{bpmndi}:BPMNLabel>", f"{i4}{unit}{bounds(edge.label)}", f"{i4}</{bpmndi}:BPMNLabel>"]
            lines.append(f"{i3}</{bpmndi}:BPMNEdge>")
        lines.append(f"{i2}</{bpmndi}:BPMNPlane>")
        lines.append(f"{i1}</{bpmndi}:BPMNDiagram>")
    return newline.join(lines) + newline


def _prefixes(root: etree._Element) -> tuple[dict[str, str], dict[str, str]]:
    """Prefix to use for each DI namespace, and the declarations the diagram element must carry itself."""
    in_scope = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    prefixes: dict[str, str] = {}
    declarations: dict[str, str] = {}
    for uri, standard in _STANDARD_PREFIXES.items():
        existing = sorted(prefix for prefix, known in in_scope.items() if known == uri)
        if existing:
            prefixes[uri] = standard if standard in existing else existing[0]
            continue
        prefix, n = standard, 1
        while prefix in in_scope or prefix in declarations:
            n += 1
            prefix = f"{standard}{n}"
        prefixes[uri] = prefix
        declarations[prefix] = uri
    return prefixes, declarations


def _indentation(root: etree._Element, text: str) -> tuple[str, str, str]:
    """(indent of the root's children, one indent step, newline) as the file uses them."""
    newline = "\r\n" if "\r\n" in text else "\n"
    base = (root.text or "").rsplit("\n", 1)[-1] if "\n" in (root.text or "") else ""
    base = base if base.strip(" \t") == "" else ""
    unit = base if base else "  "
    return base or unit, unit, newline


# --------------------------------------------------------------------------------------------------- splicing


def _semantics(root: etree._Element) -> list[bytes]:
    """Everything but the diagrams, canonicalised, to check that nothing else changed."""
    parts = [etree.tostring(etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap), method="c14n")]
    for child in root:
        if child.tag == f"{{{BPMNDI_NS}}}BPMNDiagram":
            continue
        parts.append(etree.tostring(child, method="c14n", with_comments=True) if isinstance(child.tag, str)
                     else etree.tostring(child))
    return parts


def _splice_text(source: bytes, root: etree._Element, block: str, replace: bool) -> bytes | None:
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    try:
        text = source.decode(encoding)
        if text.encode(encoding) != source:
            return None
    except (LookupError, UnicodeError):
        return None
    if replace:
        pattern = re.compile(r"[ \t]*<(?P<p>(?:[\w.-]+:)?)BPMNDiagram\b(?:[^>]*?/>|.*?</(?P=p)BPMNDiagram\s*>)"
                             r"[ \t]*(?:\r?\n)?", re.S)
        text = pattern.sub("", text)
    closing = f"{root.prefix}:definitions" if root.prefix else "definitions"
    matches = list(re.finditer(rf"</{re.escape(closing)}\s*>", text))
    if not matches:
        return None
    at = matches[-1].start()
    line_start = text.rfind("\n", 0, at) + 1
    if text[line_start:at].strip(" \t") == "":
        text = text[:line_start] + block + text[line_start:]
    else:
        newline = "\r\n" if "\r\n" in text else "\n"
        text = text[:at] + newline + block + text[at:]
    return text.encode(encoding)


def _splice_tree(source: bytes, block: str) -> bytes:
    """Fallback: rebuild the document with lxml (formatting may change a little)."""
    root = etree.fromstring(source, safe_parser())
    for old in root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram"):
        root.remove(old)
    nsmap = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    wrapper_ns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in nsmap.items())
    wrapper = etree.fromstring(f"<wrapper {wrapper_ns}>{block}</wrapper>".encode(), safe_parser())
    for diagram in list(wrapper):
        root.append(diagram)
    tree = root.getroottree()
    encoding = tree.docinfo.encoding or "UTF-8"
    return etree.tostring(tree, xml_declaration=True, encoding=encoding)


# ------------------------------------------------------------------------------------------------ public API


def has_diagram(source: bytes) -> bool:
    """Does the file already have a bpmndi:BPMNDiagram? (ValueError if it is not well-formed XML.)"""
    try:
        root = etree.fromstring(source, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc
    return root.find(f"{{{BPMNDI_NS}}}BPMNDiagram") is not None


def layout(source: bytes, *, replace: bool = False) -> tuple[bytes, dict[str, int]]:
    """Like `add_diagram`, and also say how many shapes and edges were drawn."""
    try:
        root = etree.fromstring(source, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc
    if root.tag != _q("definitions"):
        raise ValueError("not a BPMN 2.0 file: the root element must be bpmn:definitions")
    existing = root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram")
    if existing and not replace:
        raise ValueError(f"the file already has a diagram (bpmndi:BPMNDiagram id={existing[0].get('id')!r}); "
                         "pass replace=True (--replace) to lay it out again")
    diagram_ids = {el.get("id") for old in existing for el in old.iter() if el.get("id")}
    used = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")} - diagram_ids
    diagrams = _layout_document(root, _IdMaker(used))
    prefixes, declarations = _prefixes(root)
    text = source.decode(root.getroottree().docinfo.encoding or "UTF-8", errors="replace")
    block = _render(diagrams, prefixes, declarations, *_indentation(root, text))

    expected = _semantics(root)
    result = _splice_text(source, root, block, replace)
    if result is None or not _same(result, expected, len(diagrams)):
        result = _splice_tree(source, block)
        if not _same(result, expected, len(diagrams)):
            raise RuntimeError("bpmn_layout: adding the diagram would change the file's content (a bug)")
    stats = {"diagrams": len(diagrams), "shapes": sum(len(d.shapes) for d in diagrams),
             "edges": sum(len(d.edges) for d in diagrams)}
    return result, stats


def _same(result: bytes, expected: list[bytes], diagram_count: int) -> bool:
    try:
        root = etree.fromstring(result, safe_parser())
    except etree.XMLSyntaxError:
        return False
    return (_semantics(root) == expected
            and len(root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram")) == diagram_count)


def add_diagram(source: bytes, replace: bool = False) -> bytes:
    """Return `source` with a generated bpmndi:BPMNDiagram appended to bpmn:definitions.

    Raises ValueError if the file is not BPMN 2.0 or already has a diagram (unless `replace` is true, in which
    case the existing diagrams are removed and a new one is laid out). Everything else in the file is kept
    byte for byte where the file's encoding allows it.
    """
    return layout(source, replace=replace)[0]


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.bpmn")) if path.is_dir() else [path]
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.modelling.layout",
        description="Add an automatically laid out BPMN diagram (DI) to BPMN files that have none, in place.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="BPMN file, or folder of *.bpmn files")
    parser.add_argument("--replace", action="store_true",
                        help="also lay out files that already have a diagram, replacing it")
    args = parser.parse_args(argv)
    status = 0
    for path in _expand(args.files):
        try:
            source = path.read_bytes()
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        try:
            if not args.replace and has_diagram(source):
                print(f"{path}: already has a diagram, left unchanged (use --replace to lay it out again)")
                continue
            result, stats = layout(source, replace=args.replace)
        except ValueError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
            continue
        try:
            path.write_bytes(result)
        except OSError as exc:
            print(f"{path}: cannot write: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        verb = "replaced the diagram" if args.replace else "added a diagram"
        print(f"{path}: {verb} ({stats['shapes']} shapes, {stats['edges']} edges)")
    return status


if __name__ == "__main__":
    sys.exit(main())
