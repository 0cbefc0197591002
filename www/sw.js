// Kindling's service worker: the site keeps working offline (ARCHITECTURE.md, "Offline").
// `cargo xtask loader` (xtask/src/offline.rs) writes dist/sw.js as this file below four
// constants it derives from the built files' content:
//   VERSION, DATA_VERSION: hashes of the app's files and of the data sets' files;
//   APP: the files cached on the first visit (page, start-up, css, text, models);
//   BUILDS: each worker build's files by its loader script; only the build this browser
//     starts is cached (the page names it, or it passes through here);
//   DATA_DIRS: the data sets' folders, cached file by file the first time a lesson loads them.
// Every URL is relative to this script, so the site works from any sub-path.

const APP_CACHE = `kindling-app-${VERSION}`;
// Its own version, so that a new release of the app keeps the data sets already loaded.
const DATA_CACHE = `kindling-data-${DATA_VERSION}`;
const BASE = new URL('./', self.location.href);

// The path under the site's folder ('' for the folder itself), or null outside it.
function sitePath(url) {
  const u = new URL(url);
  if (u.origin !== BASE.origin || !u.pathname.startsWith(BASE.pathname)) return null;
  return decodeURIComponent(u.pathname.slice(BASE.pathname.length));
}

self.addEventListener('install', (event) => {
  // No skipWaiting here: a new release waits until the learner clicks "Update" in the page.
  event.waitUntil(
    caches.open(APP_CACHE).then((cache) =>
      cache.addAll(APP.map((file) => new Request(new URL(file, BASE), { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((k) => k.startsWith('kindling-') && k !== APP_CACHE && k !== DATA_CACHE)
            .map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// Tells the open pages that `path` is not cached and the network failed.
async function sayMissing(path) {
  for (const client of await self.clients.matchAll({ type: 'window' })) {
    client.postMessage({ kind: 'kindling-offline-missing', path });
  }
}

// The cached answer, else the network's (kept in `cacheName` when it is good; the page
// reads it while it is stored, so a data set's progress bar still moves).
async function cachedOrFetched(event, cacheName, path) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(url(path), { ignoreSearch: true });
  if (hit) return hit;
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    event.waitUntil(sayMissing(path));
    throw error;
  }
  if (response.ok) event.waitUntil(cache.put(url(path), response.clone()));
  return response;
}

function buildOf(path) {
  return Object.values(BUILDS).find((files) => files.includes(path));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const path = request.method === 'GET' ? sitePath(request.url) : null;
  if (path === null || path === 'sw.js') return;
  if (request.mode === 'navigate') {
    // Any page of the site is index.html; its route is in the hash.
    event.respondWith(cachedOrFetched(event, APP_CACHE, 'index.html'));
  } else if (APP.includes(path) || buildOf(path)) {
    event.respondWith(cachedOrFetched(event, APP_CACHE, path));
  } else if (DATA_DIRS.some((dir) => path.startsWith(dir))) {
    event.respondWith(cachedOrFetched(event, DATA_CACHE, path));
  }
});

self.addEventListener('message', (event) => {
  const message = event.data || {};
  if (message.kind === 'skip-waiting') {
    self.skipWaiting();
  } else if (message.kind === 'keep-build' && BUILDS[sitePath(url(message.loader))]) {
    // The page started this worker build before this service worker controlled it.
    const files = BUILDS[sitePath(url(message.loader))].map(url);
    event.waitUntil(
      caches.open(APP_CACHE).then((cache) =>
        Promise.all(files.map((f) => cache.match(f).then((hit) => hit || cache.add(f)))),
      ),
    );
  } else if (message.kind === 'version' && event.ports[0]) {
    event.ports[0].postMessage(VERSION);
  }
});

function url(path) {
  return new URL(path, BASE).href;
}
