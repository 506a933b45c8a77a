// The two runs: each trains in its own worker. Starting and restarting workers (a lost GPU device,
// a backend switch), the messages they send, and the controls (play, pause, step, reset, ...).
// The page hands over what is its own through initRuns(page): the state, the view (live or a
// recording), drawing and the optimality panel.
import { cpuModule, earlyWorkers } from './boot.js';
import { buildCard, drawGrid } from './card.js';
import { COLORS, rebuildCharts } from './charts.js';
import { canvasBlob, download, gridCanvas } from './exporter.js';
import { applyI18n, noticeText, runObjective, setRunObjective, t } from './i18n.js';
import { drawModes } from './modes.js';
import { notice } from './notices.js';
import { fillForm, readForm } from './settings.js';
import { RUNS as IDS, overrides } from './state.js';

const DATA_URL = new URL('./data/mnist-train-2k.bin.gz', import.meta.url).href;
const CLASSIFIER_URL = new URL('./data/classifier.bpk', import.meta.url).href;
// Logged points kept per run; beyond this the older half is thinned (drawing thins further).
const HISTORY_MAX = 20000;
const $ = (sel, root = document) => root.querySelector(sel);

export const runs = {};
let page = null;
export function initRuns(p) {
  page = p;
}

// A run's message line: a function, so that it can be reworded in another language.
export function say(id, text) {
  runs[id].msg = text ? (typeof text === 'function' ? text : () => text) : null;
  $('.run-msg', runs[id].el).textContent = runs[id].msg ? runs[id].msg() : '';
}

export function backendText() {
  const b = IDS.map((id) => runs[id].backend).filter(Boolean);
  if (!b.length) return t('backend.starting');
  const labels = [...new Set(b.map((x) => (x.backend === 'cpu' ? t('backend.cpu') : x.label)))];
  const reasons = [...new Set(b.map((x) => (x.code ? t(`reason.${x.code}`, { adapter: x.adapter, detail: x.detail }) : '')).filter(Boolean))];
  return reasons.length ? t('backend.training_why', { labels: labels.join(' / '), reasons: reasons.join('; ') })
    : t('backend.training', { labels: labels.join(' / ') });
}
export function backendBadge() {
  $('#backend').textContent = backendText();
  const b = runs.gan.backend || runs.wgan.backend;
  if (b) $('#backend').dataset.kind = b.backend;
}

const setting = (pairs, key) => { const p = (pairs || []).find(([k]) => k === key); return p ? p[1] : null; };

// What the run reports as its settings becomes the page state (only what differs from the preset).
function adopt(id, msg) {
  const r = runs[id];
  r.settings = msg.settings;
  if (msg.defaults) r.defaults = msg.defaults;
  r.ganLoss = setting(msg.settings, 'gan_loss');
  const objective = setting(msg.settings, 'objective');
  if (objective && objective !== runObjective(id)) {
    // The run trains another objective now: every string naming it, and the charts' legends.
    setRunObjective(id, objective);
    applyI18n(document);
    rebuildCharts();
  }
  page.state.runs[id] = overrides(id, msg.settings, r.defaults || []);
  fillForm(id, msg.settings);
  page.syncUrl();
}

function errorText(id, msg) {
  const d = { detail: msg.detail, url: msg.url, status: msg.status, run: t(`run.${id}`) };
  switch (msg.code) {
    case 'wasm': return t('err.wasm', d);
    case 'data-fetch': return t('err.data_fetch', d);
    case 'data-http': return t('err.data_http', d);
    case 'data-corrupt': return t('err.data_corrupt', d);
    case 'classifier': case 'classifier-fetch': case 'classifier-http': return t('err.classifier', d);
    case 'training': return t('err.training', d);
    case 'not-applied': return t('msg.not_applied', d);
    default: return msg.detail;
  }
}

function thinHistory(h) {
  if (h.length <= HISTORY_MAX) return h;
  const half = Math.floor(h.length / 2);
  return [...h.slice(0, half).filter((_, i) => i % 2 === 0), ...h.slice(half)];
}

