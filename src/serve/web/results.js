// A video's results as the viewer uses them: the tracking file (raw STEP5
// format: metadata, then frames 1..N of tracked_objects) and the scenes
// (<stem>_scenes.json, else <stem>.csv). Pure functions but load().
import { get, getText, query } from './api.js';

// Which result files exist, and their contents (null when absent).
export async function load(root, path) {
  const q = query({ root, path });
  const { files } = await get(`/api/results${q}`);
  const [tracking, scenesJson, scenesCsv] = await Promise.all([
    files.tracking ? get(`/api/results/tracking${q}`) : null,
    files.scenes_json ? get(`/api/results/scenes.json${q}`) : null,
    files.scenes_csv && !files.scenes_json ? getText(`/api/results/scenes.csv${q}`) : null,
  ]);
  let scenes = null;
  if (scenesJson) scenes = scenesFromJson(scenesJson);
  else if (scenesCsv !== null) scenes = scenesFromCsv(scenesCsv);
  return { files, tracking: tracking ? indexTracking(tracking) : null, scenes };
}

// The tracking file, indexed: fps, frame count, the objects of each frame
// (frames[i] for frame i + 1), the track IDs (most frames first) and the
// blendshape names.
export function indexTracking(data) {
  const meta = data.metadata || {};
  const list = Array.isArray(data.frames) ? data.frames : [];
  let total = Number(meta.total_frames) || 0;
  for (const f of list) if (Number.isInteger(f.frame) && f.frame > total) total = f.frame;
  const frames = new Array(total);
  for (let i = 0; i < total; i++) frames[i] = [];
  const counts = new Map();
  const shapes = new Set();
  for (const f of list) {
    if (!Number.isInteger(f.frame) || f.frame < 1) continue;
    const objects = Array.isArray(f.tracked_objects) ? f.tracked_objects : [];
    frames[f.frame - 1] = objects;
    for (const o of objects) {
      counts.set(o.id, (counts.get(o.id) || 0) + 1);
      if (o.blendshapes && typeof o.blendshapes === 'object')
        for (const name of Object.keys(o.blendshapes)) shapes.add(name);
    }
  }
  const ids = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || idNumber(a) - idNumber(b));
  const shapeNames = [...shapes].filter((n) => !n.startsWith('_')).sort();
  return {
    fps: Number(meta.fps) > 0 ? Number(meta.fps) : 0,
    total,
    frames,
    ids,
    frameCounts: counts,
    shapeNames,
    engine: meta.tracking_engine || '',
  };
}

export function idNumber(id) {
  const m = /(\d+)$/.exec(String(id));
  return m ? Number(m[1]) : 0;
}

// The 1-based frame shown at TIME seconds: round(time × fps), clamped.
export function frameAt(time, fps, total) {
  if (!(fps > 0) || !(total > 0)) return 1;
  const index = Math.round(time * fps);
  return Math.min(Math.max(index, 0), total - 1) + 1;
}

// The time that shows 1-based FRAME.
export function timeOf(frame, fps) {
  return fps > 0 ? (frame - 1) / fps : 0;
}

// Where a WIDTH × HEIGHT picture lands in a BOX_W × BOX_H box with
// object-fit: contain (centred, letterboxed): {x, y, w, h, scale}.
export function containRect(boxW, boxH, width, height) {
  if (!(width > 0) || !(height > 0) || !(boxW > 0) || !(boxH > 0)) return { x: 0, y: 0, w: 0, h: 0, scale: 0 };
  const scale = Math.min(boxW / width, boxH / height);
  const w = width * scale;
  const h = height * scale;
  return { x: (boxW - w) / 2, y: (boxH - h) / 2, w, h, scale };
}

// An object's box in picture pixels: {x, y, w, h}. Old files have no
// bbox_ymin: it is then taken around centroid_y, else unknown (null).
export function boxOf(o) {
  const x = Number(o.bbox_xmin);
  const w = Number(o.bbox_width);
  const h = Number(o.bbox_height);
  let y = Number(o.bbox_ymin);
  if (!Number.isFinite(y) && Number.isFinite(Number(o.centroid_y))) y = Number(o.centroid_y) - h / 2;
  if (![x, y, w, h].every(Number.isFinite)) return null;
  return { x, y, w, h };
}

// Scenes as the timeline draws them: {frames, scenes: [{first, last}],
// cuts: [{frame, type, from, to}]}, 1-based frames.
export function scenesFromJson(data) {
  const scenes = (data.scenes || []).map((s) => ({ first: Number(s.frame_in), last: Number(s.frame_out) }))
    .filter((s) => Number.isFinite(s.first) && Number.isFinite(s.last));
  const cuts = (data.cuts || []).map((c) => ({
    frame: Number(c.frame), type: c.type || 'cut',
    from: Number.isFinite(c.from) ? c.from : null,
    to: Number.isFinite(c.to) ? c.to : null,
  })).filter((c) => Number.isFinite(c.frame));
  const frames = Number(data.frames) || scenes.reduce((m, s) => Math.max(m, s.last), 0);
  return { frames, scenes, cuts, detector: data.detector || '' };
}

// <stem>.csv: "No,Timecode In,Timecode Out,Frame In,Frame Out", a cut at
// the first frame of every scene but the first.
export function scenesFromCsv(text) {
  const scenes = [];
  for (const line of String(text).split(/\r?\n/).slice(1)) {
    const cells = line.split(',');
    if (cells.length < 5) continue;
    const first = Number(cells[3]);
    const last = Number(cells[4]);
    if (Number.isFinite(first) && Number.isFinite(last)) scenes.push({ first, last });
  }
  const cuts = scenes.slice(1).map((s) => ({ frame: s.first, type: 'cut', from: null, to: null }));
  const frames = scenes.reduce((m, s) => Math.max(m, s.last), 0);
  return { frames, scenes, cuts, detector: '' };
}

// The 1-based index of the scene holding FRAME, or 0.
export function sceneOf(scenes, frame) {
  const i = scenes.findIndex((s) => frame >= s.first && frame <= s.last);
  return i + 1;
}
