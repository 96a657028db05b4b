#!/usr/bin/env python3
"""Checks one engine's STEP5 JSON against the MediaPipe engine's on the same
video: the share of frames with a face, how many IDs each person got, and
how well the boxes agree (IoU of each face with the MediaPipe face it
overlaps most, on frames where both found faces).

usage: compare_engine_faces.py ENGINE.json MEDIAPIPE.json PERSONS
       [--min-found 0.98] [--max-ids-per-person 2] [--min-iou 0.5]
Prints one line of figures; exits 1 when a bound is not met."""
import argparse
import json
import statistics
import sys


def boxes(frame):
    return [(o["id"], o["bbox_xmin"], o["bbox_ymin"], o["bbox_xmax"], o["bbox_ymax"])
            for o in frame["tracked_objects"] if o.get("label") == "face"]


def iou(a, b):
    ix = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    iy = max(0, min(a[4], b[4]) - max(a[2], b[2]))
    inter = ix * iy
    union = (a[3] - a[1]) * (a[4] - a[2]) + (b[3] - b[1]) * (b[4] - b[2]) - inter
    return inter / union if union > 0 else 0.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("engine")
    p.add_argument("mediapipe")
    p.add_argument("persons", type=int)
    p.add_argument("--min-found", type=float, default=0.98)
    p.add_argument("--max-ids-per-person", type=int, default=2)
    p.add_argument("--min-iou", type=float, default=0.5)
    a = p.parse_args()
    eng = json.load(open(a.engine))["frames"]
    ref = json.load(open(a.mediapipe))["frames"]
    if len(eng) != len(ref):
        print(f"frame counts differ: {len(eng)} and {len(ref)}")
        return 1
    found = sum(1 for f in eng if boxes(f)) / len(eng)
    # frames with all the persons in view
    full = sum(1 for f in eng if len(boxes(f)) >= a.persons) / len(eng)
    ids = {b[0] for f in eng for b in boxes(f)}
    ious = []
    for fe, fr in zip(eng, ref):
        rb = boxes(fr)
        for b in boxes(fe):
            if rb:
                ious.append(max(iou(b, r) for r in rb))
    worst = min(ious) if ious else 0.0
    median = statistics.median(ious) if ious else 0.0
    print(f"faces in {100 * found:.1f}% of {len(eng)} frames ({100 * full:.1f}% with all {a.persons}), "
          f"{len(ids)} IDs for {a.persons} persons, IoU with MediaPipe: median {median:.3f}, "
          f"min {worst:.3f} over {len(ious)} faces")
    ok = (found >= a.min_found and full >= a.min_found and
          len(ids) <= a.max_ids_per_person * a.persons and worst >= a.min_iou)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
