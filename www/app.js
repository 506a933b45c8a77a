// The page: two runs (each in its own worker), their cards, the charts, the page state in the
// address, and window.earthmover.
import { Charts, COLORS, look, onExport, rebuildCharts } from './charts.js';
import { buildRun, canvasBlob, download, gridCanvas, parseRun } from './exporter.js';
import { detectLang, lang, noticeText, onLangChange, setLang, t } from './i18n.js';
import { Lab } from './lab.js';
import { drawModes } from './modes.js';
import { OptimalityPanel } from './optimality.js';
import { buildCard, drawGrid, renderCard } from './card.js';
import { fatal, notice, rewordNotices } from './notices.js';
import { fillForm, readForm } from './settings.js';
import { PANELS, RUNS as IDS, overrides, parseState, serializeState } from './state.js';
import { linkFor, setupUi } from './ui.js';

const DATA_URL = new URL('./data/mnist-train-2k.bin.gz', import.meta.url).href;
const CLASSIFIER_URL = new URL('./data/classifier.bpk', import.meta.url).href;
// Logged points kept per run; beyond this the older half is thinned (drawing thins further).
const HISTORY_MAX = 20000;

const $ = (sel, root = document) => root.querySelector(sel);
const parsed = parseState(location.search);
const state = parsed.state;
// An old-style #panel fragment still opens that panel.
if (PANELS.includes(location.hash.slice(1)) && !new URLSearchParams(location.search).has('panel')) state.panel = location.hash.slice(1);
setLang(state.lang || detectLang(navigator.languages || [navigator.language]));

if (typeof WebAssembly !== 'object' || typeof Worker !== 'function') {
  fatal(t('err.no_wasm'));
  throw new Error('no WebAssembly');
}

// Page-level notices now; a run setting's notice once that run says which value it uses instead.
const runNotices = { gan: [], wgan: [] };
for (const n of parsed.notices) {
  if (n.run) runNotices[n.run].push(n);
  else notice(() => noticeText(n));
}

const syncUrl = () => history.replaceState(null, '', `${location.pathname}${serializeState(state)}`);
const runs = {};
let replay = null; // a loaded recording: {file, exported, runs}
const view = (id) => (replay ? replay.runs[id] : runs[id]);
const charts = new Charts({
  estimates: $('#chart-estimates'), probe: $('#chart-probe'), emd: $('#chart-emd'), signals: $('#chart-signals'),
});
const redraw = () => charts.update({ gan: view('gan').history, wgan: view('wgan').history },
  view('gan').floor ?? view('wgan').floor);
onExport((name, blob) => download(`earthmover-${name}`, blob));

// A run's message line: a function, so that it can be reworded in another language.
function say(id, text) {
  runs[id].msg = text ? (typeof text === 'function' ? text : () => text) : null;
  $('.run-msg', runs[id].el).textContent = runs[id].msg ? runs[id].msg() : '';
}

function render(id) {
  renderCard(runs[id], view(id), !!replay);
}

function drawView(id) {
  const v = view(id);
  drawGrid(runs[id].el, v.samples);
  if (v.modes) drawModes($(`#modes-${id}`), v.modes, COLORS[id]);
  else $(`#modes-${id}`).getContext('2d').clearRect(0, 0, 360, 170);
}

