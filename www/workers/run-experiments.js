// The theory lab's experiments on a run worker's run, while its training is paused (run.js pauses
// and resumes around them): "train D to optimality" and latent-space MCMC. Each reports progress
// through `ctx.progress`, stops early when `ctx.cancelled` is set, and returns its result (the
// request's reply); a failure rejects the request with its code.
import { yieldToEvents } from './io.js';

// Freeze the generator where it is and train D and the critic k more steps, measuring as it goes.
export async function optimality(run, args, ctx) {
  const exp = run.optimality(args.steps, args.logEvery, args.fromRun !== false);
  try {
    const points = [await exp.measure()];
    ctx.progress({ point: points[0], total: args.steps });
    while (!exp.finished && !ctx.cancelled) {
      exp.advance(exp.logEvery);
      const p = await exp.measure();
      points.push(p);
      ctx.progress({ point: p, total: args.steps });
      await yieldToEvents();
    }
    return { points, cancelled: ctx.cancelled };
  } finally {
    exp.free();
  }
}

// MCMC in latent space with the run's critic as an energy: the grid every 0.4 s, the EMD at both ends.
export async function mcmc(run, args, ctx) {
  const chains = await run.refine(args.sampler, args.eps, !!args.prior, 1);
  try {
    const s0 = chains.state();
    const pixels = await chains.samples();
    ctx.progress({ begin: { u: s0.u, energy: s0.energy, emd: await chains.emd(), emdN: chains.emdN, pixels } },
      [pixels.buffer]);
    let lastGrid = performance.now();
    while (chains.t < args.steps && !ctx.cancelled) {
      const point = await chains.step(1);
      let grid = null;
      if (performance.now() - lastGrid > 400) {
        grid = await chains.samples();
        lastGrid = performance.now();
      }
      ctx.progress({ point, pixels: grid }, grid ? [grid.buffer] : []);
      await yieldToEvents();
    }
    const end = await chains.samples();
    ctx.transfer = [end.buffer];
    return { cancelled: ctx.cancelled, emd: await chains.emd(), emdN: chains.emdN, pixels: end };
  } finally {
    chains.free();
  }
}
