// Service worker: after one visit the page works without a network, and a deploy never
// mixes with another. tools/assemble.mjs puts this build's manifest in front of this code:
// self.JW_BUILD = { version, files } (files relative to this script: './' is the page,
// the rest lives under v/<version>/).
const { version, files } = self.JW_BUILD;
// Cache Storage is shared by the whole origin (USER.github.io holds every project of a
// user), so names carry this site's scope and only this site's old caches are removed.
const PREFIX = `jeugdhulp-wijk ${self.registration.scope} `;
const CACHE = PREFIX + version;
const PAGE = new URL('./', self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // The page is checked with the server (no-cache): an index.html of another deploy
    // would point at files this cache does not hold.
    const page = await fetch(PAGE, { cache: 'no-cache' });
    if (!page.ok) throw new Error(`page: HTTP ${page.status}`);
    if (!(await page.clone().text()).includes(`v/${version}/`)) {
      throw new Error(`the page on the server is not build ${version}; the newer worker will take over`);
    }
    await cache.put(PAGE, page);
    // The other files have content-versioned paths, so any cached copy is the right one.
    await cache.addAll(files.filter((f) => f !== './'));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || !req.url.startsWith(self.registration.scope)) return;
  if (req.mode === 'navigate') {
    // Network first, revalidated (GitHub Pages lets browsers keep a page for 10 minutes,
    // and an old page would ask for files the new deploy no longer has), so a new deploy
    // shows as soon as there is a network; the cached page (any query string: ?wijk=…)
    // when there is none. A navigation must not get a followed redirect: keep it manual.
    const fresh = new Request(req.url, { cache: 'no-cache', credentials: 'same-origin', redirect: 'manual' });
    event.respondWith(fetch(fresh).catch(async () => {
      const cache = await caches.open(CACHE);
      return (await cache.match(req, { ignoreSearch: true })) || (await cache.match(PAGE)) || Response.error();
    }));
    return;
  }
  event.respondWith((async () => {
    const hit = await (await caches.open(CACHE)).match(req);
    return hit || fetch(req);
  })());
});
