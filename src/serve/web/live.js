// The Live view: the service's --live-source sources, started and stopped
// here, each shown as its worker's shared-memory preview with the boxes,
// IDs and landmarks of the same frame drawn over it (GET
// /api/live/N/snapshot returns both from one consistent copy). Positions
// come in capture pixels with the preview's scale: drawn at (x * sx, y * sy).
import { get, post } from './api.js';
import { $, el, alertError } from './dom.js';

const LIST_EVERY_MS = 2000;
const FRAME_EVERY_MS = 150;

let selected = -1;
let busy = false;

function stateLine(s) {
  const hb = s.heartbeat;
  const parts = [s.state];
  if (hb && s.running) {
    parts.push(`${hb.fps.toFixed(1)} fps`);
    if (hb.latency_ms !== null) parts.push(`${hb.latency_ms.toFixed(0)} ms latency`);
    if (hb.width) parts.push(`${hb.width}×${hb.height}`);
  }
  if (s.message) parts.push(s.message);
  return parts.join(' · ');
}

function renderList(sources) {
  const list = $('live-sources');
  list.replaceChildren(...sources.map((s) => el('li', { class: 'live-source' },
    el('button', {
      type: 'button', class: 'small', text: s.running ? 'Stop' : 'Start',
      onclick: () => action(s.index, s.running ? 'stop' : 'start'),
    }),
    el('button', {
      type: 'button', class: 'small', text: 'View', disabled: !s.running,
      'aria-pressed': String(selected === s.index),
      onclick: () => { selected = s.index; $('live-name').textContent = s.source; },
    }),
    el('span', { class: 'live-name', text: s.source }),
    el('span', { class: 'muted live-state', text: stateLine(s) }))));
}

async function refresh() {
  try {
    const { sources } = await get('/api/live');
    $('live-card').hidden = sources.length === 0;
    renderList(sources);
    if (selected >= 0 && !sources[selected]?.running) selected = -1;
  } catch (e) {
    if (e.status !== 401) $('live-card').hidden = true;
  }
}

async function action(index, what) {
  try {
    await post(`/api/live/${index}/${what}`);
    if (what === 'start') {
      selected = index;
      $('live-name').textContent = '';
    }
  } catch (e) {
    alertError(`Live source ${index}: ${e.message}`);
  }
  refresh();
}

// The frame, then its overlay: boxes, IDs and landmarks scaled to the preview.
export function drawSnapshot(canvas, snap, image) {
  const [pw, ph] = snap.preview;
  const [sx, sy] = snap.scale;
  canvas.width = pw;
  canvas.height = ph;
  const g = canvas.getContext('2d');
  g.drawImage(image, 0, 0, pw, ph);
  g.lineWidth = 2;
  g.font = '14px sans-serif';
  for (const f of snap.faces) {
    const [x, y, w, h] = f.box;
    g.strokeStyle = '#00e060';
    g.strokeRect(x * sx, y * sy, w * sx, h * sy);
    g.fillStyle = '#00e060';
    g.fillText(`#${f.id}`, x * sx + 2, y * sy - 4);
    g.fillStyle = '#ffd400';
    for (const [lx, ly] of f.landmarks) g.fillRect(lx * sx - 0.5, ly * sy - 0.5, 1.5, 1.5);
  }
}

async function frame() {
  if (selected < 0 || busy) return;
  busy = true;
  try {
    const snap = await get(`/api/live/${selected}/snapshot`);
    const image = new Image();
    image.src = snap.image;
    await image.decode();
    drawSnapshot($('live-canvas'), snap, image);
    $('live-canvas').dataset.frame = String(snap.frame);
    $('live-frame').textContent =
      `frame ${snap.frame} · capture ${snap.capture[0]}×${snap.capture[1]} · ${snap.faces.length} face(s) · ${snap.latency_ms.toFixed(0)} ms`;
  } catch (e) {
    if (e.status === 409) selected = -1; // it stopped: the last frame stays
    else if (e.status !== 503) $('live-frame').textContent = e.message; // 503: no frame yet
  } finally {
    busy = false;
  }
}

refresh();
window.setInterval(refresh, LIST_EVERY_MS);
window.setInterval(frame, FRAME_EVERY_MS);
