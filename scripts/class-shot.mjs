// The README's class dashboard (docs/class-dashboard.png), made anew by `./build.sh shots`: the Rust
// server, a teacher who starts the "GAN vs WGAN across seeds" class, and four students in browser
// contexts of their own training on the CPU for CLASS_SHOT_SECONDS (150 by default); then the
// dashboard is photographed at 1280x720. It prints what the picture shows.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startClassServer } from '../tests/class-server.mjs';

const SECONDS = Number(process.env.CLASS_SHOT_SECONDS || 150);
const OUT = process.env.SHOTS_DIR || 'docs';
const server = await startClassServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const open = async (query) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.url}${query}`);
    return page;
  };
  const teacher = await open('?class=new');
  await teacher.waitForSelector('#class-dialog[open] .class-sweep', { timeout: 120_000 });
  await teacher.check('#class-sweeps input[value="seeds"]');
  await Promise.all([teacher.waitForURL(/\/www\/class\/\?code=/), teacher.click('#class-start')]);
  const code = new URL(await teacher.textContent('#dash-link')).searchParams.get('class');
  for (let k = 0; k < 4; k++) await open(`?class=${code}`);
  await teacher.waitForTimeout(SECONDS * 1000);
  await teacher.waitForTimeout(6000); // the last points and samples arrive
  const snap = await teacher.evaluate(() => window.earthmoverClass.snapshot());
  const path = join(OUT, 'class-dashboard.png');
  await teacher.screenshot({ path });
  const lines = snap.series.map((s) => `${s.student} ${s.run} ${s.points} points`).join(', ');
  console.log(`${path}: a class of 4 students (GAN vs WGAN across seeds) after ${SECONDS} s: ${lines}; Chromium ${browser.version()} headless, CPU, ${new Date().toISOString().slice(0, 10)}`);
} finally {
  await browser.close();
  server.close();
}
