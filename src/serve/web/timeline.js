// The scenes strip under the video: the scenes in alternating shades, each
// cut marked (a gradual one as the span of its mixed frames), and the
// playhead. A click, or the arrow keys, seeks (it is a slider).
import { fitCanvas } from './overlay.js';
import { sceneOf } from './results.js';

export class Timeline {
  constructor(canvas, onSeek) {
    this.canvas = canvas;
    this.onSeek = onSeek; // onSeek(frame)
    this.total = 0;
    this.scenes = { scenes: [], cuts: [] };
    this.frame = 1;
    canvas.addEventListener('click', (e) => {
      if (!this.total) return;
      const box = canvas.getBoundingClientRect();
      const f = Math.floor(((e.clientX - box.left) / box.width) * this.total) + 1;
      this.onSeek(Math.min(Math.max(f, 1), this.total));
    });
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  setData(scenes, total) {
    this.scenes = scenes || { scenes: [], cuts: [] };
    this.total = total;
    this.canvas.setAttribute('aria-valuemax', String(Math.max(1, total)));
    this.draw(this.frame, true);
  }

  key(e) {
    if (!this.total) return;
    const cuts = [1, ...this.scenes.cuts.map((c) => c.frame)].sort((a, b) => a - b);
    let f = null;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') f = this.frame - 1;
    else if (e.key === 'ArrowRight' || e.key === 'ArrowUp') f = this.frame + 1;
    else if (e.key === 'Home') f = 1;
    else if (e.key === 'End') f = this.total;
    else if (e.key === 'PageDown') f = cuts.find((c) => c > this.frame) ?? this.total;
    else if (e.key === 'PageUp') f = [...cuts].reverse().find((c) => c < this.frame) ?? 1;
    if (f === null) return;
    e.preventDefault();
    this.onSeek(Math.min(Math.max(f, 1), this.total));
  }

  draw(frame, force = false) {
    if (frame === this.frame && !force && !this.resized()) return;
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    this.size = `${w}x${h}`;
    ctx.clearRect(0, 0, w, h);
    const n = this.total;
    if (!n) return;
    const x = (f) => ((f - 1) / n) * w; // left edge of 1-based frame f
    const list = this.scenes.scenes.length ? this.scenes.scenes : [{ first: 1, last: n }];
    list.forEach((s, i) => {
      ctx.fillStyle = i % 2 ? '#3d5a80' : '#5b7fa8';
      ctx.fillRect(x(s.first), 0, x(s.last + 1) - x(s.first), h);
    });
    for (const c of this.scenes.cuts) {
      if (c.from !== null && c.to !== null && c.to > c.from) {
        ctx.fillStyle = 'rgba(255, 209, 102, 0.55)';
        ctx.fillRect(x(c.from), 0, x(c.to + 1) - x(c.from), h);
      }
      ctx.fillStyle = '#ffd166';
      ctx.fillRect(Math.round(x(c.frame)) - 1, 0, 2, h);
    }
    ctx.fillStyle = '#ef476f';
    const px = x(frame) + (w / n) / 2;
    ctx.fillRect(Math.round(px) - 1, 0, 3, h);
    const scene = sceneOf(this.scenes.scenes, frame);
    this.canvas.setAttribute('aria-valuenow', String(frame));
    this.canvas.setAttribute('aria-valuetext', scene
      ? `Frame ${frame} of ${n}, scene ${scene} of ${this.scenes.scenes.length}` : `Frame ${frame} of ${n}`);
  }

  resized() {
    return this.size !== `${Math.round(this.canvas.clientWidth)}x${Math.round(this.canvas.clientHeight)}`;
  }
}
