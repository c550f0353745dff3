// First view on a phone: the optimised dist/ (`./build.sh build` first) in Debian's headless
// Chromium with Lighthouse's mobile profile, served as GitHub Pages serves it (gzip, under
// /jeugdhulp-wijk/, see tests/e2e/helpers.mjs):
//   - CPU slowed 4× (CDP Emulation.setCPUThrottlingRate);
//   - network 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip (CDP
//     Network.emulateNetworkConditions; Lighthouse's "slow 4G");
//   - a 412 × 823 viewport at device scale 1.75, touch.
// Each load is a fresh context (cold cache, no service worker). Reported, median of RUNS
// loads (default 5):
//   - first result: navigation → the first expected value on screen (window.__firstResultAt);
//   - map drawn: navigation → the map's first complete draw (#kaart data-drawn-at): the
//     "werkelijk" view, which needs only the wasm and the geometry (www/map.js);
//   - bytes transferred: the encoded (gzip) body bytes of every response of the whole load,
//     without touching the page, until the network has been quiet for 3 s (CDP
//     Network.loadingFinished), and of those, the bytes until the map was drawn;
//   - and then, for the full picture, the map is tapped: it asks for the wijk values and the
//     rest of itself only when it is first used (www/map.js). Reported: tap → the map with
//     every view, tooltip and list (#kaart data-ready-at), and the bytes in all by then.
// Targets (issue 11): first result ≤ 1.8 s, map ≤ 3.5 s, transfer ≤ 400 KB.
//
//   node bench/phone.mjs            (RUNS=…, JEUGDHULP_DIST=…)
import { launchBrowser, serveDist } from '../tests/e2e/helpers.mjs';

const RUNS = Number(process.env.RUNS || 5);
const TARGET = { first: 1800, map: 3500, kb: 400 };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// Bytes of the responses that finished by `until` (ms since the page's request), in all and per file.
const tally = (finished, until) => {
  const per = new Map();
  for (const [ms, url, n] of finished) if (ms <= until) per.set(url, (per.get(url) ?? 0) + n);
  return [[...per.values()].reduce((a, b) => a + b, 0), [...per].sort((a, b) => b[1] - a[1])];
};

const server = await serveDist();
const browser = await launchBrowser();
const runs = [];
try {
  for (let i = 0; i < RUNS; i += 1) {
    const context = await browser.newContext({
      viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true,
      serviceWorkers: 'block',
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const files = new Map(); // requestId -> url
    const finished = []; // [ms since the page's request, url, bytes]
    let t0 = null; // CDP monotonic time (s) of the page's own request, ≈ the page's time origin
    let lastNet = 0; // Date.now() of the last request or finished response: for "network quiet"
    cdp.on('Network.requestWillBeSent', (e) => {
      lastNet = Date.now();
      if (t0 === null && e.type === 'Document') t0 = e.timestamp;
    });
    cdp.on('Network.responseReceived', (e) => files.set(e.requestId, e.response.url));
    cdp.on('Network.loadingFinished', (e) => {
      lastNet = Date.now();
      finished.push([(e.timestamp - t0) * 1000, files.get(e.requestId) ?? '?', e.encodedDataLength]);
    });
    await page.goto(server.url, { waitUntil: 'commit' });
    await page.waitForSelector('#kaart[data-drawn-at]', { timeout: 120_000 });
    // The whole load, without touching the page: until the network has been quiet for 3 s.
    while (Date.now() - lastNet < 3000) await new Promise((r) => setTimeout(r, 250));
    const [loadBytes, loadFiles] = tally(finished, Infinity);
    // Then the map is used (a tap): it loads the wijk values and the rest of itself.
    const tapAt = await page.evaluate(() => performance.now());
    await page.tap('#kaart .map-canvas');
    await page.waitForSelector('#kaart[data-ready="true"]', { timeout: 120_000 });
    const t = await page.evaluate(() => ({
      first: window.__firstResultAt,
      map: Number(document.getElementById('kaart').dataset.drawnAt),
      complete: Number(document.getElementById('kaart').dataset.readyAt),
    }));
    const [drawnBytes, drawnFiles] = tally(finished, t.map);
    const [bytes, allFiles] = tally(finished, t.complete);
    runs.push({ ...t, tapAt, drawnBytes, bytes: loadBytes, totalBytes: bytes, perFile: loadFiles, drawnFiles, allFiles });
    console.log(`load ${i + 1}: first result ${t.first.toFixed(0)} ms, map drawn ${t.map.toFixed(0)} ms (${(drawnBytes / 1024).toFixed(0)} KB),`
      + ` whole load ${(loadBytes / 1024).toFixed(0)} KB; after a tap, complete in ${(t.complete - tapAt).toFixed(0)} ms, ${(bytes / 1024).toFixed(0)} KB in all`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}

const first = median(runs.map((r) => r.first));
const map = median(runs.map((r) => r.map));
const kb = median(runs.map((r) => r.bytes)) / 1024;
const ok = (v, t) => (v <= t ? 'yes' : 'NO');
console.log(`\nphone profile (4× CPU, 1.6 Mbit/s, 150 ms RTT, gzip), median of ${RUNS} loads`);
console.log(`  first result      ${first.toFixed(0)} ms   (target ≤ ${TARGET.first} ms: ${ok(first, TARGET.first)})`);
console.log(`  map drawn         ${map.toFixed(0)} ms   (target ≤ ${TARGET.map} ms: ${ok(map, TARGET.map)})`);
console.log(`  transferred       ${kb.toFixed(1)} KB   (target ≤ ${TARGET.kb} KB: ${ok(kb, TARGET.kb)}; the whole load, until the network is quiet for 3 s)`);
console.log(`    of which until the map is drawn: ${(median(runs.map((r) => r.drawnBytes)) / 1024).toFixed(1)} KB`);
console.log(`  map complete      ${median(runs.map((r) => r.complete - r.tapAt)).toFixed(0)} ms after a tap on the map, ${(median(runs.map((r) => r.totalBytes)) / 1024).toFixed(0)} KB in all (every view, after the wijk values)`);
console.log('  largest responses of the whole load (last load):');
for (const [url, n] of runs.at(-1).perFile.slice(0, 10)) {
  console.log(`    ${(n / 1024).toFixed(1).padStart(7)} KB  ${url.slice(server.url.length) || '(page)'}`);
}
const loaded = new Set(runs.at(-1).perFile.map(([u]) => u));
console.log('  and after the tap, until the map is complete:');
for (const [url, n] of runs.at(-1).allFiles.filter(([u]) => !loaded.has(u)).slice(0, 8)) {
  console.log(`    ${(n / 1024).toFixed(1).padStart(7)} KB  ${url.slice(server.url.length) || '(page)'}`);
}
