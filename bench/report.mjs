// Gemeenterapport benchmark on the optimised dist/ (`./build.sh build` first).
//   node bench/report.mjs            (JEUGDHULP_DIST=… to point elsewhere; BENCH_RUNS, default 5)
// Prints, per gemeente, the median and max time from navigation start to the report's
// printed-ready state (<html data-report-ready="true">, stamped in data-report-ready-at:
// wasm, wijk values, every figure, the funnel plot and the small map drawn), in
// Debian's headless Chromium without throttling, and the core's own calls in the page.
// Target: ≤ 1 s.
import os from 'node:os';
import { serveDist, launchBrowser, openPage } from '../tests/e2e/helpers.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const ms = (x) => `${x.toFixed(1)} ms`;
// The largest gemeente (Amsterdam, 96 wijken), a G4 city, a middle-sized one with suppressed wijken.
const GEMEENTEN = (process.env.BENCH_GEMEENTEN || 'GM0363,GM0344,GM0119').split(',');

const server = await serveDist();
const browser = await launchBrowser();
const origin = server.url.replace(/\/$/, '');
try {
  console.log(`gemeenterapport: navigation start → printed-ready, ${RUNS} page loads each (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  for (const code of GEMEENTEN) {
    const times = [];
    const phases = [];
    let core = null;
    for (let r = 0; r < RUNS; r += 1) {
      const { page } = await openPage(browser, origin, `/?rapport=${code}`);
      // (openPage returns after the load event; the report stamps its own times)
      await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
      times.push(Number(await page.evaluate(() => document.documentElement.dataset.reportReadyAt)));
      phases.push(await page.evaluate(() => Object.fromEntries(['report:init', 'report:values', 'report:rendered']
        .map((k) => [k, performance.getEntriesByName(k)[0]?.startTime ?? NaN]))));
      if (r === RUNS - 1) {
        core = await page.evaluate(async (c) => {
          const jw = await import(new URL('pkg/jeugdhulp_wijk.js', document.querySelector('script[type="module"]').src).href);
          const t = (f) => { const t0 = performance.now(); for (let k = 0; k < 5; k += 1) f(); return (performance.now() - t0) / 5; };
          return { report: t(() => jw.gemeenteReport(c)), funnel: t(() => jw.funnel(60)), effects: t(() => jw.gemeenteEffects(['GM0363', 'GM0599', 'GM0518', 'GM0344'])) };
        }, code);
      }
      await page.close();
    }
    const m = median(times);
    console.log(`  ${code}: median ${ms(m)}, max ${ms(Math.max(...times))}   target ≤ 1000 ms: ${m <= 1000 ? 'OK' : 'OVER BUDGET'}`);
    const ph = (k) => ms(median(phases.map((p) => p[k])));
    console.log(`    phases (median, ms since navigation start): wasm ready ${ph('report:init')}, wijk values in ${ph('report:values')}, figures and map drawn ${ph('report:rendered')}`);
    console.log(`    in the page: gemeenteReport ${ms(core.report)}, funnel(60) ${ms(core.funnel)}, gemeenteEffects(G4) ${ms(core.effects)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
