// One training run per worker, off the main thread. It owns the wasm module and the Burn device,
// trains in short slices, reads back only at logged steps, and posts plain numbers to the page.
// It answers the requests of www/common/protocol.js (RUN_OPS) and says RUN_EVENTS unasked; errors
// go out as codes with a technical detail, and the page words them in the reader's language.
import init, * as cpuBuild from '../pkg/earthmover.js';
import { RUN_EVENTS as EV, RUN_OPS as OP, coded, errorOf, message, serve } from '../common/protocol.js';
import { download, yieldToEvents } from './io.js';
import * as experiments from './run-experiments.js';
import { guardTick, parseFaults } from '../common/trial.js';
import { chooseBuild, toCpu } from './run-trial.js';
import { canTrain, initial, isPlaying, next } from './loop-state.js';

// WebGPU device loss (driver reset, a long-backgrounded tab, or the test destroying the device):
// wgpu asks the adapter for its device through the page's JS, so wrapping requestDevice lets us
// watch device.lost. The devices are also kept on self for the end-to-end test.
const gpuDevices = [];
self.__earthmoverGpuDevices = gpuDevices;

// The loop's state ('starting', 'paused', 'playing', 'diverged', 'lost'), changed only by `on`
// through the pure transitions of loop-state.js.
let state = initial();
const on = (type, fields = {}) => { state = next(state, { type, ...fields }); };
const lost = () => state.phase === 'lost';
if (self.GPUAdapter && GPUAdapter.prototype.requestDevice) {
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function wrapped(...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevices.push(device);
    device.lost.then((info) => {
      if (lost()) return;
      on('lost');
      post({ type: EV.deviceLost, reason: info.reason || 'unknown', message: info.message || '' });
    });
    return device;
  };
}

let wasm = null;         // the active build's wasm exports (for its memory size)
let mod = cpuBuild;      // the build the run trains with: www/pkg (CPU only), or www/pkg-gpu on WebGPU
let run = null;          // the wasm Run
let cfg = null;          // {objective, preset, settings, backend} of the current run
let backendKind = 'cpu';
let looping = false;     // the loop below is running (it ends after the slice in progress)
// The steps/s on the run's card, over the last RATE_WINDOW_MS: over one second, a second that held a
// judged point (the judges, the feature distance, the mode meter) read 2 steps/s on a GAN that
// trained 32 on average, and the card flickered between them.
const RATE_WINDOW_MS = 5000;
let classifier = null;   // burnpack bytes of the digit classifier, or null when it could not load
let heldOut = null;      // the held-out real digits (gzipped test subset) of the feature yardstick
// When the loop last did each of its periodic jobs (performance.now(), ms).
const clock = {
  samples: 0,
  checkpoint: 0,
  modes: 0,
  // Milliseconds between mode-meter passes: twenty times what the last pass took, within 2-5 s, so
  // the meter takes at most a twentieth of the run's time and, where it is cheap, the class sees the
  // classes appear sooner (issue 19; it ran every 5 s).
  modesEvery: 2000,
  // When the training loop last started (the guard's settling time counts from there).
  loopSince: 0,
  // The steps/s on the card. marks: {t, step} about a second apart, oldest first.
  rate: { marks: [], value: 0 },
  // Burn's WebGPU pool (bytes), read at most once a second: on WebGPU the reading drains the
  // operations fusion has queued so far.
  pool: { t: -Infinity, bytes: 0 },
};
let firstSlice = false;  // autoplay: the loop's first slice is one step, then the deferred work
// The backend this run trains on, as `ready` told the page: with `trial`, the known-answer check
// and the race it came from (www/common/trial.js; none where no WebGPU took part). The guard over a
// WebGPU run's speed; the test switches of ?fault=; when the training loop last started.
let backend = null;
let guard = null;
let faults = new Set();
let data = null;
// The CPU build, instantiated once: from the module the page compiled (boot.js), or compiled here
// when the page has none. 'init' awaits it and reports a failure.
let cpuReady = null;
const cpuInit = (module) => {
  cpuReady ||= init(module ? { module_or_path: module } : undefined);
  return cpuReady;
};

