// The toy-case panels (docs/theory.md 3): parallel lines and two Gaussians. Exact curves are drawn from
// the closed forms (computed in Rust, in the lab worker); the live estimates come from the small
// networks the lab worker trains. The worker starts when a toy panel is first opened.
import { Requester, TOY_EVENTS, TOY_OPS } from '../common/protocol.js';
import { COLORS, line, managedChart } from '../views/charts.js';
import { logTicks } from '../views/scales.js';
import { t } from '../page/i18n.js';
import { cpuModule } from '../page/boot.js';

const $ = (sel) => document.querySelector(sel);
const LN2 = Math.log(2);
const SIGMA = 0.5;
const fmt = (v, d = 3) => (v == null || Number.isNaN(v) ? '–' : v === Infinity ? '+∞' : v.toFixed(d));

function normal(x, mu) {
  const z = (x - mu) / SIGMA;
  return Math.exp(-0.5 * z * z) / (SIGMA * Math.sqrt(2 * Math.PI));
}

export class Lab {
  constructor(onError) {
    this.worker = null;
    this.onError = onError;
    this.charts = {};
    this.latest = {};
    $('#theta').oninput = () => this.moved('lines');
    $('#mu-r').oninput = () => this.moved('gaussians');
    $('#mu-g').oninput = () => this.moved('gaussians');
  }

  // The toy worker's requests (www/common/protocol.js TOY_OPS); its frames go to onMessage.
  toy() {
    if (this.requests) return this.requests;
    this.worker = new Worker(new URL('../workers/toy.js', import.meta.url), { type: 'module' });
    this.requests = new Requester(this.worker, (msg) => this.onMessage(msg));
    this.worker.onerror = (ev) => this.onError(t('lab.failed', { detail: ev.message || 'script error' }));
    // The CPU build the page compiled (boot.js); the worker's other requests wait for it.
    Promise.resolve(cpuModule).then((module) => this.requests.request(TOY_OPS.init, { module }))
      .catch(() => { /* the requests waiting for it fail with its error, and say so */ });
    return this.requests;
  }

  params(kind) {
    return kind === 'lines'
      ? { a: Number($('#theta').value) }
      : { a: Number($('#mu-r').value), b: Number($('#mu-g').value) };
  }

  show(kind) {
    this.makeCharts(kind);
    this.moved(kind);
    $(kind === 'lines' ? '#lines-msg' : '#gauss-msg').textContent = t('lab.training');
  }

  hide() {
    if (this.requests) this.requests.request(TOY_OPS.stop).catch(() => {});
  }

  moved(kind) {
    const p = this.params(kind);
    if (kind === 'lines') {
      $('#theta-out').textContent = p.a.toFixed(2);
      this.drawSegments(p.a);
    } else {
      $('#mu-r-out').textContent = p.a.toFixed(2);
      $('#mu-g-out').textContent = p.b.toFixed(2);
    }
    if (document.querySelector(`#panel-${kind}`).hidden) return;
    this.toy().request(TOY_OPS.live, { kind, ...p }).catch((e) => this.onError(t('lab.stopped', { detail: e.message })));
  }

  makeCharts(kind) {
    if (this.charts[kind]) return;
    if (kind === 'lines') {
      this.charts.lines = managedChart($('#chart-lines'), () => ({
        name: 'parallel-lines', title: t('chart.lines'),
        series: [
          line(t('series.kl_exact'), COLORS.kl, 'd', { dash: [2, 3] }),
          line(t('series.js_exact'), COLORS.js, 'd'),
          line(t('series.w_exact'), COLORS.w, 'd'),
          line(t('series.js_live'), COLORS.js, 'd', { width: 0, points: { show: true, size: 10, fill: COLORS.js } }),
          line(t('series.w_live'), COLORS.w, 'd', { width: 0, points: { show: true, size: 10, fill: COLORS.w } }),
        ],
        axes: [{ scale: 'd', label: t('axis.div') }], scales: { d: { range: [0, 1.05] } }, x: { label: 'θ', range: [-1, 1] },
      }));
    } else {
      this.charts.gaussians = managedChart($('#chart-gauss'), () => ({
        name: 'two-gaussians', title: t('chart.gauss'),
        series: [
          line(t('series.pr'), COLORS.real, 'p', { fill: 'rgba(0,158,115,0.12)' }),
          line(t('series.pg'), COLORS.fake, 'p', { fill: 'rgba(230,159,0,0.12)' }),
          line(t('sym.d'), COLORS.gan, 'p', { width: 3 }),
          line(t('series.f'), COLORS.wgan, 'f', { width: 3 }),
        ],
        axes: [{ scale: 'p', label: t('axis.density') }, { scale: 'f', side: 1, label: t('sym.f_axis'), grid: { show: false } }],
        scales: { p: { range: [0, 1.05] }, f: { auto: true } }, x: { label: 'x' },
      }));
      this.charts.gaussGrad = managedChart($('#chart-gauss-grad'), () => ({
        name: 'two-gaussians-gradient', title: t('chart.gauss_grad'),
        series: [
          line(t('sym.dd'), COLORS.gan, 'g', { width: 3 }),
          line(t('sym.df'), COLORS.wgan, 'g', { width: 3 }),
          line(t('series.pg'), COLORS.fake, 'g', { dash: [3, 3] }),
        ],
        axes: [{ scale: 'g', label: t('axis.grad'), values: logTicks }], scales: { g: { distr: 3, range: [1e-8, 10] } }, x: { label: 'x' },
      }));
    }
  }

