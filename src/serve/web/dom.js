// Small DOM helpers. Text always goes in through textContent: nothing the
// server sends (file names, errors, logs) is ever parsed as HTML.

// el('button', {class: 'small', type: 'button', onclick: f}, 'text', child...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

export function show(node, visible) {
  node.hidden = !visible;
}

// Messages for screen readers (the polite live region).
export function announce(text) {
  const region = $('announcer');
  region.textContent = '';
  // a fresh node is read even when the text repeats
  window.setTimeout(() => { region.textContent = text; }, 50);
}

// An error for everyone: shown until dismissed, read at once.
export function alertError(text) {
  const box = $('alerts');
  const item = el('div', { class: 'alert' },
    el('span', { text }),
    el('button', { type: 'button', class: 'small', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  box.append(item);
  while (box.children.length > 4) box.firstElementChild.remove();
}

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

// "2026-11-23T17:50:19Z" in the reader's own time.
export function formatTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function formatPercent(p) {
  return Number.isFinite(p) ? `${Math.round(p * 10) / 10}%` : '–';
}

// A colour per track ID, stable and well apart.
export function colourFor(index) {
  const hue = (index * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 90% 55%)`;
}
