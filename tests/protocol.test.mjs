// The page <-> worker protocol (www/common/protocol.js), over a real MessageChannel: every request
// settles exactly once (also on error, the bug where a refused gan_loss never settled), errors keep
// their code, progress arrives before the reply, cancel reaches a running or queued request, and
// an immediate op overtakes queued ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Requester, coded, serve } from '../www/common/protocol.js';

function pair(ops, options) {
  const { port1, port2 } = new MessageChannel();
  const events = [];
  const post = serve(port2, ops, options);
  const requests = new Requester(port1, (msg) => events.push(msg));
  const close = () => { port1.close(); port2.close(); };
  return { requests, post, events, close };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

test('replies resolve, errors reject with their code and detail, unknown ops are refused', async () => {
  const { requests, close } = pair({
    add: ({ a, b }) => a + b,
    refuse: () => { throw coded('settings', 'gan_loss="x" is not one of nonsaturating, saturating'); },
    crash: async () => { throw new Error('boom'); },
  });
  assert.equal(await requests.request('add', { a: 2, b: 3 }), 5);
  await assert.rejects(requests.request('refuse'), (e) => e.code === 'settings' && /not one of/.test(e.detail) && e.message === e.detail);
  await assert.rejects(requests.request('crash'), (e) => e.code === 'generic' && e.detail === 'boom');
  await assert.rejects(requests.request('nope'), (e) => /unknown operation/.test(e.detail));
  assert.equal(requests.pending.size, 0, 'every request settled');
  close();
});

test('progress comes before the reply; events go to the event handler', async () => {
  let post;
  const seen = [];
  const h = pair({
    count: async ({ n }, ctx) => {
      for (let i = 1; i <= n; i++) ctx.progress(i);
      post({ type: 'status', step: n });
      return 'done';
    },
  });
  post = h.post;
  const v = await h.requests.request('count', { n: 3 }, { onProgress: (i) => seen.push(i) });
  assert.equal(v, 'done');
  assert.deepEqual(seen, [1, 2, 3]);
  await tick();
  assert.deepEqual(h.events, [{ type: 'status', step: 3 }]);
  h.close();
});

test('requests run one at a time in order; an immediate op overtakes them; cancel reaches running and queued ones', async () => {
  const order = [];
  const h = pair({
    slow: async ({ name }, ctx) => {
      order.push(`start ${name}`);
      for (let i = 0; i < 20 && !ctx.cancelled; i++) await tick();
      order.push(`end ${name}`);
      return { cancelled: ctx.cancelled };
    },
    pause: () => { order.push('pause'); return {}; },
  }, { immediate: ['pause'] });
  const a = h.requests.request('slow', { name: 'a' });
  const b = h.requests.request('slow', { name: 'b' });
  await tick();
  await h.requests.request('pause');
  h.requests.cancel(a.reqId);
  h.requests.cancel(b.reqId); // still queued: it starts cancelled
  assert.deepEqual(await a, { cancelled: true });
  assert.deepEqual(await b, { cancelled: true });
  assert.deepEqual(order, ['start a', 'pause', 'end a', 'start b', 'end b']);
  h.close();
});

test('rejectAll fails what is open (a worker that was terminated)', async () => {
  const h = pair({ never: () => new Promise(() => {}) });
  const p = h.requests.request('never');
  h.requests.rejectAll(coded('device', 'the WebGPU device was lost'));
  await assert.rejects(p, (e) => e.code === 'device');
  h.close();
});
