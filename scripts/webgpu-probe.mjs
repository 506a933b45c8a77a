// Does the headless Chromium the wasm tests run in expose a WebGPU adapter? Prints "adapter:
// <vendor> <architecture>" or "none: <why>", and exits 0 either way. build.sh asks this before
// `wasm-pack test`: with an adapter the WebGPU test runs (and fails if WebGPU training fails),
// without one the runner reports it as ignored and build.sh says "skipped: no WebGPU adapter".
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import { CHROMIUM_ARGS } from '../tests/browser.mjs';

const { server, url } = await startServer(0, '127.0.0.1');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  // A page from localhost: a secure context, as the test runner's page is.
  await page.goto(`${url}no-such-file`); // any page of this origin will do
  const answer = await page.evaluate(async () => {
    if (!navigator.gpu) return 'none: navigator.gpu is missing';
    const a = await navigator.gpu.requestAdapter().catch((e) => String(e));
    if (!a || typeof a === 'string') return `none: requestAdapter gave ${a}`;
    return `adapter: ${a.info.vendor} ${a.info.architecture}`.trim();
  });
  console.log(answer);
} finally {
  await browser.close();
  server.close();
}
