// The page: two runs (each in its own worker), their cards, the charts, the page state in the
// address; window.earthmover is api.js's.
import { drawGrid, renderCard } from '../views/card.js';
import { Charts, COLORS, addMark, look, rebuildCharts } from '../views/charts.js';
import { onExport } from '../views/chart-export.js';
import { EnergyPanel } from '../panels/energy.js';
import { download } from './exporter.js';
import { Replays } from './replay.js';
import { installApi, snapshotOf } from './api.js';
import { applyI18n, detectLang, lang, noticeText, onLangChange, runName, setLang, setRunObjective, t } from './i18n.js';
import { Lab } from '../panels/lab.js';
import { drawModes } from '../views/modes.js';
import { fatal, notice, rewordNotices } from './notices.js';
import { OptimalityPanel } from '../panels/optimality.js';
import {
  backendBadge, cancel, initRuns, measureAgain, pause, play, request, reset, restartRun, runs, say, setGanLoss, start, step,
} from './runs.js';
import { LIMITS, PANELS, RUNS as IDS, parseState, serializeState, within } from './state.js';
import { Lesson } from './lesson.js';
import { tipStats } from '../views/tips.js';
import { setupUi } from './ui.js';
import { setupClass } from './class.js';
import { simd } from '../vendor/wasm-feature-detect.js';


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
// The wasm is built with SIMD (its matrix kernels need it); a browser without it is told so.
// A browser whose WebAssembly.validate throws cannot tell: the page tries, and a worker that cannot
// compile the build says why on its card (issue 35: one failing browser API costs its own feature).
let hasSimd = true;
try { hasSimd = await simd(); } catch (_) { hasSimd = true; }
if (!hasSimd) {
  fatal(t('err.no_simd'));
  throw new Error('no WebAssembly SIMD');
}

// The runs' objectives from the address, so that their names are right before they start.
for (const id of IDS) if (state.runs[id].objective) setRunObjective(id, state.runs[id].objective);

// Page-level notices now; a run setting's notice once that run says which value it uses instead.
const runNotices = { gan: [], wgan: [] };
for (const n of parsed.notices) {
  if (n.run) runNotices[n.run].push(n);
  else notice(() => noticeText(n));
}