  drawSegments(theta) {
    const c = $('#lines-picture');
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    const x = (v) => 130 + v * 100;
    ctx.strokeStyle = '#c8c6c0';
    ctx.beginPath(); ctx.moveTo(20, 170); ctx.lineTo(240, 170); ctx.stroke();
    ctx.lineWidth = 5;
    ctx.strokeStyle = COLORS.real;
    ctx.beginPath(); ctx.moveTo(x(0), 170); ctx.lineTo(x(0), 40); ctx.stroke();
    ctx.strokeStyle = COLORS.fake;
    ctx.beginPath(); ctx.moveTo(x(theta), 170); ctx.lineTo(x(theta), 40); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = '#1b1b1f';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('P₀', x(0), 30);
    ctx.fillText('P_θ', x(theta), 30);
    ctx.fillText('0', x(0), 188);
    ctx.fillText(`θ = ${theta.toFixed(2)}`, x(theta), 188);
  }

  onMessage(msg) {
    if (msg.type === TOY_EVENTS.error) {
      this.onError(t('lab.stopped', { detail: msg.detail }));
      return;
    }
    if (msg.type !== TOY_EVENTS.frame) return;
    this.latest[msg.kind] = msg;
    if (msg.kind === 'lines') this.drawLines(msg); else this.drawGaussians(msg);
  }

  drawLines({ point, exact }) {
    const theta = Number($('#theta').value);
    $('#l-kl').textContent = fmt(exact.kl);
    $('#l-js').textContent = fmt(exact.js);
    $('#l-jshat').textContent = fmt(point.js_hat);
    $('#l-w').textContent = fmt(exact.w);
    $('#l-what').textContent = fmt(point.w_hat);
    $('#l-k').textContent = fmt(point.lipschitz);
    $('#lines-msg').textContent = t('lab.lines_trained', { step: point.step });
    const xs = [];
    for (let i = 0; i <= 200; i++) xs.push(-1 + i / 100);
    xs.push(theta);
    const uniq = [...new Set(xs.map((v) => Number(v.toFixed(4))))].sort((a, b) => a - b);
    const kl = uniq.map((t) => (Math.abs(t) < 1e-9 ? 0 : 1.05));
    const js = uniq.map((t) => (Math.abs(t) < 1e-9 ? 0 : LN2));
    const w = uniq.map((t) => Math.abs(t));
    const jsHat = uniq.map((t) => (Math.abs(t - theta) < 1e-9 ? point.js_hat : null));
    const wHat = uniq.map((t) => (Math.abs(t - theta) < 1e-9 ? point.w_hat : null));
    this.charts.lines.setData([uniq, kl, js, w, jsHat, wHat]);
  }

  drawGaussians({ point, exact, profile }) {
    const { a: muR, b: muG } = this.params('gaussians');
    $('#g-kl').textContent = fmt(exact.kl);
    $('#g-js').textContent = fmt(exact.js);
    $('#g-jshat').textContent = fmt(point.js_hat);
    $('#g-w').textContent = fmt(exact.w);
    $('#g-what').textContent = fmt(point.w_hat);
    const x = Array.from(profile.x);
    const pr = x.map((v) => normal(v, muR));
    const pg = x.map((v) => normal(v, muG));
    // Mean gradient a generated sample sees: sum over the grid weighted by the P_g density.
    const wsum = pg.reduce((a, b) => a + b, 0) || 1;
    const meanOn = (g) => g.reduce((a, v, i) => a + v * pg[i], 0) / wsum;
    $('#g-dgrad').textContent = meanOn(Array.from(profile.d_grad)).toExponential(2);
    $('#g-fgrad').textContent = meanOn(Array.from(profile.f_grad)).toFixed(3);
    $('#gauss-msg').textContent = t('lab.gauss_trained', { step: point.step });
    this.charts.gaussians.setData([x, pr, pg, Array.from(profile.d), Array.from(profile.f)]);
    const floor = (v) => Math.max(v, 1e-8);
    this.charts.gaussGrad.setData([x, Array.from(profile.d_grad).map(floor), Array.from(profile.f_grad).map(floor),
      pg.map(floor)]);
  }

  // A fresh, seeded lab trained `steps` steps: resolves to {kind, point, exact, profile?}.
  experiment(kind, { theta, mu_r, mu_g, steps = 600, seed = 1 } = {}) {
    const a = kind === 'lines' ? theta : mu_r;
    const b = kind === 'lines' ? 0 : mu_g;
    if (![a, b, steps, seed].every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return Promise.reject(new Error(kind === 'lines' ? 'parallel-lines needs a numeric theta'
        : 'two-gaussians needs numeric mu_r and mu_g'));
    }
    return this.toy().request(TOY_OPS.experiment, { kind, a, b, steps: Math.floor(steps), seed });
  }
}