// The mode meter's and the feature yardstick's classifier, on run `r`; a failure turns both off
// (the page says so once) and training goes on.
async function loadClassifier(r) {
  if (!classifier) return;
  try {
    await r.loadClassifier(classifier, heldOut);
  } catch (e) {
    classifier = null;
    post({ type: EV.error, ...errorOf(e) });
  }
}

// hold: train before measuring step 0 (autoplay): the networks are held and measured after the
// first step is on screen, as they were (Run.measureHeld).
async function build(c, { hold = false } = {}) {
  // Rejects with the code Rust gave it (settings, data-corrupt, webgpu; see src/error.rs).
  const r = await mod.createRun(c.objective, c.preset, c.settings, data, backendKind);
  // Under autoplay the classifier loads after the first step (loadClassifier below).
  if (!hold) await loadClassifier(r);
  let point = null;
  if (hold) r.hold();
  else point = await r.measure();
  const floor = await r.emdFloor();
  return { r, point, floor };
}

function stopDiverged(e) {
  on('diverged');
  post({ type: EV.diverged, step: run.step, detail: message(e) });
}

async function postSamples() {
  let pixels;
  try {
    pixels = await run.samples();
  } catch (e) {
    if (!lost()) stopDiverged(e);
    return false;
  }
  clock.samples = performance.now();
  post({ type: EV.samples, step: run.step, pixels }, [pixels.buffer]);
  return true;
}

// The mode-collapse meter: classify 1,000 generated digits (a fixed noise batch).
async function postModes() {
  clock.modes = performance.now();
  if (!classifier || state.phase === 'diverged') return;
  const stats = await run.modeStats();
  clock.modesEvery = Math.min(5000, Math.max(2000, 20 * (performance.now() - clock.modes)));
  post({ type: EV.modes, step: run.step, stats });
}

// The run's state for the page to keep: on WebGPU at most every 2 s (and when asked), so that a
// lost device costs at most the steps since then.
async function postCheckpoint(force = false) {
  if (!force && (backendKind !== 'webgpu' || performance.now() - clock.checkpoint < 2000)) return;
  if (!canTrain(state)) return;
  clock.checkpoint = performance.now();
  const bytes = await run.checkpoint();
  post({ type: EV.checkpoint, step: run.step, bytes }, [bytes.buffer]);
}

function postStatus() {
  const now = performance.now();
  if (now - clock.pool.t >= 1000 && !lost()) {
    let bytes = 0;
    try {
      bytes = backendKind === 'webgpu' ? run.poolBytes : 0;
    } catch (_) { /* a device going away: the status goes out without it */ }
    clock.pool = { t: now, bytes };
  }
  const marks = clock.rate.marks;
  const playing = isPlaying(state);
  if (!playing) {
    clock.rate = { marks: [], value: 0 };
  } else if (!marks.length || run.step < marks[0].step) {
    clock.rate.marks = [{ t: now, step: run.step }]; // started, or the run was reset
  } else if (now - marks[marks.length - 1].t > 1000) {
    marks.push({ t: now, step: run.step });
    while (marks.length > 2 && now - marks[1].t >= RATE_WINDOW_MS) marks.shift();
    clock.rate.value = ((run.step - marks[0].step) * 1000) / (now - marks[0].t);
  }
  post({ type: EV.status, step: run.step, playing, stepsPerSec: clock.rate.value, wasmBytes: wasm ? wasm.memory.buffer.byteLength : 0, poolBytes: clock.pool.bytes });
  // The guard: a WebGPU run that fell below half the CPU's figure for 20 s asks to move.
  if (guard && backendKind === 'webgpu' && !guard.move) {
    guard = guardTick(guard, { now, playing, rate: clock.rate.value, watched: now - clock.loopSince });
    if (guard.move) post({ type: EV.slow, step: run.step, stepsPerSec: clock.rate.value, cpu: guard.cpu, key: backend.trial && backend.trial.key });
  }
}

