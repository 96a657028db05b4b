// The job list: one card per job, newest first, updated in place from the
// server's event stream (so that focus and scrolling stay where they are).
import { eventsUrl, get, post } from './api.js';
import { alertError, announce, el, formatPercent, formatTime } from './dom.js';

const ACTIVE = new Set(['queued', 'running']);
const RETRYABLE = new Set(['failed', 'cancelled', 'interrupted']);
const HAS_RESULTS = new Set(['done', 'skipped']);

// The running step's account of its whole run, as `facetrack track`'s bar
// shows it: frames over all its videos, rate, elapsed time and time left.
function describeRun(run) {
  const clock = (s) => {
    if (!Number.isFinite(s) || s < 0) return '--:--';
    const t = Math.round(s);
    const mm = String(Math.floor(t / 60) % 60).padStart(2, '0');
    const ss = String(t % 60).padStart(2, '0');
    return t >= 3600 ? `${Math.floor(t / 3600)}:${mm}:${ss}` : `${Math.floor(t / 60)}:${ss}`;
  };
  return `${run.step || 'run'} ${run.percent}% of ${run.frames} frames, ` +
    `${Math.round(run.fps)} fps, ${clock(run.elapsed)} elapsed, ETA ${clock(run.eta ?? -1)}`;
}

export const isActive = (job) => ACTIVE.has(job.state);

export class JobList {
  // list: the <ol>; empty: the "no jobs" line; live: the connection status;
  // onLog(job), onResults(job, video): the cards' buttons; onChange(job):
  // every update.
  constructor({ list, empty, live, onLog, onResults, onChange }) {
    this.list = list;
    this.empty = empty;
    this.live = live;
    this.onLog = onLog;
    this.onResults = onResults;
    this.onChange = onChange;
    this.cards = new Map(); // id -> JobCard
    this.source = null;
    this.selected = null;
  }

  job(id) {
    return this.cards.get(id)?.job ?? null;
  }

  // The newest page of jobs (the server pages /api/jobs; older ones
  // are not shown).
  async load() {
    const { jobs } = await get('/api/jobs?limit=100');
    for (const job of jobs) this.update(job, { quiet: true });
  }

  // The event stream: every job as it changes. EventSource reconnects by
  // itself and sends Last-Event-ID, so nothing is missed; when the server
  // refuses it (stopped, or the token changed), a fresh stream and a fresh
  // list follow after a pause.
  connect() {
    if (this.source) this.source.close();
    const source = new EventSource(eventsUrl());
    this.source = source;
    source.addEventListener('open', () => this.setLive('live', 'live'));
    source.addEventListener('job', (e) => {
      let job;
      try {
        job = JSON.parse(e.data);
      } catch {
        return;
      }
      this.update(job);
    });
    source.addEventListener('error', () => {
      if (source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) {
        this.setLive('down', 'disconnected');
        window.setTimeout(() => {
          if (source !== this.source) return;
          this.load().catch(() => {});
          this.connect();
        }, 5000);
      } else {
        this.setLive('down', 'reconnecting…');
      }
    });
  }

  setLive(state, text) {
    this.live.dataset.state = state;
    this.live.textContent = text;
  }

  update(job, { quiet = false } = {}) {
    let card = this.cards.get(job.id);
    const before = card?.job.state;
    if (!card) {
      card = new JobCard(this, job);
      this.cards.set(job.id, card);
      this.place(card);
    }
    card.update(job);
    card.select(job.id === this.selected);
    this.empty.hidden = this.cards.size > 0;
    // Screen readers hear state changes, and progress by quarters.
    const quarter = Math.floor((Number(job.progress) || 0) / 25);
    if (!quiet && before !== undefined && before !== job.state) announce(`Job ${job.id} ${job.state}`);
    else if (!quiet && job.state === 'running' && quarter > (card.quarter ?? 0) && quarter < 4)
      announce(`Job ${job.id}: ${quarter * 25}% done`);
    card.quarter = quarter;
    this.onChange?.(job);
  }

  // Newest (highest id) first.
  place(card) {
    const after = [...this.cards.values()]
      .filter((c) => c !== card && c.job.id < card.job.id)
      .sort((a, b) => b.job.id - a.job.id)[0];
    if (after) this.list.insertBefore(card.root, after.root);
    else this.list.append(card.root);
  }

  select(id) {
    this.selected = id;
    for (const card of this.cards.values()) card.select(card.job.id === id);
  }

  async act(job, action) {
    try {
      const updated = await post(`/api/jobs/${job.id}/${action}`, {});
      this.update(updated);
    } catch (e) {
      alertError(`Job ${job.id}: ${action} failed: ${e.message}`);
    }
  }
}

