// Time to digits (issue 19's headline benchmark): the default page (classroom preset, both runs
// training, CPU backend unless BACKEND says otherwise) in headless Chromium, one page load per
// seed; for each run, the seconds from navigation until
//   - its mode meter first shows >= 8 digit classes covered on its 1,000 samples, and
//   - its feature distance (the shipped classifier's features of 256 samples against held-out
//     digits) first falls to <= 300: the quality bar. Real digits against other real digits sit
//     at ~10; the noise the runs start from at ~1,360; the samples of a 3-minute run at 160-240.
// Prints one JSON line per load and run, then the medians; a run that misses a bar within
// DIGITS_CAP_S (default 240 s) counts as the cap, marked `capped`.
//   node scripts/digits.mjs [seeds, default 1,2,3]
// DIGITS_QUERY (e.g. `gan.lr_d=1e-3&gan.lr_g=1e-3`) adds settings to the address, for A/Bs.
import { startBrowser, openPage } from '../tests/browser.mjs';

const seeds = (process.argv[2] || '1,2,3').split(',').map(Number);
const CAP_S = Number(process.env.DIGITS_CAP_S || 240);
const CLASSES = 8;
const FD_BAR = 300;
const { server, base, browser } = await startBrowser();
const results = { gan: { modes: [], fd: [] }, wgan: { modes: [], fd: [] } };
try {
  for (const seed of seeds) {
    const q = `?autoplay=1&seed=${seed}${process.env.BACKEND ? `&backend=${process.env.BACKEND}` : ''}${process.env.DIGITS_QUERY ? `&${process.env.DIGITS_QUERY}` : ''}`;
    const { page, context } = await openPage(browser, base, q, {}, { viewport: { width: 1280, height: 720 } });
    const seen = { gan: {}, wgan: {} };
    const t0 = Date.now();
    while ((Date.now() - t0) / 1000 < CAP_S && !['gan', 'wgan'].every((id) => seen[id].modes && seen[id].fd)) {
      await page.waitForTimeout(500);
      // Seconds since navigation, from the page's own clock.
      const s = await page.evaluate(() => (window.earthmover ? {
        t: performance.now() / 1000, runs: window.earthmover.snapshot().runs.map((r) => ({
          id: r.id, step: r.step, covered: r.modes ? r.modes.covered : 0, fd: r.metrics ? r.metrics.feature_distance : null,
        })),
      } : null));
      if (!s) continue;
      for (const r of s.runs) {
        if (!seen[r.id].modes && r.covered >= CLASSES) seen[r.id].modes = { t: s.t, step: r.step };
        if (!seen[r.id].fd && r.fd != null && r.fd <= FD_BAR) seen[r.id].fd = { t: s.t, step: r.step };
      }
    }
    for (const id of ['gan', 'wgan']) {
      for (const bar of ['modes', 'fd']) {
        const hit = seen[id][bar];
        results[id][bar].push(hit ? hit.t : CAP_S);
        console.log(JSON.stringify({ tool: 'earthmover', workload: `time-to-digits-${bar === 'modes' ? `${CLASSES}-classes` : `fd-${FD_BAR}`}`,
          run: id, seed, seconds: hit ? +hit.t.toFixed(1) : CAP_S, step: hit ? hit.step : null, capped: !hit }));
      }
    }
    await context.close();
  }
  const median = (v) => { const w = [...v].sort((a, b) => a - b); return w[Math.floor(w.length / 2)]; };
  for (const id of ['gan', 'wgan']) {
    console.log(JSON.stringify({ tool: 'earthmover', workload: 'time-to-digits-median', run: id, seeds,
      seconds_to_8_classes: +median(results[id].modes).toFixed(1), seconds_to_fd_300: +median(results[id].fd).toFixed(1) }));
  }
} finally {
  await browser.close();
  server.close();
}
