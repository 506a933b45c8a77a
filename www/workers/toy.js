// The toy cases (THEORY.md 3) in their own worker, on the CPU: a discriminator and a critic learn
// to tell two distributions apart while the user moves them. Only the visible panel's lab trains.
import init, { Toy } from './pkg/earthmover.js';
import { message, yieldToEvents } from './worker-io.js';

const SIGMA = 0.5;
const XS = Array.from({ length: 161 }, (_, i) => -5 + i * (10 / 160));
const labs = {};      // kind -> Toy (live)
let active = null;    // kind being trained live, or null
let looping = false;
const post = (m) => self.postMessage(m);
const ready = init();

async function snapshot(toy, kind) {
  const point = await toy.measure();
  const out = { kind, point, exact: toy.exact() };
  if (kind === 'gaussians') out.profile = await toy.profile(XS);
  return out;
}

async function loop() {
  if (looping) return;
  looping = true;
  try {
    let lastPost = 0;
    while (active) {
      const kind = active;
      const toy = labs[kind];
      const t0 = performance.now();
      while (active === kind && performance.now() - t0 < 25) toy.train(5);
      if (performance.now() - lastPost > 150) {
        lastPost = performance.now();
        post({ type: 'live', ...(await snapshot(toy, kind)) });
      }
      await yieldToEvents();
    }
  } catch (e) {
    active = null;
    post({ type: 'error', code: 'stopped', message: message(e) });
  } finally {
    looping = false;
  }
}

async function handle(msg) {
  await ready;
  switch (msg.type) {
    case 'live': {
      // Start (or move) the live lab of msg.kind and train it until 'stop'.
      const { kind, a, b } = msg;
      if (!labs[kind]) labs[kind] = new Toy(kind, a, b ?? 0, SIGMA, 1);
      else labs[kind].setCase(a, b ?? 0, SIGMA);
      active = kind;
      loop();
      break;
    }
    case 'stop':
      active = null;
      break;
    case 'experiment': {
      // A fresh lab, a fixed seed, a fixed number of steps: reproducible numbers for scripts.
      const { kind, a, b, steps, seed } = msg;
      const toy = new Toy(kind, a, b ?? 0, SIGMA, seed ?? 1);
      try {
        for (let done = 0; done < steps; done += 50) {
          toy.train(Math.min(50, steps - done));
          await yieldToEvents();
        }
        const s = await snapshot(toy, kind);
        post({ type: 'result', reqId: msg.reqId, result: s });
      } finally {
        toy.free();
      }
      break;
    }
    default:
      break;
  }
}

let queue = Promise.resolve();
self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'stop') { active = null; return; }
  queue = queue.then(() => handle(msg)).catch((e) => {
    post({ type: 'error', reqId: msg.reqId, message: message(e) });
  });
};