// One job's card; its parts are kept and their text changed as updates come.
class JobCard {
  constructor(owner, job) {
    this.owner = owner;
    this.job = job;
    const id = job.id;
    const title = `job-${id}-title`;
    this.badge = el('span', { class: 'badge' });
    this.meta = el('p', { class: 'job-meta muted' });
    this.progress = el('progress', { max: 100, 'aria-label': `Job ${id} progress` });
    this.percent = el('span', { class: 'pct' });
    this.error = el('p', { class: 'error-text', hidden: true });
    this.logButton = el('button', { type: 'button', class: 'small', onclick: () => owner.onLog(this.job) }, 'Log');
    this.cancelButton = el('button', {
      type: 'button', class: 'small danger', onclick: () => owner.act(this.job, 'cancel'),
    }, 'Cancel');
    this.retryButton = el('button', {
      type: 'button', class: 'small', onclick: () => owner.act(this.job, 'retry'),
    }, 'Retry');
    this.videos = el('ul', { class: 'videos', 'aria-label': `Videos of job ${id}` });
    this.rows = [];
    this.root = el('li', { class: 'job', 'data-job-id': String(id) },
      el('article', { 'aria-labelledby': title },
        el('div', { class: 'job-head' },
          el('h3', { id: title }, `Job ${id}`),
          this.badge,
          el('div', { class: 'job-actions' }, this.logButton, this.cancelButton, this.retryButton)),
        this.meta,
        el('div', { class: 'progress-row' }, this.progress, this.percent),
        this.error,
        this.videos));
  }

  update(job) {
    this.job = job;
    this.root.dataset.state = job.state;
    this.badge.className = `badge state-${job.state}`;
    this.badge.textContent = job.state;
    const steps = (job.steps || []).join(' + ') || 'no steps';
    const when = job.finished_at ? `finished ${formatTime(job.finished_at)}`
      : job.started_at ? `started ${formatTime(job.started_at)}` : '';
    // The list's summaries carry a big job's first videos only; its events, all.
    const shown = (job.videos || []).length;
    const total = Number.isFinite(job.video_count) ? job.video_count : shown;
    this.meta.textContent = [steps, `created ${formatTime(job.created_at)}`, when,
      job.step && job.state === 'running' ? `now: ${job.step}` : '',
      job.run && job.state === 'running' ? describeRun(job.run) : '',
      total > shown ? `${shown} of ${total} videos shown` : ''].filter(Boolean).join(' · ');
    const p = Number(job.progress) || 0;
    this.progress.value = Math.max(0, Math.min(100, p));
    this.percent.textContent = formatPercent(p);
    this.error.hidden = !job.error;
    this.error.textContent = job.error || '';
    this.cancelButton.hidden = !ACTIVE.has(job.state);
    this.retryButton.hidden = !RETRYABLE.has(job.state);
    const videos = job.videos || [];
    while (this.rows.length > videos.length) this.rows.pop().root.remove();
    while (this.rows.length < videos.length) {
      const row = new VideoRow(this.owner, this, this.rows.length);
      this.rows.push(row);
      this.videos.append(row.root);
    }
    videos.forEach((v, i) => this.rows[i].update(v));
  }

  select(on) {
    this.root.classList.toggle('selected', on);
    if (on) this.root.setAttribute('aria-current', 'true');
    else this.root.removeAttribute('aria-current');
  }
}

class VideoRow {
  constructor(owner, card, index) {
    this.video = null;
    const label = `job-${card.job.id}-video-${index}`;
    this.name = el('span', { class: 'video-name', id: label });
    this.state = el('span', { class: 'badge' });
    this.progress = el('progress', { max: 100, 'aria-labelledby': label });
    this.detail = el('span', { class: 'video-detail muted' });
    this.error = el('p', { class: 'error-text', hidden: true });
    this.results = el('button', {
      type: 'button', class: 'small', hidden: true,
      onclick: () => owner.onResults(card.job, this.video),
    }, 'Results');
    this.root = el('li', { class: 'video' },
      el('div', { class: 'video-head' }, this.name, this.state, this.results),
      el('div', { class: 'progress-row' }, this.progress, this.detail),
      this.error);
  }

  update(v) {
    this.video = v;
    this.name.textContent = v.name || v.path;
    this.name.title = v.path;
    this.state.className = `badge state-${v.state}`;
    this.state.textContent = v.state;
    const p = Number(v.percent) || 0;
    this.progress.value = Math.max(0, Math.min(100, p));
    const parts = [formatPercent(p)];
    if (v.step) parts.push(v.step);
    if (Number.isFinite(v.frames) && v.frames > 0) parts.push(`${v.frames_done ?? 0}/${v.frames} frames`);
    if (Number.isFinite(v.fps) && v.fps > 0) parts.push(`${v.fps.toFixed(1)} fps`);
    this.detail.textContent = parts.join(' · ');
    this.error.hidden = !v.error;
    this.error.textContent = v.error || '';
    this.results.hidden = !HAS_RESULTS.has(v.state);
    this.results.setAttribute('aria-label', `Results of ${v.name || v.path}`);
  }
}
