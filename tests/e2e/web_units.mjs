// The web UI's pure functions (src/serve/web/results.js, system.js), in
// node without a browser: the frame shown at a time, letterboxing, boxes,
// scene lists, the system line.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const source = process.env.FT_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../..');
const r = await import(pathToFileURL(path.join(source, 'src/serve/web/results.js')).href);

test('frameAt: round(time × fps) + 1, clamped to 1..N', () => {
  assert.equal(r.frameAt(0, 25, 50), 1);
  assert.equal(r.frameAt(25 / 25, 25, 50), 26);
  assert.equal(r.frameAt(0.0199, 25, 50), 1);
  assert.equal(r.frameAt(0.0201, 25, 50), 2);
  assert.equal(r.frameAt(99, 25, 50), 50);
  assert.equal(r.frameAt(-1, 25, 50), 1);
  assert.equal(r.frameAt(1, 0, 50), 1);
  for (let f = 1; f <= 300; f++) assert.equal(r.frameAt(r.timeOf(f, 29.97), 29.97, 300), f);
});

test('containRect: letterboxed and pillarboxed', () => {
  assert.deepEqual(r.containRect(800, 400, 512, 512), { x: 200, y: 0, w: 400, h: 400, scale: 400 / 512 });
  assert.deepEqual(r.containRect(400, 800, 1920, 1080), { x: 0, y: 287.5, w: 400, h: 225, scale: 400 / 1920 });
  assert.equal(r.containRect(400, 300, 0, 0).scale, 0);
});

test('boxOf: the bbox, or around centroid_y in old files', () => {
  assert.deepEqual(r.boxOf({ bbox_xmin: 10, bbox_ymin: 20, bbox_width: 30, bbox_height: 40 }),
    { x: 10, y: 20, w: 30, h: 40 });
  assert.deepEqual(r.boxOf({ bbox_xmin: 10, centroid_y: 40, bbox_width: 30, bbox_height: 40 }),
    { x: 10, y: 20, w: 30, h: 40 });
  assert.equal(r.boxOf({ bbox_xmin: 10, bbox_width: 30, bbox_height: 40 }), null);
});

test('indexTracking: frames 1..N, IDs by frame count, blendshape names', () => {
  const face = (id, extra = {}) => ({ id, bbox_xmin: 0, bbox_ymin: 0, bbox_width: 1, bbox_height: 1,
    blendshapes: { _neutral: 0, jawOpen: 0.5 }, ...extra });
  const index = r.indexTracking({
    metadata: { total_frames: 4, fps: 25 },
    frames: [
      { frame: 1, tracked_objects: [face('obj_2')] },
      { frame: 2, tracked_objects: [face('obj_1'), face('obj_2')] },
      { frame: 3, tracked_objects: [] },
      { frame: 4, tracked_objects: [face('obj_10', { blendshapes: null })] },
    ],
  });
  assert.equal(index.total, 4);
  assert.equal(index.fps, 25);
  assert.deepEqual(index.ids, ['obj_2', 'obj_1', 'obj_10']);
  assert.deepEqual(index.shapeNames, ['jawOpen']);
  assert.equal(index.frames[2].length, 0);
  assert.equal(index.frames[1][0].id, 'obj_1');
});

test('scenes from <stem>.csv and <stem>_scenes.json agree', () => {
  const csv = 'No,Timecode In,Timecode Out,Frame In,Frame Out\n1,00:00:00.000,00:00:01.640,1,42\n'
    + '2,00:00:01.680,00:00:03.040,43,77\n';
  const fromCsv = r.scenesFromCsv(csv);
  assert.deepEqual(fromCsv.scenes, [{ first: 1, last: 42 }, { first: 43, last: 77 }]);
  assert.deepEqual(fromCsv.cuts.map((c) => c.frame), [43]);
  assert.equal(fromCsv.frames, 77);
  const fromJson = r.scenesFromJson({
    frames: 77, detector: 'content',
    scenes: [{ no: 1, frame_in: 1, frame_out: 42 }, { no: 2, frame_in: 43, frame_out: 77 }],
    cuts: [{ frame: 43, time: 1.68, type: 'dissolve', from: 40, to: 45, score: 0.4 }],
  });
  assert.deepEqual(fromJson.scenes, fromCsv.scenes);
  assert.deepEqual(fromJson.cuts, [{ frame: 43, type: 'dissolve', from: 40, to: 45 }]);
  assert.equal(r.sceneOf(fromJson.scenes, 42), 1);
  assert.equal(r.sceneOf(fromJson.scenes, 43), 2);
  assert.equal(r.sceneOf(fromJson.scenes, 78), 0);
});

