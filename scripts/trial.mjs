// The page's backend trial, as a class gets it (issue 34): opens the default page with
// ?backend=race (the check and the race also on a software adapter) in headless Chromium, waits
// until both runs are ready, and prints one JSON line per run: the adapter, the known-answer
// check's largest relative error, both backends' steps/s and the choice, and the time the trial
// took. scripts/device-check.sh runs it on a GPU machine's hardware adapter
// (EARTHMOVER_CHROMIUM_EXTRA); TRIAL_QUERY adds settings (e.g. "&gan.net=small").
import { openPage, startBrowser, waitReady } from '../tests/browser.mjs';

const { server, base, browser } = await startBrowser();
try {
  const t0 = Date.now();
  const { page, context } = await openPage(browser, base, `?backend=race${process.env.TRIAL_QUERY || ''}`);
  await waitReady(page, 600_000);
  const readyS = (Date.now() - t0) / 1000;
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  const badge = await page.locator('#backend').getAttribute('title');
  if (!snap.backendTrial) {
    console.log(JSON.stringify({ tool: 'earthmover', what: 'backend-trial', skipped: `no WebGPU adapter (${snap.backendReason})` }));
  } else {
    for (const [id, tr] of Object.entries(snap.backendTrial.runs)) {
      const c = (b) => tr.candidates.find((x) => x.backend === b) || {};
      console.log(JSON.stringify({ tool: 'earthmover', what: 'backend-trial', run: id, adapter: c('webgpu').adapter,
        check: c('webgpu').check, maxRelError: c('webgpu').maxRelError, worst: c('webgpu').worst, tolerance: c('webgpu').tolerance,
        webgpuStepsPerSec: c('webgpu').stepsPerSec, cpuStepsPerSec: c('cpu').stepsPerSec, chosen: tr.chosen, reason: tr.reason,
        readyS }));
    }
  }
  console.log(`badge: ${badge}`);
  await context.close();
} finally {
  await browser.close();
  server.close();
}
