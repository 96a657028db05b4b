#!/usr/bin/env python3
"""The fingerprint of a raw tracking output (STEP5 <stem>.json): one line per
object per frame with what a user of the file sees: frame, id, centroid,
box, confidence and jawOpen. `compare` checks a file against a recorded
fingerprint: the same objects with the same IDs in every frame, pixels
within 1, scores within 0.01 (the tolerance of another CPU's float
rounding)."""
import json
import sys


def fingerprint(path):
    with open(path) as f:
        doc = json.load(f)
    rows = []
    for frame in doc["frames"]:
        for o in frame["tracked_objects"]:
            jaw = (o.get("blendshapes") or {}).get("jawOpen")
            rows.append([frame["frame"], o["id"], o["centroid_x"], o["centroid_y"], o["bbox_xmin"],
                         o["bbox_ymin"], o["bbox_width"], o["bbox_height"],
                         "%.3f" % o["confidence"], "-" if jaw is None else "%.3f" % jaw])
    return rows


def main():
    if sys.argv[1] == "print":
        for row in fingerprint(sys.argv[2]):
            print("\t".join(str(v) for v in row))
        return 0
    if sys.argv[1] != "compare":
        print("usage: track_fingerprint.py print FILE | compare FILE FINGERPRINT", file=sys.stderr)
        return 2
    got = fingerprint(sys.argv[2])
    with open(sys.argv[3]) as f:
        want = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if len(got) != len(want):
        print(f"{sys.argv[2]}: {len(got)} objects over all frames, recorded {len(want)}")
        return 1
    for g, w in zip(got, want):
        where = f"{sys.argv[2]}: frame {w[0]} object {w[1]}"
        if str(g[0]) != w[0] or g[1] != w[1]:
            print(f"{where}: got frame {g[0]} object {g[1]}")
            return 1
        for i in range(2, 8):
            if abs(g[i] - int(w[i])) > 1:
                print(f"{where}: field {i} is {g[i]}, recorded {w[i]}")
                return 1
        for i in (8, 9):
            if (g[i] == "-") != (w[i] == "-") or (g[i] != "-" and abs(float(g[i]) - float(w[i])) > 0.01):
                print(f"{where}: score {i} is {g[i]}, recorded {w[i]}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
