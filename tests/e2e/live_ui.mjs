// The Live view of `facetrack serve` in a real browser (Debian's chromium,
// driven by playwright-core): a --live-source started from its button,
// shown from its MJPEG stream, stopped; then the canvas is checked pixel by
// pixel: the picture is the frame the page names (the synthetic face's
// right edge where the clip puts it in that frame), the overlay is drawn
// from the results that came with that picture (box edges green at capture
// position × scale, landmarks yellow, the background left alone), and those
// results put the face where the clip has it in that same frame.
// Run by serve_live_ui.sh, which starts the server; its clip: a 150x170 face
// moving 4 px right and 1 px down a frame, 50 frames, looped, 480x360 in a
// 640x360 preview.
//
// Environment: FT_BASE, FT_TOKEN, FT_SCREENSHOT_DIR, FT_NODE_MODULES, FT_CHROMIUM.
import { createRequire } from 'node:module';
import path from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('FT_BASE');
const token = env('FT_TOKEN');
const shots = env('FT_SCREENSHOT_DIR');
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
class Stop extends Error {}
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

// The canvas's pixels around (x, y), radius R: the best match of WANT.
async function nearPixel(page, x, y, r, want) {
  return page.evaluate(({ x, y, r, wantName }) => {
    const c = document.getElementById('live-canvas');
    const d = c.getContext('2d').getImageData(Math.round(x) - r, Math.round(y) - r, 2 * r + 1, 2 * r + 1).data;
    const tests = {
      green: (p) => p[1] > p[0] + 60 && p[1] > p[2] + 40,
      yellow: (p) => p[0] > 170 && p[1] > 150 && p[2] < 110,
    };
    for (let i = 0; i < d.length; i += 4) if (tests[wantName]([d[i], d[i + 1], d[i + 2]])) return true;
    return false;
  }, { x, y, r, wantName: want });
}

