// The page's training pace with two builds of the CPU wasm, loaded in turn (issue 19): the default
// page with the CPU wasm it loads (www/pkg, or www/pkg-fma where the browser has relaxed SIMD)
// replaced by www/pkg-A's, then www/pkg-B's (the order alternating), one load per seed each, both
// runs training; steps/s of each run from 15 s to 55 s after Play. www/pkg and www/pkg-fma are put
// back as they were at the end.
//   node scripts/pagepace.mjs A B [seeds, default 1,2,3]
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowser, openPage, waitReady } from '../tests/browser.mjs';

const [A, B, seedList = '1,2,3'] = process.argv.slice(2);
const www = (d) => new URL(`../www/${d}`, import.meta.url).pathname;
for (const p of [A, B]) {
  if (!p || !existsSync(`${www(`pkg-${p}`)}/earthmover_bg.wasm`)) {
    console.error(`usage: node scripts/pagepace.mjs A B [seeds]; www/pkg-${p ?? 'A'} has no build`);
    process.exit(2);
  }
}
const tmp = mkdtempSync(join(tmpdir(), 'earthmover-pkg-'));
const saved = { pkg: join(tmp, 'pkg'), 'pkg-fma': join(tmp, 'pkg-fma') };
for (const [d, to] of Object.entries(saved)) if (existsSync(www(d))) cpSync(www(d), to, { recursive: true });
// Build `p`'s wasm in both CPU directories (its JS in www/pkg, which loads either), or put back the saved ones.
const use = (p) => {
  for (const d of ['pkg', 'pkg-fma']) {
    if (!existsSync(www(d))) continue;
    for (const f of ['earthmover_bg.wasm', 'earthmover_bg.wasm.gz', ...(d === 'pkg' ? ['earthmover.js', 'earthmover.js.gz'] : [])]) {
      rmSync(`${www(d)}/${f}`, { force: true });
      if (existsSync(`${p}/${f}`)) cpSync(`${p}/${f}`, `${www(d)}/${f}`);
    }
  }
};
const restore = () => {
  for (const [d, from] of Object.entries(saved)) {
    if (!existsSync(from)) continue;
    rmSync(www(d), { recursive: true, force: true });
    cpSync(from, www(d), { recursive: true });
  }
};
const { server, base, browser } = await startBrowser();
const pace = { [A]: [], [B]: [] };
try {
  const seeds = seedList.split(',').map(Number);
  for (const [i, seed] of seeds.entries()) {
    for (const build of i % 2 ? [B, A] : [A, B]) {
      use(www(`pkg-${build}`));
      const { page, context } = await openPage(browser, base, `?seed=${seed}`, {}, { viewport: { width: 1280, height: 720 } });
      await waitReady(page);
      await page.click('#play-all');
      const steps = () => page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step));
      await page.waitForTimeout(15_000);
      const [s0, t0] = [await steps(), Date.now()];
      await page.waitForTimeout(40_000);
      const [s1, dt] = [await steps(), (Date.now() - t0) / 1000];
      const r = s1.map((s, k) => (s - s0[k]) / dt);
      pace[build].push(r);
      console.log(`seed ${seed} ${build}: GAN ${r[0].toFixed(1)}, WGAN ${r[1].toFixed(2)} steps/s`);
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  restore();
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const b of [A, B]) {
  console.log(`${b}: median GAN ${med(pace[b].map((r) => r[0])).toFixed(1)}, WGAN ${med(pace[b].map((r) => r[1])).toFixed(2)} steps/s`);
}
