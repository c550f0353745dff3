// "Eigen model" benchmark (issue 10, point 4) on the built dist/ (run `./build.sh build`
// first). Not a timed test: it reports figures to set against the native ones
// (`jeugdhulp-wijk bench`, section 3).
//
//   node bench/model.mjs            (RUNS=… warm runs per choice, default 15)
//
// In Debian's headless Chromium, through the panel itself: the refit with all 27
// determinants and with 26 (perc_1ouder off), each RUNS times after one cold run. Per run
// the wasm call's own time inside the Worker (the status's data-ms) and the round trip
// the page waits for (data-total-ms: postMessage, the call, the result back; not the
// rendering). Cross-origin isolated (COOP/COEP), so performance.now() is fine-grained.
import { launchBrowser, serveDist, panelsReady } from '../tests/e2e/helpers.mjs';

const RUNS = Number(process.env.RUNS || 15);
const server = await serveDist(undefined, {
  headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
});
const browser = await launchBrowser();
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const f = (x) => x.toFixed(1);
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}?wijk=WK036300`);
  await panelsReady(page, 60_000);
  await page.waitForSelector('[data-testid="model-open"]', { timeout: 60_000 });
  await page.click('[data-testid="model-open"]');
  let runs = 0;
  const runOnce = async () => {
    runs += 1;
    await page.click('[data-testid="model-run"]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="model-result"]').dataset.runs || 0) >= n
      && !document.querySelector('[data-testid="model-run"]').disabled, runs, { timeout: 60_000 });
    return page.$eval('[data-testid="model-status"]', (e) => ({ ms: Number(e.dataset.ms), total: Number(e.dataset.totalMs) }));
  };
  const cold = await runOnce();
  console.log(`first run (worker start, wasm compile, wijken and values included in the round trip): call ${f(cold.ms)} ms, round trip ${f(cold.total)} ms`);
  for (const [label, off] of [['27 determinants', []], ['26 determinants (perc_1ouder off)', ['perc_1ouder']]]) {
    await page.click('[data-testid="model-all-on"]').catch(() => {});
    for (const n of off) await page.uncheck(`[data-testid="model-det-${n}"]`);
    const t = [];
    for (let k = 0; k < RUNS; k++) t.push(await runOnce());
    console.log(`${label}, warm, ${RUNS} runs: call median ${f(median(t.map((x) => x.ms)))} ms (min ${f(Math.min(...t.map((x) => x.ms)))}), `
      + `round trip median ${f(median(t.map((x) => x.total)))} ms (min ${f(Math.min(...t.map((x) => x.total)))}); target ≤ 50 ms`);
  }
} finally {
  await browser.close();
  await server.close();
}
