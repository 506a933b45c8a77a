// Does the headless browser the wasm tests run in expose a WebGPU adapter? `node
// scripts/webgpu-probe.mjs [chromium|firefox]` prints "adapter: <vendor> <architecture>" or
// "none: <why>", and exits 0 either way. build.sh asks this before each `wasm-pack test`: with an
// adapter the WebGPU test runs (and fails if WebGPU training fails), without one the runner reports
// it as ignored and build.sh says "skipped: no WebGPU adapter".
import { startServer } from './static-host.mjs';

const which = process.argv[2] || 'chromium';
// Runs in the page: a page from localhost is a secure context, as the test runner's page is.
const probe = async () => {
  if (!navigator.gpu) return 'none: navigator.gpu is missing';
  const a = await navigator.gpu.requestAdapter().catch((e) => String(e));
  if (!a || typeof a === 'string') return `none: requestAdapter gave ${a}`;
  return `adapter: ${a.info.vendor} ${a.info.architecture}`.trim();
};

const { server, url } = await startServer(0, '127.0.0.1');
try {
  if (which === 'chromium') {
    const { chromium } = await import('playwright-core');
    const { CHROMIUM_ARGS } = await import('../tests/browser.mjs');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${url}no-such-file`); // any page of this origin will do
      console.log(await page.evaluate(probe));
    } finally {
      await browser.close();
    }
  } else if (which === 'firefox') {
    const { firefoxDriver } = await import('../tests/firefox.mjs');
    const driver = await firefoxDriver();
    try {
      await driver.get(`${url}no-such-file`);
      console.log(await driver.executeAsyncScript(`const done = arguments[0]; (${probe})().then(done, (e) => done('none: ' + e));`));
    } finally {
      await driver.quit();
    }
  } else {
    throw new Error(`usage: node scripts/webgpu-probe.mjs [chromium|firefox] (got ${which})`);
  }
} finally {
  server.close();
}
