// Soak test (`./build.sh soak`): both runs train at full speed on the CPU backend for
// SOAK_MINUTES (30) in headless Chromium. `./build.sh soak-webgpu` (SOAK_BACKEND=webgpu): 10
// minutes on WebGPU (SwiftShader here, small nets). Every SOAK_EVERY seconds (30) it forces a
// garbage collection and samples the page's JS heap, its DOM node count, each worker's wasm memory
// and, on WebGPU, the bytes Burn's memory pool holds on each run's device (`poolBytes`: where a
// leak like burn #4792's, reported against wgpu in 0.21, shows) and the resident memory of
// Chromium's GPU process.
// It prints the growth from the end of the warm-up (SOAK_WARMUP minutes, 5) to the end, and fails
// when the JS heap, a wasm memory or a Burn pool grew by more than 10%. The GPU process's resident
// memory is printed, not judged: on SwiftShader it also holds the machine code of every shader
// pipeline compiled so far, and it steps up when a new one first runs (the judges, the yardstick,
// a few logged points in), which a leak-free page does too. Each end is the least of three
// consecutive samples: even after a forced GC a sample carries a few hundred kB of whatever was in
// flight (a message, a chart redraw), and the floor is what the page really retains.
import { startBrowser, openPage, waitReady } from '../tests/browser.mjs';

import { execFileSync } from 'node:child_process';

const gpu = process.env.SOAK_BACKEND === 'webgpu';
const minutes = Number(process.env.SOAK_MINUTES || (gpu ? 10 : 30));
const warmup = Number(process.env.SOAK_WARMUP || Math.min(5, minutes / 3));
const every = Number(process.env.SOAK_EVERY || 30);
const LIMIT = 0.10;

const { server, base, browser } = await startBrowser();
// On WebGPU: small nets, batch 16, one critic update, no probe, an EMD of 8 and no classifier (no
// mode meter, no feature distance), so that SwiftShader trains hundreds of steps, not a handful.
const query = gpu
  ? `?backend=webgpu&autoplay=1&gan.net=small&wgan.net=small&gan.batch=16&wgan.batch=16&wgan.critic_boost=0&wgan.n_critic=1${
    ['probe=off', 'emd_n=8'].flatMap((kv) => [`&gan.${kv}`, `&wgan.${kv}`]).join('')}`
  : '?backend=cpu&autoplay=1';
const { page, context, problems } = await openPage(browser, base, query,
  gpu ? { 'classifier.bpk': { status: 404, body: 'left out by the soak' } } : {});
await waitReady(page, 300_000);
const backends = await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.backend));
if (gpu && !backends.every((b) => /^WebGPU/.test(b || ''))) {
  console.log(`skipped: no WebGPU adapter (${backends.join(' / ')}: ${await page.evaluate(() => window.earthmover.snapshot().backendReason)})`);
  await browser.close();
  server.close();
  process.exit(0);
}

// Resident memory of this browser's GPU process (where Dawn keeps WebGPU's buffers), in MB: the
// gpu-process among this script's descendants; 0 where ps cannot tell.
function gpuProcessMB() {
  try {
    const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' }).split('\n')
      .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/)).filter(Boolean)
      .map(([, pid, ppid, rss, args]) => ({ pid: +pid, ppid: +ppid, rss: +rss, args }));
    const mine = new Set([process.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const r of rows) if (mine.has(r.ppid) && !mine.has(r.pid)) { mine.add(r.pid); grew = true; }
    }
    return rows.filter((r) => mine.has(r.pid) && r.args.includes('--type=gpu-process')).reduce((a, r) => a + r.rss / 1024, 0);
  } catch (_) {
    return 0;
  }
}
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');

async function sample(t) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  return {
    t, heapMB: usedSize / 2 ** 20, nodes: metrics.Nodes, gpuMB: gpuProcessMB(),
    wasmMB: snap.runs.map((r) => r.wasmBytes / 2 ** 20), poolMB: snap.runs.map((r) => r.poolBytes / 2 ** 20), steps: snap.runs.map((r) => r.step),
    points: snap.runs.map((r) => r.points), rate: snap.runs.map((r) => r.stepsPerSec), playing: snap.runs.map((r) => r.playing),
  };
}