// Train one step; measure when the step lands on a log boundary. A non-finite loss stops the run.
async function oneStep() {
  if (!canTrain(state)) return false;
  run.train(1);
  if (run.step % run.logEvery === 0) {
    let point;
    try {
      point = await run.measure();
    } catch (e) {
      if (!lost()) stopDiverged(e);
      return false;
    }
    post({ type: EV.point, point });
    await postCheckpoint();
  }
  return true;
}

// Step 0's point, measured from the networks held before the first step (autoplay; none held:
// nothing to post).
async function postHeldPoint() {
  let point;
  try {
    point = await run.measureHeld();
  } catch (e) {
    if (!lost()) stopDiverged(e);
    return;
  }
  if (point) post({ type: EV.point, point });
}

async function loop() {
  if (looping) return;
  looping = true;
  clock.loopSince = performance.now();
  clock.rate = { marks: [{ t: performance.now(), step: run.step }], value: clock.rate.value };
  try {
    while (isPlaying(state)) {
      const t0 = performance.now();
      while (isPlaying(state) && performance.now() - t0 < 30) {
        if (!(await oneStep())) break;
        if (firstSlice) break; // the first step goes on screen before anything else is done
      }
      postStatus();
      if (firstSlice) {
        firstSlice = false;
        await loadClassifier(run);
        await postHeldPoint();
        await postCheckpoint(true);
      }
      if (isPlaying(state) && performance.now() - clock.samples > 400) await postSamples();
      if (isPlaying(state) && performance.now() - clock.modes > clock.modesEvery) await postModes();
      // ?fault=slow-webgpu (tests): a WebGPU run that idles 0.5 s after every slice, for the guard.
      if (backendKind === 'webgpu' && faults.has('slow-webgpu')) await new Promise((r) => setTimeout(r, 500));
      await yieldToEvents();
    }
  } catch (e) {
    on('error');
    if (!lost()) post({ type: EV.error, code: 'training', detail: message(e) });
  } finally {
    looping = false;
    postStatus();
    post({ type: EV.paused, step: run.step });
  }
}

// An experiment (D to optimality, MCMC) on the run: training pauses meanwhile and resumes after.
async function whilePaused(body) {
  const wasPlaying = isPlaying(state);
  await stopped();
  try {
    return await body();
  } finally {
    if (wasPlaying) play();
  }
}

async function stopped() {
  on('pause');
  while (looping) await yieldToEvents();
}

function play() {
  on('play');
  if (isPlaying(state)) loop();
}

// After a (re)start: the grid, the mode meter and the status.
async function readySettled() {
  await postSamples();
  await postModes();
  postStatus();
}


// Start the run: load the wasm build the backend needs, the data and the classifier, build the run
// (or continue one from a checkpoint), say `ready` with what the page shows of it, and answer once
// the first grid is out (under autoplay: once training has started).
async function start(msg) {
  // The data and the classifier download while the wasm instantiates.
  const dataDownload = download(msg.dataUrl, 'data');
  const classifierDownload = Promise.all([download(msg.classifierUrl, 'classifier'), download(msg.heldOutUrl, 'classifier')]);
  dataDownload.catch(() => {});
  classifierDownload.catch(() => {});
  try {
    wasm = await cpuInit(msg.module);
  } catch (e) {
    throw coded('wasm', message(e));
  }
  const cpu = { mod: cpuBuild, wasm };
  faults = parseFaults(msg.fault);
  ({ choice: backend, mod, wasm, data, guard } = await chooseBuild(msg, { cpu, dataDownload, faults, post }));
  backendKind = backend.backend;
  const useCpu = (e) => {
    toCpu(backend, e);
    ({ mod, wasm } = cpu);
    backendKind = 'cpu';
  };
  try {
    [classifier, heldOut] = await classifierDownload;
  } catch (e) {
    classifier = null;
    post({ type: EV.error, ...errorOf(e), code: 'classifier', detail: `${message(e)} (${e.url || msg.classifierUrl})` });
  }
  cfg = msg;
  // ?autoplay=1 on a fresh run: train as soon as this run is ready, without waiting for the other
  // run, and measure step 0 after the first step.
  const autoplay = !!msg.autoplay;
  const hold = autoplay && !msg.checkpoint;
  let built;
  try {
    built = await build(cfg, { hold });
  } catch (e) {
    // A refused setting or a corrupt data file fails on any backend; anything else here is
    // WebGPU's failure (no code: the wasm itself failed on the GPU): train on the CPU, say why.
    if (backendKind !== 'webgpu' || !['webgpu', 'device', undefined].includes(e.code)) throw e;
    useCpu(e);
    built = await build(cfg, { hold });
  }
  run = built.r;
  // Continuing a run from elsewhere (a lost GPU device, a backend switch).
  let restored = null;
  if (msg.checkpoint) {
    try {
      run.restore(new Uint8Array(msg.checkpoint));
      restored = { step: run.step, point: await run.measure() };
    } catch (e) {
      restored = { error: message(e) };
    }
  }
  post({ type: EV.ready, backend, label: run.label, logEvery: run.logEvery, floor: built.floor,
    point: restored && restored.point ? restored.point : built.point, restored,
    settings: run.settings(), defaults: mod.presetSettings(run.objective, cfg.preset) });
  on('ready', { autoplay });
  if (autoplay) {
    // Train at once: the loop's first slice is one step, then the status, step 0's point, the grid
    // and the checkpoint; the mode meter's first pass comes later (issue 5: first step).
    firstSlice = true;
    loop();
  } else {
    await readySettled();
    await postCheckpoint(true);
  }
  return { step: run.step };
}

