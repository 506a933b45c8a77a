// What scripts and tests see of the page: window.earthmover (README "Scripting the page") and its
// snapshot() of both runs. app.js wires the page and hands this module its pieces.
import { lang } from './i18n.js';
import { marks } from '../views/charts.js';
import { check, modes, pause, play, reset, runs, setGanLoss, step } from './runs.js';
import { OBJECTIVES, RUNS as IDS } from './state.js';
import { linkFor } from './ui.js';

// Measured every few logged points only (the clipped WGAN's W_hat, with its K̂ and W_hat / 2K̂,
// too); the snapshot carries each one's latest value.
const JUDGED = ['feature_distance', 'js_opt', 'w_opt', 'w_hat', 'lipschitz', 'w_norm'];

export function snapshotOf(view, replays) {
  return {
    backend: runs.gan.backend ? runs.gan.backend.label : null,
    backendReason: runs.gan.backend ? runs.gan.backend.reason : null,
    // The reason as a code (src/device.rs, www/common/trial.js), for scripts: '' on a hardware adapter.
    backendCode: runs.gan.backend ? runs.gan.backend.code : null,
    // The backend trial (www/common/trial.js) of the GAN run, and each run's under `runs`: null
    // where none ran (no WebGPU, backend=cpu).
    backendTrial: runs.gan.backend && runs.gan.backend.trial
      ? { ...runs.gan.backend.trial, runs: Object.fromEntries(IDS.map((id) => [id, (runs[id].backend && runs[id].backend.trial) || null])) }
      : null,
    language: lang(),
    replay: replays.info(),
    runs: IDS.map((id) => {
      const r = runs[id];
      const v = view(id);
      const last = v.history[v.history.length - 1] || null;
      const metrics = last ? { ...last } : null;
      if (metrics) {
        delete metrics.step;
        // The yardstick and the judges measure every few points only (src/train/yardstick.rs,
        // JUDGE_EVERY): the latest value each has, and the step it was measured at.
        for (const key of JUDGED) {
          const at = v.history.findLast((p) => p[key] != null);
          metrics[key] = at ? at[key] : null;
          metrics[`${key}_step`] = at ? at.step : null;
        }
      }
      return { id, objective: v.label || id, objectiveKey: (v.settings || r.settings || []).find(([k]) => k === 'objective')?.[1] || id, backend: r.backend ? r.backend.label : null, step: v.step,
        playing: r.playing, stepsPerSec: r.stepsPerSec, metrics, emdFloor: v.floor ?? null, error: r.lastError || null,
        ganLoss: id === 'gan' ? r.ganLoss : null, modes: v.modes, diverged: r.diverged, checkpointStep: r.checkpoint ? r.checkpoint.step : null,
        wasmBytes: r.wasmBytes || 0, poolBytes: r.poolBytes || 0, points: v.history.length,
        // The CPU build the run trains with (boot.js): 'fma' (relaxed SIMD) or 'simd'; null on WebGPU.
        cpuBuild: r.backend && r.backend.backend === 'cpu' ? r.cpuBuild || null : null };
    }),
  };
}

export function installApi({
  ready, snapshot, view, compare, setPresenter, setLanguage, showPanel, lab, optimality, energy, replays, lesson, state,
}) {
  const samples = (id) => {
    check(id);
    const s = view(id).samples;
    return s ? { width: 28, height: 28, count: 64, pixels: new Uint8Array(s) } : null;
  };
  window.earthmover = {
    ready,
    snapshot,
    history: (id) => { check(id); return view(id).history.map((p) => ({ ...p })); },
    samples,
    play,
    pause,
    step,
    reset: (id) => reset(id, undefined, 'reset'),
    // Restart run `id` with these settings ([[key, value], ...], as the settings form applies them):
    // resolves once it is ready, rejects with {code: 'settings', message} when one is refused.
    apply: (id, settings) => {
      check(id);
      if (id == null || !Array.isArray(settings)) return Promise.reject(new Error('apply(id, [[key, value], ...])'));
      return reset(id, settings.map(([k, v]) => [String(k), String(v)]), 'settings');
    },
    // Restart both runs with these objectives ('gan', 'wgan', 'wgan_gp', 'energy') and one seed.
    compare: (left = 'wgan', right = 'wgan_gp') => {
      const ok = OBJECTIVES;
      if (!ok.includes(left) || !ok.includes(right)) return Promise.reject(new Error(`compare(${JSON.stringify(left)}, ${JSON.stringify(right)}): use ${ok.join(', ')}`));
      return compare(left, right);
    },
    // Latent-space MCMC on a run's energy: {run, sampler: 'mala' | 'langevin', eps, steps, prior}.
    refine: (p) => energy.run(p),
    setGanLoss,
    modes,
    showPanel,
    // Lesson mode: go to step k (1-8), 0 leaves it; resolves to {step, of, panel}.
    lesson: (k) => {
      if (k === 0) lesson.close(); else lesson.go(k);
      return { step: state.lesson, of: 8, panel: state.panel };
    },
    lessonAction: () => lesson.act(),
    // The events marked on the step axis: [{run, step, text}].
    marks: () => marks.map((m) => ({ run: m.run, step: m.step, text: m.text() })),
    state: () => JSON.parse(JSON.stringify(state)),
    link: () => linkFor(state),
    setLanguage,
    setPresenter,
    exportRun: () => replays.export().text().then((s) => JSON.parse(s)),
    loadRun: (json) => replays.load(typeof json === 'string' ? json : JSON.stringify(json), 'api'),
    leaveReplay: () => replays.leave(),
    // Play a recording that ships with the page ('gan-wgan' or 'wgan-wgan_gp'); `speed` x page time.
    useRecording: (name = 'gan-wgan', speed) => replays.use(name).then((snap) => {
      if (speed) replays.setSpeed(speed);
      return snap;
    }),
    // Each experiment resolves to its numbers; see README "Experiments".
    experiment(name, p = {}) {
      switch (name) {
        case 'parallel-lines': return lab.experiment('lines', p);
        case 'two-gaussians': return lab.experiment('gaussians', p);
        case 'optimality': return optimality.run(p);
        case 'mcmc': return energy.run(p);
        case 'wgan-vs-wgan-gp': return compare('wgan', 'wgan_gp');
        case 'wgan-gp-vs-energy': return compare('wgan_gp', 'energy');
        case 'rank-correlation': return Promise.resolve(Object.fromEntries(IDS.map((id) => {
          const last = runs[id].history[runs[id].history.length - 1] || {};
          return [id, { step: runs[id].step, points: runs[id].history.length, rho_est: last.rho_est ?? null,
            rho_probe: last.rho_probe ?? null }];
        })));
        case 'mode-collapse': return modes();
        case 'neglogd': return setGanLoss(p.on === false ? 'saturating' : 'nonsaturating').then(() => ({ gan_loss: runs.gan.ganLoss }));
        default: return Promise.reject(new Error(`unknown experiment ${JSON.stringify(name)}; use parallel-lines, two-gaussians, optimality, mcmc, wgan-vs-wgan-gp, wgan-gp-vs-energy, rank-correlation, mode-collapse or neglogd`));
      }
    },
  };
}
