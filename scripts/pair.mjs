// Paired A/B of two builds of the CPU wasm (issue 19): two bench pages at once, one per core, so
// that this machine's drift (±10-15% within a minute) hits both builds alike. Prints each pair's
// steps/s and the ratio B/A, then the median ratio per workload. An A/A pair (the same build twice)
// shows the method's own spread: 1.060 and 0.985 on 2026-12-03.
//   node scripts/pair.mjs A B [pairs, default 8] [budget_s, default 5] [workloads, default small-gan,ref-wgan]
// A and B name builds beside the page's: www/pkg-A and www/pkg-B (wasm-pack build --profile
// wasm-cpu --target web --out-dir www/pkg-NAME --no-typescript --no-pack).
import { existsSync } from 'node:fs';
import { startBrowser } from '../tests/browser.mjs';

const [A, B, pairs = '8', budget = '5', workloads = 'small-gan,ref-wgan'] = process.argv.slice(2);
for (const p of [A, B]) {
  if (!p || !existsSync(new URL(`../www/pkg-${p}/earthmover_bg.wasm`, import.meta.url))) {
    console.error(`usage: node scripts/pair.mjs A B [pairs] [budget_s] [workloads]; www/pkg-${p ?? 'A'} has no build`);
    process.exit(2);
  }
}
const { server, base, browser } = await startBrowser();
const bench = async (pkg) => {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}www/bench/bench.html?backend=cpu&budget=${budget}&pkg=${pkg}&workloads=${workloads}`);
    await page.waitForFunction(() => window.benchResults, null, { timeout: 1_800_000, polling: 500 });
    return await page.evaluate(() => window.benchResults);
  } finally {
    await page.close();
  }
};
const ratios = {};
try {
  for (let i = 0; i < Number(pairs); i++) {
    const [ra, rb] = await Promise.all([bench(A), bench(B)]);
    ra.forEach((a, k) => {
      const b = rb[k];
      if (a.notes.error || b.notes.error) throw new Error(`${a.workload}: ${a.notes.error || b.notes.error}`);
      const ratio = b.steps_per_s / a.steps_per_s;
      (ratios[a.workload] ||= []).push(ratio);
      console.log(`pair ${i + 1} ${a.workload}: ${A} ${a.steps_per_s.toFixed(2)}, ${B} ${b.steps_per_s.toFixed(2)} steps/s, ratio ${ratio.toFixed(3)}`);
    });
  }
} finally {
  await browser.close();
  server.close();
}
for (const [w, v] of Object.entries(ratios)) {
  const s = [...v].sort((x, y) => x - y);
  console.log(`${w}: ${B}/${A} median ${s[Math.floor(s.length / 2)].toFixed(3)} (${s[0].toFixed(3)}-${s.at(-1).toFixed(3)}) over ${v.length} pairs`);
}
