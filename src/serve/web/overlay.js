// The overlay drawn over the video: each face's box in its track's colour,
// its ID as a label, and its landmarks as dots when the file has them.
import { colourFor } from './dom.js';
import { boxOf, idNumber } from './results.js';

// Sizes a canvas to its CSS box at the screen's pixel density; returns the
// CSS size, with the context set to draw in CSS pixels.
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth));
  const h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, w, h };
}

// OBJECTS of one frame onto CTX (W × H CSS pixels), the picture being at
// RECT (containRect). SELECTED: the ID drawn thicker; LANDMARKS: draw dots.
export function drawOverlay(ctx, w, h, rect, objects, { selected = null, landmarks = true } = {}) {
  ctx.clearRect(0, 0, w, h);
  if (!rect.scale) return;
  const s = rect.scale;
  ctx.save();
  ctx.beginPath();
  ctx.rect(rect.x, rect.y, rect.w, rect.h);
  ctx.clip();
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  for (const o of objects) {
    const box = boxOf(o);
    if (!box) continue;
    const colour = colourFor(idNumber(o.id));
    const x = rect.x + box.x * s;
    const y = rect.y + box.y * s;
    const bw = box.w * s;
    const bh = box.h * s;
    ctx.strokeStyle = colour;
    ctx.lineWidth = o.id === selected ? 3 : 2;
    ctx.strokeRect(x, y, bw, bh);
    if (landmarks && Array.isArray(o.landmarks)) {
      ctx.fillStyle = colour;
      const r = Math.max(1, Math.min(2, bw / 150));
      for (const p of o.landmarks) {
        if (!Array.isArray(p) || p.length < 2) continue;
        ctx.fillRect(rect.x + p[0] * s - r / 2, rect.y + p[1] * s - r / 2, r, r);
      }
    }
    const label = String(o.id ?? '?') + (o.label && o.label !== 'face' ? ` ${o.label}` : '');
    const tw = ctx.measureText(label).width + 8;
    const ly = y >= rect.y + 18 ? y - 18 : y;
    ctx.fillStyle = colour;
    ctx.fillRect(x - 1, ly, tw, 18);
    ctx.fillStyle = '#000';
    ctx.fillText(label, x + 3, ly + 2);
  }
  ctx.restore();
}
