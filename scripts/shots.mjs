// The README's screenshots, made anew from the built page so that they cannot go stale:
// `./build.sh shots` (or `node scripts/shots.mjs` after `./build.sh`). One page in headless
// Chromium trains the default setup (Play both, the default seed and backend: the CPU on a machine
// without a GPU picks) for SHOTS_SECONDS (120 by default), pauses both runs, and is photographed as a
// class sees it: the dashboard at 1280x720, presenter mode at 1280x720 and 1920x1080, the
// iPad-sized tablet layouts, and lesson steps 2 and 6. It prints one line per file with what it shows.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './static-host.mjs';

const SECONDS = Number(process.env.SHOTS_SECONDS || 120);
const OUT = process.env.SHOTS_DIR || 'docs';
mkdirSync(OUT, { recursive: true });

const { server, url } = await startServer(0, '127.0.0.1');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(url); // the page a class opens: no parameters
  await page.waitForFunction(() => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout: 120_000 });
  await page.click('#play-all');
  const t0 = Date.now();
  await page.waitForTimeout(SECONDS * 1000);
  await page.evaluate(() => window.earthmover.pause());
  const trained = Math.round((Date.now() - t0) / 1000);
  const steps = await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => `${r.id} ${r.step} steps`).join(', '));
  const version = await browser.version();
  const backend = await page.evaluate(() => window.earthmover.snapshot().backend);
  const what = `Chromium ${version} headless, ${backend} backend, ${trained} s of training (${steps}), ${new Date().toISOString().slice(0, 10)}`;
  // The page's look (chart heights, presenter type) follows the window when presenter mode is set.
  const look = async (width, height, presenter) => {
    await page.setViewportSize({ width, height });
    await page.evaluate((p) => { window.earthmover.setPresenter(!p); window.earthmover.setPresenter(p); }, presenter);
    await page.waitForTimeout(800);
  };
  const shot = async (name, caption) => {
    await page.screenshot({ path: join(OUT, name) });
    console.log(`${join(OUT, name)}: ${caption}; ${what}`);
  };
  await look(1280, 720, false);
  await shot('dashboard-1280x720.png', 'the default dashboard at 1280x720');
  await look(1280, 720, true);
  await shot('dashboard-presenter-1280x720.png', 'presenter mode at 1280x720');
  await look(1920, 1080, true);
  await shot('dashboard-presenter-1920x1080.png', 'presenter mode at 1920x1080');
  for (const [w, h] of [[1024, 768], [768, 1024]]) {
    await look(w, h, false);
    await shot(`tablet-${w}x${h}.png`, `the dashboard on an iPad-sized screen, ${w}x${h}`);
  }
  // Last: the lesson marks its steps on the charts' step axis.
  await look(1280, 720, false);
  for (const k of [2, 6]) {
    await page.evaluate((i) => window.earthmover.lesson(i), k);
    await page.waitForTimeout(800);
    await shot(`lesson-step${k}-1280x720.png`, `lesson step ${k} at 1280x720`);
  }
  await context.close();
} finally {
  await browser.close();
  server.close();
}
