// The energy view (docs/theory.md 5): latent-space MCMC on a run's critic read as an energy. The chains
// run in the chosen run's worker (they need its generator and critic); this module sends the
// request, draws the grids before and after, the mean energy and the acceptance per step.
import { RUN_OPS } from '../common/protocol.js';
import { COLORS, line, managedChart } from '../views/charts.js';
import { Experiment } from './experiment.js';
import { drawGridTo } from '../views/card.js';
import { t } from '../page/i18n.js';
import { LIMITS, within } from '../page/state.js';

const $ = (sel) => document.querySelector(sel);
const fmt = (v, d = 3) => (v == null || Number.isNaN(v) ? '–' : v.toFixed(d));

// The "after" grid's accessible name, once it shows something (its own words from then on).
function labelAfter(text) {
  const c = $('#mcmc-after');
  c.removeAttribute('data-i18n-attr');
  c.setAttribute('aria-label', text);
}

export class EnergyPanel {
  constructor(runs) {
    this.exp = new Experiment(runs, { start: 'mcmc-start', cancel: 'mcmc-cancel', busy: 'mcmc.busy' });
    this.charts = null;
    this.summary = null;
    $('#mcmc-form').onsubmit = (ev) => {
      ev.preventDefault();
      const f = ev.target.elements;
      this.run({ run: f.run.value, sampler: f.sampler.value, eps: Number(f.eps.value), steps: Number(f.steps.value),
        prior: f.prior.checked }).catch((e) => { $('#mcmc-msg').textContent = e.message; });
    };
  }

  makeCharts() {
    if (this.charts) return;
    const x = () => ({ label: t('axis.mcmc_t') });
    this.charts = {
      u: managedChart($('#chart-mcmc-u'), () => ({
        name: 'mcmc-energy', title: t('chart.mcmc_u'),
        series: [line(t('series.mcmc_u'), COLORS.wgan, 'u', { width: 2.5 })],
        axes: [{ scale: 'u', label: t('axis.mcmc_u') }], scales: { u: { auto: true } }, x: x(),
      })),
      acc: managedChart($('#chart-mcmc-acc'), () => ({
        name: 'mcmc-acceptance', title: t('chart.mcmc_acc'),
        series: [line(t('series.mcmc_acc'), COLORS.gan, 'a', { width: 2 })],
        axes: [{ scale: 'a', label: t('axis.mcmc_acc') }], scales: { a: { range: [0, 1.05] } }, x: x(),
      })),
    };
  }

  draw(points) {
    this.makeCharts();
    const ts = points.map((p) => p.t);
    this.charts.u.setData([ts, points.map((p) => p.u)]);
    this.charts.acc.setData([ts, points.map((p) => (p.t === 0 ? null : p.accept))]);
  }

  run({ run = 'wgan', sampler = 'mala', eps = 0.01, steps = 100, prior = true } = {}) {
    if (!['gan', 'wgan'].includes(run)) return Promise.reject(new Error(`run=${JSON.stringify(run)}: use "gan" or "wgan"`));
    if (!['mala', 'langevin'].includes(sampler)) return Promise.reject(new Error(`sampler=${JSON.stringify(sampler)}: use "mala" or "langevin"`));
    if (!within(eps, LIMITS.mcmc_eps)) return Promise.reject(new Error(`ε=${eps} is out of range; use ${LIMITS.mcmc_eps.min} to ${LIMITS.mcmc_eps.max}`));
    if (!within(steps, LIMITS.mcmc_steps, true)) {
      return Promise.reject(new Error(`steps=${steps} is out of range; use a whole number from ${LIMITS.mcmc_steps.min} to ${LIMITS.mcmc_steps.max}`));
    }
    if (this.exp.running) return Promise.reject(new Error(t('mcmc.busy')));
    const opts = { sampler, eps, steps, prior: !!prior };
    const points = [];
    let begin = null;
    $('#mcmc-summary').textContent = '';
    this.summary = null;
    $('#mcmc-msg').textContent = t('mcmc.running', { run: t(`run.${run}`) });
    const progress = (p) => {
      if (p.begin) {
        begin = p.begin;
        points.push({ t: 0, u: begin.u, energy: begin.energy, accept: null });
        drawGridTo($('#mcmc-before'), begin.pixels);
        drawGridTo($('#mcmc-after'), null);
      } else {
        points.push(p.point);
        $('#mcmc-msg').textContent = t('mcmc.progress', { t: p.point.t, total: steps });
        if (p.pixels) drawGridTo($('#mcmc-after'), p.pixels);
        $('#mcmc-after-label').textContent = t('mcmc.after', { t: p.point.t });
        labelAfter(t('mcmc.after', { t: p.point.t }));
      }
      this.draw(points);
    };
    return this.exp.start(run, RUN_OPS.mcmc, opts, progress).then((done) => {
      if (done.pixels) drawGridTo($('#mcmc-after'), done.pixels);
      const moved = points.slice(1);
      const last = points[points.length - 1];
      const s = {
        run, ...opts, steps: last.t, cancelled: !!done.cancelled,
        energy_start: points[0].energy, energy_end: last.energy,
        u_start: points[0].u, u_end: last.u,
        mean_acceptance: moved.length ? moved.reduce((a, p) => a + p.accept, 0) / moved.length : null,
        emd_n: done.emdN, emd_before: begin ? begin.emd : null, emd_after: done.emd,
      };
      this.draw(points);
      $('#mcmc-msg').textContent = done.cancelled ? t('mcmc.stopped', { t: s.steps }) : t('mcmc.done', { t: s.steps });
      this.summary = s;
      this.showSummary();
      return { summary: s, points };
    }, (e) => {
      $('#mcmc-msg').textContent = t('mcmc.failed', { detail: e.message });
      throw e;
    });
  }

  cancel() {
    this.exp.cancel();
  }

  showSummary() {
    const s = this.summary;
    if (!s) return;
    $('#mcmc-after-label').textContent = t('mcmc.after', { t: s.steps });
    labelAfter(t('mcmc.after', { t: s.steps }));
    $('#mcmc-summary').textContent = t('mcmc.summary', { u0: fmt(s.u_start), u1: fmt(s.u_end),
      acc: fmt(s.mean_acceptance, 2), n: s.emd_n, e0: fmt(s.emd_before), e1: fmt(s.emd_after) });
  }
}
