// The per-gemeente views (issue 12), started by app.js instead of the calculator
// when the URL asks for one:
//
//   ?rapport=GM0344                 the gemeenterapport (www/report/gemeente.js)
//   ?vergelijk=GM0363,GM0599,…      the comparison of gemeenten (www/report/compare.js);
//                                   an empty list means the G4
//
// Both take every figure from the wasm core (src/report.rs via jeugdhulp_wijk.js);
// this module only loads the core and the wijk values, hides the calculator's
// parts and hands over. When the view is ready for printing it sets
// <html data-report-ready="true"> (tests and bench/report.mjs wait for it), and
// data-report-ready-at, ms since navigation start.

import init, * as jw from '../pkg/jeugdhulp_wijk.js';
import { el } from '../dom.js';
import { decodeGeometry, fetchGeometry, knownNames } from '../geobin.js';
import { fetchDataFile } from '../binfile.js';
import { messages, withLang, errorText } from '../i18n.js';

const M = messages('reportMain');

/**
 * Load one of the wijk data files into the wasm (as the calculator does): `load` is
 * jw.loadSite or jw.loadWijkValues, `bytes` the fetch of its file (fetchDataFile), which
 * starts at once; `after` what must be loaded first (its failure is its own).
 */
async function loadData(load, bytes, after) {
  await after;
  try {
    load(await bytes);
  } catch (e) {
    throw new Error(M.valuesFailed(errorText(e)), { cause: e });
  }
}

/** A data file beside the page's modules (failures are said by loadData). */
const dataFile = (name) => fetchDataFile(name, new URL('../', import.meta.url));

/**
 * The map's geometry (geo.bin.gz, www/geobin.js), for the report's small map: the download
 * starts at once, the decoding waits for the wasm (`ready`), which has the names it needs.
 */
async function loadGeometry(ready) {
  const bytes = fetchGeometry(new URL('../geo.bin.gz', import.meta.url));
  bytes.catch(() => {}); // thrown below
  await ready;
  const inflated = await bytes; // its errors name the file
  try {
    return decodeGeometry(inflated, knownNames(jw.wijken(), jw.gemeenten()));
  } catch (e) {
    throw new Error(`geo.bin.gz: ${e.message}`, { cause: e });
  }
}

/** The calculator's parts are hidden; a fresh container takes their place. */
function makeRoot(kind) {
  document.documentElement.dataset.view = kind;
  for (const sel of ['.layout', '#verantwoording', '.lede', '.site-header nav', '.skip-link']) {
    const node = document.querySelector(sel);
    if (node) node.hidden = true;
  }
  const root = el('div', { class: `report-root report-${kind}`, id: 'rapport-root' });
  const back = el('p', { class: 'report-back no-print' }, el('a', { href: withLang('./') }, M.back));
  document.getElementById('main').append(back, root);
  return root;
}

function fail(root, message) {
  const p = el('p', { class: 'notice', role: 'alert', 'data-testid': 'report-error' }, message);
  root.replaceChildren(p);
  document.documentElement.dataset.reportReady = 'error';
}

export async function start() {
  const q = new URLSearchParams(location.search);
  const kind = q.has('rapport') ? 'rapport' : 'vergelijk';
  const root = makeRoot(kind);
  try {
    // The wijken, their values and the map's geometry load beside the wasm, not after it.
    const site = dataFile('site.bin.gz');
    const values = kind === 'rapport' ? dataFile('wijkwaarden.bin.gz') : null;
    const ready = init();
    const siteReady = loadData((b) => jw.loadSite(b), site, ready);
    const geo = kind === 'rapport' ? loadGeometry(siteReady) : null;
    geo?.catch(() => {}); // a failure is shown in the map's place
    await siteReady;
    performance.mark('report:init');
    if (kind === 'rapport') {
      const [{ renderReport }] = await Promise.all([import('./gemeente.js'),
        loadData((b) => jw.loadWijkValues(b), values, siteReady)]);
      performance.mark('report:values');
      await renderReport(root, jw, q.get('rapport') ?? '', geo);
    } else {
      const { renderCompare } = await import('./compare.js');
      renderCompare(root, jw, q.get('vergelijk') ?? '');
    }
    performance.mark('report:rendered');
    // after the layout of this frame, so the page is what a print would show
    await new Promise((r) => requestAnimationFrame(() => r()));
    document.documentElement.dataset.reportReadyAt = performance.now().toFixed(1);
    document.documentElement.dataset.reportReady = 'true';
  } catch (e) {
    console.warn('rapport:', e);
    fail(root, M.loadFailed(errorText(e)));
  }
}
