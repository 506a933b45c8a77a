// The backend badge (what the runs train on, and why: the trial's figures, a fallback's reason)
// and the trials this browser remembers. `runs` is runs.js's record of each run.
import { MEMO_KEY } from '../common/trial.js';
import { t } from './i18n.js';
import { RUNS as IDS } from './state.js';

const $ = (sel, root = document) => root.querySelector(sel);

// The trials this browser remembers (www/common/trial.js), {} when there are none or storage is
// refused (private mode, a blocked site).
export function loadMemo() {
  try {
    return JSON.parse(localStorage.getItem(MEMO_KEY) || '{}') || {};
  } catch (_) {
    return {};
  }
}
export function saveMemo(memo) {
  try { localStorage.setItem(MEMO_KEY, JSON.stringify(memo)); } catch (_) { /* private mode: measured again next time */ }
}
export const figure = (x) => (Number.isFinite(x) ? (x >= 10 ? x.toFixed(0) : x.toPrecision(2)) : '–');
// One run's measured figures: "GAN: WebGPU 41 · CPU 33 steps/s".
function trialFigures(id, trial) {
  const c = (b) => trial.candidates.find((x) => x.backend === b) || {};
  const gpu = c('webgpu');
  if (!Number.isFinite(gpu.stepsPerSec) && !Number.isFinite(c('cpu').stepsPerSec)) return '';
  return t('trial.figures', { run: t(`run.${id}`), adapter: gpu.adapter || 'WebGPU', gpu: figure(gpu.stepsPerSec), cpu: figure(c('cpu').stepsPerSec) });
}

export function backendText(runs) {
  const measuring = IDS.map((id) => runs[id].trialPhase).find(Boolean);
  if (measuring) return t(`backend.${measuring.phase}`, { adapter: measuring.adapter });
  const b = IDS.map((id) => runs[id].backend).filter(Boolean);
  if (!b.length) return t('backend.starting');
  const labels = [...new Set(b.map((x) => (x.backend === 'cpu' ? t('backend.cpu') : x.label)))];
  const words = (x) => {
    const gpu = x.trial ? x.trial.candidates.find((c) => c.backend === 'webgpu') || {} : {};
    return t(`reason.${x.code}`, { adapter: x.adapter || gpu.adapter, detail: x.detail || gpu.detail || '',
      err: Number.isFinite(gpu.maxRelError) ? gpu.maxRelError.toPrecision(2) : '∞',
      rate: x.guard ? figure(x.guard.stepsPerSec) : '', cpu: x.guard ? figure(x.guard.cpu) : '' });
  };
  const reasons = [...new Set(b.map((x) => (x.code ? words(x) : '')).filter(Boolean))];
  const figures = IDS.map((id) => (runs[id].backend && runs[id].backend.trial ? trialFigures(id, runs[id].backend.trial) : '')).filter(Boolean);
  if (figures.length) reasons.push(figures.join('; '));
  return reasons.length ? t('backend.training_why', { labels: labels.join(' / '), reasons: reasons.join('; ') })
    : t('backend.training', { labels: labels.join(' / ') });
}
export function backendBadge(runs) {
  const text = backendText(runs);
  $('#backend').textContent = text;
  $('#backend').title = text; // the badge shows one line; its title the whole
  const b = runs.gan.backend || runs.wgan.backend;
  if (b) $('#backend').dataset.kind = b.backend;
  // Measure again: only where a trial ran (a browser with WebGPU); a CPU-only machine has nothing to measure.
  $('#measure-again').hidden = !IDS.some((id) => runs[id].backend && runs[id].backend.trial);
}

