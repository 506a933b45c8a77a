// The backend trial of a run worker (issue 34; the pure verdicts are www/common/trial.js): the
// known-answer check of WebGPU against the CPU build, then a race of the two on the run's own
// workload. `post` says the phases to the page.
import { RUN_EVENTS as EV, message } from '../common/protocol.js';
import { RACE_MS, cpuFigure, decide, memoKey, recall } from '../common/trial.js';
import { detectBackend } from './io.js';

// The known-answer check (src/train/known_answer.rs): one training step from the CPU build's start
// on the CPU and on WebGPU, compared: {maxRelError, worst, tolerance, ok}.
async function knownAnswer(cpuBuild, gpu, c, data, faults) {
  const ref = await cpuBuild.knownAnswer(c.objective, c.preset, c.settings, data, 'cpu', undefined, false);
  const cand = await gpu.knownAnswer(c.objective, c.preset, c.settings, data, 'webgpu', ref.start, faults.has('check'));
  return cpuBuild.compareKnownAnswer(ref.fingerprint, cand.fingerprint);
}

// A candidate's steps/s on the run's own workload (its settings, step 0 on): two steps of warm-up
// (shader compilation, autotune, the JIT's tiers), then steps until RACE_MS have passed, each batch
// read back, so that WebGPU's queued work counts when it is done, not when it is queued. A first
// step that alone takes longer than RACE_MS and still loses to `beat` (the other candidate's
// steps/s) ends the race there: its figure, warm-up included, can only be too kind (SwiftShader:
// one step in ~4 s against ~50 steps/s on the CPU).
async function raceOne(build, backend, c, data, beat = 0) {
  const r = await build.createRun(c.objective, c.preset, c.settings, data, backend);
  try {
    for (let i = 0; i < 2; i++) {
      const w0 = performance.now();
      r.train(1);
      await r.samples();
      const first = performance.now() - w0;
      if (i === 0 && first > RACE_MS && 1000 / first < beat) return 1000 / first;
    }
    let steps = 0;
    let k = 1;
    const t0 = performance.now();
    while (performance.now() - t0 < RACE_MS) {
      r.train(k);
      await r.samples();
      steps += k;
      if (performance.now() - t0 < RACE_MS / 4) k *= 2;
    }
    return (steps * 1000) / (performance.now() - t0);
  } finally {
    r.free();
  }
}

// Check, then race (unless backend=webgpu forced it, or this browser remembers the winner): the
// trial of www/common/trial.js. The CPU is the reference of the check (its check: 'skipped').
export async function backendTrial(gpu, choice, { cpuBuild, key, mode, memo, c, data, faults, post }) {
  const gpuC = { backend: 'webgpu', adapter: choice.adapter, check: 'skipped', maxRelError: null, stepsPerSec: null };
  const cpuC = { backend: 'cpu', adapter: 'CPU', check: 'skipped', maxRelError: null, stepsPerSec: null };
  const out = (chosen, reason, remembered = false) => ({ candidates: [gpuC, cpuC], chosen, reason, remembered, key });
  post({ type: EV.trial, phase: 'checking', adapter: choice.adapter });
  try {
    const cmp = await knownAnswer(cpuBuild, gpu, c, data, faults);
    Object.assign(gpuC, { check: cmp.ok ? 'ok' : 'mismatch', maxRelError: cmp.maxRelError, worst: cmp.worst, tolerance: cmp.tolerance });
    if (!cmp.ok) return out('cpu', 'check-mismatch');
  } catch (e) {
    if (e.code === 'settings' || e.code === 'data-corrupt') throw e;
    Object.assign(gpuC, { check: 'error', detail: message(e) });
    return out('cpu', 'check-error');
  }
  if (mode === 'webgpu') return out('webgpu', 'forced');
  if (memo) {
    for (const m of memo.candidates) Object.assign(m.backend === 'cpu' ? cpuC : gpuC, { stepsPerSec: m.stepsPerSec });
    return out('webgpu', 'remembered', true);
  }
  post({ type: EV.trial, phase: 'racing', adapter: choice.adapter });
  for (const [cand, build] of [[cpuC, cpuBuild], [gpuC, gpu]]) {
    try {
      cand.stepsPerSec = await raceOne(build, cand.backend, c, data, cand === gpuC ? cpuC.stepsPerSec || 0 : 0);
    } catch (e) {
      cand.detail = message(e);
    }
  }
  if (faults.has('prefer-webgpu')) return out('webgpu', 'test');
  const v = decide([gpuC, cpuC]);
  return out(v.chosen, v.reason);
}