// Resolve the promise waiting for request `reqId`, if any.
function settle(waiting, reqId, value) {
  const f = waiting.get(reqId);
  waiting.delete(reqId);
  if (f) f(value);
}

function onMessage(id, msg) {
  const r = runs[id];
  switch (msg.type) {
    case 'ready': {
      const restart = r.restart;
      r.restart = null;
      // point is null under autoplay: step 0 comes as a 'point' after the first step.
      Object.assign(r, { ready: true, backend: msg.backend, label: msg.label, floor: msg.floor, step: msg.point ? msg.point.step : 0, diverged: null });
      if (restart && restart.lost) r.backend = { ...msg.backend, code: 'device-lost' };
      adopt(id, msg);
      if (restart && msg.restored && !msg.restored.error) {
        r.history = r.history.filter((p) => p.step < msg.point.step);
        r.history.push(msg.point);
        const step = msg.point.step;
        const reason = restart.lost ? restart.lost.reason : '';
        say(id, () => (restart.lost ? t('msg.device_lost', { reason, run: t(`run.${id}`), step })
          : t('msg.moved', { run: t(`run.${id}`), backend: backendText(), step })));
        if (restart.lost) notice(() => t('msg.device_lost', { reason, run: t(`run.${id}`), step }), 'warn');
      } else {
        r.history = msg.point ? [msg.point] : [];
        r.modes = null;
        if (restart && restart.lost) {
          notice(() => t('msg.device_lost_fresh', { reason: restart.lost.reason, run: t(`run.${id}`) }), 'warn');
        } else if (restart && msg.restored && msg.restored.error) {
          notice(() => t('msg.restore_failed', { run: t(`run.${id}`), detail: msg.restored.error }), 'error');
        }
        if (!restart) say(id, '');
      }
      for (const n of page.runNotices[id].splice(0)) {
        const used = setting(msg.settings, n.setting);
        notice(() => noticeText({ ...n, fallback: used ?? undefined }));
      }
      backendBadge();
      r.resolveReady();
      if (restart && restart.wasPlaying) play(id);
      break;
    }
    case 'reset':
      Object.assign(r, { label: msg.label, floor: msg.floor, history: [msg.point], step: msg.point.step, modes: null,
        switches: [], diverged: null });
      adopt(id, msg);
      say(id, msg.reason ? () => t('msg.reset', { reason: reasonText(msg.reason), run: t(`run.${id}`) }) : '');
      r.waiters.reset.splice(0).forEach((f) => f());
      break;
    case 'point':
      r.history.push(msg.point);
      // Step 0 measured late (autoplay) may follow a logged step: keep the history in step order.
      if (r.history.length > 1 && r.history[r.history.length - 2].step > msg.point.step) r.history.sort((a, b) => a.step - b.step);
      r.history = thinHistory(r.history);
      break;
    case 'modes':
      r.modes = { ...msg.stats, step: msg.step };
      if (!page.isReplay()) drawModes($(`#modes-${id}`), msg.stats, COLORS[id]);
      break;
    case 'modes-done':
      settle(r.waiters.modes, msg.reqId);
      break;
    case 'gan_loss':
      r.label = msg.label;
      r.switches.push({ step: msg.step, to: msg.value });
      adopt(id, msg);
      say(id, () => t('msg.loss_switched', { loss: msg.value === 'saturating' ? t('loss.saturating') : t('sym.nonsaturating'), step: msg.step }));
      (r.waiters.ganLoss.shift() || (() => {}))();
      break;
    case 'opt-point':
    case 'opt-done':
      page.optimality.onMessage(id, msg);
      if (msg.type === 'opt-done') r.step = msg.step;
      break;
    case 'mcmc-begin':
    case 'mcmc-step':
    case 'mcmc-done':
      page.energy.onMessage(id, msg);
      return; // nothing of the run's card changes
    case 'samples':
      r.samples = msg.pixels;
      if (!page.isReplay()) drawGrid(r.el, msg.pixels);
      break;
    case 'status':
      // Time from navigation to the first trained step on screen (issue 5's page target; the bench reads it).
      if (msg.step > 0 && !performance.getEntriesByName('earthmover:first-step').length) performance.mark('earthmover:first-step');
      Object.assign(r, { step: msg.step, playing: msg.playing, stepsPerSec: msg.stepsPerSec, wasmBytes: msg.wasmBytes });
      break;
    case 'paused':
      r.step = msg.step;
      r.waiters.pause.splice(0).forEach((f) => f());
      break;
    case 'stepped':
      settle(r.waiters.step, msg.reqId);
      break;
    case 'checkpoint':
      r.checkpoint = { step: msg.step, bytes: msg.bytes };
      settle(r.waiters.checkpoint, msg.reqId, r.checkpoint);
      break;
    case 'diverged':
      r.playing = false;
      r.diverged = { step: msg.step, detail: msg.detail };
      say(id, () => t('msg.diverged', { run: t(`run.${id}`), step: msg.step, detail: msg.detail }));
      notice(() => t('msg.diverged', { run: t(`run.${id}`), step: msg.step, detail: msg.detail }), 'error');
      r.waiters.pause.splice(0).forEach((f) => f());
      break;
    case 'device-lost':
      r.playing = false;
      restartRun(id, { lost: msg });
      break;
    case 'error': {
      const text = () => errorText(id, msg);
      r.lastError = text();
      if (msg.code === 'not-applied') {
        say(id, text);
      } else if (msg.code === 'classifier') {
        if (!r.classifierNoted) notice(text, 'warn'); // once per run; training goes on
        r.classifierNoted = true;
      } else {
        r.playing = false;
        say(id, text);
        notice(() => t('err.run', { run: t(`run.${id}`), detail: text() }), 'error');
      }
      if (msg.fatal) r.rejectReady(new Error(r.lastError));
      r.waiters.reset.splice(0).forEach((f) => f());
      break;
    }
    default:
      break;
  }
  page.render(id);
  page.redraw();
}

