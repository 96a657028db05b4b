// The log of one job, fetched piece by piece (?offset=) about every second
// while the job runs. Log text is untrusted (file names, messages of other
// programs): it is only ever added as text nodes, never parsed as HTML.
import { get, query } from './api.js';
import { isActive } from './jobs.js';

const POLL_MS = 1000;
const KEEP_CHARS = 2_000_000; // older text is dropped beyond this

export class LogPanel {
  // pre: the <pre> of the text; empty: the line shown without a job;
  // label: where the job's name goes; jobOf(id): the job as last known.
  constructor({ pre, empty, label, jobOf }) {
    this.pre = pre;
    this.empty = empty;
    this.label = label;
    this.jobOf = jobOf;
    this.jobId = null;
    this.offset = 0;
    this.chars = 0;
    this.generation = 0;
    this.timer = null;
    this.busy = false;
  }

  // Shows the log of JOB from its beginning.
  show(job) {
    this.generation++;
    window.clearTimeout(this.timer);
    this.jobId = job.id;
    this.offset = 0;
    this.chars = 0;
    this.pre.replaceChildren();
    this.pre.hidden = false;
    this.empty.hidden = true;
    this.label.textContent = `(job ${job.id})`;
    this.busy = false;
    this.poll(this.generation);
  }

  // A job changed: when it is the one shown and it runs again (retried),
  // polling resumes.
  jobChanged(job) {
    if (job.id === this.jobId && !this.timer && !this.busy) this.poll(this.generation);
  }

  async poll(generation) {
    this.timer = null;
    if (generation !== this.generation) return;
    this.busy = true;
    let more = false;
    let failed = false;
    const activeBefore = isActive(this.jobOf(this.jobId) ?? { state: 'running' });
    try {
      const piece = await get(`/api/jobs/${this.jobId}/log${query({ offset: this.offset })}`);
      if (generation !== this.generation) return;
      if (piece.text) this.append(piece.text);
      if (Number.isFinite(piece.next_offset)) this.offset = piece.next_offset;
      more = Boolean(piece.more);
    } catch (e) {
      if (generation !== this.generation) return;
      failed = true;
      if (e.status === 404) {
        this.append(`[no log: ${e.message}]\n`);
        this.busy = false;
        return;
      }
    } finally {
      if (generation === this.generation) this.busy = false;
    }
    // Again at once while text is waiting; every second while the job is
    // active (or was when this read began, so that its last lines come).
    if (more && !failed) this.poll(generation);
    else if (activeBefore || isActive(this.jobOf(this.jobId) ?? { state: 'done' }))
      this.timer = window.setTimeout(() => this.poll(generation), failed ? 3 * POLL_MS : POLL_MS);
  }

  append(text) {
    const pre = this.pre;
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    const piece = document.createElement('span');
    piece.textContent = text; // text only
    pre.append(piece);
    this.chars += text.length;
    while (this.chars > KEEP_CHARS && pre.childNodes.length > 1) {
      this.chars -= pre.firstChild.textContent.length;
      pre.firstChild.remove();
    }
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  }
}
