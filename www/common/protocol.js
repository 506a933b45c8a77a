// The page <-> worker protocol in one place: what each side sends, with which fields, and the one
// request/response helper (with progress and cancel) that every request goes through.
//
// Page -> worker                         Worker -> page
//   {type: 'request', reqId, op, args}     {type: 'reply', reqId, ok: true, value}
//   {type: 'cancel', reqId}                {type: 'reply', reqId, ok: false, error: {code, detail}}
//                                          {type: 'progress', reqId, value}
//                                          {type: <one of EVENTS>, ...}: said unasked
//
// Every request gets exactly one reply, also when it fails or is cancelled. Errors carry the code
// Rust gave them (src/error.rs: settings, data-corrupt, webgpu, device, diverged, checkpoint,
// classifier) or one of the workers' own (wasm, data-fetch, data-http, classifier-fetch,
// classifier-http, generic); `detail` is the technical text, kept as it is. The page words the
// code in the reader's language; nothing recognises an error by its English text.

// The run worker's operations: args -> value (progress values where a request has them).
export const RUN_OPS = Object.freeze({
  // {objective, preset, settings, backend, dataUrl, classifierUrl, checkpoint, autoplay, module,
  //  remembered (the trials this browser remembers), fault (test switches)}
  //   -> {step}, after the event `ready`
  init: 'init',
  play: 'play', // {} -> {}: trains until paused (the reply comes at once)
  pause: 'pause', // {} -> {step}: once the current training slice has ended
  step: 'step', // {n} -> {step}
  reset: 'reset', // {settings, preset, reason} -> {step}, after the event `reset`; refused: nothing changes
  checkpoint: 'checkpoint', // {} -> {step, bytes}: stops training and hands over the run's state
  modes: 'modes', // {} -> stats | null: the mode meter now
  ganLoss: 'gan-loss', // {value} -> {value, step, label, settings}
  // Experiments on the run's networks while its training pauses (cancel ends them early):
  optimality: 'optimality', // {steps, logEvery, fromRun} -> {points, cancelled, step}; progress {point, total}
  mcmc: 'mcmc', // {sampler, eps, steps, prior} -> {cancelled, emd, emdN, pixels}; progress {begin | point, pixels}
});

// What the run worker says unasked.
export const RUN_EVENTS = Object.freeze({
  ready: 'ready', // {backend, label, logEvery, floor, point, restored, settings, defaults}: init built the run
  reset: 'reset', // {label, logEvery, floor, point, settings, defaults, reason}: reset rebuilt it
  status: 'status', // {step, playing, stepsPerSec, wasmBytes, poolBytes (Burn's WebGPU pool; 0 on the CPU)}
  point: 'point', // {point}: a logged point (LogPoint's fields)
  samples: 'samples', // {step, pixels}: the 8 x 8 grid, 64 x 784 bytes
  modes: 'modes', // {step, stats}: the mode meter
  paused: 'paused', // {step}: the training loop stopped
  checkpoint: 'checkpoint', // {step, bytes}: the run's state (WebGPU runs, every 2 s)
  diverged: 'diverged', // {step, detail}: a loss or the samples stopped being finite
  deviceLost: 'device-lost', // {reason, message}: the WebGPU device is gone
  trial: 'trial', // {phase: 'checking' | 'racing', adapter}: the backend trial is under way (www/common/trial.js)
  slow: 'slow', // {step, stepsPerSec, cpu, key}: the guard: this WebGPU run is below half the CPU's figure
  error: 'error', // {code, detail, url?, status?}: a failure outside any request
});

// The toy worker's operations.
export const TOY_OPS = Object.freeze({
  init: 'init', // {module} -> {}: instantiate the CPU build from the page's compiled module (or www/pkg's when null); the other requests wait for it
  live: 'live', // {kind, a, b} -> {}: start (or move) the live lab of `kind` and train it until stop
  stop: 'stop', // {} -> {}: the live lab stops training
  experiment: 'experiment', // {kind, a, b, steps, seed} -> {kind, point, exact, profile?}: a fresh, seeded lab
});

