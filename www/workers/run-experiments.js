// The theory lab's experiments on a worker's run, while its training is paused (worker.js pauses
// and resumes around them): "train D to optimality" and latent-space MCMC. Each posts its progress
// and ends with one done message, also when cancelled (`experiment.cancelled`) or failed.
import { message, yieldToEvents } from './worker-io.js';

// Freeze the generator where it is and train D and the critic k more steps, measuring as it goes.
export async function optimality(run, msg, experiment, post) {
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
  }
}

// MCMC in latent space with the run's critic as an energy: the grid every 0.4 s, the EMD at both ends.
export async function mcmc(run, msg, experiment, post) {
  let chains = null;
  try {
    chains = await run.refine(msg.sampler, msg.eps, !!msg.prior, 1);
    const s0 = chains.state();
    const pixels = await chains.samples();
    post({ type: 'mcmc-begin', reqId: msg.reqId, u: s0.u, energy: s0.energy, emd: await chains.emd(), emdN: chains.emdN,
      pixels }, [pixels.buffer]);
    let lastGrid = performance.now();
    while (chains.t < msg.steps && !experiment.cancelled) {
      const point = await chains.step(1);
      let grid = null;
      if (performance.now() - lastGrid > 400) {
        grid = await chains.samples();
        lastGrid = performance.now();
      }
      post({ type: 'mcmc-step', reqId: msg.reqId, point, pixels: grid }, grid ? [grid.buffer] : []);
      await yieldToEvents();
    }
    const pixelsEnd = await chains.samples();
    post({ type: 'mcmc-done', reqId: msg.reqId, cancelled: experiment.cancelled, emd: await chains.emd(),
      emdN: chains.emdN, pixels: pixelsEnd }, [pixelsEnd.buffer]);
  } catch (e) {
    post({ type: 'mcmc-done', reqId: msg.reqId, error: message(e) });
  } finally {
    if (chains) chains.free();
  }
}
