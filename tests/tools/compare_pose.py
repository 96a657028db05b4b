#!/usr/bin/env python3
"""Head pose of one engine's tracking output against another's (the
reference, e.g. the MediaPipe engine's pose from its whole mesh), frame by
frame: faces are paired by box overlap (IoU >= 0.3, greedy), and the
absolute yaw, pitch and roll differences of the pairs are summarised.

Usage: compare_pose.py REFERENCE.json OTHER.json [--max-median-yaw X]
       [--max-median-pitch X] [--max-median-roll X] [--min-pairs N]
Prints one line per angle (median, 90th percentile, pairs); exits 1 when a
bound is exceeded or too few faces could be paired."""
import argparse
import json
import sys


def faces_by_frame(path):
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for fr in doc["frames"]:
        out[fr["frame"]] = [o for o in fr["tracked_objects"] if "head_pose" in o]
    return out


def iou(a, b):
    x0 = max(a["bbox_xmin"], b["bbox_xmin"])
    x1 = min(a["bbox_xmax"], b["bbox_xmax"])
    y0 = max(a["bbox_ymin"], b["bbox_ymin"])
    y1 = min(a["bbox_ymax"], b["bbox_ymax"])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    area = lambda o: o["bbox_width"] * o["bbox_height"]
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def gap(a, b):
    d = abs(a - b) % 360
    return 360 - d if d > 180 else d


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--max-median-yaw", type=float)
    ap.add_argument("--max-median-pitch", type=float)
    ap.add_argument("--max-median-roll", type=float)
    ap.add_argument("--min-pairs", type=int, default=1)
    a = ap.parse_args()
    ref, other = faces_by_frame(a.reference), faces_by_frame(a.other)
    diffs = {"yaw": [], "pitch": [], "roll": []}
    for frame, faces in other.items():
        pairs = sorted(((iou(r, o), i, j) for i, r in enumerate(ref.get(frame, []))
                        for j, o in enumerate(faces)), reverse=True)
        used_r, used_o = set(), set()
        for overlap, i, j in pairs:
            if overlap < 0.3 or i in used_r or j in used_o:
                continue
            used_r.add(i)
            used_o.add(j)
            r, o = ref[frame][i]["head_pose"], faces[j]["head_pose"]
            for k in diffs:
                diffs[k].append(gap(r[k], o[k]))
    ok = len(diffs["yaw"]) >= a.min_pairs
    for k, v in diffs.items():
        med = percentile(v, 0.5)
        print(f"{k}: median |diff| {med:.2f} deg, p90 {percentile(v, 0.9):.2f} deg, {len(v)} pairs")
        bound = getattr(a, f"max_median_{k}")
        if bound is not None and not (med <= bound):
            print(f"  median above {bound}", file=sys.stderr)
            ok = False
    if len(diffs["yaw"]) < a.min_pairs:
        print(f"only {len(diffs['yaw'])} paired faces (want {a.min_pairs})", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
