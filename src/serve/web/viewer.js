// The results viewer of one video: the video itself (/media, Range), the
// overlay of its faces redrawn on every animation frame for the frame shown
// (round(currentTime × fps)), the scenes strip and the blendshapes chart.
import { mediaUrl } from './api.js';
import { BlendshapeChart, DEFAULT_SHAPES } from './chart.js';
import { $, el } from './dom.js';
import { drawOverlay, fitCanvas } from './overlay.js';
import { containRect, frameAt, load, timeOf } from './results.js';
import { Timeline } from './timeline.js';

export class Viewer {
  constructor() {
    this.box = $('viewer');
    this.video = $('video');
    this.overlay = $('overlay');
    this.status = $('viewer-status');
    this.faceSelect = $('face-select');
    this.shapeList = $('shape-list');
    this.frameLabel = $('frame-label');
    this.landmarks = $('show-landmarks');
    this.timeline = new Timeline($('timeline'), (f) => this.seek(f));
    this.chart = new BlendshapeChart($('chart'), $('chart-legend'), (f) => this.seek(f));
    this.index = null;
    this.scenes = null;
    this.generation = 0;
    this.drawn = '';
    this.running = false;
    this.shapes = [];
    $('prev-frame').addEventListener('click', () => this.step(-1));
    $('next-frame').addEventListener('click', () => this.step(1));
    this.landmarks.addEventListener('change', () => { this.drawn = ''; });
    this.faceSelect.addEventListener('change', () => this.chartData());
    this.video.addEventListener('loadedmetadata', () => { this.drawn = ''; });
    this.video.addEventListener('error', () => {
      if (this.video.getAttribute('src')) this.setStatus('The video cannot be played by this browser.');
    });
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  // Opens VIDEO ({root, path, name}) of a job.
  async open(video) {
    const generation = ++this.generation;
    $('viewer-empty').hidden = true;
    this.box.hidden = false;
    $('viewer-name').textContent = `(${video.name || video.path})`;
    this.index = null;
    this.scenes = null;
    this.overlay.dataset.ready = '0';
    delete this.overlay.dataset.frame;
    this.setStatus('Loading the results…');
    this.video.src = mediaUrl(video.root, video.path);
    this.start();
    let results;
    try {
      results = await load(video.root, video.path);
    } catch (e) {
      if (generation === this.generation) this.setStatus(`No results: ${e.message}`);
      return;
    }
    if (generation !== this.generation) return;
    this.index = results.tracking;
    this.scenes = results.scenes;
    this.fillFaces();
    const hasLandmarks = Boolean(this.index?.frames.some((objects) => objects.some((o) => Array.isArray(o.landmarks))));
    this.landmarks.disabled = !hasLandmarks;
    this.landmarks.parentElement.title = hasLandmarks ? '' : 'This tracking file has no landmarks';
    this.fillShapes();
    this.timeline.setData(this.scenes, this.total());
    this.chartData();
    const parts = [];
    if (this.index) {
      parts.push(`${this.index.total} frames at ${this.index.fps || '?'} fps`,
        `${this.index.ids.length} track${this.index.ids.length === 1 ? '' : 's'}`);
    } else {
      parts.push('no tracking file');
    }
    if (this.scenes) parts.push(`${this.scenes.scenes.length} scene${this.scenes.scenes.length === 1 ? '' : 's'}`);
    else parts.push('no scenes file');
    this.setStatus(parts.join(' · '));
    $('scenes-summary').textContent = this.scenes
      ? `(${this.scenes.cuts.length} cut${this.scenes.cuts.length === 1 ? '' : 's'})` : '(none)';
    this.drawn = '';
    this.overlay.dataset.ready = '1';
  }

  fps() {
    if (this.index?.fps) return this.index.fps;
    const frames = this.scenes?.frames;
    if (frames && this.video.duration > 0) return frames / this.video.duration;
    return 25;
  }

  total() {
    return this.index?.total || this.scenes?.frames
      || Math.max(1, Math.round((this.video.duration || 0) * this.fps()));
  }

  fillFaces() {
    const ids = this.index?.ids || [];
    this.faceSelect.replaceChildren(...ids.map((id) =>
      el('option', { value: id }, `${id} (${this.index.frameCounts.get(id)} frames)`)));
    this.faceSelect.disabled = !ids.length;
  }

  fillShapes() {
    const names = this.index?.shapeNames || [];
    const keep = this.shapes.filter((n) => names.includes(n));
    const chosen = new Set(keep.length ? keep : DEFAULT_SHAPES.filter((n) => names.includes(n)));
    this.shapeList.replaceChildren(...names.map((name) =>
      el('label', { class: 'check' },
        el('input', { type: 'checkbox', value: name, checked: chosen.has(name),
          onchange: () => this.chartData() }), ` ${name}`)));
  }

  chartData() {
    this.shapes = [...this.shapeList.querySelectorAll('input:checked')].map((b) => b.value);
    this.chart.setData(this.index, this.faceSelect.value || null, this.shapes);
    this.drawn = '';
  }

  seek(frame) {
    this.video.currentTime = timeOf(frame, this.fps());
  }

  step(delta) {
    this.video.pause();
    const f = frameAt(this.video.currentTime, this.fps(), this.total());
    this.seek(Math.min(Math.max(f + delta, 1), this.total()));
  }

  start() {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      if (!this.box.hidden) this.render();
      window.requestAnimationFrame(tick);
    };
    window.requestAnimationFrame(tick);
  }

  // Draws what changed since the last animation frame.
  render() {
    const total = this.total();
    const frame = frameAt(this.video.currentTime, this.fps(), total);
    const v = this.video;
    const key = [frame, this.overlay.clientWidth, this.overlay.clientHeight, v.videoWidth, v.videoHeight,
      this.landmarks.checked, this.faceSelect.value, this.overlay.dataset.ready].join('|');
    this.timeline.draw(frame);
    this.chart.draw(frame);
    if (key === this.drawn) return;
    this.drawn = key;
    const { ctx, w, h } = fitCanvas(this.overlay);
    const rect = containRect(w, h, v.videoWidth, v.videoHeight);
    const objects = this.index?.frames[frame - 1] || [];
    drawOverlay(ctx, w, h, rect, objects, { selected: this.faceSelect.value, landmarks: this.landmarks.checked });
    this.frameLabel.textContent = `Frame ${frame} / ${total}`;
    if (this.index && v.videoWidth) this.overlay.dataset.frame = String(frame);
  }
}
