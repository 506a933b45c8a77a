// The two runs: each trains in its own worker. Starting and restarting workers (a lost GPU device,
// a backend switch), the messages they send, and the controls (play, pause, step, reset, ...).
// The page hands over what is its own through initRuns(page): the state, the view (live or a
// recording), drawing and the optimality panel.
import { Requester, RUN_EVENTS as EV, RUN_OPS as OP, coded, errorOf } from '../common/protocol.js';
import { ERROR_CODES } from '../common/codes.js';
import { cpuBuild, cpuModule, earlyWorkers } from './boot.js';
import { buildCard, drawGrid } from '../views/card.js';
import { COLORS, addMark, clearMarks, rebuildCharts } from '../views/charts.js';
import { canvasBlob, download, gridCanvas } from './exporter.js';
import { applyI18n, noticeText, runObjective, setRunObjective, t } from './i18n.js';
import { drawModes } from '../views/modes.js';
import { notice } from './notices.js';
import { fillForm, readForm } from './settings.js';
import { RUNS as IDS, overrides, wordsOf } from './state.js';
import { MEMO_KEY, remember } from '../common/trial.js';
import { backendBadge as badge, backendText as badgeText, figure, loadMemo, saveMemo } from './backend-badge.js';
import { control, initialControl } from './run-control.js';

const DATA_URL = new URL('../data/mnist-train-2k.bin.gz', import.meta.url).href;
const CLASSIFIER_URL = new URL('../data/classifier.bpk', import.meta.url).href;
// Held-out real digits (never trained on, by the runs or the classifier): the feature yardstick's reference.
const HELD_OUT_URL = new URL('../data/mnist-test-1k.bin.gz', import.meta.url).href;
// Logged points kept per run; beyond this the older half is thinned (drawing thins further).
const HISTORY_MAX = 20000;
const $ = (sel, root = document) => root.querySelector(sel);

export const runs = {};
let page = null;

// A run record's controls (ready, playing, a divergence, a restart...) change only here, through
// the pure transitions of run-control.js. Returns whether anything changed.
const CONTROL = Object.keys(initialControl());
function apply(r, ev) {
  const before = Object.fromEntries(CONTROL.map((k) => [k, r[k]]));
  const after = control(before, ev);
  Object.assign(r, after);
  return after !== before;
}
export function initRuns(p) {
  page = p;
}

// A run's message line: a function, so that it can be reworded in another language.
export function say(id, text) {
  runs[id].msg = text ? (typeof text === 'function' ? text : () => text) : null;
  $('.run-msg', runs[id].el).textContent = runs[id].msg ? runs[id].msg() : '';
}

// Measure again: forget every remembered trial; the runs restart (with their weights) and measure.
export function measureAgain() {
  try { localStorage.removeItem(MEMO_KEY); } catch (_) { /* nothing stored */ }
  IDS.forEach((id) => restartRun(id));
}

export const backendText = () => badgeText(runs);
export const backendBadge = () => badge(runs);

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

// A run's error in the reader's language: every code of www/common/codes.js (generated from Rust's
// error vocabulary) has words `err.<code>` in both tables; anything else shows its detail.
function errorText(id, msg) {
  const d = { detail: msg.detail, url: msg.url, status: msg.status, run: t(`run.${id}`) };
  return ERROR_CODES.includes(msg.code) ? t(`err.${msg.code.replace(/-/g, '_')}`, d) : msg.detail;
}

function thinHistory(h) {
  if (h.length <= HISTORY_MAX) return h;
  const half = Math.floor(h.length / 2);
  return [...h.slice(0, half).filter((_, i) => i % 2 === 0), ...h.slice(half)];
}

// A run's card after a status message (its step and steps/s, ~30 a second per run): at once when
// the card was last drawn 250 ms ago or more (so the first trained step shows as soon as it is
// made), otherwise once those 250 ms are up, with the latest status. Drawn at every message, the
// card's restyling and repainting cost the main thread 0.8 s of every 10 s of training (Chromium's
// profiler), time the two training workers lack on a 2-core laptop (issue 19).
const STATUS_RENDER_MS = 250;
const statusRender = {};
function renderStatus(id) {
  const s = (statusRender[id] ||= { at: -Infinity, timer: null });
  if (s.timer) return;
  const wait = s.at + STATUS_RENDER_MS - performance.now();
  const draw = () => {
    s.timer = null;
    s.at = performance.now();
    page.render(id);
  };
  if (wait <= 0) draw();
  else s.timer = setTimeout(draw, wait);
}

