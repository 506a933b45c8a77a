// The page's training pace with two builds of the CPU wasm, loaded in turn (issue 19): the default
// page with www/pkg replaced by www/pkg-A, then www/pkg-B (the order alternating), one load per
// seed each, both runs training; steps/s of each run from 15 s to 55 s after Play. www/pkg is put
// back as it was at the end.
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
const saved = join(mkdtempSync(join(tmpdir(), 'earthmover-pkg-')), 'pkg');
cpSync(www('pkg'), saved, { recursive: true });
const use = (p) => {
  rmSync(www('pkg'), { recursive: true, force: true });
  cpSync(p, www('pkg'), { recursive: true });
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
  use(saved);
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const b of [A, B]) {
  console.log(`${b}: median GAN ${med(pace[b].map((r) => r[0])).toFixed(1)}, WGAN ${med(pace[b].map((r) => r[1])).toFixed(2)} steps/s`);
}
