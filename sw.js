// Works offline after the first visit (issue 18): the service worker keeps a copy of the site's
// own files and answers from it when the network is gone. Network first, so a teacher who edits or
// rebuilds the site never sees stale files while online. `./build.sh dist` writes the site's
// version (a hash of its files) and file list into this file: a rebuilt site gets a new cache and
// the old one is deleted. Served from the repository (./build.sh serve) it keeps the placeholders
// and caches what the page fetches.
const VERSION = '__SITE_VERSION__';
const FILES = [/* __SITE_FILES__ */];
const CACHE = `earthmover-${VERSION}`;
// Of the two CPU builds, only the one this browser runs is cached: www/pkg-fma where it validates
// relaxed SIMD, as www/page/boot.js decides with the same bytes (wasm-feature-detect's relaxedSimd
// test module; tests/kernel.test.mjs checks the three copies agree), else www/pkg.
const RELAXED_SIMD = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11];
const UNUSED_BUILD = (() => {
  try {
    return WebAssembly.validate(new Uint8Array(RELAXED_SIMD)) ? 'www/pkg/earthmover_bg.wasm' : 'www/pkg-fma/earthmover_bg.wasm';
  } catch (_) {
    return 'www/pkg-fma/earthmover_bg.wasm';
  }
})();

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE)
    .then((c) => Promise.all(FILES.filter((f) => f !== UNUSED_BUILD).map((f) => c.add(f).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('earthmover-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  // The class rooms' API (the Rust server): live data and an endless event stream, never cached.
  if (/\/api\//.test(url.pathname)) return;
  ev.respondWith(fetch(req).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(req, copy)).catch(() => {});
    }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || Response.error())));
});