// Train on the CPU instead: `choice` says why (an error `e`, or the trial's verdict `code`).
export function toCpu(choice, e, code = 'webgpu-failed') {
  if (e && choice.trial) choice.trial.chosen = 'cpu';
  Object.assign(choice, { backend: 'cpu', label: 'CPU', code,
    reason: e ? `WebGPU failed (${message(e)}); using the CPU` : `the backend trial chose the CPU (${code})`, detail: e ? message(e) : '' });
}

// Which build run `msg` trains with: the CPU build `cpu` ({mod, wasm}), or the WebGPU build where
// an adapter passes the check and wins the race (backend=webgpu: passes the check). WebGPU needs
// the second build, with Burn's wgpu backend: its GPU kernels make it several MB larger, so a CPU
// page never downloads it, nor a browser that remembers the CPU won here. It downloads and
// compiles while the data arrives. Resolves to {choice, mod, wasm, data, guard}: `choice` is what
// `ready` tells the page (choice.trial: the trial, where one ran); `guard` the speed guard's start
// for a WebGPU run that won a race, else null.
export async function chooseBuild(msg, { cpu, dataDownload, faults, post }) {
  // backend=race: as auto, but a software adapter (SwiftShader) takes part in the check and the
  // race too, so that CI's GPU-less machines exercise the whole path.
  const mode = msg.backend === 'race' ? 'race' : msg.backend;
  const choice = await detectBackend(mode === 'race' ? 'webgpu' : mode, cpu.mod.chooseBackend);
  if (mode === 'race') choice.code = choice.code === 'software-forced' ? '' : choice.code.replace(/^forced-/, '');
  let { mod, wasm } = cpu;
  const key = choice.backend === 'webgpu' ? memoKey(self.navigator && self.navigator.userAgent, choice.adapter) : null;
  const memo = key && mode !== 'webgpu' ? recall(msg.remembered, key, msg.objective) : null;
  const gpuLoad = choice.backend === 'webgpu' && !(memo && memo.chosen === 'cpu')
    ? import('../pkg-gpu/earthmover.js').then(async (m) => ({ m, exports: await m.default() }))
    : null;
  if (gpuLoad) gpuLoad.catch(() => {});
  const data = await dataDownload;
  if (choice.backend === 'webgpu') {
    let trial = null;
    if (!gpuLoad) {
      trial = { candidates: memo.candidates, chosen: 'cpu', reason: 'remembered', remembered: true, key };
      toCpu(choice, null, 'trial-remembered');
    } else {
      try {
        ({ m: mod, exports: wasm } = await gpuLoad);
      } catch (e) {
        toCpu(choice, new Error(`its build did not load: ${message(e)}`));
      }
    }
    if (mod !== cpu.mod) {
      trial = await backendTrial(mod, choice, { cpuBuild: cpu.mod, key, mode, memo: memo && memo.chosen === 'webgpu' ? memo : null, c: msg, data, faults, post });
      if (trial.chosen === 'cpu') {
        toCpu(choice, null, `trial-${trial.reason}`);
        ({ mod, wasm } = cpu);
      } else {
        choice.code = trial.reason === 'forced' ? choice.code : '';
      }
    }
    choice.trial = trial;
  }
  if (choice.backend === 'cpu') ({ mod, wasm } = cpu);
  const trial = choice.trial;
  // The guard watches a WebGPU run that won a race (not one that backend=webgpu forced).
  const guard = choice.backend === 'webgpu' && trial && trial.reason !== 'forced' && cpuFigure(trial) > 0
    ? { cpu: cpuFigure(trial), since: null, move: false } : null;
  return { choice, mod, wasm, data, guard };
}