// The address follows the state once per task, however many settings changed in it, and only
// when it changes (the first replaceState took ~25 ms of the page's start, issue 19).
let urlQueued = false;
const syncUrl = () => {
  if (urlQueued) return;
  urlQueued = true;
  queueMicrotask(() => {
    urlQueued = false;
    const next = `${location.pathname}${serializeState(state)}`;
    if (next !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', next);
  });
};
// A loaded run export or recording is shown in place of the live runs (replay.js).
const view = (id) => replays.view(id);
const replaying = () => !!replays.current;
// The charts are built once at start-up, in the page's language and look (each build lays the page
// out: issue 19's first step).
applyLook();
let chartsLang = lang();
const charts = new Charts({
  estimates: $('#chart-estimates'), probe: $('#chart-probe'), wopt: $('#chart-wopt'), emd: $('#chart-emd'), feature: $('#chart-feature'),
  signals: $('#chart-signals'),
});
const redraw = () => charts.update({ gan: view('gan').history, wgan: view('wgan').history },
  view('gan').floor ?? view('wgan').floor);
onExport((name, blob) => download(`earthmover-${name}`, blob));

function render(id) {
  renderCard(runs[id], view(id), replaying());
}

function drawView(id) {
  const v = view(id);
  drawGrid(runs[id].el, v.samples);
  if (v.modes) drawModes($(`#modes-${id}`), v.modes, COLORS[id]);
  else $(`#modes-${id}`).getContext('2d').clearRect(0, 0, 360, 170);
}

// replays is made below; snapshot() is first called once the page runs.
const snapshot = () => snapshotOf(view, replays);

// ---- panels: one visible at a time ----
const lab = new Lab((m) => notice(m, 'error'));
// Both lab panels run their experiment in a run's worker, through the protocol's requests.
const optimality = new OptimalityPanel({ request, cancel });
const energy = new EnergyPanel({ request, cancel });
const replays = new Replays({ runs, state, render, drawView, redraw, snapshot, pause });
initRuns({ state, syncUrl, view, isReplay: replaying, render, redraw, runNotices });
// The runs start before the rest of the page is wired, and the page lets their init requests go
// out before it builds the rest (issue 19: the first step after navigation).
IDS.forEach(start);
for (const id of IDS) applyI18n(runs[id].el); // the cards' words, should a frame be drawn now
await new Promise((ok) => { setTimeout(ok, 0); });
function showPanel(name) {
  if (!PANELS.includes(name)) name = 'live';
  const liveWasHidden = $('#panel-live').hidden;
  for (const p of PANELS) {
    $(`#panel-${p}`).hidden = p !== name;
    const tab = $(`#tab-${p}`);
    tab.setAttribute('aria-selected', String(p === name));
    tab.tabIndex = p === name ? 0 : -1;
  }
  if (name === 'lines' || name === 'gaussians') lab.show(name); else lab.hide();
  // Their ResizeObservers also see it; reading the boxes now spares a frame at the old size.
  if (name === 'live' && liveWasHidden) charts.resize();
  state.panel = name;
  syncUrl();
  return name;
}
document.querySelectorAll('.tabs [role=tab]').forEach((tab, i, all) => {
  tab.onclick = () => showPanel(tab.dataset.panel);
  tab.onkeydown = (ev) => {
    const d = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    ev.preventDefault(); // the arrow moves between tabs, not through the lesson
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
const mcmcForm = $('#mcmc-form').elements;
mcmcForm.run.value = state.mcmc_run;
mcmcForm.sampler.value = state.mcmc_sampler;
mcmcForm.eps.value = state.mcmc_eps;
mcmcForm.steps.value = state.mcmc_steps;
mcmcForm.prior.checked = state.mcmc_prior;
for (const [name, key, check] of [['run', 'mcmc_run', null], ['sampler', 'mcmc_sampler', null],
  ['eps', 'mcmc_eps', (v) => within(v, LIMITS.mcmc_eps)],
  ['steps', 'mcmc_steps', (v) => within(v, LIMITS.mcmc_steps, true)], ['prior', 'mcmc_prior', null]]) {
  mcmcForm[name].addEventListener('change', () => {
    const el = mcmcForm[name];
    const v = name === 'prior' ? el.checked : check ? Number(el.value) : el.value;
    if (check && !check(v)) return;
    state[key] = v;
    syncUrl();
  });
}
const optForm = $('#opt-form').elements;
optForm.run.value = state.opt_run;
optForm.steps.value = state.opt_k;
optForm.every.value = state.opt_every;
for (const [name, key, num] of [['run', 'opt_run', false], ['steps', 'opt_k', true], ['every', 'opt_every', true]]) {
  optForm[name].addEventListener('change', () => {
    const v = num ? Number(optForm[name].value) : optForm[name].value;
    if (num && !within(v, LIMITS.opt_steps, true)) return;
    state[key] = v;
    syncUrl();
  });
}
$('#preset').value = state.preset;
$('#backend-choice').value = state.backend;
document.body.dataset.hide = state.hide.join(' ');
if (state.hide.length) notice(() => t('notice.lesson', { controls: state.hide.map((c) => t(`control.${c}`)).join(', ') }), 'info');

// The charts' type size and height: presenter mode's, on a wide screen (700 px and wider, as in
// style.css) the one-screen dashboard's (style.css: the charts share the height left under the
// sample grids, three to a row). True when they changed, i.e. the charts must be built again.
function applyLook() {
  document.body.classList.toggle('presenter', state.presenter);
  const base = state.presenter ? { scale: 2, height: 320 } : { scale: 1, height: 230 };
  base.compact = matchMedia('(min-width: 700px)').matches;
  if (base.compact) {
    // A portrait tablet's charts, two to a row, take their height from the width.
    base.height = Math.round(Math.min(base.height, Math.max(130, Math.min(innerHeight * 0.2, innerWidth * 0.22))));
    // A 720p projector: presenter type on the charts at 1.5x, so that their plots keep some room.
    if (state.presenter && innerHeight < 800) base.scale = 1.5;
  }
  const changed = Object.keys(base).some((k) => look[k] !== base[k]);
  Object.assign(look, base);
  return changed;
}

function setPresenter(on) {
  state.presenter = !!on;
  $('#presenter-btn').setAttribute('aria-pressed', String(state.presenter));
  if (applyLook()) rebuildCharts();
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
  if (l !== chartsLang) {
    chartsLang = l;
    rebuildCharts();
  }
  optimality.showSummary();
  energy.showSummary();
  lesson.render();
  if (runs.gan) {
    for (const id of IDS) { if (runs[id].msg) say(id, runs[id].msg); render(id); }
    backendBadge();
    replays.showBanner();
  }
});

// The backend badge shows one line; a click, tap, Enter or Space unfolds or folds the rest.
{
  const badge = $('#backend');
  const unfold = () => badge.classList.toggle('open');
  badge.addEventListener('click', unfold);
  badge.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); unfold(); }
  });
}

// ---- backend choice: each run moves to new workers with its weights ----
$('#backend-choice').onchange = () => {
  state.backend = $('#backend-choice').value;
  syncUrl();
  IDS.forEach((id) => restartRun(id));
};

// Measure again: forget what this browser remembers of the backend trial, and measure now.
$('#measure-again').onclick = () => measureAgain();

