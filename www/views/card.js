// A run's card: controls, numbers, the sample grid, the settings form. Built once; renderCard fills
// it in the current language from the run's state (or from a loaded recording).
import { COLORS } from './charts.js';
import { gridCanvas } from '../page/exporter.js';
import { runObjective, t } from '../page/i18n.js';
import { modesText } from './modes.js';
import { settingsForm } from '../page/settings.js';
import { tip, tipStats } from './tips.js';

const $ = (sel, root = document) => root.querySelector(sel);

// `digits` decimals below 10, one fewer per power of ten above: a readout keeps its width (the
// WGAN's W_hat of 11.4920 overflowed its box at 1280x720).
function fmt(v, digits = 4) {
  if (v == null || Number.isNaN(v)) return '–';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return v.toExponential(2);
  const big = Math.abs(v) >= 10 ? Math.floor(Math.log10(Math.abs(v))) : 0;
  return v.toFixed(Math.max(0, digits - big));
}

export function buildCard(id, on) {
  const el = $(`#run-${id}`);
  el.innerHTML = `
    <h2><span class="swatch"></span><span class="name"></span> <small class="label"></small></h2>
    <div class="controls">
      <button type="button" class="play" data-control="play"></button>
      <button type="button" class="step" data-control="step"></button>
      <button type="button" class="reset" data-control="reset"></button>
    </div>
    <dl class="stats">
      <div><dt data-i18n="stat.step"></dt><dd class="v-step">0</dd></div>
      <div><dt data-i18n="stat.rate"></dt><dd class="v-rate">–</dd></div>
      <div><dt class="k-est"></dt><dd class="v-est">–</dd></div>
      <div><dt data-i18n="sym.emd"></dt><dd class="v-emd">–</dd></div>
      <div><dt data-i18n="sym.grad_g"></dt><dd class="v-gn">–</dd></div>
    </dl>
    ${id === 'gan' ? `<div class="toggle" role="group" data-control="loss" data-i18n-attr="aria-label:loss.aria">
      <span data-i18n="loss.label"></span>
      <button type="button" class="loss-btn" data-loss="saturating" aria-pressed="false" data-i18n="loss.saturating"></button>
      <button type="button" class="loss-btn" data-loss="nonsaturating" aria-pressed="true" data-i18n="sym.nonsaturating"></button>
    </div>` : ''}
    <canvas class="grid" width="224" height="224" role="img"></canvas>
    <p class="grid-tools" data-control="export"><button type="button" class="grid-png" data-i18n="grid.png"></button></p>
    <p class="run-msg" role="status" aria-live="polite"></p>
    <details class="settings" data-control="settings"><summary data-i18n="card.settings"></summary></details>`;
  $('.swatch', el).style.background = COLORS[id];
  tipStats(el);
  $('.settings', el).append(settingsForm(id, on.apply));
  $('.play', el).onclick = on.play;
  $('.step', el).onclick = on.step;
  $('.reset', el).onclick = on.reset;
  $('.grid-png', el).onclick = on.gridPng;
  el.querySelectorAll('.loss-btn').forEach((b) => { b.onclick = () => on.ganLoss(b.dataset.loss); });
  return el;
}

// "GAN (−log D)", "WGAN (clip 0.05)", "WGAN-GP (λ 10)" in the reader's language, from the run's
// settings.
function runLabel(v) {
  const get = (key) => { const p = (v.settings || []).find(([k]) => k === key); return p ? p[1] : null; };
  switch (get('objective')) {
    case 'gan': return get('gan_loss') === 'saturating' ? t('label.gan_sat') : t('sym.label_gan_ns');
    case 'wgan': return t('label.wgan', { clip: get('clip') });
    case 'wgan_gp': return t('label.wgan_gp', { lambda: get('lambda') });
    case 'energy': return t('label.energy', { lambda: get('lambda'), lambda2: get('lambda2') });
    default: return v.label;
  }
}

// Fill a run's card from the run `r` (controls) and what is shown, `v` (the run or a recording).
export function renderCard(r, v, replay) {
  const { id, el } = r;
  const name = t(`run.${id}`);
  const last = v.history[v.history.length - 1] || {};
  const label = replay ? t('card.recorded') : runLabel(v);
  const objective = runObjective(id);
  $('.name', el).textContent = name;
  $('.k-est', el).textContent = t(objective === 'gan' ? 'sym.js_hat' : 'sym.w_hat');
  const estTile = $('.k-est', el).parentElement;
  const estTip = objective === 'gan' ? 'tip.sym.js_hat' : objective === 'energy' ? 'tip.sym.gap' : 'tip.sym.w_hat';
  if (estTile.dataset.tip !== estTip) tip(estTile, estTip);
  const loss = $('.toggle', el);
  if (loss) loss.hidden = objective !== 'gan';
  $('.label', el).textContent = label ? `· ${label}` : '';
  $('.v-step', el).textContent = v.step;
  $('.v-rate', el).textContent = !replay && r.playing ? r.stepsPerSec.toFixed(1) : '–';
  // The clipped WGAN's W_hat is measured every fifth point: show the latest one.
  const est = v.history.findLast((p) => (p.js_hat ?? p.w_hat) != null) || {};
  $('.v-est', el).textContent = fmt(est.js_hat ?? est.w_hat);
  $('.v-emd', el).textContent = fmt(last.emd, 3);
  $('.v-gn', el).textContent = fmt(last.grad_norm_g, 3);
  const live = r.ready && !replay;
  const play = $('.play', el);
  play.textContent = r.playing ? t('card.pause') : t('card.play');
  play.setAttribute('aria-label', t(r.playing ? 'card.pause_aria' : 'card.play_aria', { run: name }));
  play.disabled = !live || !!r.diverged;
  const stepBtn = $('.step', el);
  stepBtn.textContent = t('card.step');
  stepBtn.setAttribute('aria-label', t('card.step_aria', { run: name }));
  stepBtn.disabled = !live || r.playing || !!r.diverged;
  const resetBtn = $('.reset', el);
  resetBtn.textContent = t('card.reset');
  resetBtn.setAttribute('aria-label', t('card.reset_aria', { run: name }));
  resetBtn.disabled = !live;
  $('.settings-form button[type=submit]', el).disabled = !live;
  $('.grid', el).setAttribute('aria-label', t('grid.aria', { run: name }));
  $('.grid-png', el).setAttribute('aria-label', t('grid.png_aria', { run: name }));
  $('.grid-png', el).disabled = !v.samples;
  el.querySelectorAll('.loss-btn').forEach((b) => {
    b.setAttribute('aria-pressed', String(b.dataset.loss === r.ganLoss));
    b.disabled = !live || !!r.diverged;
  });
  const fmtRho = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(2));
  $(`#rho-${id}-est`).textContent = fmtRho(last.rho_est);
  $(`#rho-${id}-probe`).textContent = fmtRho(last.rho_probe);
  $(`#rho-${id}-feature`).textContent = fmtRho(last.rho_feature);
  $(`#modes-${id}`).setAttribute('aria-label', t('modes.aria', { run: name }));
  $(`#modes-${id}-text`).textContent = v.modes ? modesText(name, v.modes, v.modes.step) : t('modes.empty', { run: name });
}

export function drawGridTo(canvas, pixels) {
  const ctx = canvas.getContext('2d');
  if (!pixels) { ctx.clearRect(0, 0, canvas.width, canvas.height); return; }
  ctx.drawImage(gridCanvas(pixels, 1), 0, 0);
}

export function drawGrid(el, pixels) {
  drawGridTo($('.grid', el), pixels);
}
