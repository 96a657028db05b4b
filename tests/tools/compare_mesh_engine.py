#!/usr/bin/env python3
"""Checks a face-mesh engine's verbose STEP5 JSON against the MediaPipe
engine's on the same video: each face's mesh against the MediaPipe face its
box overlaps most (the distance of the 468 shared points, its median over
the face, as a share of that face's box width), and, with --jaw, the
correlation of jawOpen over the frames of a one-person video.

usage: compare_mesh_engine.py ENGINE.json MEDIAPIPE.json
       [--max-median-distance 0.05] [--jaw MIN_CORRELATION]
Prints one line of figures; exits 1 when a bound is not met."""
import argparse
import json
import math
import statistics
import sys


def faces(frame):
    return [o for o in frame["tracked_objects"] if o.get("label") == "face"]


def iou(a, b):
    ix = max(0, min(a["bbox_xmax"], b["bbox_xmax"]) - max(a["bbox_xmin"], b["bbox_xmin"]))
    iy = max(0, min(a["bbox_ymax"], b["bbox_ymax"]) - max(a["bbox_ymin"], b["bbox_ymin"]))
    inter = ix * iy
    area = lambda o: (o["bbox_xmax"] - o["bbox_xmin"]) * (o["bbox_ymax"] - o["bbox_ymin"])
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def correlation(x, y):
    mx, my = statistics.mean(x), statistics.mean(y)
    sxy = sum((p - mx) * (q - my) for p, q in zip(x, y))
    sxx = sum((p - mx) ** 2 for p in x)
    syy = sum((q - my) ** 2 for q in y)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("engine")
    p.add_argument("mediapipe")
    p.add_argument("--max-median-distance", type=float, default=0.05)
    p.add_argument("--jaw", type=float, default=None)
    a = p.parse_args()
    eng = json.load(open(a.engine))["frames"]
    ref = json.load(open(a.mediapipe))["frames"]
    if len(eng) != len(ref):
        print(f"frame counts differ: {len(eng)} and {len(ref)}")
        return 1
    shares, jaw_e, jaw_r = [], [], []
    for fe, fr in zip(eng, ref):
        rf = faces(fr)
        for o in faces(fe):
            if not rf or "landmarks" not in o:
                continue
            m = max(rf, key=lambda r: iou(o, r))
            if iou(o, m) < 0.3 or "landmarks" not in m:
                continue
            d = [math.hypot(p[0] - q[0], p[1] - q[1])
                 for p, q in zip(o["landmarks"][:468], m["landmarks"][:468])]
            shares.append(statistics.median(d) / max(1, m["bbox_xmax"] - m["bbox_xmin"]))
            if o["blendshapes"] and m["blendshapes"]:
                jaw_e.append(o["blendshapes"]["jawOpen"])
                jaw_r.append(m["blendshapes"]["jawOpen"])
    if not shares:
        print("no face of the engine matches a MediaPipe face")
        return 1
    median, worst = statistics.median(shares), max(shares)
    line = (f"mesh vs MediaPipe over {len(shares)} faces: median point distance "
            f"{100 * median:.2f}% of the face width (worst face {100 * worst:.2f}%)")
    ok = median <= a.max_median_distance
    if a.jaw is not None:
        r = correlation(jaw_e, jaw_r) if len(jaw_e) > 2 else 0.0
        line += f", jawOpen correlation {r:.3f} over {len(jaw_e)} faces"
        ok = ok and r >= a.jaw
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
