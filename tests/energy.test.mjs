// End-to-end (issue 6): WGAN-GP and the energy GAN as run objectives, the one-click comparison,
// and latent-space MCMC on a run's energy, in headless Chromium on the CPU backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inkFraction, openPage, useBrowser, waitReady } from './browser.mjs';

const b = useBrowser();
const open = (query) => openPage(b.browser, b.base, query);

test('WGAN-GP vs clipped WGAN with one click: same seed, W_hat of both on one chart, URL state', { timeout: 300_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&gan.seed=4');
  await waitReady(page);
  const snap = await page.evaluate(() => window.earthmover.experiment('wgan-vs-wgan-gp'));
  assert.deepEqual(snap.runs.map((r) => r.objectiveKey), ['wgan', 'wgan_gp']);
  const settings = await page.evaluate(() => window.earthmover.exportRun().then((r) => Object.fromEntries(
    Object.entries(r.runs).map(([id, x]) => [id, Object.fromEntries(x.settings)]))));
  console.log(JSON.stringify(settings));
  assert.equal(settings.gan.seed, '4');
  assert.equal(settings.wgan.seed, '4');
  assert.equal(settings.wgan.optimizer, 'adam');
  assert.equal(settings.wgan.beta2, '0.9');
  assert.equal(settings.wgan.lambda, '10');
  assert.equal(settings.wgan.n_critic, '5');
  assert.equal(settings.gan.optimizer, 'rmsprop');
  await page.evaluate(() => window.earthmover.step(undefined, 20));
  const h = await page.evaluate(() => ['gan', 'wgan'].map((id) => window.earthmover.history(id)));
  for (const hist of h) {
    const last = hist[hist.length - 1];
    // The clipped WGAN's W_hat is measured at every fifth logged point (step 0 is one), WGAN-GP's
    // at every point.
    const est = hist.findLast((p) => p.w_hat != null);
    assert.ok(last.step >= 20 && last.js_hat == null && est && Number.isFinite(est.w_hat), JSON.stringify(last));
  }
  assert.ok(Number.isFinite(h[1][h[1].length - 1].w_hat), 'WGAN-GP: W_hat at every point');
  // Both estimates are W_hat columns of the same chart, one per run.
  const legend = await page.evaluate(() => [...document.querySelectorAll('#chart-estimates .u-legend .u-label')].map((e) => e.textContent));
  console.log(legend.join(' | '));
  assert.deepEqual(legend.slice(1), ['WGAN W_hat (critic units)', 'WGAN-GP W_hat (critic units)']);
  const names = await page.evaluate(() => [...document.querySelectorAll('.run h2 .name')].map((e) => e.textContent));
  assert.deepEqual(names, ['WGAN', 'WGAN-GP']);
  const link = await page.evaluate(() => window.earthmover.link());
  assert.match(link, /gan\.objective=wgan(&|$)/);
  assert.match(link, /wgan\.objective=wgan_gp/);
  // The link reopens the same pair, in Chinese too.
  const again = await context.newPage();
  await again.goto(`${link}&lang=zh`);
  await waitReady(again);
  const names2 = await again.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.objectiveKey));
  assert.deepEqual(names2, ['wgan', 'wgan_gp']);
  assert.equal(problems.console.length, 0, problems.console.join('\n'));
  await context.close();
});

test('energy GAN trains; MCMC refines its samples with energy, acceptance and EMD before/after', { timeout: 400_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&gan.objective=energy&panel=energy&mcmc_run=gan&mcmc_steps=30&mcmc_eps=0.05');
  await waitReady(page);
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  assert.equal(snap.runs[0].objectiveKey, 'energy');
  assert.match(snap.runs[0].objective, /Energy GAN/);
  await page.evaluate(() => window.earthmover.step('gan', 40));
  const last = await page.evaluate(() => window.earthmover.history('gan').at(-1));
  assert.ok(last.step >= 40 && Number.isFinite(last.w_hat), JSON.stringify(last));
  // The form carries the URL's values; start from the button.
  assert.equal(await page.inputValue('#mcmc-form [name=steps]'), '30');
  const t0 = Date.now();
  const [res] = await Promise.all([
    page.evaluate(() => new Promise((resolve) => {
      const el = document.querySelector('#mcmc-summary');
      new MutationObserver(() => { if (el.textContent) resolve(el.textContent); }).observe(el, { childList: true, characterData: true, subtree: true });
    })),
    page.click('#mcmc-start'),
  ]);
  console.log(`MALA 30 steps in ${Date.now() - t0} ms: ${res}`);
  assert.match(res, /acceptance 0\.\d\d|acceptance 1\.00/);
  assert.ok(await inkFraction(page, '#mcmc-before') > 0.05, 'before grid drawn');
  assert.ok(await inkFraction(page, '#mcmc-after') > 0.05, 'after grid drawn');
  // The same through the API: Langevin accepts every step; MALA's acceptance is a share.
  const lan = await page.evaluate(() => window.earthmover.refine({ run: 'gan', sampler: 'langevin', eps: 0.01, steps: 10 }));
  console.log(JSON.stringify(lan.summary));
  assert.equal(lan.summary.mean_acceptance, 1);
  assert.equal(lan.points.length, 11);
  assert.ok(lan.points.every((p) => Number.isFinite(p.u) && Number.isFinite(p.energy)));
  assert.ok(Number.isFinite(lan.summary.emd_before) && Number.isFinite(lan.summary.emd_after));
  await assert.rejects(page.evaluate(() => window.earthmover.refine({ run: 'gan', eps: 5 })), /out of range/);
  // Training still goes on afterwards.
  await page.evaluate(() => window.earthmover.step('gan', 10));
  assert.ok((await page.evaluate(() => window.earthmover.snapshot().runs[0].step)) >= 50);
  assert.equal(problems.console.length, 0, problems.console.join('\n'));
  await context.close();
});