function onMessage(id, msg) {
  const r = runs[id];
  switch (msg.type) {
    case EV.ready: {
      const restart = r.restart;
      apply(r, { type: 'ready' });
      // point is null under autoplay: step 0 comes as a 'point' after the first step.
      Object.assign(r, { backend: msg.backend, label: msg.label, floor: msg.floor, step: msg.point ? msg.point.step : 0, trialPhase: null });
      if (restart && restart.lost) r.backend = { ...msg.backend, code: 'device-lost' };
      if (restart && restart.slow) r.backend = { ...msg.backend, code: 'guard-slow', guard: restart.slow, trial: restart.slow.trial };
      // A trial that measured (or caught wrong numbers) is remembered for this browser and adapter.
      const trial = msg.backend && msg.backend.trial;
      if (trial && !trial.remembered && ['faster', 'check-mismatch'].includes(trial.reason)) {
        saveMemo(remember(loadMemo(), trial.key, id, trial));
      }
      adopt(id, msg);
      if (restart && msg.restored && !msg.restored.error) {
        r.history = r.history.filter((p) => p.step < msg.point.step);
        r.history.push(msg.point);
        const step = msg.point.step;
        const reason = restart.lost ? restart.lost.reason : '';
        say(id, () => (restart.lost ? t('msg.device_lost', { reason, run: t(`run.${id}`), step })
          : restart.slow ? t('msg.guard_moved', { run: t(`run.${id}`), rate: figure(restart.slow.stepsPerSec), cpu: figure(restart.slow.cpu), step })
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
    case EV.reset: {
      // The curves start again: the run's old marks go, and the restart is marked.
      clearMarks(id);
      const markKey = { settings: 'mark.settings', preset: 'mark.preset' }[msg.reason] || 'mark.reset';
      addMark(id, msg.point.step, () => t(markKey));
      Object.assign(r, { label: msg.label, floor: msg.floor, history: [msg.point], step: msg.point.step, modes: null,
        switches: [] });
      apply(r, { type: 'reset' });
      adopt(id, msg);
      say(id, msg.reason ? () => t('msg.reset', { reason: reasonText(msg.reason), run: t(`run.${id}`) }) : '');
      break;
    }
    case EV.point:
      r.history.push(msg.point);
      // Step 0 measured late (autoplay) may follow a logged step: keep the history in step order.
      if (r.history.length > 1 && r.history[r.history.length - 2].step > msg.point.step) r.history.sort((a, b) => a.step - b.step);
      r.history = thinHistory(r.history);
      break;
    case EV.modes:
      r.modes = { ...msg.stats, step: msg.step };
      if (!page.isReplay()) drawModes($(`#modes-${id}`), msg.stats, COLORS[id]);
      break;
    case EV.samples:
      r.samples = msg.pixels;
      if (!page.isReplay()) drawGrid(r.el, msg.pixels);
      break;
    case EV.status:
      // Time from navigation to the first trained step on screen (issue 5's page target; the bench reads it).
      if (msg.step > 0 && !performance.getEntriesByName('earthmover:first-step').length) performance.mark('earthmover:first-step');
      // While a play or pause request is on its way, a status the worker posted before it arrived
      // would undo what the button just showed: `playing` follows the worker again once it answers.
      apply(r, { type: 'status', playing: msg.playing });
      Object.assign(r, { step: msg.step, stepsPerSec: msg.stepsPerSec, wasmBytes: msg.wasmBytes, poolBytes: msg.poolBytes || 0 });
      break;
    case EV.paused:
      r.step = msg.step;
      break;
    case EV.checkpoint:
      r.checkpoint = { step: msg.step, bytes: msg.bytes };
      break;
    case EV.diverged:
      apply(r, { type: 'diverged', step: msg.step, detail: msg.detail });
      say(id, () => t('msg.diverged', { run: t(`run.${id}`), step: msg.step, detail: msg.detail }));
      notice(() => t('msg.diverged', { run: t(`run.${id}`), step: msg.step, detail: msg.detail }), 'error');
      break;
    case EV.deviceLost:
      restartRun(id, { lost: msg });
      break;
    case EV.trial:
      r.trialPhase = msg;
      backendBadge();
      break;
    case EV.slow: {
      // The guard: remembered as the CPU's win, and the run moves there with its weights.
      const trial = r.backend && r.backend.trial;
      if (trial) saveMemo(remember(loadMemo(), msg.key || trial.key, id, { ...trial, chosen: 'cpu', reason: 'guard' }));
      const words = () => t('msg.guard_moved', { run: t(`run.${id}`), rate: figure(msg.stepsPerSec), cpu: figure(msg.cpu), step: msg.step });
      notice(words, 'warn');
      restartRun(id, { slow: { ...msg, trial } });
      break;
    }
    case EV.error: {
      const text = () => errorText(id, msg);
      r.lastError = text();
      if (msg.code === 'not-applied') {
        say(id, text);
      } else if (msg.code === 'classifier' || msg.code === 'classifier-fetch' || msg.code === 'classifier-http') {
        if (!r.classifierNoted) notice(text, 'warn'); // once per run; training goes on
        r.classifierNoted = true;
      } else {
        apply(r, { type: 'error', stops: true });
        say(id, text);
        notice(() => t('err.run', { run: t(`run.${id}`), detail: text() }), 'error');
      }
      if (msg.fatal) r.rejectReady(new Error(r.lastError));
      break;
    }
    default:
      break;
  }
  if (msg.type === EV.status) {
    renderStatus(id);
    return;
  }
  page.render(id);
  // The charts change only with the history (and the marks a reset adds). Redrawn after every
  // status message as well, they and the cards kept the main thread 37% busy, away from the two
  // training workers on a 2-core laptop; 22% with the charts redrawn on points only (issue 19).
  if (msg.type === EV.point || msg.type === EV.ready || msg.type === EV.reset) page.redraw();
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
    worker = worker || new Worker(new URL('../workers/run.js', import.meta.url), { type: 'module' });
  } catch (e) {
    onMessage(id, { type: EV.error, fatal: true, code: 'worker', detail: t('err.worker', { detail: e.message }) });
    return;
  }
  r.worker = worker;
  r.requests = new Requester(worker, (msg) => onMessage(id, msg));
  apply(r, { type: 'worker' }); // no play or pause of the old one is still on its way
  worker.onerror = (ev) => onMessage(id, { type: EV.error, fatal: !r.ready, code: 'worker',
    detail: t('err.worker_load', { detail: ev.message || 'script error' }) });
  const settings = r.settings || Object.entries(page.state.runs[id]).map(([k, v]) => [k, String(v)]);
  // The CPU wasm compiled once by boot.js (null: the worker compiles it and reports any error).
  // The run's `ready` event comes first; a failure to start rejects, and is the run's fatal error.
  Promise.resolve(cpuModule).then((module) => {
    // Which CPU build the worker trains with on the CPU ('simd' when it compiles its own).
    r.cpuBuild = module ? cpuBuild : 'simd';
    return r.requests.request(OP.init, { objective: id, preset: page.state.preset,
      settings, backend, dataUrl: DATA_URL, classifierUrl: CLASSIFIER_URL, heldOutUrl: HELD_OUT_URL, checkpoint: checkpoint ? checkpoint.bytes : null,
      autoplay, module, remembered: loadMemo(), fault: (page.state.fault || []).join(',') }, { transfer: checkpoint ? [checkpoint.bytes.buffer] : [] });
  })
    .catch((e) => { if (r.worker === worker) onMessage(id, { type: EV.error, fatal: true, ...errorOf(e) }); });
}

// One request to run `id`'s worker (www/common/protocol.js): resolves to its reply, rejects with
// its error. A reply that carries the run's step updates the card.
export function request(id, op, args = {}, opts = {}) {
  const r = runs[id];
  const p = r.requests.request(op, args, opts);
  const done = p.then((v) => {
    if (v && typeof v.step === 'number') r.step = v.step;
    page.render(id);
    return v;
  });
  return Object.assign(done, { reqId: p.reqId });
}

export function cancel(id, reqId) {
  runs[id].requests.cancel(reqId);
}

export function start(id) {
  const r = {
    id, el: buildCard(id, {
      play: () => (runs[id].playing ? pause(id) : play(id)),
      step: () => step(id, 1),
      // A refusal is on the card already (see reset).
      reset: () => reset(id, undefined, 'reset').catch(() => {}),
      apply: (settings) => reset(id, settings, 'settings').catch(() => {}),
      gridPng: () => {
        const v = page.view(id);
        if (v.samples) canvasBlob(gridCanvas(v.samples, 2)).then((b) => download(`earthmover-${id}-samples-step${v.step}.png`, b));
      },
      ganLoss: (loss) => setGanLoss(loss).catch((e) => say('gan', e.message)),
    }), history: [], step: 0, stepsPerSec: 0, samples: null,
    modes: null, switches: [], ganLoss: null, settings: null, defaults: null, checkpoint: null,
    requests: null, worker: null, msg: null, lastError: null, classifierNoted: false, trialPhase: null,
    backend: null, label: '', floor: null, cpuBuild: null, wasmBytes: 0, poolBytes: 0,
    ...initialControl(),
  };
  r.readyPromise = new Promise((res, rej) => { r.resolveReady = res; r.rejectReady = rej; });
  runs[id] = r;
  say(id, () => t('card.loading'));
  page.render(id);
  // ?autoplay=1: the worker starts training the moment it is ready (issue 5: first step on screen).
  startWorker(id, null, page.state.backend, !!page.state.autoplay && !page.isReplay());
}

// Move a run to another worker (a lost GPU device, or a backend switch), carrying its weights.
export async function restartRun(id, { lost = null, slow = null } = {}) {
  const r = runs[id];
  const wasReady = r.ready;
  if (!apply(r, { type: 'restart', lost, slow })) return; // already on its way to a new worker
  page.render(id);
  let cp = r.checkpoint;
  if (!lost && wasReady) cp = await r.requests.request(OP.checkpoint).catch(() => r.checkpoint);
  r.worker.terminate();
  r.requests.rejectAll(coded('device', lost ? 'the WebGPU device was lost' : 'the run moved to another worker'));
  r.checkpoint = null;
  if (cp) r.history = r.history.filter((p) => p.step <= cp.step);
  page.render(id);
  startWorker(id, cp, lost || slow ? 'cpu' : page.state.backend);
}

const targets = (id) => (id == null ? IDS : [id]);
export function check(id) {
  if (id != null && !IDS.includes(id)) throw new Error(t('err.unknown_run', { id: JSON.stringify(id) }, 'en'));
}

// A play or pause that fails is said on the run's card (issue 36: they were swallowed); one cut
// short because the run moved to another worker (a lost device, a backend switch) is no failure.
const toggleFailed = (x, worker) => (e) => {
  if (runs[x].worker !== worker) return;
  const { detail } = errorOf(e);
  say(x, () => t('err.run', { run: t(`run.${x}`), detail }));
};

export function play(id) {
  check(id);
  for (const x of targets(id)) {
    const r = runs[x];
    if (page.isReplay() || !apply(r, { type: 'play' })) continue;
    r.requests.request(OP.play).catch(toggleFailed(x, r.worker)).finally(() => apply(r, { type: 'toggled' }));
    page.render(x);
  }
}
// Resolves once each worker has finished its current training slice.
export function pause(id) {
  check(id);
  return Promise.all(targets(id).map((x) => {
    const r = runs[x];
    apply(r, { type: 'pause' });
    if (!r.ready) return undefined;
    page.render(x);
    return request(x, OP.pause).catch(toggleFailed(x, r.worker)).finally(() => apply(r, { type: 'toggled' }));
  })).then(() => {});
}
export function step(id, n = 1) {
  check(id);
  return Promise.all(targets(id).map((x) => {
    const r = runs[x];
    if (r.playing || !r.ready || page.isReplay()) return undefined;
    return request(x, OP.step, { n: Math.max(1, Math.floor(n)) });
  })).then(() => {});
}
// Rebuild a run with `settings` (the form's when none). Resolves once it is ready again; a refused
// setting rejects with the reason, which the run's card shows, and the run goes on unchanged.
export function reset(id, settings, reason = 'reset') {
  check(id);
  return Promise.all(targets(id).map((x) => {
    const r = runs[x];
    if (!r.ready) return undefined;
    const s = settings || readForm(x);
    return request(x, OP.reset, { settings: s, preset: page.state.preset, reason }).catch((e) => {
      onMessage(x, { type: EV.error, code: 'not-applied', detail: e.detail || e.message });
      throw e;
    });
  })).then(() => {});
}

// Switch the GAN's generator loss while it trains (no reset): resolves once the worker applied it,
// rejects when it refused.
export function setGanLoss(value) {
  const losses = wordsOf('gan_loss');
  if (!losses.includes(value)) {
    return Promise.reject(new Error(`gan_loss=${JSON.stringify(value)}: use ${losses.map((w) => JSON.stringify(w)).join(' or ')}`));
  }
  const r = runs.gan;
  return request('gan', OP.ganLoss, { value }).then((msg) => {
    r.label = msg.label;
    r.switches.push({ step: msg.step, to: msg.value });
    addMark('gan', msg.step, () => t('mark.loss', { loss: msg.value === 'saturating' ? t('loss.saturating') : t('sym.nonsaturating') }));
    adopt('gan', msg);
    say('gan', () => t('msg.loss_switched', { loss: msg.value === 'saturating' ? t('loss.saturating') : t('sym.nonsaturating'), step: msg.step }));
    page.render('gan');
    page.redraw();
  });
}

// Classify 1,000 samples of each run now: resolves to {gan: stats, wgan: stats}.
export function modes() {
  return Promise.all(IDS.map((id) => request(id, OP.modes).then(() => runs[id].modes)))
    .then(([gan, wgan]) => ({ gan, wgan }));
}
