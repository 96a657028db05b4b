// facetrack's web UI: the page's parts put together. Plain modules, no
// build step; every text from the server goes in as text.
import { get, initToken, setToken } from './api.js';
import { $, alertError } from './dom.js';
import { JobList } from './jobs.js';
import { LogPanel } from './logs.js';
import { NewJobForm } from './new_job.js';
import { systemLine } from './system.js';
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
    $('system').textContent = systemLine(await get('/api/system'));
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
