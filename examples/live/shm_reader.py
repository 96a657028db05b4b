"""Reads the shared-memory preview of a `facetrack live` worker with numpy
(layout: docs/live.md, src/live/shm_layout.h).

    python3 shm_reader.py NAME            one frame: a JSON line with the faces
    python3 shm_reader.py --npy FILE NAME and the preview as a .npy array (H, W, 3)

NAME is the "shm" name of the worker's "ready" event (/facetrack-live-...).
The copy is taken between two reads of the sequence counter and retried
while the writer is busy, so it is never a torn frame.
"""
import json
import mmap
import os
import struct
import sys
import time

import numpy as np

MAGIC, VERSION = 0x564C5446, 1
# The header's fields up to face_count, then latency_ms (see shm_layout.h).
HEADER = struct.Struct('<IIQIIIIIIII Q qqq IIIII ff I d')
FACE_HEAD = struct.Struct('<iff4fiiifff')  # id .. roll: 52 bytes
BLENDSHAPES_AT, LANDMARKS_AT = 52, 260


def open_segment(name):
    fd = os.open('/dev/shm/' + name.lstrip('/'), os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        return mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ), size
    finally:
        os.close(fd)


def read_frame(m, size, timeout=10.0):
    """One consistent frame: (header dict, faces list, pixels array)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seq1 = struct.unpack_from('<Q', m, 48)[0]
        if seq1 == 0 or seq1 & 1:  # no frame yet, or the writer is busy
            time.sleep(0.001)
            continue
        f = HEADER.unpack_from(m, 0)
        (magic, version, seg_size, header_size, face_size, max_faces, pixels_offset,
         pixels_size, pixel_format, _pid, _r, _seq, frame_id, capture_us, media_us,
         cw, ch, pw, ph, stride, sx, sy, count, latency) = f
        if magic != MAGIC or version != VERSION or seg_size != size:
            raise SystemExit('not a version 1 live preview')
        count = min(count, max_faces)
        faces = []
        for i in range(count):
            at = header_size + i * face_size
            (fid, conf, presence, x, y, w, h, n, has_bs, has_pose, yaw, pitch, roll) = \
                FACE_HEAD.unpack_from(m, at)
            lm = np.frombuffer(m, np.float32, n * 2, at + LANDMARKS_AT).reshape(n, 2).copy()
            bs = np.frombuffer(m, np.float32, 52, at + BLENDSHAPES_AT).copy() if has_bs else None
            faces.append({'id': fid, 'confidence': conf, 'box': [x, y, w, h], 'landmarks': lm,
                          'blendshapes': bs,
                          'pose': [yaw, pitch, roll] if has_pose else None})
        rows = np.frombuffer(m, np.uint8, ph * stride, pixels_offset).reshape(ph, stride)
        pixels = rows[:, :pw * 3].reshape(ph, pw, 3).copy()
        if struct.unpack_from('<Q', m, 48)[0] != seq1:
            continue  # the writer moved on during the copy: again
        header = {'frame': frame_id, 'capture': [cw, ch], 'preview': [pw, ph],
                  'scale': [sx, sy], 'format': 'bgr24' if pixel_format else 'rgb24',
                  'latency_ms': latency}
        return header, faces, pixels
    raise SystemExit('no frame within %g s' % timeout)


def main():
    args = sys.argv[1:]
    npy = None
    if args[:1] == ['--npy']:
        npy = args[1]
        args = args[2:]
    if len(args) != 1:
        raise SystemExit('usage: shm_reader.py [--npy FILE] NAME')
    m, size = open_segment(args[0])
    header, faces, pixels = read_frame(m, size)
    header['faces'] = [{'id': f['id'], 'box': [round(v, 2) for v in f['box']],
                        'landmarks': len(f['landmarks']),
                        # a position of the capture, where the preview shows it
                        'box_in_preview': [round(f['box'][0] * header['scale'][0], 2),
                                           round(f['box'][1] * header['scale'][1], 2),
                                           round(f['box'][2] * header['scale'][0], 2),
                                           round(f['box'][3] * header['scale'][1], 2)]}
                       for f in faces]
    print(json.dumps(header))
    if npy:
        np.save(npy, pixels)


if __name__ == '__main__':
    main()
