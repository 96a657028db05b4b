// The web UI of `facetrack serve` in a real browser (Debian's chromium,
// driven by playwright-core): start an analysis from the form, follow it in
// the job list, open the results viewer, and check that the overlay is drawn
// where the tracking file says the face is. Run by serve_ui.sh, which starts
// the server; prints one line per check, like the shell tests.
//
// Environment: FT_BASE (http://127.0.0.1:PORT), FT_TOKEN, FT_CLIP (the
// clip's path in root 0; its name holds markup, which must stay text in the
// folder list, the job list, the log and the viewer), FT_SCREENSHOT_DIR,
// FT_NODE_MODULES, FT_CHROMIUM, FT_JOB_TIMEOUT_S.
import { createRequire } from 'node:module';
import path from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('FT_BASE');
const token = env('FT_TOKEN');
const clip = env('FT_CLIP');
const shots = env('FT_SCREENSHOT_DIR');
const jobTimeoutMs = Number(env('FT_JOB_TIMEOUT_S', '120')) * 1000;
const require = createRequire(path.join(env('FT_NODE_MODULES'), 'noop.js'));
const { chromium } = require('playwright-core');

let passed = 0;
let failed = 0;
function check(what, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok   ${what}`);
  } else {
    failed++;
    console.log(`FAIL ${what}${detail ? `\n  ${detail}` : ''}`);
  }
  return ok;
}
// A step that must work for the rest to make sense: its failure ends the test.
async function must(what, promise) {
  try {
    const value = await promise;
    check(what, true);
    return value;
  } catch (e) {
    check(what, false, String(e.message || e).split('\n').slice(0, 6).join('\n  '));
    throw new Stop();
  }
}
class Stop extends Error {}

const clipName = path.basename(clip);
const folder = path.dirname(clip);

async function api(p) {
  const r = await fetch(base + p, { headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  return r.json();
}

// The overlay's pixels at the 1-based frame shown, checked against the
// tracking file: drawn along the face's box, nothing far from it.
async function checkOverlay(page, tracking, label) {
  const frame = Number(await page.locator('#overlay').getAttribute('data-frame'));
  const entry = tracking.frames.find((f) => f.frame === frame);
  const face = entry?.tracked_objects?.[0];
  if (!check(`${label}: the tracking file has a face at the frame shown (${frame})`, Boolean(face))) return;
  const result = await page.evaluate((o) => {
    const canvas = document.getElementById('overlay');
    const video = document.getElementById('video');
    const ratio = canvas.width / canvas.clientWidth;
    // object-fit: contain, computed here independently of the page's code
    const bw = canvas.clientWidth;
    const bh = canvas.clientHeight;
    const scale = Math.min(bw / video.videoWidth, bh / video.videoHeight);
    const ox = (bw - video.videoWidth * scale) / 2;
    const oy = (bh - video.videoHeight * scale) / 2;
    const box = {
      x0: (ox + o.bbox_xmin * scale) * ratio,
      y0: (oy + o.bbox_ymin * scale) * ratio,
      x1: (ox + o.bbox_xmax * scale) * ratio,
      y1: (oy + o.bbox_ymax * scale) * ratio,
    };
    const img = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const alpha = (x, y) => {
      x = Math.round(x);
      y = Math.round(y);
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) return 0;
      return img.data[(y * img.width + x) * 4 + 3];
    };
    const near = (x, y, r) => {
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (alpha(x + dx, y + dy) > 0) return true;
      return false;
    };
    // 20 points along each edge, each with a stroke pixel within 3 px
    let edgeHits = 0;
    let edgePoints = 0;
    for (let i = 1; i < 20; i++) {
      const t = i / 20;
      const pts = [
        [box.x0 + t * (box.x1 - box.x0), box.y0], [box.x0 + t * (box.x1 - box.x0), box.y1],
        [box.x0, box.y0 + t * (box.y1 - box.y0)], [box.x1, box.y0 + t * (box.y1 - box.y0)],
      ];
      for (const [x, y] of pts) {
        edgePoints++;
        if (near(x, y, Math.ceil(3 * ratio))) edgeHits++;
      }
    }
    // landmarks: a dot within 2 px of each
    let dots = 0;
    const marks = o.landmarks || [];
    for (const [lx, ly] of marks) if (near((ox + lx * scale) * ratio, (oy + ly * scale) * ratio, Math.ceil(2 * ratio))) dots++;
    // far: every 8th pixel more than 40 px (CSS) from the box and from
    // its label (above the box's top-left corner)
    const m = 40 * ratio;
    let farPixels = 0;
    let farChecked = 0;
    for (let y = 0; y < img.height; y += 8) {
      for (let x = 0; x < img.width; x += 8) {
        const nearBox = x > box.x0 - m && x < box.x1 + m && y > box.y0 - m - 20 * ratio && y < box.y1 + m;
        if (nearBox) continue;
        farChecked++;
        if (alpha(x, y) > 0) farPixels++;
      }
    }
    // the face's centre in page coordinates, for the screenshot's sake
    const r = canvas.getBoundingClientRect();
    return {
      edgeHits, edgePoints, farPixels, farChecked, dots, marks: marks.length,
      centre: [r.left + (box.x0 + box.x1) / 2 / ratio, r.top + (box.y0 + box.y1) / 2 / ratio],
      canvas: [canvas.width, canvas.height],
    };
  }, face);
  check(`${label}: the box is drawn along the face's bbox (${result.edgeHits}/${result.edgePoints} edge points)`,
    result.edgeHits >= 0.9 * result.edgePoints, JSON.stringify(result));
  check(`${label}: its landmarks are drawn (${result.dots}/${result.marks})`,
    result.marks >= 468 && result.dots >= 0.95 * result.marks, JSON.stringify(result));
  check(`${label}: nothing drawn far from it (${result.farPixels} of ${result.farChecked} far pixels)`,
    result.farChecked > 50 && result.farPixels === 0, JSON.stringify(result));
}

