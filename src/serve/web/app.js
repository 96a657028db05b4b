// facetrack's web UI: the page's parts put together. Plain modules, no
// build step; every text from the server goes in as text.
import { get, initToken, setToken } from './api.js';
import { $, alertError, formatBytes } from './dom.js';
import { JobList } from './jobs.js';
import { LogPanel } from './logs.js';
import { NewJobForm } from './new_job.js';
import { Viewer } from './viewer.js';

const SYSTEM_EVERY_MS = 10000;

const viewer = new Viewer();
let logs = null;
const jobs = new JobList({
  list: $('jobs'),
  empty: $('no-jobs'),
  live: $('live'),
  onLog: (job) => {
    jobs.select(job.id);
    logs.show(job);
    $('log').focus();
  },
  onResults: (job, video) => {
    jobs.select(job.id);
    logs.show(job);
    viewer.open(video);
    $('viewer-heading').focus();
  },
  onChange: (job) => logs?.jobChanged(job),
});
logs = new LogPanel({ pre: $('log'), empty: $('log-empty'), label: $('log-job'), jobOf: (id) => jobs.job(id) });
const form = new NewJobForm({
  onCreated: (job) => {
    jobs.update(job);
    jobs.select(job.id);
    logs.show(job);
  },
});

async function showVersion() {
  const v = await get('/api/version');
  $('version').textContent = `${v.version}${v.gpu_support ? ' · GPU inference' : ''}`;
}

async function showSystem() {
  try {
    const s = await get('/api/system');
    const parts = [`${s.cpus} CPU${s.cpus === 1 ? '' : 's'}`];
    if (Array.isArray(s.load)) parts.push(`load ${s.load.map((l) => Number(l).toFixed(2)).join(' ')}`);
    if (s.memory) {
      parts.push(`memory ${formatBytes(s.memory.available_bytes)} free of ${formatBytes(s.memory.total_bytes)}`);
    }
    if (s.disk && Number.isFinite(s.disk.free_bytes)) parts.push(`disk ${formatBytes(s.disk.free_bytes)} free`);
    parts.push(s.gpus?.length ? `GPU: ${s.gpus.join(', ')}` : 'no GPU');
    $('system').textContent = parts.join(' · ');
  } catch (e) {
    $('system').textContent = `System status unavailable: ${e.message}`;
  }
}

// Asks for the token when the server wants one.
function askToken() {
  const tokenForm = $('token-form');
  tokenForm.hidden = false;
  $('token-input').focus();
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('token-input').value.trim());
  $('token-form').hidden = true;
  start();
});

let systemTimer = null;

async function start() {
  try {
    await showVersion();
  } catch (e) {
    if (e.status === 401) {
      askToken();
      return;
    }
    alertError(`The server does not answer: ${e.message}`);
  }
  showSystem();
  window.clearInterval(systemTimer);
  systemTimer = window.setInterval(showSystem, SYSTEM_EVERY_MS);
  try {
    await jobs.load();
  } catch (e) {
    alertError(`Cannot list the jobs: ${e.message}`);
  }
  jobs.connect();
  try {
    await form.init();
  } catch (e) {
    alertError(`Cannot prepare the new-analysis form: ${e.message}`);
  }
}

initToken();
start();