$('#play-all').onclick = () => play();
$('#pause-all').onclick = () => pause();
$('#preset').onchange = () => {
  state.preset = $('#preset').value;
  IDS.forEach((id) => {
    const { seed, objective } = state.runs[id];
    runs[id].settings = null;
    // The new preset's values for the objective the run trains now, and its seed.
    reset(id, [...(objective ? [['objective', objective]] : []), ...(seed != null ? [['seed', String(seed)]] : [])], 'preset')
      .catch(() => {}); // a refusal is on the run's card
  });
};

// One-click comparisons: both runs restart with the chosen objectives (each with its own
// defaults under the current preset) and the left run's seed. Rejects when either run refused.
function compare(left, right) {
  const seedOf = (id) => (runs[id].settings || []).find(([k]) => k === 'seed')?.[1] ?? '1';
  const seed = String(state.runs.gan.seed ?? seedOf('gan'));
  return Promise.all([reset('gan', [['objective', left], ['seed', seed]], 'settings'),
    reset('wgan', [['objective', right], ['seed', seed]], 'settings')]).then(() => {
    notice(() => t('compare.started', { seed, a: runName('gan'), b: runName('wgan') }), 'info');
    return snapshot();
  });
}
document.querySelectorAll('[data-compare]').forEach((b) => {
  b.onclick = () => { const [l, r] = b.dataset.compare.split(','); compare(l, r).catch(() => {}); };
});

// ---- lesson mode: each step's one action ----
const lessonPage = {
  state, syncUrl, showPanel,
  covered: (id) => (view(id).modes ? view(id).modes.covered : 0),
  judged: (id) => view(id).history.filter((p) => p.step > 0 && p.w_opt != null).length,
  optProgress: null,
  // A marker on the charts at each run's current step.
  mark: (text) => {
    if (replaying()) return;
    for (const id of IDS) if (runs[id].history.length) addMark(id, runs[id].step, text);
    redraw();
  },
  act: async (name) => {
    switch (name) {
      case 'play': if (replaying()) replays.playback(true); else await play(); return;
      case 'optimality': {
        showPanel('optimality');
        addMark('gan', runs.gan.step, () => t('mark.optimal'));
        lessonPage.optProgress = { k: 0, total: 1000 };
        try {
          await optimality.run({ run: 'gan', steps: 1000, logEvery: 50, onProgress: (k, total) => { lessonPage.optProgress = { k, total }; } });
          lessonPage.optDone = true;
        } finally {
          lessonPage.optProgress = null;
        }
        return;
      }
      case 'loss': {
        await setGanLoss(runs.gan.ganLoss === 'saturating' ? 'nonsaturating' : 'saturating');
        if (!replaying() && !runs.gan.playing) await play('gan');
        return;
      }
      case 'lines': {
        showPanel('lines');
        const el = $('#theta');
        for (let i = 0; i <= 40; i++) {
          el.value = String(1 - i / 40);
          el.dispatchEvent(new Event('input'));
          el.dispatchEvent(new Event('change'));
          await new Promise((ok) => { setTimeout(ok, 100); });
        }
        return;
      }
      case 'compare': await compare('wgan', 'wgan_gp'); await play(); return;
      case 'mcmc': showPanel('energy'); await energy.run({ run: 'wgan' }); return;
      default: throw new Error(`unknown lesson action ${name}`);
    }
  },
};
const lesson = new Lesson(lessonPage);
$('#lesson-btn').onclick = () => (lesson.active ? lesson.close() : lesson.open(1));

const togglePlay = () => (IDS.some((id) => runs[id].playing) ? pause() : play());
setupUi({ state, lesson, play, pause, step: () => step(), reset: () => reset(undefined, undefined, 'reset').catch(() => {}), togglePlay, showPanel, setPresenter,
  setLanguage, language: lang });

// Everything is wired: fill in the words, open the panel.
tipStats(document.querySelector('main'));
setLang(lang());
setPresenter(state.presenter);
showPanel(state.panel);
replays.showBanner();
if (state.lesson) lesson.go(state.lesson);
// The page is whole: draw it (style.css hides it while it is built, so that nothing moves).
document.body.classList.remove('booting');
performance.mark('earthmover:drawn'); // scripts/pagebench.mjs: a step is on screen once the page is

// Offline after the first visit: the service worker (sw.js beside index.html) keeps the site's files.
if ('serviceWorker' in navigator && /^https?:$/.test(location.protocol)) {
  navigator.serviceWorker.register(new URL('../../sw.js', import.meta.url)).catch(() => { /* no offline copy; the page works */ });
}

const ready = Promise.all(IDS.map((id) => runs[id].readyPromise)).then(() => {
  if (state.autoplay) play();
});

// Class rooms: the Class dialog, and a student's join link (?class=CODE).
const classPage = { state, runs, ready, play: () => play(), pause: (id) => pause(id), say,
  reset: (id, settings, reason) => reset(id, settings, reason) };
setupClass(classPage);

installApi({
  ready, snapshot, view, compare, setPresenter, setLanguage, showPanel, lab, optimality, energy, replays, lesson, state,
});