async function main() {
  const browser = await must('chromium starts', chromium.launch({
    executablePath: env('FT_CHROMIUM', '/usr/bin/chromium'), headless: true, args: ['--no-sandbox'],
  }));
  const problems = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const asked = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await must('the page loads', page.goto(`${base}/?token=${encodeURIComponent(token)}`));
    await must('the Live card shows its source', page.waitForFunction(
      () => !document.getElementById('live-card').hidden &&
        document.querySelector('#live-sources .live-name')?.textContent.endsWith('moving.mp4'),
      null, { timeout: 15000 }));
    await page.locator('#live-sources button', { hasText: 'Start' }).first().click();
    await must('started, a frame with a face is drawn', page.waitForFunction(
      () => /1 face\(s\)/.test(document.getElementById('live-frame').textContent), null, { timeout: 60000 }));
    const canvasFrame = () => page.evaluate(() => Number(document.getElementById('live-canvas').dataset.frame));
    const before = await canvasFrame();
    await page.waitForTimeout(1500);
    const after = await canvasFrame();
    check('the picture follows the stream (frames drawn one after another)', after > before,
      `frame ${before}, then ${after}`);
    check('from GET /api/live/0/stream, no snapshot polling',
      asked.includes('/api/live/0/stream') && !asked.some((p) => p.endsWith('/snapshot')), asked.join(' '));
    // The same stream in a plain <img> (Chromium's own MJPEG support, the
    // token in the query): the part headers do not get in its way.
    const imgSize = await page.evaluate(async (t) => {
      const img = new Image();
      img.src = `/api/live/0/stream?token=${encodeURIComponent(t)}`;
      for (let i = 0; i < 150 && !img.naturalWidth; i++) await new Promise((r) => setTimeout(r, 100));
      const size = [img.naturalWidth, img.naturalHeight];
      img.src = '';
      return size;
    }, token);
    check('a plain <img> shows the stream', imgSize[0] === 640 && imgSize[1] === 360, `${imgSize}`);
    await page.locator('#live-sources button', { hasText: 'Stop' }).first().click();
    await must('stopped, the source says so', page.waitForFunction(
      () => document.querySelector('#live-sources .live-state')?.textContent.startsWith('stopped'),
      null, { timeout: 20000 }));
    await page.waitForTimeout(300); // the last drawing, if one was under way
    await page.locator('#live-canvas').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'live_view.png'), fullPage: true });
    const drawn = await canvasFrame();
    const text = await page.evaluate(() => document.getElementById('live-frame').textContent);
    const last = JSON.parse(await page.evaluate(() => document.getElementById('live-canvas').dataset.results || 'null'));
    check('the canvas shows a frame with the results that came with it, and the page says which',
      last !== null && last.frame === drawn && text.startsWith(`frame ${drawn} `),
      `canvas frame ${drawn}, results of ${last?.frame}, text "${text}"`);
    if (!last || !last.faces.length) throw new Stop();
    // The picture is frame DRAWN: the face image's right edge (bright, unlike
    // the grey around it) on its middle row, where the clip has it then.
    const n = drawn % 50;
    const rowY = 60 + n + 85;
    const rightEdge = await page.evaluate((y) => {
      const c = document.getElementById('live-canvas');
      const d = c.getContext('2d').getImageData(0, y, c.width, 1).data;
      for (let x = c.width - 1; x >= 0; x--) {
        const [r, g, b] = [d[4 * x], d[4 * x + 1], d[4 * x + 2]];
        if (r > 150 && g > 150 && b > 150 && Math.max(r, g, b) - Math.min(r, g, b) < 40) return x + 1;
      }
      return -1;
    }, rowY);
    // Decoded, the clip has this edge at x = 194 + 4n in frame n (ffmpeg's
    // overlay evaluates x = 40 + 4n one frame ahead).
    const expectEdge = (194 + 4 * n) * last.scale[0];
    check(`the picture is frame ${drawn} (its face's right edge at x ${rightEdge}, the clip's ${expectEdge.toFixed(1)}; ` +
      `a frame off is ${(4 * last.scale[0]).toFixed(1)} px away)`, Math.abs(rightEdge - expectEdge) <= 2.5);
    {
      const [bx, by, bw, bh] = last.faces[0].box;
      const cx = bx + bw / 2, cy = by + bh / 2;
      check('the results of that frame put the face where the clip has it',
        44 + 4 * n <= cx && cx <= 194 + 4 * n && 60 + n <= cy && cy <= 231 + n,
        `box centre (${cx.toFixed(1)}, ${cy.toFixed(1)}), clip frame ${n}`);
    }
    const size = await page.evaluate(() => [document.getElementById('live-canvas').width,
      document.getElementById('live-canvas').height]);
    check('the canvas is the preview size', last && size[0] === last.preview[0] && size[1] === last.preview[1],
      `${size} vs ${last?.preview}`);
    const f = last.faces[0];
    const [sx, sy] = last.scale;
    const [x, y, w, h] = f.box;
    const edges = [[x + w / 2, y], [x + w / 2, y + h], [x, y + h / 2], [x + w, y + h / 2]];
    let onEdges = 0;
    for (const [ex, ey] of edges) onEdges += await nearPixel(page, ex * sx, ey * sy, 1, 'green') ? 1 : 0;
    check('the box is drawn at the face box × the preview scale (4 edges)', onEdges === 4, `${onEdges}/4 edges green`);
    let off = 0;
    for (const [ex, ey] of edges) off += await nearPixel(page, ex * sx + (ex === x ? -12 : ex === x + w ? 12 : 0),
      ey * sy + (ey === y ? -12 : ey === y + h ? 12 : 0), 1, 'green') ? 1 : 0;
    check('and nowhere 12 px outside it', off === 0, `${off} edges green 12 px out`);
    let dots = 0;
    const picks = [1, 33, 263, 152, 10]; // nose tip, eye corners, chin, forehead
    for (const k of picks) {
      const [lx, ly] = f.landmarks[k];
      dots += await nearPixel(page, lx * sx, ly * sy, 1, 'yellow') ? 1 : 0;
    }
    check('the landmarks are drawn where the frame\'s results put them', dots === picks.length, `${dots}/${picks.length}`);
    check('no errors in the page', problems.length === 0, problems.join('\n  '));
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
