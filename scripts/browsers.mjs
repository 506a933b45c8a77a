// The three engines measured one way, one browser at a time (issue 35's browser table): the default
// page with ?autoplay=1&seed=4 at 1280x900; ready = ms from navigation to window.earthmover.ready;
// each run's step, steps/s (over the last 5 s) and CPU build after 40 s. Chromium through
// playwright-core, Firefox ESR through geckodriver, WebKitGTK through WebKitWebDriver under Xvfb
// (the test suite's drivers). After ./build.sh: node scripts/browsers.mjs (about 3 minutes).
import { chromium } from 'playwright-core';
import { startServer } from './static-host.mjs';
import { firefoxDriver } from '../tests/firefox.mjs';
import { webkitDriver } from '../tests/webkit.mjs';
const { server, url } = await startServer(0, '127.0.0.1');
const Q = '?autoplay=1&seed=4';
const SECS = 40;
const readyJs = function (done) { const t0 = performance.timing.navigationStart; const poll = () => (window.earthmover ? window.earthmover.ready.then(() => done(Math.round(Date.now() - t0))) : setTimeout(poll, 50)); poll(); };
const stepsJs = () => window.earthmover.snapshot().runs.map((r) => [r.id, r.step, Math.round(r.stepsPerSec * 10) / 10, r.cpuBuild]);
async function selenium(name, driver) {
  await driver.manage().setTimeouts({ script: 120000 });
  await driver.get(url + Q);
  const ready = await driver.executeAsyncScript(readyJs);
  await new Promise((r) => setTimeout(r, SECS * 1000));
  console.log(JSON.stringify({ name, ready_ms: ready, at_s: SECS, runs: await driver.executeScript(stepsJs) }));
}
{
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const p = await (await b.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await p.goto(url + Q);
  const ready = await p.evaluate(() => new Promise((done) => { const t0 = performance.timing.navigationStart; const poll = () => (window.earthmover ? window.earthmover.ready.then(() => done(Math.round(Date.now() - t0))) : setTimeout(poll, 50)); poll(); }));
  await p.waitForTimeout(SECS * 1000);
  console.log(JSON.stringify({ name: `Chromium ${b.version()}`, ready_ms: ready, at_s: SECS, runs: await p.evaluate(stepsJs) }));
  await b.close();
}
{ const d = await firefoxDriver(); const c = await d.getCapabilities(); await selenium(`Firefox ${c.getBrowserVersion()}`, d); await d.quit(); }
{ const w = await webkitDriver(); const c = await w.driver.getCapabilities(); await selenium(`WebKitGTK ${c.getBrowserVersion()}`, w.driver); await w.close(); }
server.close();
