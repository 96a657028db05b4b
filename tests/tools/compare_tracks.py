#!/usr/bin/env python3
"""Compares two raw tracking outputs of the same video made on different
devices (the CPU's and a GPU's): the faces found, their IDs, landmarks and
blendshapes. Prints one summary line of measured figures; with limits
given, exits 1 when one is passed.

usage: compare_tracks.py REFERENCE.json OTHER.json HEIGHT
           [--max-px PX] [--p99-px PX] [--max-blendshape D] [--p99-blendshape D]
           [--min-same-frames FRACTION]
HEIGHT is the video's frame height: landmark differences are also given
scaled to a 1080-line frame (px_1080), the figure the pixel limits apply to.
Differences are over every landmark (and every blendshape) of every face
found in both: their median, 99th percentile and largest are printed.
Tracking feeds each frame's landmarks into the next frame's crop, so a
difference of a few 1e-5 in a model's output can grow, in a few frames, to
a pixel; the percentiles say how often."""
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
    ap.add_argument("--p99-px", type=float)
    ap.add_argument("--p99-blendshape", type=float)
    ap.add_argument("--min-same-frames", type=float)
    a = ap.parse_args()
    ref, got = objects(a.reference), objects(a.other)
    frames = sorted(set(ref) | set(got))
    same = faces = 0
    px, bs = [], []
    for f in frames:
        r, g = ref.get(f, {}), got.get(f, {})
        same += set(r) == set(g)
        for oid in set(r) & set(g):
            faces += 1
            lr, lg = r[oid].get("landmarks"), g[oid].get("landmarks")
            if lr and lg and len(lr) == len(lg):
                for p, q in zip(lr, lg):
                    px.append(((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5)
            br, bg = r[oid].get("blendshapes") or {}, g[oid].get("blendshapes") or {}
            for k in set(br) & set(bg):
                bs.append(abs(br[k] - bg[k]))
    scale = 1080.0 / a.height
    fraction = same / len(frames) if frames else 1.0
    px = sorted(d * scale for d in px)
    bs = sorted(bs)
    q = lambda v, f: v[min(len(v) - 1, int(f * len(v)))] if v else 0.0
    print(f"{a.other}: {len(frames)} frames, same IDs in {fraction:.4f}, {faces} faces compared; "
          f"landmarks at 1080p: median {q(px, .5):.4f} p99 {q(px, .99):.3f} max {q(px, 1):.3f} px; "
          f"blendshapes: median {q(bs, .5):.1e} p99 {q(bs, .99):.1e} max {q(bs, 1):.1e}")
    bad = []
    for name, values, fr, limit, unit in (("landmarks", px, 1, a.max_px, " px at 1080p"),
                                          ("landmarks", px, .99, a.p99_px, " px at 1080p"),
                                          ("blendshapes", bs, 1, a.max_blendshape, ""),
                                          ("blendshapes", bs, .99, a.p99_blendshape, "")):
        if limit is not None and q(values, fr) > limit:
            what = "largest" if fr == 1 else "99th percentile"
            bad.append(f"{name}: {what} difference {q(values, fr):.3g}{unit} > {limit}")
    if a.min_same_frames is not None and fraction < a.min_same_frames:
        bad.append(f"same IDs in {fraction:.4f} of frames < {a.min_same_frames}")
    for b in bad:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
