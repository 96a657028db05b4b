#!/usr/bin/env python3
"""Scores `facetrack scenes --json` on the sweep of make_scene_sweep.py.

A found cut matches a hard cut within +-1 frame, and a gradual transition
when it falls within its mixed frames (+-2); each event is matched once,
every other found cut is a false one. A flash clip is its source with
flashes drawn on it, frame for frame: a false cut there is a flash's
unless the source alone (FOUND_DIR/<source>_scenes.json, when there) has a
cut within 2 frames of it, its own motion's. Prints precision and recall per
transition type and per family, hard-cut precision / recall / F1, false
cuts in the flash clips and in the camera moves, and gradual recall.
With --json FILE, also writes those figures as JSON.

Usage: score_scene_sweep.py [--json FILE] SWEEP_DIR FOUND_DIR
"""
import argparse
import json
import os
from collections import defaultdict


def match(events, found):
    """(true positives, false positives, false negatives) of one clip, and
    the false cuts."""
    left = list(events)
    tp = 0
    false = []
    for f in found:
        for e in left:
            tol = 1 if e["type"] == "cut" else 2
            if e["from"] - tol <= f <= e["to"] + tol:
                left.remove(e)
                tp += 1
                break
        else:
            false.append(f)
    return tp, len(found) - tp, len(left), false


def own_cuts(found_dir, source):
    """The cuts found in a source clip alone (0-based), or None."""
    path = os.path.join(found_dir, source + "_scenes.json")
    return [c["frame"] - 1 for c in json.load(open(path))["cuts"]] if os.path.exists(path) else None


def ratio(a, b):
    return a / b if b else 1.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    p.add_argument("sweep")
    p.add_argument("found")
    args = p.parse_args()
    truth = json.load(open(os.path.join(args.sweep, "truth.json")))
    by_type = defaultdict(lambda: [0, 0, 0, 0])  # clips, tp, fp, fn
    by_family = defaultdict(lambda: [0, 0, 0, 0])
    false_cuts = defaultdict(list)  # kind -> clips with false cuts
    found_as = defaultdict(lambda: defaultdict(int))
    flash_cuts = [0]  # false cuts in flash clips that their source alone does not have
    source_cuts = [0]  # ... that it has
    by_source = defaultdict(lambda: [0, 0, 0])  # clips, fp, fn
    for clip in truth:
        path = os.path.join(args.found, clip["clip"] + "_scenes.json")
        cuts = json.load(open(path))["cuts"] if os.path.exists(path) else None
        if cuts is None:
            raise SystemExit(f"score: no result for {clip['clip']} ({path})")
        found = [c["frame"] - 1 for c in cuts]
        for c in cuts:
            found_as[clip["type"]][c.get("type", "cut")] += 1
        tp, fp, fn, false = match(clip["events"], found)
        if clip.get("flashes"):
            own = own_cuts(args.found, clip["sources"][0]) if clip.get("sources") else None
            for f in false:
                if own is not None and any(abs(f - o) <= 2 for o in own):
                    source_cuts[0] += 1
                else:
                    flash_cuts[0] += 1
        for table, key in ((by_type, clip["type"]), (by_family, clip["family"])):
            row = table[key]
            row[0] += 1
            row[1] += tp
            row[2] += fp
            row[3] += fn
        if fp:
            false_cuts[clip["kind"]].append("%s@%s" % (clip["clip"], ",".join(map(str, false))))
        for source in clip.get("sources", []):
            by_source[source][0] += 1
            by_source[source][1] += fp
            by_source[source][2] += fn
    print("%-22s %5s %4s %4s %4s %9s %7s  %s" % ("type", "clips", "TP", "FP", "FN", "precision",
                                                 "recall", "found as"))
    for key in sorted(by_type, key=lambda k: (
            [f for f in by_family if any(c["type"] == k and c["family"] == f for c in truth)][0], k)):
        n, tp, fp, fn = by_type[key]
        print("%-22s %5d %4d %4d %4d %9.2f %7.2f  %s" % (
            key, n, tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn),
            " ".join("%s:%d" % kv for kv in sorted(found_as[key].items()))))
    print()
    print("%-22s %5s %4s %4s %4s %9s %7s" % ("family", "clips", "TP", "FP", "FN", "precision", "recall"))
    for key, (n, tp, fp, fn) in sorted(by_family.items()):
        print("%-22s %5d %4d %4d %4d %9.2f %7.2f" % (key, n, tp, fp, fn, ratio(tp, tp + fp),
                                                     ratio(tp, tp + fn)))
    if by_source:
        print()
        print("%-36s %5s %4s %4s" % ("source (in clips)", "clips", "FP", "FN"))
        for key, (n, fp, fn) in sorted(by_source.items()):
            print("%-36s %5d %4d %4d" % (key, n, fp, fn))
    cut = by_family.get("cut", [0, 0, 0, 0])
    cp, cr = ratio(cut[1], cut[1] + cut[2]), ratio(cut[1], cut[1] + cut[3])
    gradual = [v for k, v in by_family.items() if k not in ("cut", "flash", "motion")]
    g_tp = sum(v[1] for v in gradual)
    g_fp = sum(v[2] for v in gradual)
    g_fn = sum(v[3] for v in gradual)
    summary = {
        "hard_cut_precision": cp, "hard_cut_recall": cr,
        "hard_cut_f1": 2 * cp * cr / (cp + cr) if cp + cr else 0.0,
        "flash_false_cuts": flash_cuts[0],
        "flash_clip_false_cuts": by_family.get("flash", [0, 0, 0, 0])[2],
        "flash_clip_source_cuts": source_cuts[0],
        "motion_false_cuts": by_family.get("motion", [0, 0, 0, 0])[2],
        "gradual_recall": ratio(g_tp, g_tp + g_fn),
        "gradual_precision": ratio(g_tp, g_tp + g_fp),
        "gradual_recall_by_type": {k: ratio(v[1], v[1] + v[3]) for k, v in by_type.items()
                                   if any(c["type"] == k and c["kind"] == "transition" for c in truth)},
        "false_cuts": false_cuts,
    }
    print()
    print("hard cuts: precision %.3f  recall %.3f  F1 %.3f" % (
        cp, cr, summary["hard_cut_f1"]))
    print("flash false cuts: %d in %d clips with flashes (besides, %d false cuts that their "
          "sources alone have too)" % (
              summary["flash_false_cuts"], sum(1 for c in truth if c.get("flashes")),
              summary["flash_clip_source_cuts"]))
    print("camera-move false cuts: %d (in %d clips)" % (
        summary["motion_false_cuts"], by_family.get("motion", [0])[0]))
    print("gradual transitions: recall %.3f  precision %.3f (%d of %d found, %d false)" % (
        summary["gradual_recall"], summary["gradual_precision"], g_tp, g_tp + g_fn, g_fp))
    for kind, clips in sorted(false_cuts.items()):
        print("false cuts in %s clips: %s" % (kind, " ".join(clips)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
