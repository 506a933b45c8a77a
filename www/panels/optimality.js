// "Train D to optimality" (docs/theory.md 7.1): the panel's form and charts. The experiment itself runs
// in the chosen run's worker (it needs that run's generator); this module only sends the request
// and draws what comes back.
import { RUN_OPS } from '../common/protocol.js';
import { COLORS, line, managedChart } from '../views/charts.js';
import { logTicks } from '../views/scales.js';
import { Experiment } from './experiment.js';
import { t } from '../page/i18n.js';
import { LIMITS, within } from '../page/state.js';

const $ = (sel) => document.querySelector(sel);
const LN2 = Math.log(2);

export class OptimalityPanel {
  constructor(runs) {
    this.exp = new Experiment(runs, { start: 'opt-start', cancel: 'opt-cancel', busy: 'opt.busy' });
    this.charts = null;
    $('#opt-form').onsubmit = (ev) => {
      ev.preventDefault();
      const f = ev.target.elements;
      this.run({ run: f.run.value, steps: Number(f.steps.value), logEvery: Number(f.every.value) })
        .catch((e) => { $('#opt-msg').textContent = e.message; });
    };
  }

  makeCharts() {
    if (this.charts) return;
    const x = () => ({ label: t('axis.k') });
    this.charts = {
      est: managedChart($('#chart-opt-est'), () => ({
        name: 'optimality-estimates', title: t('chart.opt_est'),
        series: [line(t('series.opt_js'), COLORS.gan, 'js'), line(t('sym.log2'), COLORS.ref, 'js', { dash: [6, 4], width: 1.5 }),
          line(t('series.opt_w'), COLORS.wgan, 'w')],
        axes: [{ scale: 'js', label: t('axis.js') }, { scale: 'w', side: 1, label: t('sym.w_axis'), grid: { show: false } }],
        scales: { js: { range: [-0.05, 0.75] }, w: { auto: true } }, x: x(),
      })),
      grad: managedChart($('#chart-opt-grad'), () => ({
        name: 'optimality-gradients', title: t('chart.opt_grad'),
        series: [line(t('series.opt_sat'), COLORS.gan, 'g', { width: 3 }), line(t('series.opt_ns'), COLORS.ns, 'g', { dash: [8, 4] }),
          line(t('series.opt_wgan'), COLORS.wgan, 'g', { width: 3 })],
        axes: [{ scale: 'g', label: t('axis.opt_grad'), values: logTicks }], scales: { g: { distr: 3, auto: true } }, x: x(),
      })),
    };
  }

  draw(points) {
    this.makeCharts();
    const k = points.map((p) => p.k);
    this.charts.est.setData([k, points.map((p) => p.js_hat), k.map(() => LN2), points.map((p) => p.w_hat)]);
    const pos = (v) => (v > 0 ? v : null);
    this.charts.grad.setData([k, points.map((p) => pos(p.grad_saturating)), points.map((p) => pos(p.grad_nonsaturating)),
      points.map((p) => pos(p.grad_wgan))]);
  }

  static summarise(points) {
    const first = points[0];
    const last = points[points.length - 1];
    const gw = points.map((p) => p.grad_wgan);
    return {
      steps: last.k,
      js_hat_start: first.js_hat,
      js_hat_end: last.js_hat,
      js_hat_end_over_log2: last.js_hat / LN2,
      w_hat_start: first.w_hat,
      w_hat_end: last.w_hat,
      grad_saturating_start: first.grad_saturating,
      grad_saturating_end: last.grad_saturating,
      grad_saturating_drop: first.grad_saturating / last.grad_saturating,
      grad_nonsaturating_start: first.grad_nonsaturating,
      grad_nonsaturating_end: last.grad_nonsaturating,
      grad_wgan_start: first.grad_wgan,
      grad_wgan_end: last.grad_wgan,
      grad_wgan_max_over_min: Math.max(...gw) / Math.min(...gw),
    };
  }

  run({ run = 'gan', steps = 2000, logEvery = 50, fromRun = true, onProgress = null } = {}) {
    if (!['gan', 'wgan'].includes(run)) return Promise.reject(new Error(`run=${JSON.stringify(run)}: use "gan" or "wgan"`));
    if (!within(steps, LIMITS.opt_steps, true)) {
      return Promise.reject(new Error(`k=${steps} is out of range; use a whole number from ${LIMITS.opt_steps.min} to ${LIMITS.opt_steps.max}`));
    }
    if (!(Number.isInteger(logEvery) && logEvery >= 1 && logEvery <= steps)) {
      return Promise.reject(new Error(`measure every ${logEvery} is out of range; use 1 to k`));
    }
    if (this.exp.running) return Promise.reject(new Error(t('opt.busy')));
    const points = [];
    $('#opt-summary').textContent = '';
    this.summary = null;
    $('#opt-msg').textContent = t('opt.running', { run: t(`run.${run}`) });
    const progress = ({ point, total }) => {
      points.push(point);
      $('#opt-msg').textContent = t('opt.progress', { k: point.k, total });
      if (onProgress) onProgress(point.k, total);
      this.draw(points);
    };
    return this.exp.start(run, RUN_OPS.optimality, { steps, logEvery, fromRun }, progress).then((done) => {
      this.draw(done.points);
      const s = OptimalityPanel.summarise(done.points);
      $('#opt-msg').textContent = done.cancelled ? t('opt.stopped', { k: s.steps }) : t('opt.done', { k: s.steps });
      this.summary = s;
      this.showSummary();
      return { run, cancelled: !!done.cancelled, points: done.points, summary: s };
    }, (e) => {
      $('#opt-msg').textContent = t('opt.failed', { detail: e.message });
      throw e;
    });
  }

  showSummary() {
    const s = this.summary;
    if (!s) return;
    $('#opt-summary').textContent = t('opt.summary', {
      js0: s.js_hat_start.toFixed(3), js1: s.js_hat_end.toFixed(3), pct: (100 * s.js_hat_end_over_log2).toFixed(1),
      drop: s.grad_saturating_drop.toFixed(0), ns0: s.grad_nonsaturating_start.toExponential(2),
      ns1: s.grad_nonsaturating_end.toExponential(2), w0: s.grad_wgan_start.toExponential(2), w1: s.grad_wgan_end.toExponential(2),
      wr: s.grad_wgan_max_over_min.toFixed(1),
    });
  }

  cancel() {
    this.exp.cancel();
  }
}