const sys = await import(pathToFileURL(path.join(source, 'src/serve/web/system.js')).href);

test('systemLine: CPUs, memory, disk, and "no GPU" without one', () => {
  const base = { cpus: 2, load: [0.5, 0.25, 0], memory: { total_bytes: 8e9, available_bytes: 4e9 },
    disk: { total_bytes: 1e11, free_bytes: 5e10 } };
  assert.equal(sys.systemLine({ ...base, gpus: [] }),
    '2 CPUs · load 0.50 0.25 0.00 · memory 4.0 GB free of 8.0 GB · disk 50.0 GB free · no GPU');
  assert.match(sys.systemLine({ ...base, cpus: 1 }), /^1 CPU · .* · no GPU$/);
  // names alone (an older server) are not GPUs with figures: said plainly
  assert.match(sys.systemLine({ ...base, gpus: ['NVIDIA H100'] }), /· no GPU$/);
});

test('systemLine: each GPU with its utilisation and VRAM, or what is known of it', () => {
  const gpu = { index: 0, name: 'NVIDIA H100 80GB HBM3', compute_capability: '9.0',
    memory_total_bytes: 85e9, memory_used_bytes: 12.3e9, memory_free_bytes: 72.7e9,
    utilization_percent: 37, memory_utilization_percent: 5 };
  assert.equal(sys.gpuText(gpu), 'GPU 0 NVIDIA H100 80GB HBM3: 37 % busy, VRAM 12.3 GB used, 72.7 GB free');
  // without NVML: no utilisation, the total memory only
  const bare = { ...gpu, index: 1, utilization_percent: null, memory_utilization_percent: null,
    memory_used_bytes: null, memory_free_bytes: null };
  assert.equal(sys.gpuText(bare), 'GPU 1 NVIDIA H100 80GB HBM3: VRAM 85.0 GB');
  const line = sys.systemLine({ cpus: 16, gpus: [gpu, bare] });
  assert.equal(line, '16 CPUs · GPU 0 NVIDIA H100 80GB HBM3: 37 % busy, VRAM 12.3 GB used, 72.7 GB free · ' +
    'GPU 1 NVIDIA H100 80GB HBM3: VRAM 85.0 GB');
  assert.doesNotMatch(line, /no GPU/);
});

const mjpeg = await import(pathToFileURL(path.join(source, 'src/serve/web/mjpeg.js')).href);

test('multipartParser: the Live stream\'s parts, however the chunks cut them', () => {
  assert.equal(mjpeg.boundaryOf('multipart/x-mixed-replace; boundary=facetrack-live-frame'),
    'facetrack-live-frame');
  assert.equal(mjpeg.boundaryOf('multipart/x-mixed-replace;boundary="b b"'), 'b b');
  assert.equal(mjpeg.boundaryOf('image/jpeg'), null);
  const enc = new TextEncoder();
  const part = (id, body) => [enc.encode(`--B\r\nContent-Type: image/jpeg\r\nContent-Length: ${body.length}\r\n` +
    `X-Frame-Id: ${id}\r\n\r\n`), body, enc.encode('\r\n')];
  // bodies that hold CRLFs, blank lines and the boundary itself: only Content-Length counts
  const bodies = [enc.encode('\r\n\r\n--B\r\n'), new Uint8Array([0xff, 0xd8, 13, 10, 13, 10, 0xff, 0xd9]),
    new Uint8Array(0)];
  const pieces = [...bodies.flatMap((b, i) => part(i + 7, b)), enc.encode('--B--\r\n')];
  const whole = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  pieces.reduce((at, p) => (whole.set(p, at), at + p.length), 0);
  for (const step of [1, 2, 3, 5, 16, whole.length]) {
    const parser = mjpeg.multipartParser('B');
    const got = [];
    for (let i = 0; i < whole.length; i += step) got.push(...parser.push(whole.subarray(i, i + step)));
    assert.equal(parser.ended, true, `chunks of ${step}`);
    assert.deepEqual(got.map((p) => p.headers['x-frame-id']), ['7', '8', '9'], `chunks of ${step}`);
    got.forEach((p, i) => assert.deepEqual([...p.body], [...bodies[i]], `chunks of ${step}, part ${i}`));
  }
  assert.throws(() => mjpeg.multipartParser('B').push(enc.encode('--X\r\nContent-Length: 1\r\n\r\n')), /not a part/);
  assert.throws(() => mjpeg.multipartParser('B').push(enc.encode('--B\r\nX-A: 1\r\n\r\n')), /Content-Length/);
});
