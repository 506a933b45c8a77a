// The benchmark page (www/bench/bench.html) that `./build.sh bench` reads its wasm figures from: a
// short run of one workload must train and report a rate. It once fetched its data from a path that
// stopped existing when www/ was split into folders, and every wasm line of the bench came out null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage } from './browser.mjs';

const b = useBrowser();

test('the benchmark page trains a workload on the CPU build and reports its steps/s', { timeout: 120_000 }, async () => {
  const { page, context, problems } = await openPage(b.browser, b.base, 'www/bench/bench.html?backend=cpu&budget=1&workloads=small-gan');
  await page.waitForFunction(() => window.benchResults, null, { timeout: 100_000, polling: 500 });
  const [r, ...rest] = await page.evaluate(() => window.benchResults);
  assert.equal(rest.length, 0);
  assert.equal(r.workload, 'small-gan');
  assert.equal(r.notes.error, undefined, `the workload failed: ${r.notes.error}`);
  assert.ok(r.steps_per_s > 0 && r.repeats >= 3, `steps/s ${r.steps_per_s} over ${r.repeats} repeats`);
  assert.deepEqual(problems, { console: [], offOrigin: [], failed: [] });
  await context.close();
});