const ops = {
  [OP.init]: start,
  [OP.play]: () => {
    play();
    return {};
  },
  // Answered as soon as it arrives (not after queued requests): the current slice ends first.
  [OP.pause]: async () => {
    await stopped();
    return { step: run ? run.step : 0 };
  },
  [OP.step]: async ({ n = 1 }) => {
    if (!isPlaying(state)) {
      while (looping) await yieldToEvents();
      for (let i = 0; i < n; i++) {
        if (!(await oneStep())) break;
      }
      if (canTrain(state)) {
        await postSamples();
        await postModes();
        await postCheckpoint(backendKind === 'webgpu');
      }
      postStatus();
    }
    return { step: run.step };
  },
  // For a backend switch: stop, and hand over the state.
  [OP.checkpoint]: async (_, ctx) => {
    await stopped();
    const bytes = await run.checkpoint();
    ctx.transfer = [bytes.buffer];
    return { step: run.step, bytes };
  },
  // A refused setting rejects (code settings) and leaves the run as it was, training or not.
  [OP.reset]: async ({ settings, preset, reason = '' }) => {
    const wasPlaying = isPlaying(state);
    await stopped();
    const nextCfg = { ...cfg, settings: settings || cfg.settings, preset: preset || cfg.preset };
    let built;
    try {
      built = await build(nextCfg);
    } catch (e) {
      if (wasPlaying) play();
      throw e;
    }
    run.free();
    run = built.r;
    cfg = nextCfg;
    on('reset', { play: false }); // a diverged run is behind us; it trains again below
    post({ type: EV.reset, label: run.label, logEvery: run.logEvery, floor: built.floor, point: built.point,
      settings: run.settings(), defaults: mod.presetSettings(run.objective, cfg.preset), reason });
    await readySettled();
    await postCheckpoint(true);
    if (wasPlaying) play();
    return { step: run.step };
  },
  [OP.ganLoss]: ({ value }) => {
    run.setGanLoss(value); // rejects with code settings for anything but the two losses
    cfg = { ...cfg, settings: [...cfg.settings.filter(([k]) => k !== 'gan_loss'), ['gan_loss', value]] };
    return { value, step: run.step, label: run.label, settings: run.settings() };
  },
  [OP.modes]: async () => {
    await postModes();
    return null;
  },
  [OP.optimality]: (args, ctx) => whilePaused(() => experiments.optimality(run, args, ctx))
    .then((r) => ({ ...r, step: run.step })),
  [OP.mcmc]: (args, ctx) => whilePaused(() => experiments.mcmc(run, args, ctx)),
};

const post = serve(self, ops, { immediate: [OP.pause] });