// What the toy worker says unasked.
export const TOY_EVENTS = Object.freeze({
  frame: 'frame', // {kind, point, exact, profile?}: the live lab now
  error: 'error', // {code, detail}: the live lab stopped
});

export const message = (e) => (e && e.message) || String(e);

// An Error with a code the page translates and the technical detail as its message.
export const coded = (code, detail, extra = {}) => Object.assign(new Error(detail), { code, ...extra });

// A failure as it crosses the protocol.
export const errorOf = (e) => ({ code: (e && e.code) || 'generic', detail: message(e), url: e && e.url, status: e && e.status });

// The page's side: send requests to `worker`, route its replies and progress. Events (anything
// else) go to `onEvent`.
export class Requester {
  constructor(worker, onEvent) {
    this.worker = worker;
    this.pending = new Map(); // reqId -> {resolve, reject, onProgress}
    this.next = 0;
    worker.onmessage = (ev) => {
      if (!this.handle(ev.data)) onEvent(ev.data);
    };
  }

  // Resolves to the reply's value, or rejects with an Error carrying {code, detail}. `onProgress`
  // receives the request's progress values; `transfer` lists buffers to move to the worker.
  request(op, args = {}, { onProgress = null, transfer = [] } = {}) {
    const reqId = ++this.next;
    return Object.assign(new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject, onProgress });
      this.worker.postMessage({ type: 'request', reqId, op, args }, transfer);
    }), { reqId });
  }

  cancel(reqId) {
    if (this.pending.has(reqId)) this.worker.postMessage({ type: 'cancel', reqId });
  }

  // Fail every open request (the worker is gone).
  rejectAll(error) {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  handle(msg) {
    if (msg.type !== 'reply' && msg.type !== 'progress') return false;
    const p = this.pending.get(msg.reqId);
    if (!p) return true;
    if (msg.type === 'progress') {
      if (p.onProgress) p.onProgress(msg.value);
      return true;
    }
    this.pending.delete(msg.reqId);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(Object.assign(new Error(msg.error.detail), msg.error));
    return true;
  }
}

// The worker's side: answer requests with `ops[op](args, ctx)`, one at a time and in order, except
// the ops named in `immediate`, which run as soon as they arrive. `ctx` has `progress(value,
// transfer)`, `cancelled` (set by a 'cancel' for this request) and `transfer` (buffers the reply
// moves). Returns `post` for events.
export function serve(scope, ops, { immediate = [] } = {}) {
  const post = (msg, transfer) => scope.postMessage(msg, transfer || []);
  const open = new Map(); // reqId -> ctx
  const early = new Set(); // requests cancelled while still queued
  const run = async (msg) => {
    const ctx = {
      reqId: msg.reqId,
      cancelled: early.delete(msg.reqId),
      transfer: [],
      progress: (value, transfer) => post({ type: 'progress', reqId: msg.reqId, value }, transfer),
    };
    open.set(msg.reqId, ctx);
    try {
      const f = ops[msg.op];
      if (!f) throw coded('generic', `unknown operation ${JSON.stringify(msg.op)}`);
      const value = await f(msg.args || {}, ctx);
      post({ type: 'reply', reqId: msg.reqId, ok: true, value: value ?? null }, ctx.transfer);
    } catch (e) {
      post({ type: 'reply', reqId: msg.reqId, ok: false, error: errorOf(e) });
    } finally {
      open.delete(msg.reqId);
    }
  };
  let queue = Promise.resolve();
  scope.onmessage = (ev) => {
    const msg = ev.data;
    if (msg.type === 'cancel') {
      const ctx = open.get(msg.reqId);
      if (ctx) ctx.cancelled = true;
      else early.add(msg.reqId);
    } else if (msg.type === 'request') {
      if (immediate.includes(msg.op)) run(msg);
      else queue = queue.then(() => run(msg));
    }
  };
  return post;
}
