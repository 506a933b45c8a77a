// The energy view (THEORY.md 5): latent-space MCMC on a run's critic read as an energy. The chains
// run in the chosen run's worker (they need its generator and critic); this module sends the
// request, draws the grids before and after, the mean energy and the acceptance per step.
import { COLORS, line, managedChart } from './charts.js';
import { drawGridTo } from './card.js';
import { t } from './i18n.js';
import { LIMITS, within } from './state.js';

const $ = (sel) => document.querySelector(sel);
const fmt = (v, d = 3) => (v == null || Number.isNaN(v) ? '–' : v.toFixed(d));

export class EnergyPanel {
  constructor(sendTo) {
    this.sendTo = sendTo; // (runId, message) => void
    this.current = null;  // {runId, reqId, points, resolve, reject}
    this.reqId = 0;
    this.charts = null;
    this.summary = null;
    $('#mcmc-form').onsubmit = (ev) => {
      ev.preventDefault();
      const f = ev.target.elements;
      this.run({ run: f.run.value, sampler: f.sampler.value, eps: Number(f.eps.value), steps: Number(f.steps.value),
        prior: f.prior.checked }).catch((e) => { $('#mcmc-msg').textContent = e.message; });
    };
    $('#mcmc-cancel').onclick = () => this.cancel();
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
    if (this.current) return Promise.reject(new Error(t('mcmc.busy')));
    if (!['gan', 'wgan'].includes(run)) return Promise.reject(new Error(`run=${JSON.stringify(run)}: use "gan" or "wgan"`));
    if (!['mala', 'langevin'].includes(sampler)) return Promise.reject(new Error(`sampler=${JSON.stringify(sampler)}: use "mala" or "langevin"`));
    if (!within(eps, LIMITS.mcmc_eps)) return Promise.reject(new Error(`ε=${eps} is out of range; use ${LIMITS.mcmc_eps.min} to ${LIMITS.mcmc_eps.max}`));
    if (!within(steps, LIMITS.mcmc_steps, true)) {
      return Promise.reject(new Error(`steps=${steps} is out of range; use a whole number from ${LIMITS.mcmc_steps.min} to ${LIMITS.mcmc_steps.max}`));
    }
    const reqId = ++this.reqId;
    return new Promise((resolve, reject) => {
      this.current = { runId: run, reqId, points: [], resolve, reject, opts: { sampler, eps, steps, prior } };
      $('#mcmc-start').disabled = true;
      $('#mcmc-cancel').disabled = false;
      $('#mcmc-summary').textContent = '';
      this.summary = null;
      $('#mcmc-msg').textContent = t('mcmc.running', { run: t(`run.${run}`) });
      this.sendTo(run, { type: 'mcmc', reqId, sampler, eps, steps, prior: !!prior });
    });
  }

  cancel() {
    if (this.current) this.sendTo(this.current.runId, { type: 'cancel-mcmc' });
  }

  showSummary() {
    const s = this.summary;
    if (!s) return;
    $('#mcmc-after-label').textContent = t('mcmc.after', { t: s.steps });
    $('#mcmc-summary').textContent = t('mcmc.summary', { u0: fmt(s.u_start), u1: fmt(s.u_end),
      acc: fmt(s.mean_acceptance, 2), n: s.emd_n, e0: fmt(s.emd_before), e1: fmt(s.emd_after) });
  }

  // Messages from a run's worker.
  onMessage(runId, msg) {
    const c = this.current;
    if (!c || c.runId !== runId || msg.reqId !== c.reqId) return;
    if (msg.type === 'mcmc-begin') {
      c.begin = msg;
      c.points.push({ t: 0, u: msg.u, energy: msg.energy, accept: null });
      drawGridTo($('#mcmc-before'), msg.pixels);
      drawGridTo($('#mcmc-after'), null);
      this.draw(c.points);
    } else if (msg.type === 'mcmc-step') {
      c.points.push(msg.point);
      $('#mcmc-msg').textContent = t('mcmc.progress', { t: msg.point.t, total: c.opts.steps });
      if (msg.pixels) drawGridTo($('#mcmc-after'), msg.pixels);
      $('#mcmc-after-label').textContent = t('mcmc.after', { t: msg.point.t });
      this.draw(c.points);
    } else if (msg.type === 'mcmc-done') {
      this.current = null;
      $('#mcmc-start').disabled = false;
      $('#mcmc-cancel').disabled = true;
      if (msg.error) {
        $('#mcmc-msg').textContent = t('mcmc.failed', { detail: msg.error });
        c.reject(new Error(msg.error));
        return;
      }
      if (msg.pixels) drawGridTo($('#mcmc-after'), msg.pixels);
      const steps = c.points.slice(1);
      const last = c.points[c.points.length - 1];
      const s = {
        run: runId, ...c.opts, steps: last.t, cancelled: !!msg.cancelled,
        energy_start: c.points[0].energy, energy_end: last.energy,
        u_start: c.points[0].u, u_end: last.u,
        mean_acceptance: steps.length ? steps.reduce((a, p) => a + p.accept, 0) / steps.length : null,
        emd_n: msg.emdN, emd_before: c.begin ? c.begin.emd : null, emd_after: msg.emd,
      };
      this.draw(c.points);
      $('#mcmc-msg').textContent = msg.cancelled ? t('mcmc.stopped', { t: s.steps }) : t('mcmc.done', { t: s.steps });
      this.summary = s;
      this.showSummary();
      c.resolve({ summary: s, points: c.points });
    }
  }
}
