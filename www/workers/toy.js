// The toy cases (docs/theory.md 3) in their own worker, on the CPU: a discriminator and a critic learn
// to tell two distributions apart while the user moves them. Only the visible panel's lab trains.
// It answers TOY_OPS (www/common/protocol.js) and posts TOY_EVENTS.
import init, { Toy } from '../pkg/earthmover.js';
import { TOY_EVENTS as EV, TOY_OPS as OP, errorOf, serve } from '../common/protocol.js';
import { yieldToEvents } from './io.js';

const SIGMA = 0.5;
const XS = Array.from({ length: 161 }, (_, i) => -5 + i * (10 / 160));
const labs = {};      // kind -> Toy (live)
let active = null;    // kind being trained live, or null
let looping = false;
// The CPU build, instantiated from the module the page compiled (boot.js: the FMA build where the
// browser has relaxed SIMD), which the page sends in an `init` request; without one, www/pkg's.
// Offline, only the build the page uses is cached (sw.js).
let start;
const ready = new Promise((resolve) => { start = resolve; })
  .then((module) => init(module ? { module_or_path: module } : undefined));

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
        post({ type: EV.frame, ...(await snapshot(toy, kind)) });
      }
      await yieldToEvents();
    }
  } catch (e) {
    active = null;
    post({ type: EV.error, ...errorOf(e) });
  } finally {
    looping = false;
  }
}

const post = serve(self, {
  // Answered out of turn: the requests queued before it wait for it.
  [OP.init]: async ({ module }) => {
    start(module);
    await ready;
    return {};
  },
  [OP.live]: async ({ kind, a, b }) => {
    await ready;
    // Refused values (code settings) leave the live lab as it was.
    if (!labs[kind]) labs[kind] = new Toy(kind, a, b ?? 0, SIGMA, 1);
    else labs[kind].setCase(a, b ?? 0, SIGMA);
    active = kind;
    loop();
    return {};
  },
  [OP.stop]: () => {
    active = null;
    return {};
  },
  // A fresh lab, a fixed seed, a fixed number of steps: reproducible numbers for scripts.
  [OP.experiment]: async ({ kind, a, b, steps, seed }) => {
    await ready;
    const toy = new Toy(kind, a, b ?? 0, SIGMA, seed ?? 1);
    try {
      for (let done = 0; done < steps; done += 50) {
        toy.train(Math.min(50, steps - done));
        await yieldToEvents();
      }
      return await snapshot(toy, kind);
    } finally {
      toy.free();
    }
  },
}, { immediate: [OP.stop, OP.init] });
