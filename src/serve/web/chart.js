// The blendshapes chart: chosen blendshapes of one face over the video's
// frames (0 to 1), one line each with a gap where the face is absent, and
// the playhead. The lines are drawn once into a buffer; each frame only
// adds the playhead. A click seeks.
import { el } from './dom.js';
import { fitCanvas } from './overlay.js';

export const DEFAULT_SHAPES = ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft'];
const COLOURS = ['#06d6a0', '#ffd166', '#ef476f', '#118ab2', '#c77dff', '#ff9f1c', '#8ac926', '#f15bb5'];
const PAD = { left: 30, right: 8, top: 8, bottom: 18 };

export class BlendshapeChart {
  constructor(canvas, legend, onSeek) {
    this.canvas = canvas;
    this.legend = legend;
    this.onSeek = onSeek;
    this.index = null;
    this.face = null;
    this.shapes = [];
    this.buffer = document.createElement('canvas');
    this.key = '';
    this.frame = 1;
    canvas.addEventListener('click', (e) => {
      if (!this.index?.total) return;
      const box = canvas.getBoundingClientRect();
      const plotW = box.width - PAD.left - PAD.right;
      const f = Math.round(((e.clientX - box.left - PAD.left) / plotW) * (this.index.total - 1)) + 1;
      this.onSeek(Math.min(Math.max(f, 1), this.index.total));
    });
  }

  // INDEX: results.indexTracking(); FACE: a track ID; SHAPES: names.
  setData(index, face, shapes) {
    this.index = index;
    this.face = face;
    this.shapes = shapes;
    this.key = '';
    this.legend.replaceChildren(...shapes.map((name, i) => {
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = COLOURS[i % COLOURS.length];
      return el('li', {}, swatch, name);
    }));
    this.canvas.setAttribute('aria-label', face
      ? `Blendshapes of ${face} over time: ${shapes.join(', ') || 'none chosen'}` : 'No face to chart');
    this.draw(this.frame, true);
  }

  draw(frame, force = false) {
    const w = Math.round(this.canvas.clientWidth);
    const h = Math.round(this.canvas.clientHeight);
    const key = `${w}x${h}x${window.devicePixelRatio}`;
    if (frame === this.frame && key === this.key && !force) return;
    this.frame = frame;
    if (key !== this.key || force) {
      this.key = key;
      this.drawLines();
    }
    const { ctx } = fitCanvas(this.canvas);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.buffer, 0, 0);
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const n = this.index?.total || 0;
    if (n > 0) {
      const x = PAD.left + (n > 1 ? (frame - 1) / (n - 1) : 0) * (w - PAD.left - PAD.right);
      ctx.fillStyle = '#ef476f';
      ctx.fillRect(Math.round(x) - 1, PAD.top, 2, h - PAD.top - PAD.bottom);
    }
  }

  drawLines() {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth));
    const h = Math.max(1, Math.round(this.canvas.clientHeight));
    this.buffer.width = Math.round(w * ratio);
    this.buffer.height = Math.round(h * ratio);
    const ctx = this.buffer.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const plotW = w - PAD.left - PAD.right;
    const plotH = h - PAD.top - PAD.bottom;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#9aa5b1';
    ctx.strokeStyle = '#3a4250';
    ctx.lineWidth = 1;
    for (const v of [0, 0.5, 1]) {
      const y = PAD.top + (1 - v) * plotH;
      ctx.beginPath();
      ctx.moveTo(PAD.left, Math.round(y) + 0.5);
      ctx.lineTo(PAD.left + plotW, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.textBaseline = 'middle';
      ctx.fillText(String(v), 4, y);
    }
    const index = this.index;
    if (!index || !index.total || !this.face) return;
    const n = index.total;
    ctx.textBaseline = 'top';
    ctx.fillText('1', PAD.left, h - 14);
    const last = String(n);
    ctx.fillText(last, PAD.left + plotW - ctx.measureText(last).width, h - 14);
    const xOf = (i) => PAD.left + (n > 1 ? i / (n - 1) : 0) * plotW;
    this.shapes.forEach((name, k) => {
      ctx.strokeStyle = COLOURS[k % COLOURS.length];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let drawing = false;
      for (let i = 0; i < n; i++) {
        const o = index.frames[i].find((obj) => obj.id === this.face);
        const v = o?.blendshapes?.[name];
        if (typeof v !== 'number') {
          drawing = false;
          continue;
        }
        const x = xOf(i);
        const y = PAD.top + (1 - Math.min(Math.max(v, 0), 1)) * plotH;
        if (drawing) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        drawing = true;
      }
      ctx.stroke();
    });
  }
}