// Seeks the video to 1-based FRAME through the page, and waits until the
// overlay has drawn it.
async function seekTo(page, frame, fps) {
  await page.evaluate(({ frame, fps }) => new Promise((resolve) => {
    const v = document.getElementById('video');
    v.pause();
    v.addEventListener('seeked', resolve, { once: true });
    v.currentTime = (frame - 1) / fps;
  }), { frame, fps });
  await page.waitForFunction(() => {
    const v = document.getElementById('video');
    return !v.seeking && v.readyState >= 2;
  }, null, { timeout: 10000 });
  await page.waitForFunction((f) => document.getElementById('overlay').dataset.frame === String(f), frame,
    { timeout: 10000 });
}

async function main() {
  const browser = await must('chromium starts', chromium.launch({
    executablePath: env('FT_CHROMIUM', '/usr/bin/chromium'), headless: true, args: ['--no-sandbox'],
  }));
  const problems = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });

    // The page, its token taken from the address.
    await must('the page loads', page.goto(`${base}/?token=${encodeURIComponent(token)}`));
    await must('the version shows', page.waitForFunction(() => document.getElementById('version').textContent !== ''));
    check('the token is taken out of the address', !page.url().includes('token='), page.url());
    await must('the system status shows, with the GPUs or "no GPU"', page.waitForFunction(
      () => /CPU.*· (no GPU|GPU \d+ )/.test(document.getElementById('system').textContent)));
    await must('the event stream is live', page.waitForSelector('#live[data-state="live"]'));

    // The form: into the clip's folder.
    await must(`open the folder ${folder}`, page.getByRole('button', { name: `Open the folder ${folder}` }).click());
    const entries = page.locator('#entries');
    await must('its entries show', entries.getByText(clipName, { exact: true }).waitFor());
    check('a file name with markup is shown as text', (await entries.textContent()).includes(clipName)
      && await page.locator('#entries img').count() === 0);
    await must(`choose ${clipName}`, entries.getByLabel(clipName, { exact: true }).check());
    check('scenes and track are chosen', await page.locator('#steps input:checked').count() === 2);
    await must('ask for landmarks in the output', page.getByLabel('Landmarks in the output').check());
    const before = await page.$$eval('li.job', (cards) => Math.max(0, ...cards.map((c) => Number(c.dataset.jobId))));
    await must('start the analysis', page.getByRole('button', { name: 'Start analysis' }).click());

    // The job, followed live until it succeeds.
    const jobId = await must('the job appears in the list', page.waitForFunction((n) => {
      const first = document.querySelector('li.job');
      return first && Number(first.dataset.jobId) > n && Number(first.dataset.jobId);
    }, before).then((h) => h.jsonValue()));
    const card = page.locator(`li.job[data-job-id="${jobId}"]`);
    const endedState = await must(`job ${jobId} ends within ${jobTimeoutMs / 1000} s`, page.waitForFunction(
      (id) => {
        const s = document.querySelector(`li.job[data-job-id="${id}"]`)?.dataset.state;
        return ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(s) && s;
      }, jobId, { timeout: jobTimeoutMs, polling: 200 }).then((h) => h.jsonValue()));
    if (!check(`... and succeeds`, endedState === 'succeeded', await card.textContent())) throw new Stop();
    check('the job shows 100%', (await card.locator('.pct').first().textContent()).trim() === '100%');
    check('its video shows done', (await card.locator('.video .badge').first().textContent()) === 'done');
    check('no Cancel or Retry button on a succeeded job',
      !(await card.getByRole('button', { name: 'Cancel' }).isVisible())
      && !(await card.getByRole('button', { name: 'Retry' }).isVisible()));
    check('the name with markup is text in the job list', (await card.textContent()).includes(clipName)
      && await card.locator('img').count() === 0);
    // Log text is untrusted: the clip's name in it stays text.
    await must('the log names the clip', page.waitForFunction(
      (name) => document.getElementById('log').textContent.includes(name), clipName, { timeout: 10000 }));
    check('... as text', await page.locator('#log img').count() === 0);

    // The results viewer.
    await must('open the results', card.getByRole('button', { name: `Results of ${clipName}` }).click());
    await must('the results load', page.waitForSelector('#overlay[data-ready="1"]', { timeout: 15000 }));
    await must('the video has its size', page.waitForFunction(
      () => document.getElementById('video').videoWidth > 0, null, { timeout: 15000 }));
    const q = `?root=0&path=${encodeURIComponent(clip)}`;
    const tracking = await must('the tracking file', api(`/api/results/tracking${q}`));
    const fps = tracking.metadata.fps;
    const withFace = tracking.frames.filter((f) => f.tracked_objects.length > 0).map((f) => f.frame);
    const target = withFace[Math.floor(withFace.length / 2)];
    check(`faces tracked (${withFace.length} of ${tracking.frames.length} frames)`, withFace.length > 0);
    await must(`seek to frame ${target}`, seekTo(page, target, fps));
    await page.locator('#viewer').scrollIntoViewIfNeeded();
    // the player's loading indicator fades out a moment after a seek
    await page.waitForFunction(() => document.getElementById('video').readyState >= 4, null, { timeout: 3000 })
      .catch(() => {});
    await page.waitForTimeout(1500);
    const shot = path.join(shots, 'results_viewer.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`     screenshot: ${shot}`);
    await checkOverlay(page, tracking, '1280×800');
    check('the frame label says the frame', (await page.locator('#frame-label').textContent()).startsWith(`Frame ${target} `));
    check('the scenes strip knows the frame',
      await page.locator('#timeline').getAttribute('aria-valuenow') === String(target));
    const legend = await page.locator('#chart-legend').textContent();
    check('the chart shows the default blendshapes', ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft']
      .every((n) => legend.includes(n)), legend);
    check('the chart has lines', await page.evaluate(() => {
      const c = document.getElementById('chart');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n > 500;
    }));

    // A click on the scenes strip seeks.
    const strip = await page.locator('#timeline').boundingBox();
    await page.mouse.click(strip.x + strip.width * 0.25, strip.y + strip.height / 2);
    const expected = Math.floor(0.25 * tracking.metadata.total_frames) + 1;
    const seeked = await page.waitForFunction((f) => {
      const got = Number(document.getElementById('overlay').dataset.frame);
      return Math.abs(got - f) <= 1 && got;
    }, expected, { timeout: 10000 }).then((h) => h.jsonValue()).catch(() => null);
    check(`a click at a quarter of the strip seeks to frame ${expected}`, seeked !== null,
      `frame shown: ${await page.locator('#overlay').getAttribute('data-frame')}`);

    check('no element was made from the markup anywhere', await page.locator('img').count() === 0
      && await page.evaluate(() => window.__xss === undefined));

    // The keyboard reaches the main controls.
    await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
    const reached = new Set();
    const clipBox = await entries.getByLabel(clipName, { exact: true }).getAttribute('id');
    let outline = null;
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const a = document.activeElement;
        if (!a || a === document.body) return null;
        const name = a.id || a.getAttribute('aria-label') || a.textContent.trim();
        return { name, outline: getComputedStyle(a).outlineStyle };
      });
      if (info) {
        reached.add(info.name);
        if (info.name === 'engine') outline = info.outline;
      }
    }
    const wanted = [clipBox, 'engine', 'max-faces', 'detect-every', 'scene-detector',
      'force', 'Log', `Results of ${clipName}`, 'log', 'video', 'prev-frame', 'timeline', 'face-select', 'chart'];
    const missing = wanted.filter((n) => !reached.has(n));
    check('Tab reaches the main controls', missing.length === 0, `not reached: ${missing.join(', ')}`);
    check('a focused control shows a focus ring', outline !== null && outline !== 'none', `outline: ${outline}`);

    // Phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('390 px wide: no horizontal overflow', overflow <= 0, `${overflow} px too wide`);
    await page.locator('#stage').scrollIntoViewIfNeeded();
    const stage = await page.locator('#stage').boundingBox();
    check('390 px wide: the viewer is visible and fits',
      await page.locator('#video').isVisible() && stage.width > 200 && stage.x >= 0 && stage.x + stage.width <= 390,
      JSON.stringify(stage));
    await must(`seek to frame ${target} again`, seekTo(page, target, fps));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(shots, 'results_viewer_phone.png') });
    await checkOverlay(page, tracking, '390×844');

    check('no errors in the page (script errors, CSP violations)', problems.length === 0, problems.join('\n  '));
  } finally {
    await browser.close();
  }
}

try {
  await main();
} catch (e) {
  if (!(e instanceof Stop)) check('the test ran to its end', false, e.stack);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