const fmt = (s) => `${(s.t / 60).toFixed(1).padStart(5)} min  heap ${s.heapMB.toFixed(2).padStart(7)} MB  nodes ${String(s.nodes).padStart(5)}  `
  + `wasm ${s.wasmMB.map((m) => m.toFixed(1)).join(' / ')} MB  steps ${s.steps.join(' / ')}  points ${s.points.join(' / ')}  `
  + `steps/s ${s.rate.map((r) => r.toFixed(1)).join(' / ')}${gpu ? `  Burn pool ${s.poolMB.map((m) => m.toFixed(1)).join(' / ')} MB  GPU process ${s.gpuMB.toFixed(0)} MB` : ''}`;

console.log(`soak: ${minutes} min on ${gpu ? backends.join(' / ') : 'the CPU backend'}, warm-up ${warmup} min, a sample every ${every} s`);
const t0 = Date.now();
const samples = [];
for (;;) {
  const t = (Date.now() - t0) / 1000;
  const s = await sample(t);
  samples.push(s);
  console.log(fmt(s));
  if (!s.playing.every(Boolean)) throw new Error(`a run stopped training: ${JSON.stringify(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.error || r.diverged)))}`);
  if (t >= minutes * 60) break;
  await new Promise((r) => setTimeout(r, Math.min(every * 1000, Math.max(0, minutes * 60 * 1000 - (Date.now() - t0)) + 50)));
}

// The least of three consecutive samples (per field) at the end of the warm-up and at the end.
const floor3 = (xs) => {
  const m = (f) => Math.min(...xs.map(f));
  return { t: xs[xs.length - 1].t, heapMB: m((s) => s.heapMB), gpuMB: m((s) => s.gpuMB), nodes: m((s) => s.nodes), wasmMB: [0, 1].map((i) => m((s) => s.wasmMB[i])), poolMB: [0, 1].map((i) => m((s) => s.poolMB[i])),
    steps: xs[xs.length - 1].steps, points: xs[xs.length - 1].points };
};
const at = Math.max(0, samples.findIndex((s) => s.t >= warmup * 60));
const base0 = floor3(samples.slice(at, at + 3));
const last = floor3(samples.slice(-3));
const after = samples.slice(at).map((x) => x.heapMB);
console.log(`\nJS heap after warm-up ranged ${Math.min(...after).toFixed(2)}–${Math.max(...after).toFixed(2)} MB over ${after.length} samples`);
const growth = (a, b) => (b - a) / a;
const heap = growth(base0.heapMB, last.heapMB);
const wasm = base0.wasmMB.map((m, i) => growth(m, last.wasmMB[i]));
console.log(`after warm-up (${(samples[at].t / 60).toFixed(1)} min) to the end (${(last.t / 60).toFixed(1)} min), least of 3 samples each:`);
console.log(`  JS heap   ${base0.heapMB.toFixed(2)} -> ${last.heapMB.toFixed(2)} MB  (${(100 * heap).toFixed(1)}%)`);
console.log(`  wasm GAN  ${base0.wasmMB[0].toFixed(1)} -> ${last.wasmMB[0].toFixed(1)} MB  (${(100 * wasm[0]).toFixed(1)}%)`);
console.log(`  wasm WGAN ${base0.wasmMB[1].toFixed(1)} -> ${last.wasmMB[1].toFixed(1)} MB  (${(100 * wasm[1]).toFixed(1)}%)`);
const pool = gpu ? base0.poolMB.map((m, i) => growth(m, last.poolMB[i])) : [];
if (gpu) {
  for (const [i, name] of ['GAN ', 'WGAN'].entries()) {
    console.log(`  pool ${name} ${base0.poolMB[i].toFixed(1)} -> ${last.poolMB[i].toFixed(1)} MB  (${(100 * pool[i]).toFixed(1)}%)  (Burn's WebGPU memory pool)`);
  }
  const g = growth(base0.gpuMB, last.gpuMB);
  console.log(`  GPU proc. ${base0.gpuMB.toFixed(0)} -> ${last.gpuMB.toFixed(0)} MB  (${(100 * g).toFixed(1)}%)  (printed, not judged: it holds SwiftShader's compiled pipelines too)`);
}
console.log(`  DOM nodes ${base0.nodes} -> ${last.nodes}; steps ${last.steps.join(' / ')}; logged points ${last.points.join(' / ')}`);
const bad = [heap, ...wasm, ...pool].some((g) => !(g <= LIMIT)) || problems.console.length || problems.offOrigin.length;
if (problems.console.length) console.log('console errors:', problems.console);
await context.close();
await browser.close();
server.close();
console.log(bad ? `FAIL: growth above ${100 * LIMIT}% or errors` : `PASS: growth within ${100 * LIMIT}%`);
process.exit(bad ? 1 : 0);
