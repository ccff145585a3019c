"""The automatic BPMN diagram (DI) layout: engine.modelling.layout."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from engine.catalogue.parser import parse_pathway
from engine.modelling.layout import FLOW_NODE_TAGS, add_diagram, has_diagram, main

ROOT = Path(__file__).resolve().parent.parent
PATHWAYS = ROOT / "pathways"
TSB_FILE = PATHWAYS / "tsb_d01.bpmn"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _parse(source: bytes) -> etree._Element:
    return etree.fromstring(source, _parser())


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _without_diagram(source: bytes) -> bytes:
    """The file as it would be without DI (the committed pathway files have one)."""
    root = _parse(source)
    diagrams = root.findall("bpmndi:BPMNDiagram", NS)
    if not diagrams:
        return source
    for diagram in diagrams:
        previous = diagram.getprevious()
        root.remove(diagram)
        if previous is not None:
            previous.tail = "\n"
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _tsb_without_diagram() -> bytes:
    return _without_diagram(TSB_FILE.read_bytes())


class Box(tuple):
    @classmethod
    def of(cls, shape: etree._Element) -> "Box":
        bounds = shape.find("dc:Bounds", NS)
        return cls(float(bounds.get(k)) for k in ("x", "y", "width", "height"))

    x = property(lambda self: self[0])
    y = property(lambda self: self[1])
    right = property(lambda self: self[0] + self[2])
    bottom = property(lambda self: self[1] + self[3])

    def contains(self, other: "Box") -> bool:
        return self.x <= other.x and self.y <= other.y and other.right <= self.right and other.bottom <= self.bottom

    def overlaps(self, other: "Box") -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom

    def on_border(self, x: float, y: float) -> bool:
        inside = self.x <= x <= self.right and self.y <= y <= self.bottom
        return inside and (x in (self.x, self.right) or y in (self.y, self.bottom))


def _shapes(root: etree._Element) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        found.setdefault(shape.get("bpmnElement"), []).append(shape)
    return found


def _edges(root: etree._Element) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        found.setdefault(edge.get("bpmnElement"), []).append(edge)
    return found


def _flow_nodes(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter(f"{{{BPMN}}}*") if _local(el) in FLOW_NODE_TAGS]


def check_diagram(source: bytes) -> etree._Element:
    """Everything a laid-out file must satisfy; returns the parsed root."""
    root = _parse(source)
    shapes, edges = _shapes(root), _edges(root)
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    assert all(element_id in ids for element_id in shapes), "a shape refers to an unknown element"
    assert all(element_id in ids for element_id in edges), "an edge refers to an unknown element"

    for node in _flow_nodes(root):
        assert len(shapes.get(node.get("id"), [])) == 1, f"{node.get('id')} needs exactly one shape"
    for element in root.xpath("//bpmn:participant | //bpmn:lane", namespaces=NS):
        assert len(shapes.get(element.get("id"), [])) == 1, f"{element.get('id')} needs exactly one shape"
        assert shapes[element.get("id")][0].get("isHorizontal") == "true"
    for gateway in root.iter(f"{{{BPMN}}}exclusiveGateway"):
        assert shapes[gateway.get("id")][0].get("isMarkerVisible") == "true"

    box = {element_id: Box.of(found[0]) for element_id, found in shapes.items()}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow", f"{{{BPMN}}}messageFlow"):
        assert len(edges.get(flow.get("id"), [])) == 1, f"{flow.get('id')} needs exactly one edge"
        points = [(float(p.get("x")), float(p.get("y"))) for p in edges[flow.get("id")][0].findall("di:waypoint", NS)]
        assert len(points) >= 2, flow.get("id")
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            assert x0 == x1 or y0 == y1, f"{flow.get('id')} is not routed orthogonally: {points}"
        assert box[flow.get("sourceRef")].on_border(*points[0]), f"{flow.get('id')} does not leave its source"
        assert box[flow.get("targetRef")].on_border(*points[-1]), f"{flow.get('id')} does not reach its target"

    # lanes contain their nodes, pools their lanes and nodes
    for lane in root.iter(f"{{{BPMN}}}lane"):
        for ref in lane.iter(f"{{{BPMN}}}flowNodeRef"):
            assert box[lane.get("id")].contains(box[ref.text.strip()]), f"{ref.text} is outside {lane.get('id')}"
    for participant in root.iter(f"{{{BPMN}}}participant"):
        process = root.find(f"bpmn:process[@id='{participant.get('processRef')}']", NS)
        if process is None:
            continue
        for element in list(process.iter(f"{{{BPMN}}}lane")) + [n for n in process if _local(n) in FLOW_NODE_TAGS]:
            assert box[participant.get("id")].contains(box[element.get("id")]), element.get("id")

    # no two shapes of one lane (or of one plane without lanes) overlap; a boundary event sits on its host
    attached = {(n.get("id"), n.get("attachedToRef")) for n in root.iter(f"{{{BPMN}}}boundaryEvent")}
    for plane in root.iter(f"{{{BPMNDI}}}BPMNPlane"):
        on_plane = [s.get("bpmnElement") for s in plane.findall("bpmndi:BPMNShape", NS)]
        nodes = [i for i in on_plane if _local(root.xpath("//*[@id=$id]", id=i)[0]) in FLOW_NODE_TAGS]
        groups = [list(dict.fromkeys(ref.text.strip() for ref in lane.findall("bpmn:flowNodeRef", NS)
                                     if ref.text.strip() in nodes))
                  for lane in root.iter(f"{{{BPMN}}}lane")] or [nodes]
        laned = {node for group in groups for node in group}
        groups.append([node for node in nodes if node not in laned])
        for group in groups:
            for a, b in combinations(group, 2):
                if (a, b) in attached or (b, a) in attached:
                    assert box[b if (a, b) in attached else a].overlaps(box[a if (a, b) in attached else b])
                    continue
                assert not box[a].overlaps(box[b]), f"{a} and {b} overlap"

    # the whole file, DI included, is valid BPMN 2.0 by the schemas SpiffWorkflow ships
    BpmnValidator().validate(_parse(source))
    return root


def _c14n(root: etree._Element, path: str) -> list[bytes]:
    return [etree.tostring(el, method="c14n", with_comments=True) for el in root.xpath(path, namespaces=NS)]


# ------------------------------------------------------------------------------------------------ TSB (D01)


def test_tsb_layout_covers_every_element_and_is_valid():
    source = _tsb_without_diagram()
    result = add_diagram(source)
    root = check_diagram(result)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "collab_tsb_d01"
    diagrams = root.findall("bpmndi:BPMNDiagram", NS)
    assert diagrams == list(root)[-len(diagrams):], "the diagrams are the last children of definitions"
    # the pool's diagram first, then one per sub-process (the event sub-processes receiving the municipality's
    # messages), so a modeller drills down into each
    assert [d.find("bpmndi:BPMNPlane", NS).get("bpmnElement") for d in diagrams] == [
        "collab_tsb_d01", "on_changed_needs", "on_crisis_notice", "on_responsibility_group_requested"]
    assert root.find(".//bpmndi:BPMNShape[@bpmnElement='assess_referral']", NS).get("id") == "assess_referral_di"


def test_tsb_layout_keeps_the_rest_of_the_file_byte_for_byte():
    source = _tsb_without_diagram()
    result = add_diagram(source)
    closing = source.rindex(b"</bpmn:definitions>")
    assert result.startswith(source[:closing])
    assert result.endswith(source[closing:])
    before, after = _parse(source), _parse(result)
    for path in ("/bpmn:definitions/bpmn:process", "/bpmn:definitions/bpmn:collaboration"):
        assert _c14n(before, path) == _c14n(after, path)
    assert dict(before.attrib) == dict(after.attrib) and before.nsmap == after.nsmap


def test_tsb_layout_passes_the_pathway_linter():
    definition, problems = parse_pathway(add_diagram(_tsb_without_diagram()), "x.bpmn")
    assert definition is not None, problems
    assert not [p for p in problems if p.severity == "error"]


def test_tsb_layout_reads_left_to_right_in_lanes():
    root = _parse(add_diagram(_tsb_without_diagram()))
    box = {s.get("bpmnElement"): Box.of(s) for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    main_line = ["start_referral_received", "assess_referral", "gw_right_to_care", "first_attendance",
                 "plan_treatment", "treatment_started", "evaluate_treatment", "close_pathway", "end_closed"]
    assert [box[n].x for n in main_line] == sorted(box[n].x for n in main_line)
    # the main line is straight
    assert len({box[n].y + (box[n].bottom - box[n].y) / 2 for n in main_line}) == 1
    # the unit lead's lane lies below the coordinator's, and its follow-up lies below and right of the timer
    assert box["lane_unit_lead"].y == box["lane_coordinator"].bottom
    timer, host = box["timer_referral_deadline"], box["assess_referral"]
    assert timer.bottom > host.bottom > timer.y and host.x <= timer.x and timer.right <= host.right
    follow_up = box["follow_up_late_assessment"]
    assert follow_up.y > timer.bottom and follow_up.x > timer.right
    # the lanes span the pool minus its 30px label band
    pool = box["participant_tsb_d01"]
    for lane in ("lane_coordinator", "lane_unit_lead"):
        assert box[lane].x == pool.x + 30 and box[lane].right == pool.right


def test_a_file_with_a_diagram_is_refused_unless_replacing():
    laid_out = add_diagram(_tsb_without_diagram())
    with pytest.raises(ValueError, match="already has a diagram"):
        add_diagram(laid_out)
    again = add_diagram(laid_out, replace=True)
    assert again == laid_out
    assert len(_parse(again).findall("bpmndi:BPMNDiagram", NS)) == 4  # the pool and three sub-processes


def test_replacing_a_hand_made_diagram():
    laid_out = add_diagram(_tsb_without_diagram())
    moved = laid_out.replace(b'<bpmndi:BPMNDiagram id="collab_tsb_d01_diagram">',
                             b'<bpmndi:BPMNDiagram id="BPMNDiagram_1" name="hand made">')
    assert moved != laid_out
    result = add_diagram(moved, replace=True)
    check_diagram(result)
    assert b"hand made" not in result
    assert _c14n(_parse(result), "/bpmn:definitions/bpmn:process") == _c14n(_parse(moved),
                                                                          "/bpmn:definitions/bpmn:process")


def test_not_bpmn_is_refused():
    with pytest.raises(ValueError, match="bpmn:definitions"):
        add_diagram(b"<html/>")
    with pytest.raises(ValueError, match="well-formed"):
        add_diagram(b"<bpmn:definitions")


# -------------------------------------------------------------------------------------- the pathway folder


@pytest.mark.parametrize("path", sorted(PATHWAYS.glob("*.bpmn")), ids=lambda p: p.name)
def test_pathway_files_have_a_complete_diagram(path: Path):
    source = path.read_bytes()
    assert has_diagram(source), f"{path.name} has no diagram: run python -m engine.modelling.layout {path}"
    root = _parse(source)
    shapes, edges = _shapes(root), _edges(root)
    missing = [n.get("id") for n in _flow_nodes(root) if n.get("id") not in shapes]
    missing += [f.get("id") for f in root.iter(f"{{{BPMN}}}sequenceFlow") if f.get("id") not in edges]
    missing += [e.get("id") for e in root.xpath("//bpmn:participant | //bpmn:lane", namespaces=NS)
                if e.get("id") not in shapes]
    assert not missing, f"{path.name}: no diagram element for {', '.join(missing)}"
    BpmnValidator().validate(_parse(source))


def test_the_committed_tsb_diagram_is_what_the_layout_makes():
    """Only the diagram was added to the pathway file (re-running the layout gives the same file)."""
    source = TSB_FILE.read_bytes()
    assert add_diagram(source, replace=True) == source


# -------------------------------------------------------------------------------------- other shapes of file


PROCESS_ONLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="urn:test">
    <process id="p" name="Test" isExecutable="true">
        <startEvent id="s" name="Start" />
        <sequenceFlow id="f1" sourceRef="s" targetRef="t1" />
        <userTask id="t1" name="First" />
        <boundaryEvent id="b" name="Late" attachedToRef="t1" cancelActivity="false">
            <timerEventDefinition id="b_def" />
        </boundaryEvent>
        <sequenceFlow id="fb" sourceRef="b" targetRef="t2" />
        <userTask id="t2" name="Chase" />
        <sequenceFlow id="fb2" sourceRef="t2" targetRef="e" />
        <sequenceFlow id="f2" sourceRef="t1" targetRef="g1" />
        <exclusiveGateway id="g1" name="Which?" />
        <sequenceFlow id="f3" name="in" sourceRef="g1" targetRef="sub" />
        <sequenceFlow id="f4" name="skip" sourceRef="g1" targetRef="g2" />
        <subProcess id="sub" name="Inner">
            <startEvent id="sub_s" />
            <sequenceFlow id="sub_f1" sourceRef="sub_s" targetRef="sub_t" />
            <task id="sub_t" />
            <sequenceFlow id="sub_f2" sourceRef="sub_t" targetRef="sub_e" />
            <endEvent id="sub_e" />
        </subProcess>
        <sequenceFlow id="f5" sourceRef="sub" targetRef="g2" />
        <exclusiveGateway id="g2" />
        <sequenceFlow id="f6" name="again" sourceRef="g2" targetRef="t1" />
        <sequenceFlow id="f7" sourceRef="g2" targetRef="e" />
        <endEvent id="e" />
    </process>
</definitions>
"""


