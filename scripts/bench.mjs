// Drives www/bench/bench.html in headless Chromium for the wasm CPU and WebGPU paths and prints one
// JSON line per workload (anchors' schema). Usage: node scripts/bench.mjs [budget_s] [webgpu_budget_s]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from './static-host.mjs';

// Whole-machine CPU busy % over 2 s, recorded with each result as the anchors do.
async function busyPct() {
  const read = () => {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return [v.reduce((a, b) => a + b, 0), v[3] + v[4]];
  };
  try {
    const [t0, i0] = read();
    await new Promise((r) => setTimeout(r, 2000));
    const [t1, i1] = read();
    return t1 > t0 ? +((100 * (t1 - t0 - (i1 - i0))) / (t1 - t0)).toFixed(1) : null;
  } catch (_) {
    return null;
  }
}

const budget = Number(process.argv[2] || 15);
const gpuBudget = Number(process.argv[3] || 5);
const { server, url } = await startServer(0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--enable-unsafe-webgpu', ...(process.env.EARTHMOVER_CHROMIUM_EXTRA || '').split(' ').filter(Boolean)],
});
try {
  // On WebGPU the anchors' three workloads only (the target is >= 1x TF.js webgpu on each). Without
  // a GPU, Chromium's WebGPU is SwiftShader at seconds per step, so these take ~5 minutes; the
  // protocol's 170 s per-run budget bounds each.
  const gpuWorkloads = '&workloads=small-gan,ref-gan,ref-wgan';
  // The page's CPU build (www/pkg-fma in Chromium: relaxed SIMD), then the plain-SIMD build every
  // browser without relaxed SIMD trains with (wasm-cpu-simd), the anchors' three workloads.
  const runs = [['cpu', budget, ''], ['cpu', budget, '&build=simd&workloads=small-gan,ref-gan,ref-wgan']];
  // Other builds of the same code kept beside the page's (www/pkg-NAME, e.g. the build before a
  // lever): the anchors' three workloads, in the same run.
  for (const d of readdirSync(new URL('../www/', import.meta.url))) {
    const m = /^pkg-([a-z0-9-]+)$/.exec(d);
    if (m && !['gpu', 'fma'].includes(m[1]) && existsSync(new URL(`../www/${d}/earthmover.js`, import.meta.url))) {
      runs.push(['cpu', budget, `&pkg=${m[1]}&workloads=small-gan,ref-gan,ref-wgan`]);
    }
  }
  // How cost grows with the batch: shorter repeats (the table is about shape, not the third digit).
  runs.push(['cpu', Number(process.env.BENCH_SCALING_BUDGET || 3), '&workloads=scaling']);
  runs.push(['webgpu', gpuBudget, gpuWorkloads]);
  // BENCH_BACKENDS=webgpu (scripts/device-check.sh): only those runs.
  const only = process.env.BENCH_BACKENDS ? process.env.BENCH_BACKENDS.split(',') : null;
  for (const [backend, b, extra] of runs.filter(([be]) => !only || only.includes(be))) {
    const busy = await busyPct();
    const page = await browser.newPage();
    await page.goto(`${url}www/bench/bench.html?backend=${backend}&budget=${b}${extra}`);
    await page.waitForFunction(() => window.benchResults, null, { timeout: 1_800_000, polling: 1000 });
    const adapter = backend === 'webgpu' ? await page.evaluate(async () => {
      const a = navigator.gpu && await navigator.gpu.requestAdapter();
      return a ? `${a.info.vendor} ${a.info.architecture}`.trim() : 'none';
    }) : null;
    for (const r of await page.evaluate(() => window.benchResults)) {
      if (adapter) r.notes.adapter = adapter;
      r.notes.bg_cpu_busy_pct_before = busy;
      console.log(JSON.stringify(r));
      if (r.notes.error) console.error(`bench: ${r.backend} ${r.workload} failed: ${r.notes.error}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
