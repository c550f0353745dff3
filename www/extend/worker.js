// The Web Worker behind "Aanvullen met eigen wijkkenmerken" and "Eigen model" (issue 10):
// the fitter runs here, so the page never freezes while it works. It loads the Worker's own
// build of the wasm (pkg-worker/, with the fitter and the upload reader), the wijken and
// their values once, when the page starts it, before anyone can choose a file: after an
// upload this worker makes no request at all, and the uploaded bytes stay in its memory.
//
// Messages in:  {id, method, args}       method: extendInspect | extendRun | refitNational
// Messages out: {ready: true} | {ready: false, error}
//               {id, result, ms} | {id, error, error_en}   ms: the wasm call's own time
//               (benchmark); error/error_en: the core's message in Dutch and English
import init, * as jw from '../pkg-worker/jeugdhulp_wijk.js';
import { fetchDataFile } from '../binfile.js';

const METHODS = {
  extendInspect: (bytes) => jw.extendInspect(bytes),
  extendRun: (bytes, options) => jw.extendRun(bytes, options),
  refitNational: (names) => jw.refitNational(names),
};

const ready = (async () => {
  // Both asked for at once; a failure is thrown below, after init.
  const [site, values] = ['site.bin.gz', 'wijkwaarden.bin.gz'].map((f) => fetchDataFile(f, new URL('../', import.meta.url)));
  await init();
  jw.loadSite(await site);
  jw.loadWijkValues(await values);
})();

ready.then(() => postMessage({ ready: true }), (e) => postMessage({ ready: false, error: String(e?.message || e) }));

onmessage = async ({ data }) => {
  const { id, method, args = [] } = data || {};
  try {
    await ready;
    const fn = METHODS[method];
    if (!fn) throw new Error(`onbekende opdracht voor de rekenhulp: ${method}`);
    const t0 = performance.now();
    const result = fn(...args);
    postMessage({ id, result, ms: performance.now() - t0 });
  } catch (e) {
    postMessage({ id, error: String(e?.message || e), error_en: e?.message_en ?? null });
  }
};