def test_process_without_collaboration_lanes_or_di_namespaces():
    result = add_diagram(PROCESS_ONLY)
    root = check_diagram(result)
    diagrams = root.findall("bpmndi:BPMNDiagram", NS)
    assert [d.find("bpmndi:BPMNPlane", NS).get("bpmnElement") for d in diagrams] == ["p", "sub"]
    assert diagrams[0].nsmap["bpmndi"] == BPMNDI and diagrams[0].nsmap["dc"] == DC and diagrams[0].nsmap["di"] == DI
    assert result.startswith(PROCESS_ONLY[:PROCESS_ONLY.rindex(b"</definitions>")])
    process = "/bpmn:definitions/bpmn:process"
    assert _c14n(_parse(PROCESS_ONLY), process) == _c14n(root, process)
    box = {s.get("bpmnElement"): Box.of(s) for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    assert root.find(".//bpmndi:BPMNShape[@bpmnElement='sub']", NS).get("isExpanded") == "false"
    # the loop goes back, the follow-up of the boundary event lies below and right of it
    assert box["t1"].x < box["g1"].x < box["sub"].x < box["g2"].x < box["e"].x
    assert box["t2"].y > box["b"].bottom and box["t2"].x > box["b"].right
    loop = [(float(p.get("x")), float(p.get("y"))) for p in
            root.find(".//bpmndi:BPMNEdge[@bpmnElement='f6']", NS).findall("di:waypoint", NS)]
    assert max(y for _, y in loop) > box["g2"].bottom, "the loop returns below the row"
    # the flow that skips a column does not run through the element it skips
    skip = [(float(p.get("x")), float(p.get("y"))) for p in
            root.find(".//bpmndi:BPMNEdge[@bpmnElement='f4']", NS).findall("di:waypoint", NS)]
    for (x0, y0), (x1, y1) in zip(skip, skip[1:]):
        segment = Box((min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)))
        assert not (segment.x < box["sub"].right and box["sub"].x < segment.right and
                    box["sub"].y <= segment.y <= box["sub"].bottom)


NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:di="urn:not-dd-di"
                  id="defs" targetNamespace="urn:test">
  <bpmn:collaboration id="c">
    <bpmn:participant id="pa" name="Us" processRef="pA" />
    <bpmn:participant id="pb" name="Them" />
    <bpmn:messageFlow id="m1" sourceRef="ta" targetRef="pb" />
  </bpmn:collaboration>
  <bpmn:process id="pA" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="Outer">
        <bpmn:flowNodeRef>s</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ta</bpmn:flowNodeRef>
        <bpmn:childLaneSet id="cls">
          <bpmn:lane id="l1a" name="Inner A">
            <bpmn:flowNodeRef>ta</bpmn:flowNodeRef>
          </bpmn:lane>
          <bpmn:lane id="l1b" name="Inner B" />
        </bpmn:childLaneSet>
      </bpmn:lane>
      <bpmn:lane id="l2" name="Other">
        <bpmn:flowNodeRef>tb</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>pg</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ta" />
    <bpmn:userTask id="ta" />
    <bpmn:sequenceFlow id="f2" sourceRef="ta" targetRef="pg" />
    <bpmn:parallelGateway id="pg" />
    <bpmn:sequenceFlow id="f3" sourceRef="pg" targetRef="tb" />
    <bpmn:sequenceFlow id="f4" sourceRef="pg" targetRef="tc" />
    <bpmn:userTask id="tb" />
    <bpmn:userTask id="tc" />
    <bpmn:sequenceFlow id="f5" sourceRef="tb" targetRef="e" />
    <bpmn:sequenceFlow id="f6" sourceRef="tc" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_pools_nested_lanes_message_flows_and_a_taken_prefix():
    result = add_diagram(NESTED)
    root = check_diagram(result)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "c"
    assert root.nsmap["di"] == "urn:not-dd-di", "the file's own prefix is left alone"
    box = {s.get("bpmnElement"): Box.of(s) for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    assert box["l1"].contains(box["l1a"]) and box["l1"].contains(box["l1b"])
    assert box["l1a"].x == box["l1"].x + 30
    assert box["pb"].y > box["pa"].bottom and box["pb"].right == box["pa"].right
    assert box["l1a"].contains(box["e"]), "a node in no lane goes into the first lane"
    assert result.endswith(b"</bpmndi:BPMNDiagram>\n</bpmn:definitions>")


def test_a_file_the_text_splice_cannot_handle_is_rebuilt_with_lxml():
    tricky = PROCESS_ONLY + b"<!-- not the end: </definitions> -->\n"
    result = add_diagram(tricky)
    root = check_diagram(result)
    process = "/bpmn:definitions/bpmn:process"
    assert _c14n(_parse(tricky), process) == _c14n(root, process)
    assert b"<!-- not the end: </definitions> -->" in result


# ------------------------------------------------------------------------------------------------------ CLI


def test_main_rewrites_files_in_place(tmp_path: Path, capsys):
    target = tmp_path / "p.bpmn"
    target.write_bytes(PROCESS_ONLY)
    assert main([str(tmp_path)]) == 0
    assert "added a diagram" in capsys.readouterr().out
    laid_out = target.read_bytes()
    check_diagram(laid_out)

    assert main([str(target)]) == 0
    assert "already has a diagram" in capsys.readouterr().out
    assert target.read_bytes() == laid_out

    assert main(["--replace", str(target)]) == 0
    assert "replaced the diagram" in capsys.readouterr().out
    assert target.read_bytes() == laid_out

    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(b"<nope")
    assert main([str(broken), str(tmp_path / "missing.bpmn")]) == 1
    assert broken.read_bytes() == b"<nope"
