// One training run per worker, off the main thread. It owns the wasm module and the Burn device,
// trains in short slices, reads back only at logged steps, and posts plain numbers to the page.
import init, { chooseBackend, createRun } from './pkg/earthmover.js';

let run = null;          // the wasm Run
let cfg = null;          // {objective, preset, settings, backend} of the current run
let backendKind = 'cpu';
let playing = false;
let looping = false;
let lastSamples = 0;
let rate = { t: 0, step: 0, value: 0 };
let classifier = null;   // burnpack bytes of the digit classifier, or null when it could not load
let lastModes = 0;
let experiment = null;   // {reqId, cancelled} while "train D to optimality" runs

const post = (msg, transfer) => self.postMessage(msg, transfer || []);
const yieldToEvents = () => new Promise((r) => setTimeout(r, 0));
const message = (e) => (e && e.message) || String(e);

async function detectBackend(requested) {
  const hasWebgpu = typeof navigator !== 'undefined' && !!navigator.gpu;
  let adapter = null;
  if (hasWebgpu && requested !== 'cpu') {
    try {
      adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (_) {
      adapter = null;
    }
  }
  const info = (adapter && adapter.info) || {};
  const fallback = !!(info.isFallbackAdapter || (adapter && adapter.isFallbackAdapter));
  return chooseBackend(requested, hasWebgpu, !!adapter, info.vendor || '', info.architecture || '',
    info.description || '', fallback);
}

async function loadData(url) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`Could not download the MNIST data (${url}): ${message(e)}. Check that the page's server is still running.`);
  }
  if (!res.ok) {
    throw new Error(`Could not download the MNIST data (${url}): HTTP ${res.status}. Rebuild with ./build.sh or check the server.`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

let data = null;

async function build(c) {
  const r = await createRun(c.objective, c.preset, c.settings, data, backendKind);
  if (classifier) r.loadClassifier(classifier);
  const point = await r.measure();
  const floor = await r.emdFloor();
  return { r, point, floor };
}

async function postSamples() {
  const pixels = await run.samples();
  lastSamples = performance.now();
  post({ type: 'samples', step: run.step, pixels }, [pixels.buffer]);
}

// The mode-collapse meter: classify 1,000 generated digits (a fixed noise batch).
async function postModes() {
  lastModes = performance.now();
  if (!classifier) return;
  const stats = await run.modeStats();
  post({ type: 'modes', step: run.step, stats });
}

function postStatus() {
  const now = performance.now();
  if (now - rate.t > 1000 || !playing) {
    if (playing && rate.t > 0) rate.value = ((run.step - rate.step) * 1000) / (now - rate.t);
    if (!playing) rate.value = 0;
    rate = { t: now, step: run.step, value: rate.value };
  }
  post({ type: 'status', step: run.step, playing, stepsPerSec: rate.value });
}

// Train one step; measure when the step lands on a log boundary. A non-finite loss pauses.
async function oneStep() {
  run.train(1);
  if (run.step % run.logEvery === 0) {
    try {
      post({ type: 'point', point: await run.measure() });
    } catch (e) {
      playing = false;
      post({ type: 'error', fatal: false, message: `${message(e)}. The run is paused; lower the learning rate in the settings (this resets the run).` });
      return false;
    }
  }
  return true;
}

async function loop() {
  if (looping) return;
  looping = true;
  rate = { t: performance.now(), step: run.step, value: rate.value };
  try {
    while (playing) {
      const t0 = performance.now();
      while (playing && performance.now() - t0 < 30) {
        if (!(await oneStep())) break;
      }
      if (performance.now() - lastSamples > 400) await postSamples();
      if (performance.now() - lastModes > 5000) await postModes();
      postStatus();
      await yieldToEvents();
    }
  } catch (e) {
    playing = false;
    post({ type: 'error', fatal: false, message: `Training stopped: ${message(e)}` });
  } finally {
    looping = false;
    postStatus();
    post({ type: 'paused', step: run.step });
  }
}

async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      await init();
      const choice = await detectBackend(msg.backend);
      data = await loadData(msg.dataUrl);
      try {
        classifier = await loadData(msg.classifierUrl);
      } catch (e) {
        classifier = null;
        post({ type: 'error', fatal: false, message: `The mode-collapse meter is off: ${message(e).replace('the MNIST data', 'the digit classifier')}` });
      }
      cfg = msg;
      backendKind = choice.backend;
      let built;
      try {
        built = await build(cfg);
      } catch (e) {
        if (backendKind !== 'webgpu') throw e;
        // WebGPU failed to start or to run: train on the CPU and say why.
        backendKind = 'cpu';
        choice.backend = 'cpu';
        choice.label = 'CPU';
        choice.reason = `WebGPU failed (${message(e)}); using the CPU`;
        built = await build(cfg);
      }
      run = built.r;
      if (classifier) {
        try {
          run.loadClassifier(classifier);
        } catch (e) {
          classifier = null;
          post({ type: 'error', fatal: false, message: `The mode-collapse meter is off: ${message(e)}. Rebuild with ./build.sh.` });
        }
      }
      post({ type: 'ready', backend: choice, label: run.label, logEvery: run.logEvery,
        floor: built.floor, point: built.point, settings: run.settings() });
      await postSamples();
      await postModes();
      postStatus();
      break;
    }
    case 'play':
      playing = true;
      loop();
      break;
    case 'step': {
      if (playing) break;
      while (looping) await yieldToEvents();
      for (let i = 0; i < msg.n; i++) {
        if (!(await oneStep())) break;
      }
      await postSamples();
      await postModes();
      postStatus();
      post({ type: 'stepped', reqId: msg.reqId, step: run.step });
      break;
    }
    case 'reset': {
      const wasPlaying = playing;
      playing = false;
      while (looping) await yieldToEvents();
      const next = { ...cfg, settings: msg.settings || cfg.settings, preset: msg.preset || cfg.preset };
      let built;
      try {
        built = await build(next);
      } catch (e) {
        post({ type: 'error', fatal: false, message: `Settings not applied: ${message(e)}. The run continues unchanged.` });
        playing = wasPlaying;
        if (playing) loop();
        break;
      }
      run.free();
      run = built.r;
      cfg = next;
      post({ type: 'reset', label: run.label, logEvery: run.logEvery, floor: built.floor, point: built.point,
        settings: run.settings(), reason: msg.reason || '' });
      await postSamples();
      await postModes();
      postStatus();
      playing = wasPlaying;
      if (playing) loop();
      break;
    }
    case 'gan_loss': {
      try {
        run.setGanLoss(msg.value);
        cfg = { ...cfg, settings: [...cfg.settings.filter(([k]) => k !== 'gan_loss'), ['gan_loss', msg.value]] };
        post({ type: 'gan_loss', value: msg.value, step: run.step, label: run.label, settings: run.settings() });
      } catch (e) {
        post({ type: 'error', fatal: false, message: message(e) });
      }
      break;
    }
    case 'modes':
      await postModes();
      post({ type: 'modes-done', reqId: msg.reqId });
      break;
    case 'optimality': {
      // Freeze the generator where it is, train D and the critic k more steps, then resume.
      const wasPlaying = playing;
      playing = false;
      while (looping) await yieldToEvents();
      experiment = { reqId: msg.reqId, cancelled: false };
      let exp = null;
      const points = [];
      try {
        exp = run.optimality(msg.steps, msg.logEvery, msg.fromRun !== false);
        points.push(await exp.measure());
        post({ type: 'opt-point', reqId: msg.reqId, point: points[0], total: msg.steps });
        while (!exp.finished && !experiment.cancelled) {
          exp.advance(exp.logEvery);
          const p = await exp.measure();
          points.push(p);
          post({ type: 'opt-point', reqId: msg.reqId, point: p, total: msg.steps });
          await yieldToEvents();
        }
        post({ type: 'opt-done', reqId: msg.reqId, points, cancelled: experiment.cancelled, step: run.step });
      } catch (e) {
        post({ type: 'opt-done', reqId: msg.reqId, points, error: message(e), step: run.step });
      } finally {
        if (exp) exp.free();
        experiment = null;
        playing = wasPlaying;
        if (playing) loop();
      }
      break;
    }
    default:
      break;
  }
}

// Messages are handled one at a time, in order; 'pause' still lands between training slices.
let queue = Promise.resolve();
self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'cancel-optimality') {
    if (experiment) experiment.cancelled = true;
    return;
  }
  if (msg.type === 'pause') {
    playing = false;
    // A running loop confirms when its current slice ends; an idle run confirms now.
    if (!looping && run) post({ type: 'paused', step: run.step });
    return;
  }
  queue = queue.then(() => handle(msg)).catch((e) => {
    post({ type: 'error', fatal: !run, message: message(e) });
  });
};
