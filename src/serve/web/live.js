// The Live view: the service's --live-source sources, started and stopped
// here, each shown as its worker's shared-memory preview with the boxes,
// IDs and landmarks of the same frame drawn over it. The preview comes as
// MJPEG (GET /api/live/N/stream), read with fetch() rather than shown by an
// <img>: each part carries its frame's results in its X-Live-Frame header,
// so the overlay is drawn from the results of the very picture it covers.
// Positions come in capture pixels with the preview's scale: drawn at
// (x * sx, y * sy).
import { get, post, openStream } from './api.js';
import { $, el, alertError } from './dom.js';
import { boundaryOf, multipartParser } from './mjpeg.js';

const LIST_EVERY_MS = 2000;

let selected = -1;
let following = null; // { index, controller } of the stream being read

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
      onclick: () => { selected = s.index; $('live-name').textContent = s.source; keepFollowing(); },
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
    keepFollowing();
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
  refresh(); // and follows the stream of a source just started
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

// Draws one part: its picture, then its own results over it.
async function drawPart(part) {
  const snap = JSON.parse(part.headers['x-live-frame']);
  const image = await createImageBitmap(new Blob([part.body], { type: 'image/jpeg' }));
  const canvas = $('live-canvas');
  drawSnapshot(canvas, snap, image);
  image.close();
  canvas.dataset.frame = String(snap.frame);
  canvas.dataset.results = part.headers['x-live-frame'];
  $('live-frame').textContent =
    `frame ${snap.frame} · capture ${snap.capture[0]}×${snap.capture[1]} · ${snap.faces.length} face(s) · ${snap.latency_ms.toFixed(0)} ms`;
}

// Reads source INDEX's stream until it ends (the worker stopped), another
// source is chosen, or it fails. A part is drawn before the next is read:
// a slow page holds the stream back, and the server skips frames for it.
async function follow(index) {
  const controller = new AbortController();
  following = { index, controller };
  try {
    const response = await openStream(`/api/live/${index}/stream`, controller.signal);
    const parser = multipartParser(boundaryOf(response.headers.get('Content-Type')));
    const reader = response.body.getReader();
    while (!parser.ended) {
      const { done, value } = await reader.read();
      if (done) break;
      const parts = parser.push(value);
      if (parts.length) await drawPart(parts[parts.length - 1]); // the newest of this chunk
    }
  } catch (e) {
    if (e.name !== 'AbortError' && e.status !== 409) $('live-frame').textContent = e.message;
  } finally {
    if (following?.controller === controller) following = null;
  }
}

// Follows the selected source's stream, once (refresh() calls it).
function keepFollowing() {
  if (following && following.index !== selected) following.controller.abort();
  if (selected >= 0 && !following) follow(selected);
}

refresh();
window.setInterval(refresh, LIST_EVERY_MS);
