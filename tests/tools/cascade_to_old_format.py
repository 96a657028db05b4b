#!/usr/bin/env python3
"""Writes an OpenCV cascade of the current format (<cascade>, Haar) in the old
one (type_id="opencv-haar-classifier": <size>, stages of <trees> whose nodes
carry their feature, threshold and left_val/left_node, right_val/right_node),
the format OpenCV 4.6 converts on load. Numbers are copied as written, so
both files hold the same cascade.
Usage: cascade_to_old_format.py NEW.xml OLD.xml
"""
import sys
import xml.etree.ElementTree as ET


def main():
    root = ET.parse(sys.argv[1]).getroot()[0]
    if root.findtext("featureType").strip() != "HAAR":
        sys.exit("only Haar cascades have an old format")
    feats = list(root.find("features"))
    out = ['<?xml version="1.0"?>', "<opencv_storage>",
           '<converted type_id="opencv-haar-classifier">',
           f"<size>{root.findtext('width').strip()} {root.findtext('height').strip()}</size>",
           "<stages>"]
    for si, st in enumerate(root.find("stages")):
        out.append("<_><trees>")
        for w in st.find("weakClassifiers"):
            nodes = w.findtext("internalNodes").split()
            leaves = w.findtext("leafValues").split()
            out.append("<_>")
            for k in range(0, len(nodes), 4):
                left, right, fi, thr = int(nodes[k]), int(nodes[k + 1]), int(nodes[k + 2]), nodes[k + 3]
                f = feats[fi]
                rects = "".join(f"<_>{r.text.strip()}</_>" for r in f.find("rects"))
                tilted = (f.findtext("tilted") or "0").strip()
                side = []
                for name, v in (("left", left), ("right", right)):
                    side.append(f"<{name}_node>{v}</{name}_node>" if v > 0
                                else f"<{name}_val>{leaves[-v]}</{name}_val>")
                out.append(f"<_><feature><rects>{rects}</rects><tilted>{tilted}</tilted></feature>"
                           f"<threshold>{thr}</threshold>{''.join(side)}</_>")
            out.append("</_>")
        out.append(f"</trees><stage_threshold>{st.findtext('stageThreshold').strip()}"
                   f"</stage_threshold><parent>{si - 1}</parent><next>-1</next></_>")
    out += ["</stages>", "</converted>", "</opencv_storage>"]
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