const reasonText = (reason) => {
  if (reason === 'settings') return t('reason.settings');
  if (reason === 'preset') return t('reason.preset', { preset: t(`preset.${page.state.preset}`) });
  if (reason === 'reset') return t('reason.reset');
  return reason;
};

function startWorker(id, checkpoint, backend = page.state.backend, autoplay = false) {
  const r = runs[id];
  // The first workers were started by boot.js, before the page's modules loaded.
  let worker = earlyWorkers[id];
  delete earlyWorkers[id];
  try {
    worker = worker || new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch (e) {
    onMessage(id, { type: 'error', fatal: true, code: 'worker', detail: t('err.worker', { detail: e.message }) });
    return;
  }
  r.worker = worker;
  worker.onmessage = (ev) => onMessage(id, ev.data);
  worker.onerror = (ev) => onMessage(id, { type: 'error', fatal: !r.ready, code: 'worker',
    detail: t('err.worker_load', { detail: ev.message || 'script error' }) });
  const settings = r.settings || Object.entries(page.state.runs[id]).map(([k, v]) => [k, String(v)]);
  // The CPU wasm compiled once by boot.js (null: the worker compiles it and reports any error).
  Promise.resolve(cpuModule).then((module) => worker.postMessage({ type: 'init', objective: id, preset: page.state.preset,
    settings, backend, dataUrl: DATA_URL, classifierUrl: CLASSIFIER_URL, checkpoint: checkpoint ? checkpoint.bytes : null,
    autoplay, module }, checkpoint ? [checkpoint.bytes.buffer] : []));
}

export function start(id) {
  const r = {
    id, el: buildCard(id, {
      play: () => (runs[id].playing ? pause(id) : play(id)),
      step: () => step(id, 1),
      reset: () => reset(id, undefined, 'reset'),
      apply: (settings) => reset(id, settings, 'settings'),
      gridPng: () => {
        const v = page.view(id);
        if (v.samples) canvasBlob(gridCanvas(v.samples, 2)).then((b) => download(`earthmover-${id}-samples-step${v.step}.png`, b));
      },
      ganLoss: (loss) => setGanLoss(loss),
    }), history: [], step: 0, playing: false, stepsPerSec: 0, ready: false, samples: null,
    modes: null, switches: [], ganLoss: null, settings: null, defaults: null, checkpoint: null, diverged: null,
    waiters: { step: new Map(), reset: [], pause: [], modes: new Map(), ganLoss: [], checkpoint: new Map() }, reqId: 0,
  };
  r.readyPromise = new Promise((res, rej) => { r.resolveReady = res; r.rejectReady = rej; });
  runs[id] = r;
  say(id, () => t('card.loading'));
  page.render(id);
  // ?autoplay=1: the worker starts training the moment it is ready (issue 5: first step on screen).
  startWorker(id, null, page.state.backend, !!page.state.autoplay && !page.isReplay());
}

// Move a run to another worker (a lost GPU device, or a backend switch), carrying its weights.
export async function restartRun(id, { lost = null } = {}) {
  const r = runs[id];
  if (r.restart) return;
  const wasPlaying = r.playing || (lost && r.wasPlaying);
  let cp = r.checkpoint;
  if (!lost && r.ready) {
    cp = await new Promise((resolve) => {
      const reqId = ++r.reqId;
      r.waiters.checkpoint.set(reqId, resolve);
      r.worker.postMessage({ type: 'checkpoint', reqId });
    });
  }
  r.worker.terminate();
  Object.assign(r, { ready: false, playing: false, restart: { wasPlaying, lost }, checkpoint: null });
  if (cp) r.history = r.history.filter((p) => p.step <= cp.step);
  page.render(id);
  startWorker(id, cp, lost ? 'cpu' : page.state.backend);
}

const targets = (id) => (id == null ? IDS : [id]);
export function check(id) {
  if (id != null && !IDS.includes(id)) throw new Error(t('err.unknown_run', { id: JSON.stringify(id) }, 'en'));
}

export function play(id) {
  check(id);
  for (const x of targets(id)) {
    const r = runs[x];
    if (!r.ready || r.diverged || page.isReplay()) continue;
    r.playing = true;
    r.wasPlaying = true;
    r.worker.postMessage({ type: 'play' });
    page.render(x);
  }
}
// Resolves once each worker has finished its current training slice.
export function pause(id) {
  check(id);
  return Promise.all(targets(id).map((x) => new Promise((resolve) => {
    const r = runs[x];
    r.wasPlaying = false;
    if (!r.ready) { resolve(); return; }
    r.waiters.pause.push(resolve);
    r.playing = false;
    r.worker.postMessage({ type: 'pause' });
    page.render(x);
  })));
}
export function step(id, n = 1) {
  check(id);
  return Promise.all(targets(id).map((x) => new Promise((resolve) => {
    const r = runs[x];
    if (r.playing || !r.ready || page.isReplay()) { resolve(); return; }
    const reqId = ++r.reqId;
    r.waiters.step.set(reqId, resolve);
    r.worker.postMessage({ type: 'step', n: Math.max(1, Math.floor(n)), reqId });
  })));
}
export function reset(id, settings, reason = 'reset') {
  check(id);
  return Promise.all(targets(id).map((x) => new Promise((resolve) => {
    const r = runs[x];
    if (!r.ready) { resolve(); return; }
    r.waiters.reset.push(resolve);
    const s = settings || readForm(x);
    r.worker.postMessage({ type: 'reset', settings: s, preset: page.state.preset, reason });
  })));
}

// Switch the GAN's generator loss while it trains (no reset): resolves once the worker applied it.
export function setGanLoss(value) {
  if (!['saturating', 'nonsaturating'].includes(value)) {
    return Promise.reject(new Error(`gan_loss=${JSON.stringify(value)}: use "saturating" or "nonsaturating"`));
  }
  const r = runs.gan;
  return new Promise((resolve) => {
    r.waiters.ganLoss.push(resolve);
    r.worker.postMessage({ type: 'gan_loss', value });
  });
}

// Classify 1,000 samples of each run now: resolves to {gan: stats, wgan: stats}.
export function modes() {
  return Promise.all(IDS.map((id) => new Promise((resolve) => {
    const r = runs[id];
    const reqId = ++r.reqId;
    r.waiters.modes.set(reqId, () => resolve(r.modes));
    r.worker.postMessage({ type: 'modes', reqId });
  }))).then(([gan, wgan]) => ({ gan, wgan }));
}

