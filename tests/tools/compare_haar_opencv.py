#!/usr/bin/env python3
"""Compares `facetrack detect --engine opencv_haar` with OpenCV's own
CascadeClassifier on the same image files.

Reads facetrack's detect output (one JSON object per image, with "path" and
"faces"[].box = [x, y, w, h]), runs cv2.CascadeClassifier(CASCADE)
.detectMultiScale(gray, 1.1, 5, minSize=(30, 30)) on each path, as the
original workflow's Haar engine called it, and pairs the boxes one to one,
greedily by IoU (a pair counts when IoU >= 0.5). Prints the figures and
exits 1 when one is below its bound:
  recall     OpenCV's boxes that have a facetrack box
  precision  facetrack's boxes that have an OpenCV box
  mean IoU   of the pairs
  identical  images whose box lists are the same, box for box
"""
import argparse
import json
import sys

import cv2


def iou(a, b):
    ax1, ay1 = a[0] + a[2], a[1] + a[3]
    bx1, by1 = b[0] + b[2], b[1] + b[3]
    w = min(ax1, bx1) - max(a[0], b[0])
    h = min(ay1, by1) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def pairs(ours, ref):
    cand = sorted(((iou(o, r), i, j) for i, o in enumerate(ours) for j, r in enumerate(ref)),
                  reverse=True)
    used_o, used_r, out = set(), set(), []
    for v, i, j in cand:
        if v < 0.5:
            break
        if i in used_o or j in used_r:
            continue
        used_o.add(i)
        used_r.add(j)
        out.append(v)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cascade", required=True)
    ap.add_argument("--ours", required=True, help="facetrack detect output")
    ap.add_argument("--min-images", type=int, default=1)
    ap.add_argument("--min-recall", type=float, required=True)
    ap.add_argument("--min-precision", type=float, required=True)
    ap.add_argument("--min-iou", type=float, required=True)
    ap.add_argument("--min-identical", type=float, required=True)
    a = ap.parse_args()

    cc = cv2.CascadeClassifier(a.cascade)
    if cc.empty():
        print(f"OpenCV cannot load {a.cascade}")
        return 1
    dec = json.JSONDecoder()
    text = open(a.ours).read()
    records, pos = [], 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            break
        obj, pos = dec.raw_decode(text, pos)
        records.append(obj)
    n_ref = n_ours = 0
    ious, identical = [], 0
    for rec in records:
        ours = [[int(round(v)) for v in f["box"]] for f in rec["faces"]]
        img = cv2.imread(rec["path"], cv2.IMREAD_COLOR)
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        ref = [list(map(int, r)) for r in
               cc.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(30, 30))]
        p = pairs(ours, ref)
        n_ref += len(ref)
        n_ours += len(ours)
        ious += p
        identical += sorted(ours) == sorted(ref)
    images = len(records)
    recall = len(ious) / n_ref if n_ref else 1.0
    precision = len(ious) / n_ours if n_ours else 1.0
    mean_iou = sum(ious) / len(ious) if ious else 1.0
    ident = identical / images if images else 0.0
    print(f"images {images}, OpenCV boxes {n_ref}, facetrack boxes {n_ours}, pairs {len(ious)}: "
          f"recall {recall:.4f}, precision {precision:.4f}, mean IoU {mean_iou:.4f}, "
          f"identical images {ident:.4f}")
    ok = (images >= a.min_images and n_ref > 0 and recall >= a.min_recall and
          precision >= a.min_precision and mean_iou >= a.min_iou and ident >= a.min_identical)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
