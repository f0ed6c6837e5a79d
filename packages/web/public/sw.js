/* global self, caches, fetch, URL, Response, AbortSignal */
/**
 * OpenTill service worker: after the first visit the app loads with the server unreachable.
 * - the app shell (index.html and the hashed /assets/* it references, lazy chunks included) is
 *   cached on install;
 * - navigations to /, /display and /admin: network first, the cached shell when offline;
 * - /assets/*: stale-while-revalidate (hashed names never change content);
 * - /api/ is never cached: the register's data lives in IndexedDB, not here.
 */
const CACHE = 'opentill-shell-v1';
const SHELL_ROUTES = ['/', '/display', '/admin'];

/** /assets/ files named by an HTML page or a JS chunk (vite refers to lazy chunks as `./x-hash.js`). */
function assetsIn(text) {
  const found = new Set();
  for (const m of text.matchAll(/\/?assets\/([A-Za-z0-9_.-]+\.(?:js|css|woff2?|svg|png))/g)) {
    found.add(`/assets/${m[1]}`);
  }
  for (const m of text.matchAll(/["'`]\.\/([A-Za-z0-9_-]+\.(?:js|css))["'`]/g)) found.add(`/assets/${m[1]}`);
  return [...found];
}

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch('/', { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put('/', res);
  const seen = new Set();
  const queue = assetsIn(html);
  while (queue.length > 0) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      const asset = await fetch(path);
      if (!asset.ok) continue;
      if (path.endsWith('.js')) queue.push(...assetsIn(await asset.clone().text()));
      await cache.put(path, asset);
    } catch {
      // a missing chunk is fetched (and cached) on first use instead
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirstShell(request) {
  const cache = await caches.open(CACHE);
  try {
    // a server that hangs counts as down after 4 s
    const res = await fetch(request, { signal: AbortSignal.timeout(4000) });
    if (res.ok) {
      await cache.put('/', res.clone());
      // a new build: pick up its assets in the background
      const html = await res.clone().text();
      for (const path of assetsIn(html)) {
        if (!(await cache.match(path))) void fetch(path).then((a) => a.ok && cache.put(path, a));
      }
    }
    return res;
  } catch {
    const cached = await cache.match('/');
    return (
      cached ??
      new Response('OpenTill is offline and has not been opened on this device yet.', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    );
  }
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const fresh = fetch(request)
    .then((res) => {
      if (res.ok) void cache.put(request, res.clone());
      return res;
    })
    .catch(() => undefined);
  if (cached) return cached;
  const res = await fresh;
  return res ?? new Response('', { status: 504 });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return; // never cached
  if (request.mode === 'navigate') {
    const route = url.pathname.replace(/\/+$/, '') || '/';
    if (SHELL_ROUTES.some((r) => route === r || route.startsWith(`${r}/`))) {
      event.respondWith(networkFirstShell(request));
    }
    return;
  }
  if (url.pathname.startsWith('/assets/')) event.respondWith(staleWhileRevalidate(request));
});
