#!/usr/bin/env python3
"""Compares two raw tracking outputs of the same video made on different
devices (the CPU's and a GPU's): the faces found, their IDs, landmarks and
blendshapes. Prints one summary line of measured figures; with limits
given, exits 1 when one is passed.

usage: compare_tracks.py REFERENCE.json OTHER.json HEIGHT
           [--max-px PX] [--max-blendshape D] [--min-same-frames FRACTION]
HEIGHT is the video's frame height: landmark differences are also given
scaled to a 1080-line frame (px_1080), the figure the limits apply to."""
import argparse
import json
import sys


def objects(path):
    with open(path) as f:
        doc = json.load(f)
    return {fr["frame"]: {o["id"]: o for o in fr["tracked_objects"]} for fr in doc["frames"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("height", type=float)
    ap.add_argument("--max-px", type=float)
    ap.add_argument("--max-blendshape", type=float)
    ap.add_argument("--min-same-frames", type=float)
    a = ap.parse_args()
    ref, got = objects(a.reference), objects(a.other)
    frames = sorted(set(ref) | set(got))
    same = faces = 0
    worst_px = worst_bs = 0.0
    px_sum = px_n = 0
    for f in frames:
        r, g = ref.get(f, {}), got.get(f, {})
        same += set(r) == set(g)
        for oid in set(r) & set(g):
            faces += 1
            lr, lg = r[oid].get("landmarks"), g[oid].get("landmarks")
            if lr and lg and len(lr) == len(lg):
                for p, q in zip(lr, lg):
                    d = ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5
                    worst_px = max(worst_px, d)
                    px_sum += d
                    px_n += 1
            br, bg = r[oid].get("blendshapes") or {}, g[oid].get("blendshapes") or {}
            for k in set(br) & set(bg):
                worst_bs = max(worst_bs, abs(br[k] - bg[k]))
    scale = 1080.0 / a.height
    fraction = same / len(frames) if frames else 1.0
    print(f"{a.other}: {len(frames)} frames, same IDs in {fraction:.4f}, {faces} faces compared, "
          f"landmarks max {worst_px:.3f} px (px_1080 {worst_px * scale:.3f}), "
          f"mean {px_sum / max(px_n, 1):.4f} px, blendshapes max {worst_bs:.2e}")
    bad = []
    if a.max_px is not None and worst_px * scale > a.max_px:
        bad.append(f"landmarks differ by {worst_px * scale:.3f} px at 1080p > {a.max_px}")
    if a.max_blendshape is not None and worst_bs > a.max_blendshape:
        bad.append(f"blendshapes differ by {worst_bs:.2e} > {a.max_blendshape}")
    if a.min_same_frames is not None and fraction < a.min_same_frames:
        bad.append(f"same IDs in {fraction:.4f} of frames < {a.min_same_frames}")
    for b in bad:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
