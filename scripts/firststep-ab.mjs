// The first training step after navigation, interleaved across page builds (issue 19). Each ROOT is
// a directory laid out like the repository (index.html, sw.js, www/ with its built pkg,
// scripts/static-host.mjs) and gets its own server. Every round loads each root once, in a rotating
// order, in a fresh browser context (empty caches: a student's first visit) with
// ?backend=cpu&autoplay=1 (FIRSTSTEP_QUERY replaces it), and reads the page's `earthmover:first-step` mark (ms after navigation).
// Prints each root's median, mean and every load. Single loads vary by ±20% on this machine: compare
// roots only within one run, over 10 rounds or more.
//   node scripts/firststep-ab.mjs ROOT_A ROOT_B [ROOT_C ...] ROUNDS
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const rounds = Number(args.pop());
const roots = args;
if (!roots.length || !(rounds > 0)) {
  console.error('usage: node scripts/firststep-ab.mjs ROOT_A [ROOT_B ...] ROUNDS');
  process.exit(2);
}
const servers = [];
for (const root of roots) servers.push(await (await import(`${root}/scripts/static-host.mjs`)).startServer(0));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const loads = roots.map(() => []);
try {
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < roots.length; j++) {
      const k = (i + j) % roots.length;
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${servers[k].url}${process.env.FIRSTSTEP_QUERY || '?backend=cpu&autoplay=1'}`);
      const ms = await page.waitForFunction(() => {
        const m = performance.getEntriesByName('earthmover:first-step')[0];
        return m && m.startTime;
      }, null, { timeout: 120_000, polling: 20 }).then((h) => h.jsonValue());
      loads[k].push(Math.round(ms));
      await context.close();
    }
  }
} finally {
  await browser.close();
  for (const s of servers) s.server.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
roots.forEach((root, k) => console.log(JSON.stringify({ tool: 'earthmover', metric: 'first_step_ms', root,
  median: median(loads[k]), mean: Math.round(loads[k].reduce((a, b) => a + b) / loads[k].length), loads: loads[k] })));
