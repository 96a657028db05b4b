// The new-analysis form: browsing the media roots, choosing videos and
// folders (kept while browsing elsewhere), the steps and options; submitting
// creates a job.
import { get, post, query } from './api.js';
import { $, alertError, announce, el, formatBytes } from './dom.js';

const DEFAULT_ENGINE = 'mediapipe_landmarker';
let entryIds = 0;

export class NewJobForm {
  constructor({ onCreated }) {
    this.onCreated = onCreated;
    this.form = $('new-job');
    this.rootSelect = $('root-select');
    this.entries = $('entries');
    this.breadcrumb = $('breadcrumb');
    this.chosenList = $('chosen');
    this.chosenCount = $('chosen-count');
    this.submit = $('submit-job');
    this.chosen = new Map(); // "root\npath" -> {root, path, kind, name}
    this.roots = [];
    this.root = 0;
    this.path = '';
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.send();
    });
    this.rootSelect.addEventListener('change', () => this.browse(Number(this.rootSelect.value), ''));
    $('browse-up').addEventListener('click', () => {
      const parts = this.path.split('/').filter(Boolean);
      parts.pop();
      this.browse(this.root, parts.join('/'));
    });
  }

  async init() {
    const [engines, roots] = await Promise.all([get('/api/engines'), get('/api/roots')]);
    this.fillOptions(engines);
    this.roots = roots.roots || [];
    this.rootSelect.replaceChildren(...this.roots.map((r) =>
      el('option', { value: String(r.root), title: r.path }, r.name)));
    this.rootSelect.disabled = this.roots.length < 2;
    if (this.roots.length) await this.browse(this.roots[0].root, '');
    this.refresh();
  }

  fillOptions(engines) {
    const steps = engines.steps || ['scenes', 'track'];
    $('steps').replaceChildren(...steps.map((step) =>
      el('label', { class: 'check' },
        el('input', { type: 'checkbox', name: 'step', value: step, checked: true,
          onchange: () => this.refresh() }), ` ${step}`)));
    const engineSelect = $('engine');
    const list = engines.engines || [];
    engineSelect.replaceChildren(...list.map((e) =>
      el('option', { value: e.name, disabled: !e.available,
        title: e.available ? (e.description || '') : (e.unavailable_reason || 'unavailable') },
        e.available ? e.name : `${e.name} (unavailable: ${e.unavailable_reason || 'not in this build'})`)));
    const preferred = list.find((e) => e.available && e.name === DEFAULT_ENGINE) || list.find((e) => e.available);
    if (preferred) engineSelect.value = preferred.name;
    $('scene-detector').replaceChildren(...(engines.scene_detectors || ['content']).map((d) =>
      el('option', { value: d }, d)));
  }

  async browse(root, path) {
    let listing;
    try {
      listing = await get(`/api/browse${query({ root, path })}`);
    } catch (e) {
      alertError(`Cannot open the folder: ${e.message}`);
      return;
    }
    this.root = listing.root;
    this.path = listing.path;
    this.rootSelect.value = String(listing.root);
    $('browse-up').disabled = !listing.path;
    this.renderBreadcrumb();
    const items = [];
    for (const f of listing.folders || []) items.push(this.entry(f, 'folder'));
    for (const v of listing.videos || []) items.push(this.entry(v, 'video'));
    if (!items.length) items.push(el('li', { class: 'muted' }, 'No videos or folders here.'));
    this.entries.replaceChildren(...items);
  }

  renderBreadcrumb() {
    const rootName = this.roots.find((r) => r.root === this.root)?.name ?? `root ${this.root}`;
    const parts = this.path.split('/').filter(Boolean);
    const crumbs = [{ name: rootName, path: '' }];
    parts.forEach((name, i) => crumbs.push({ name, path: parts.slice(0, i + 1).join('/') }));
    this.breadcrumb.replaceChildren(...crumbs.map((c, i) => {
      const last = i === crumbs.length - 1;
      return el('li', {}, last
        ? el('span', { 'aria-current': 'location' }, c.name)
        : el('button', { type: 'button', class: 'link', onclick: () => this.browse(this.root, c.path) }, c.name));
    }));
  }

  entry(item, kind) {
    const key = `${this.root}\n${item.path}`;
    const box = el('input', {
      type: 'checkbox', checked: this.chosen.has(key),
      'aria-label': `Choose the ${kind} ${item.name}`,
      onchange: () => {
        if (box.checked) this.chosen.set(key, { root: this.root, path: item.path, kind, name: item.name });
        else this.chosen.delete(key);
        this.refresh();
      },
    });
    box.dataset.path = item.path;
    if (kind === 'folder') {
      return el('li', { class: 'entry folder' }, box,
        el('button', { type: 'button', class: 'link', 'aria-label': `Open the folder ${item.name}`,
          onclick: () => this.browse(this.root, item.path) }, `${item.name}/`));
    }
    const id = `entry-${++entryIds}`;
    box.id = id;
    box.removeAttribute('aria-label');
    return el('li', { class: 'entry video' }, box,
      el('label', { for: id }, item.name),
      el('span', { class: 'muted size' }, formatBytes(item.size_bytes)));
  }

  refresh() {
    const items = [...this.chosen.entries()];
    this.chosenCount.textContent = items.length
      ? `${items.length} chosen:` : 'Nothing chosen.';
    this.chosenList.replaceChildren(...items.map(([key, c]) =>
      el('li', {},
        el('span', { title: c.path }, c.kind === 'folder' ? `${c.path}/` : c.path),
        el('button', { type: 'button', class: 'small', 'aria-label': `Remove ${c.path}`,
          onclick: () => {
            this.chosen.delete(key);
            for (const box of this.entries.querySelectorAll('input[type=checkbox]'))
              if (box.dataset.path === c.path && c.root === this.root) box.checked = false;
            this.refresh();
          } }, 'Remove'))));
    this.submit.disabled = this.sending || !items.length || !this.steps().length;
  }

  steps() {
    return [...this.form.querySelectorAll('input[name=step]:checked')].map((b) => b.value);
  }

  number(id, fallback) {
    const v = Number.parseInt($(id).value, 10);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  }

  async send() {
    const inputs = [...this.chosen.values()].map((c) => ({ root: c.root, path: c.path }));
    const steps = this.steps();
    if (!inputs.length || !steps.length) {
      alertError('Choose at least one video or folder and one step.');
      return;
    }
    const options = {
      max_faces: this.number('max-faces', 5),
      detect_every: this.number('detect-every', 10),
      scene_detector: $('scene-detector').value || undefined,
      force: $('force').checked,
    };
    if ($('verbose-fields').checked) options.verbose_fields = true;
    if ($('engine').value) options.engine = $('engine').value;
    this.sending = true;
    this.refresh();
    try {
      const job = await post('/api/jobs', { inputs, steps, options });
      announce(`Job ${job.id} created`);
      this.chosen.clear();
      for (const box of this.entries.querySelectorAll('input[type=checkbox]')) box.checked = false;
      this.onCreated(job);
    } catch (e) {
      alertError(`The job was not created: ${e.message}`);
    } finally {
      this.sending = false;
      this.refresh();
    }
  }
}
