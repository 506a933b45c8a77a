// Works offline after the first visit (issue 18): the service worker keeps a copy of the site's
// own files and answers from it when the network is gone. Network first, so a teacher who edits or
// rebuilds the site never sees stale files while online. `./build.sh dist` writes the site's
// version (a hash of its files) and file list into this file: a rebuilt site gets a new cache and
// the old one is deleted. Served from the repository (./build.sh serve) it keeps the placeholders
// and caches what the page fetches.
const VERSION = '__SITE_VERSION__';
const FILES = [/* __SITE_FILES__ */];
const CACHE = `earthmover-${VERSION}`;

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => Promise.all(FILES.map((f) => c.add(f).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('earthmover-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  ev.respondWith(fetch(req).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(req, copy)).catch(() => {});
    }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || Response.error())));
});