function backendText() {
  const b = IDS.map((id) => runs[id].backend).filter(Boolean);
  if (!b.length) return t('backend.starting');
  const labels = [...new Set(b.map((x) => (x.backend === 'cpu' ? t('backend.cpu') : x.label)))];
  const reasons = [...new Set(b.map((x) => (x.code ? t(`reason.${x.code}`, { adapter: x.adapter, detail: x.detail }) : '')).filter(Boolean))];
  return reasons.length ? t('backend.training_why', { labels: labels.join(' / '), reasons: reasons.join('; ') })
    : t('backend.training', { labels: labels.join(' / ') });
}
function backendBadge() {
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
  state.runs[id] = overrides(id, msg.settings, r.defaults || []);
  fillForm(id, msg.settings);
  syncUrl();
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

function onMessage(id, msg) {
  const r = runs[id];
  switch (msg.type) {
    case 'ready': {
      const restart = r.restart;
      r.restart = null;
      Object.assign(r, { ready: true, backend: msg.backend, label: msg.label, floor: msg.floor, step: msg.point.step, diverged: null });
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
        r.history = [msg.point];
        r.modes = null;
        if (restart && restart.lost) {
          notice(() => t('msg.device_lost_fresh', { reason: restart.lost.reason, run: t(`run.${id}`) }), 'warn');
        } else if (restart && msg.restored && msg.restored.error) {
          notice(() => t('msg.restore_failed', { run: t(`run.${id}`), detail: msg.restored.error }), 'error');
        }
        if (!restart) say(id, '');
      }
      for (const n of runNotices[id].splice(0)) {
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
      r.history = thinHistory(r.history);
      break;
    case 'modes':
      r.modes = { ...msg.stats, step: msg.step };
      if (!replay) drawModes($(`#modes-${id}`), msg.stats, COLORS[id]);
      break;
    case 'modes-done':
      (r.waiters.modes.get(msg.reqId) || (() => {}))();
      r.waiters.modes.delete(msg.reqId);
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
      optimality.onMessage(id, msg);
      if (msg.type === 'opt-done') r.step = msg.step;
      break;
    case 'samples':
      r.samples = msg.pixels;
      if (!replay) drawGrid(r.el, msg.pixels);
      break;
    case 'status':
      Object.assign(r, { step: msg.step, playing: msg.playing, stepsPerSec: msg.stepsPerSec, wasmBytes: msg.wasmBytes });
      break;
    case 'paused':
      r.step = msg.step;
      r.waiters.pause.splice(0).forEach((f) => f());
      break;
    case 'stepped':
      (r.waiters.step.get(msg.reqId) || (() => {}))();
      r.waiters.step.delete(msg.reqId);
      break;
    case 'checkpoint':
      r.checkpoint = { step: msg.step, bytes: msg.bytes };
      if (msg.reqId) (r.waiters.checkpoint.get(msg.reqId) || (() => {}))(r.checkpoint);
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
  render(id);
  redraw();
}

const reasonText = (reason) => {
  if (reason === 'settings') return t('reason.settings');
  if (reason === 'preset') return t('reason.preset', { preset: t(`preset.${state.preset}`) });
  if (reason === 'reset') return t('reason.reset');
  return reason;
};

function startWorker(id, checkpoint, backend = state.backend) {
  const r = runs[id];
  let worker;
  try {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch (e) {
    onMessage(id, { type: 'error', fatal: true, code: 'worker', detail: t('err.worker', { detail: e.message }) });
    return;
  }
  r.worker = worker;
  worker.onmessage = (ev) => onMessage(id, ev.data);
  worker.onerror = (ev) => onMessage(id, { type: 'error', fatal: !r.ready, code: 'worker',
    detail: t('err.worker_load', { detail: ev.message || 'script error' }) });
  const settings = r.settings || Object.entries(state.runs[id]).map(([k, v]) => [k, String(v)]);
  worker.postMessage({ type: 'init', objective: id, preset: state.preset, settings, backend, dataUrl: DATA_URL,
    classifierUrl: CLASSIFIER_URL, checkpoint: checkpoint ? checkpoint.bytes : null }, checkpoint ? [checkpoint.bytes.buffer] : []);
}

function start(id) {
  const r = {
    id, el: buildCard(id, {
      play: () => (runs[id].playing ? pause(id) : play(id)),
      step: () => step(id, 1),
      reset: () => reset(id, undefined, 'reset'),
      apply: (settings) => reset(id, settings, 'settings'),
      gridPng: () => {
        const v = view(id);
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
  render(id);
  startWorker(id, null);
}

// Move a run to another worker (a lost GPU device, or a backend switch), carrying its weights.
async function restartRun(id, { lost = null } = {}) {
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
  render(id);
  startWorker(id, cp, lost ? 'cpu' : state.backend);
}

const targets = (id) => (id == null ? IDS : [id]);
function check(id) {
  if (id != null && !IDS.includes(id)) throw new Error(t('err.unknown_run', { id: JSON.stringify(id) }, 'en'));
}

function play(id) {
  check(id);
  for (const x of targets(id)) {
    const r = runs[x];
    if (!r.ready || r.diverged || replay) continue;
    r.playing = true;
    r.wasPlaying = true;
    r.worker.postMessage({ type: 'play' });
    render(x);
  }
}
// Resolves once each worker has finished its current training slice.
function pause(id) {
  check(id);
  return Promise.all(targets(id).map((x) => new Promise((resolve) => {
    const r = runs[x];
    r.wasPlaying = false;
    if (!r.ready) { resolve(); return; }
    r.waiters.pause.push(resolve);
    r.playing = false;
    r.worker.postMessage({ type: 'pause' });
    render(x);
  })));
}
function step(id, n = 1) {
  check(id);
  return Promise.all(targets(id).map((x) => new Promise((resolve) => {
    const r = runs[x];
    if (r.playing || !r.ready || replay) { resolve(); return; }
    const reqId = ++r.reqId;
    r.waiters.step.set(reqId, resolve);
    r.worker.postMessage({ type: 'step', n: Math.max(1, Math.floor(n)), reqId });
  })));
}
function reset(id, settings, reason = 'reset') {
  check(id);
  return Promise.all(targets(id).map((x) => new Promise((resolve) => {
    const r = runs[x];
    if (!r.ready) { resolve(); return; }
    r.waiters.reset.push(resolve);
    const s = settings || readForm(x);
    r.worker.postMessage({ type: 'reset', settings: s, preset: state.preset, reason });
  })));
}

// Switch the GAN's generator loss while it trains (no reset): resolves once the worker applied it.
function setGanLoss(value) {
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
function modes() {
  return Promise.all(IDS.map((id) => new Promise((resolve) => {
    const r = runs[id];
    const reqId = ++r.reqId;
    r.waiters.modes.set(reqId, () => resolve(r.modes));
    r.worker.postMessage({ type: 'modes', reqId });
  }))).then(([gan, wgan]) => ({ gan, wgan }));
}

function snapshot() {
  return {
    backend: runs.gan.backend ? runs.gan.backend.label : null,
    backendReason: runs.gan.backend ? runs.gan.backend.reason : null,
    language: lang(),
    replay: replay ? { file: replay.file, exported: replay.exported } : null,
    runs: IDS.map((id) => {
      const r = runs[id];
      const v = view(id);
      const last = v.history[v.history.length - 1] || null;
      const metrics = last ? { ...last } : null;
      if (metrics) delete metrics.step;
      return { id, objective: v.label || id, backend: r.backend ? r.backend.label : null, step: v.step,
        playing: r.playing, stepsPerSec: r.stepsPerSec, metrics, emdFloor: v.floor ?? null, error: r.lastError || null,
        ganLoss: id === 'gan' ? r.ganLoss : null, modes: v.modes, diverged: r.diverged, checkpointStep: r.checkpoint ? r.checkpoint.step : null,
        wasmBytes: r.wasmBytes || 0, points: v.history.length };
    }),
  };
}

function samples(id) {
  check(id);
  const s = view(id).samples;
  return s ? { width: 28, height: 28, count: 64, pixels: new Uint8Array(s) } : null;
}

// ---- panels: one visible at a time ----
const lab = new Lab((m) => notice(m, 'error'));
const optimality = new OptimalityPanel((id, msg) => runs[id].worker.postMessage(msg));
function showPanel(name) {
  if (!PANELS.includes(name)) name = 'live';
  for (const p of PANELS) {
    $(`#panel-${p}`).hidden = p !== name;
    const tab = $(`#tab-${p}`);
    tab.setAttribute('aria-selected', String(p === name));
    tab.tabIndex = p === name ? 0 : -1;
  }
  if (name === 'lines' || name === 'gaussians') lab.show(name); else lab.hide();
  if (name === 'live') charts.resize();
  state.panel = name;
  syncUrl();
  return name;
}
document.querySelectorAll('.tabs [role=tab]').forEach((tab, i, all) => {
  tab.onclick = () => showPanel(tab.dataset.panel);
  tab.onkeydown = (ev) => {
    const d = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    const next = all[(i + d + all.length) % all.length];
    next.focus();
    showPanel(next.dataset.panel);
  };
});
window.addEventListener('hashchange', () => showPanel(location.hash.slice(1)));

// ---- page state that is not a run setting: sliders, forms, presenter mode, language, backend ----
$('#theta').value = state.theta;
$('#mu-r').value = state.mu_r;
$('#mu-g').value = state.mu_g;
for (const [el, key] of [['#theta', 'theta'], ['#mu-r', 'mu_r'], ['#mu-g', 'mu_g']]) {
  $(el).addEventListener('change', () => { state[key] = Number($(el).value); syncUrl(); });
}
const optForm = $('#opt-form').elements;
optForm.run.value = state.opt_run;
optForm.steps.value = state.opt_k;
optForm.every.value = state.opt_every;
for (const [name, key, num] of [['run', 'opt_run', false], ['steps', 'opt_k', true], ['every', 'opt_every', true]]) {
  optForm[name].addEventListener('change', () => {
    const v = num ? Number(optForm[name].value) : optForm[name].value;
    if (num && !(Number.isInteger(v) && v >= 1 && v <= 20000)) return;
    state[key] = v;
    syncUrl();
  });
}
$('#preset').value = state.preset;
$('#backend-choice').value = state.backend;
document.body.dataset.hide = state.hide.join(' ');
if (state.hide.length) notice(() => t('notice.lesson', { controls: state.hide.map((c) => t(`control.${c}`)).join(', ') }), 'info');

function setPresenter(on) {
  state.presenter = !!on;
  document.body.classList.toggle('presenter', state.presenter);
  $('#presenter-btn').setAttribute('aria-pressed', String(state.presenter));
  Object.assign(look, state.presenter ? { scale: 2, height: 320 } : { scale: 1, height: 230 });
  rebuildCharts();
  syncUrl();
}

function setLanguage(l) {
  state.lang = l;
  setLang(l);
  syncUrl();
}
onLangChange((l) => {
  document.querySelectorAll('.lang-btn').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === l)));
  rewordNotices();
  rebuildCharts();
  optimality.showSummary();
  if (runs.gan) {
    for (const id of IDS) { if (runs[id].msg) say(id, runs[id].msg); render(id); }
    backendBadge();
    showReplayBanner();
  }
});

// ---- recorded runs: export, load, replay ----
function exportRun() {
  const src = Object.fromEntries(IDS.map((id) => {
    const v = view(id);
    return [id, { ...v, backend: runs[id].backend ? runs[id].backend.label : null, settings: v.settings || runs[id].settings }];
  }));
  return buildRun(src, linkFor(state));
}
$('#export-run').onclick = () => download(`earthmover-run-gan${view('gan').step}-wgan${view('wgan').step}.json`, exportRun());

function showReplayBanner() {
  $('#replay').hidden = !replay;
  if (replay) {
    $('#replay-text').textContent = t('export.replay', { file: replay.file, date: replay.exported || '?',
      gan: replay.runs.gan.step, wgan: replay.runs.wgan.step });
  }
}
async function loadRun(text, file = 'file') {
  const res = parseRun(text);
  if (!res.ok) {
    notice(() => t('export.bad', { detail: res.error }), 'error');
    throw new Error(res.error);
  }
  await pause();
  replay = { file, ...res.run };
  for (const id of IDS) { render(id); drawView(id); }
  showReplayBanner();
  redraw();
  return snapshot();
}
function leaveReplay() {
  replay = null;
  for (const id of IDS) { render(id); drawView(id); }
  showReplayBanner();
  redraw();
}
$('#replay-back').onclick = leaveReplay;
$('#load-run').onchange = async (ev) => {
  const f = ev.target.files[0];
  ev.target.value = '';
  if (!f) return;
  try {
    await loadRun(await f.text(), f.name);
  } catch (_) { /* the notice says why */ }
};

// ---- backend choice: each run moves to new workers with its weights ----
$('#backend-choice').onchange = () => {
  state.backend = $('#backend-choice').value;
  syncUrl();
  IDS.forEach((id) => restartRun(id));
};

$('#play-all').onclick = () => play();
$('#pause-all').onclick = () => pause();
$('#preset').onchange = () => {
  state.preset = $('#preset').value;
  IDS.forEach((id) => {
    const seed = state.runs[id].seed;
    runs[id].settings = null;
    reset(id, seed != null ? [['seed', String(seed)]] : [], 'preset');
  });
};

const togglePlay = () => (IDS.some((id) => runs[id].playing) ? pause() : play());
setupUi({ state, play, pause, step: () => step(), reset: () => reset(undefined, undefined, 'reset'), togglePlay, showPanel, setPresenter,
  setLanguage, language: lang });

// Everything is wired: start the runs, fill in the words, open the panel.
IDS.forEach(start);
setLang(lang());
setPresenter(state.presenter);
showPanel(state.panel);
showReplayBanner();

const ready = Promise.all(IDS.map((id) => runs[id].readyPromise)).then(() => {
  if (state.autoplay) play();
});

window.earthmover = {
  ready,
  snapshot,
  history: (id) => { check(id); return view(id).history.map((p) => ({ ...p })); },
  samples,
  play,
  pause,
  step,
  reset: (id) => reset(id, undefined, 'reset'),
  setGanLoss,
  modes,
  showPanel,
  state: () => JSON.parse(JSON.stringify(state)),
  link: () => linkFor(state),
  setLanguage,
  setPresenter,
  exportRun: () => exportRun().text().then((s) => JSON.parse(s)),
  loadRun: (json) => loadRun(typeof json === 'string' ? json : JSON.stringify(json), 'api'),
  leaveReplay,
  // Each experiment resolves to its numbers; see README "Experiments".
  experiment(name, p = {}) {
    switch (name) {
      case 'parallel-lines': return lab.experiment('lines', p);
      case 'two-gaussians': return lab.experiment('gaussians', p);
      case 'optimality': return optimality.run(p);
      case 'rank-correlation': return Promise.resolve(Object.fromEntries(IDS.map((id) => {
        const last = runs[id].history[runs[id].history.length - 1] || {};
        return [id, { step: runs[id].step, points: runs[id].history.length, rho_est: last.rho_est ?? null,
          rho_probe: last.rho_probe ?? null }];
      })));
      case 'mode-collapse': return modes();
      case 'neglogd': return setGanLoss(p.on === false ? 'saturating' : 'nonsaturating').then(() => ({ gan_loss: runs.gan.ganLoss }));
      default: return Promise.reject(new Error(`unknown experiment ${JSON.stringify(name)}; use parallel-lines, two-gaussians, optimality, rank-correlation, mode-collapse or neglogd`));
    }
  },
};
