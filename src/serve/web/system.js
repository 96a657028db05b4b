// The system line under the title, from GET /api/system: CPUs, load,
// memory, disk, and each GPU with its utilisation and memory when the
// server reports them. Pure: node tests it without a browser.
import { formatBytes } from './dom.js';

// "GPU 0 NVIDIA H100 80GB HBM3: 37 % busy, VRAM 12.3 GB used, 67.1 GB free"
export function gpuText(g) {
  const parts = [];
  if (Number.isFinite(g.utilization_percent)) parts.push(`${g.utilization_percent} % busy`);
  if (Number.isFinite(g.memory_used_bytes) && Number.isFinite(g.memory_free_bytes)) {
    parts.push(`VRAM ${formatBytes(g.memory_used_bytes)} used, ${formatBytes(g.memory_free_bytes)} free`);
  } else if (Number.isFinite(g.memory_total_bytes)) {
    parts.push(`VRAM ${formatBytes(g.memory_total_bytes)}`);
  }
  return `GPU ${g.index} ${g.name}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export function systemLine(s) {
  const parts = [`${s.cpus} CPU${s.cpus === 1 ? '' : 's'}`];
  if (Array.isArray(s.load)) parts.push(`load ${s.load.map((l) => Number(l).toFixed(2)).join(' ')}`);
  if (s.memory) {
    parts.push(`memory ${formatBytes(s.memory.available_bytes)} free of ${formatBytes(s.memory.total_bytes)}`);
  }
  if (s.disk && Number.isFinite(s.disk.free_bytes)) parts.push(`disk ${formatBytes(s.disk.free_bytes)} free`);
  const gpus = Array.isArray(s.gpus) ? s.gpus.filter((g) => g && typeof g.name === 'string') : [];
  if (gpus.length) parts.push(...gpus.map(gpuText));
  else parts.push('no GPU');
  return parts.join(' · ');
}
