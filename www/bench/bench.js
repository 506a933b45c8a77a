// In-browser benchmark of the anchors' workloads (shared/bench/anchors/WORKLOADS.md) on the same
// wasm Run the page trains: ?backend=cpu|webgpu&budget=15[&workloads=a,b][&pkg=NAME][&build=simd|fma].
// Results land in window.benchResults. pkg=NAME loads another build of the same code from
// www/pkg-NAME (e.g. the build before a change, kept by hand) so that a lever is measured against it
// in one run.
import { relaxedSimd } from '../vendor/wasm-feature-detect.js';

const q = new URLSearchParams(location.search);
const variant = /^[a-z0-9-]+$/.test(q.get('pkg') || '') ? q.get('pkg') : '';
// The page's own builds otherwise: on the CPU the one boot.js picks, www/pkg-fma (relaxed-SIMD
// multiply-adds) where the browser validates relaxed SIMD, else www/pkg (plain SIMD), or the one
// build= names; www/pkg-gpu on WebGPU. www/pkg-fma has no JS of its own: www/pkg's loads it.
const backend = q.get('backend') || 'cpu';
const build = ['simd', 'fma'].includes(q.get('build')) ? q.get('build') : (await relaxedSimd()) ? 'fma' : 'simd';
const pkg = variant ? `pkg-${variant}` : backend === 'webgpu' ? 'pkg-gpu' : 'pkg';
const wasmUrl = !variant && backend === 'cpu' && build === 'fma' ? '../pkg-fma/earthmover_bg.wasm' : undefined;
const { default: initBuild, createRun } = await import(`../${pkg}/earthmover.js`);
const init = () => initBuild(wasmUrl ? { module_or_path: wasmUrl } : undefined);

const WORKLOADS = {
  'small-gan': ['gan', [['net', 'small'], ['latent', '64']]],
  'ref-gan': ['gan', []],
  'ref-wgan': ['wgan', []],
  // Issue 6's objectives (not anchor workloads: no TF.js or PyTorch figure to compare with).
  'ref-wgan-gp': ['wgan_gp', []],
  'ref-energy': ['energy', []],
  // One MALA step of the 64 grid chains on a small energy GAN's U(G(z)) (a "step" = one MCMC step).
  'mcmc-mala': ['energy', [['net', 'small'], ['latent', '64']], 'mcmc'],
};
// How cost grows with the batch (issue 5): small-gan and ref-gan at batch 16..256 (`workloads=scaling`).
const SCALING = [];
for (const net of ['small', 'ref']) {
  for (const b of [16, 32, 64, 128, 256]) {
    const name = `${net}-gan@b${b}`;
    SCALING.push(name);
    WORKLOADS[name] = [WORKLOADS[`${net}-gan`][0], [...WORKLOADS[`${net}-gan`][1], ['batch', String(b)]]];
  }
}
const budget = Number(q.get('budget') || 15);
const out = document.getElementById('out');
// The page's CPU build is `wasm-cpu` (its kernel in notes.build); a build asked for by name carries it.
const label = `wasm-${backend}${variant ? `-${variant}` : q.has('build') && backend === 'cpu' ? `-${build}` : ''}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(name, data) {
  const [objective, settings, kind] = WORKLOADS[name];
  // The anchors' workloads train G and D only: no probe discriminator.
  const run = await createRun(objective, 'paper', [...settings, ['probe', 'off']], data, backend);
  const chains = kind === 'mcmc' ? await run.refine('mala', 0.01, true, 1) : null;
  // MCMC steps read back every step anyway (the Metropolis decision is on the host).
  const train = chains ? async (n) => { await chains.step(n); } : async (n) => { run.train(n); };
  const sync = () => (chains ? Promise.resolve() : run.samples()); // one read-back forces completion
  const warm = [];
  const t0 = performance.now();
  while (warm.length < 5 && !(warm.length >= 2 && performance.now() - t0 > 20000)) {
    const s = performance.now();
    await train(1);
    await sync();
    warm.push(performance.now() - s);
  }
  let est = median(warm.slice(-3)) / 1000;
  const rates = [];
  const runStart = performance.now();
  for (let r = 0; r < 3; r++) {
    const n = Math.max(3, Math.round(budget / est));
    if (rates.length && (performance.now() - runStart) / 1000 + n * est > 170) break;
    const s = performance.now();
    await train(n);
    await sync();
    const el = (performance.now() - s) / 1000;
    rates.push(n / el);
    est = el / n;
  }
  if (chains) chains.free();
  run.free();
  const sps = median(rates);
  return { tool: 'earthmover', backend: label, workload: name, steps_per_s: sps, ms_per_step: 1000 / sps,
    repeats: rates.length, notes: { warmup_steps: warm.length, ...(!variant && backend === 'cpu' ? { build } : {}) } };
}

(async () => {
  const results = [];
  try {
    await init();
    const res = await fetch('../data/mnist-train-2k.bin.gz');
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${res.url}: the bench needs www/data/mnist-train-2k.bin.gz`);
    const data = new Uint8Array(await res.arrayBuffer());
    const all = Object.keys(WORKLOADS).filter((w) => !SCALING.includes(w));
    const asked = (q.get('workloads') || all.join(',')).split(',').flatMap((w) => (w === 'scaling' ? SCALING : [w]));
    for (const name of asked) {
      try {
        results.push(await bench(name, data));
      } catch (e) {
        results.push({ tool: 'earthmover', backend: label, workload: name, steps_per_s: null, ms_per_step: null,
          repeats: 0, notes: { error: String(e && e.message || e) } });
      }
      out.textContent = results.map((r) => JSON.stringify(r)).join('\n');
    }
  } catch (e) {
    // The wasm or the data did not load: one line that says so, never an empty result.
    results.push({ tool: 'earthmover', backend: label, workload: q.get('workloads') || 'all', steps_per_s: null,
      ms_per_step: null, repeats: 0, notes: { error: String(e && e.message || e) } });
  } finally {
    window.benchResults = results;
  }
})();
