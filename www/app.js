// The calculator page: state, URL, and wiring between wasm, search, what-if,
// contributions chart and (lazily) the map.
//
// State in the URL (query string, written with history.replaceState):
//   ?wijk=WK001404                       a selected wijk
//   ?eigen=land[&gemeente=GM0363]        eigen wijk from the national mean profile
//   ?eigen=WK001404[&gemeente=GM0014]    eigen wijk from that wijk's profile
//   &n_jeugd=1200                        eigen wijk: the number of youths (for the
//                                        prediction interval; absent = the default)
//   &perc_1ouder=34.2&...                determinant values that differ from the start
//                                        profile, as String(number) so a reload
//                                        reproduces the exact same doubles.
// In eigen mode a missing `gemeente` means "geen gemeente".
//   &ses=laag|midden|hoog                the map's income-class filter (www/map/ses.js); kept here
//   &model=-perc_1ouder,-perc_hhbijs     "Eigen model" (www/extend/model.js, issue 10): the
//                                        determinants switched off, each with a minus, comma-
//                                        separated; the panel opens with that choice and refits.
//                                        Written by the panel after a run; kept here
//   ?rapport=GM0344, ?vergelijk=GM0363,… the per-gemeente views instead of the calculator
//                                        (www/report/main.js, issue 12)
// What a link holds that the page cannot use (an unknown parameter or wijk, a value that is
// no number or that the core refuses) is named in the notice, never dropped silently
// (readUrl, reportRefused; docs/input-errors.md).
//
// Loading (docs/wasm-api.md): the wasm, with the model compiled in, comes first and
// alone: it is all the first result needs. Without a wijk or gemeente in the URL the
// first result is the national mean profile (eigen wijk, geen gemeente), shown right
// after init(). When the wasm is in, the wijken (site.bin: names, gemeenten, observed
// use) and the map's geometry start to download; the search, the gemeente list and the
// map follow when they are there. The map draws its first view (observed use) from the
// wijken and the geometry, and only then asks for the per-wijk determinant values
// (wijkwaarden.bin); a wijk chosen before the values arrive is shown as soon as they are
// there. A link that names a wijk or gemeente waits for what it needs.

import init, * as jw from './pkg/jeugdhulp_wijk.js';
import { fmtPct, fmtPp, fmtRange, fmtNum, fmtCoef, fmtCount, collator } from './format.js';
import { applyStatic, loadMessages, messages, tr, withLang, localizeDeterminants, errorText } from './i18n.js';
import { createSearch } from './search.js';
import { createWhatIf } from './whatif.js';
import { createContributions } from './charts.js';
import { fetchGzipped, fetchDataFile } from './binfile.js';

const $ = (id) => document.getElementById(id);
const M = messages('app');

// The page's language (?lang=en, www/i18n.js): its messages load beside the wasm; the
// static text is filled in before anything else writes to the page.
const i18nReady = loadMessages().then(() => applyStatic());

const state = {
  mode: 'wijk', // 'wijk' | 'eigen'
  wijk: null, // selected wijk code (also the start of eigen mode when start !== 'land')
  start: 'land', // eigen mode: 'land' or a wijk code
  gemeente: null, // gemeente used for the random effects
  base: {}, // start values (imputed)
  values: {}, // current values
  impKinds: {}, // name → 'nul' | 'gemeente' | 'land' for imputed values
  nJeugd: null, // eigen mode: the youths the user gave (null = the model's default)
  result: null, // last valid jw.expected() result
};

let determinants; let national; let info;
// The wijken and gemeenten: empty until site.bin is in (loadSite).
let wijken = []; let gemeenten = [];
let wijkIndex = new Map(); let gemeenteIndex = new Map();
let search; let whatif; let contrib;
let map = null;
let urlEnabled = false;
let siteReady = null; // Promise<boolean>, set by loadSite()
let valuesReady = null; // Promise<boolean>, set by loadValues()
// Every choice a person makes (a wijk, an eigen wijk, an edit) bumps this; a wijk that
// waits for the wijken or their values is only shown if no later choice was made meanwhile.
let choice = 0;

function safeMap(fn) {
  if (!map) return;
  try { fn(map); } catch (e) { console.warn('kaart:', e); }
}

function setText(id, text) { $(id).textContent = text; }
function testEl(id) { return document.querySelector(`[data-testid="${id}"]`); }
function setTest(id, text, value) {
  const e = testEl(id);
  e.textContent = text;
  e.dataset.value = value === null || value === undefined ? '' : String(value);
}

// Where each imputed value came from, as the core says (wijkProfile().sources).
const SOURCE_KIND = { zero: 'nul', gemeente_mean: 'gemeente', national_mean: 'land' };
function impKindsFor(profile) {
  const kinds = {};
  for (const [name, source] of Object.entries(profile.sources || {})) kinds[name] = SOURCE_KIND[source];
  return kinds;
}


function changedNames() {
  return determinants.map((d) => d.name).filter((n) => state.values[n] !== state.base[n]);
}

// ---------------------------------------------------------------- rendering

function renderHeader() {
  const changed = changedNames().length;
  if (state.mode === 'wijk') {
    const w = wijken[wijkIndex.get(state.wijk)];
    setText('resultaat-titel', w.name);
    setText('resultaat-sub', `${w.gemeente_name} · ${M.regio(w.regio_name)} · ${w.code}`);
    reportLink(w.gemeente_code, w.gemeente_name);
  } else {
    const g = state.gemeente ? gemeenten[gemeenteIndex.get(state.gemeente)] : null;
    const from = state.start === 'land' ? M.fromLand
      : M.fromWijk(wijken[wijkIndex.get(state.start)].name, wijken[wijkIndex.get(state.start)].gemeente_name);
    setText('resultaat-titel', M.ownTitle);
    setText('resultaat-sub', `${from} · ${g ? M.gemeente(g.name) : M.noGemeente}`);
    reportLink(g?.code, g?.name);
  }
  $('eigen-uitleg').hidden = state.mode !== 'eigen';
  const note = $('whatif-note');
  note.hidden = changed === 0;
  note.textContent = changed === 0 ? ''
    : M.whatifNote(changed, state.mode === 'wijk');
}

/** The calculator's way to the gemeenterapport (issue 12, www/report/). */
function reportLink(code, name) {
  $('rapport-link-p').hidden = !code;
  if (!code) return;
  const a = $('rapport-link');
  a.href = withLang(`?rapport=${encodeURIComponent(code)}`);
  a.textContent = M.reportLink(name);
}

let announceTimer = 0;
function renderResult(r) {
  const w = state.mode === 'wijk' ? wijken[wijkIndex.get(state.wijk)] : null;
  const observed = w ? w.observed : null;

  // An eigen wijk has no observed use: hide the figures that depend on it.
  for (const id of ['fig-observed', 'fig-difference', 'fig-verdict', 'fig-scp']) $(id).hidden = !w;
  if (w) {
    if (observed === null) setTest('observed', M.notPublished, null);
    else setTest('observed', fmtPct(observed), observed);
  } else {
    setTest('observed', M.noneOwn, null);
  }
  $('observed-unit').hidden = observed === null;
  setTest('expected', fmtPct(r.expected), r.expected);

  const iv = testEl('interval');
  iv.dataset.value = `${r.pi_low};${r.pi_high}`;
  iv.dataset.ciLow = String(r.ci_low);
  iv.dataset.ciHigh = String(r.ci_high);
  iv.dataset.piLow = String(r.pi_low);
  iv.dataset.piHigh = String(r.pi_high);
  setText('ci-text', fmtRange(r.ci_low, r.ci_high));
  setText('pi-text', fmtRange(r.pi_low, r.pi_high));

  // Youth count: the wijk's own (approximated from CBS figures), or the eigen wijk's.
  setTest('n-jeugd', r.n_jeugd === null ? M.notUsed : M.youths(fmtCount(r.n_jeugd)), r.n_jeugd);
  $('fig-njeugd').hidden = r.n_jeugd === null || !w;

  // The verdict comes from the core (r.verdict); here only its symbol.
  const verdict = testEl('verdict');
  if (observed === null || !r.verdict) {
    setTest('difference', w ? M.noDifference : '–', null);
    verdict.textContent = w ? M.noVerdict : M.noVerdictOwn;
    verdict.dataset.value = '';
  } else {
    const diff = observed - r.expected;
    setTest('difference', fmtPp(diff), diff);
    const symbol = { hoger: '▲', lager: '▼', binnen: '●' }[r.verdict.value] ?? '';
    verdict.textContent = `${symbol} ${tr(r.verdict, 'label')}`;
    verdict.dataset.value = r.verdict.value;
  }
  verdict.className = `verdict verdict-${verdict.dataset.value || 'geen'}`;

  if (w) setTest('scp-expected', M.published(fmtPct(w.scp_expected)), w.scp_expected);
  else setTest('scp-expected', '–', null);

  const effect = (r.u_gemeente ?? 0) + (r.u_regio ?? 0);
  if (r.level === 'geen') setTest('effect', M.effectNone, null);
  else setTest('effect', `${fmtPp(effect)}${r.level === 'regio' ? M.effectRegioOnly : ''}`, effect);

  // Extrapolation, said by the core (a value outside the range of 2017, or expected use
  // outside 0–100 %): shown as it says it, and read out with the result.
  const caution = r.caution ? errorText(r.caution) : '';
  $('caution').hidden = !caution;
  $('caution').textContent = caution;

  renderHeader();

  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const said = M.announce(fmtPct(r.expected), observed === null ? null : fmtPp(observed - r.expected));
    setText('announce', caution ? `${said} ${caution}` : said);
  }, 700);
}

// ---------------------------------------------------------------- computing

function profile() {
  if (state.mode === 'wijk') return { gemeente: state.gemeente, wijk: state.wijk, values: { ...state.values } };
  return { gemeente: state.gemeente, n_jeugd: state.nJeugd, values: { ...state.values } };
}

function recompute({ resort = false } = {}) {
  let r;
  try {
    r = jw.expected(profile());
  } catch (e) {
    // Keep the last valid result on screen.
    showFatal(M.computeFailed(errorText(e)), false);
    return false;
  }
  $('fatal').hidden = true;
  state.result = r;
  renderResult(r);
  contrib.update(r, state.values, { resort });
  whatif.refresh();
  // Benchmark hooks (bench/page.mjs): first result of any kind, first wijk result.
  if (window.__firstResultAt === undefined) window.__firstResultAt = performance.now();
  if (state.mode === 'wijk' && window.__wijkResultAt === undefined) window.__wijkResultAt = performance.now();
  scheduleMapUpdate();
  scheduleUrl();
  return true;
}

/** The wijk the page is about: the selected wijk, or the start of an eigen wijk. */
function currentWijk() {
  if (state.mode === 'wijk') return state.wijk;
  return state.start !== 'land' ? state.start : null;
}

let mapFrame = 0;
function scheduleMapUpdate() {
  if (!map || mapFrame) return;
  mapFrame = requestAnimationFrame(() => {
    mapFrame = 0;
    const deltas = new Float64Array(determinants.length);
    determinants.forEach((d, j) => { deltas[j] = state.values[d.name] - state.base[d.name]; });
    safeMap((m) => m.update({ deltas, wijk: currentWijk(), gemeente: state.gemeente }));
  });
}

// ---------------------------------------------------------------- state changes

/**
 * The values from a link that the model accepts, checked one by one by the wasm core
 * (the same check as every calculation), and a message for each it refuses.
 */
function acceptedOverrides(base, gemeente, overrides) {
  const good = {}; const refused = [];
  for (const [name, v] of Object.entries(overrides)) {
    try {
      jw.expected({ gemeente, values: { ...base, [name]: v } });
      good[name] = v;
    } catch (e) {
      refused.push(errorText(e));
    }
  }
  return { good, refused };
}

/**
 * After the result is on screen (a valid result clears the notice): what was refused,
 * after what the link itself could not give (readUrl), which is said once.
 */
let linkRefused = false; // something of the link was not taken over (the address is then rewritten)
function reportRefused(refused) {
  const all = [...linkProblems, ...refused];
  linkProblems = [];
  if (all.length) {
    linkRefused = true;
    showFatal(M.refused(all.join('; ')), false);
  }
}

/** While a wijk from the link waits for its values, the what-if controls wait too. */
function setBusy(busy) {
  const panel = $('whatif-controls');
  panel.inert = busy;
  panel.setAttribute('aria-busy', String(busy));
}

function selectWijk(code, { overrides = {}, fromSearch = false } = {}) {
  if (!wijkIndex.has(code)) return false;
  const p = jw.wijkProfile(code);
  state.mode = 'wijk';
  state.wijk = code;
  state.start = 'land';
  state.gemeente = p.gemeente;
  state.base = { ...p.imputed };
  state.impKinds = impKindsFor(p);
  const { good, refused } = acceptedOverrides(state.base, state.gemeente, overrides);
  state.values = { ...state.base, ...good };
  whatif.load(state.base, state.values, state.impKinds);
  setBusy(false);
  updateEigenUi();
  const ok = recompute({ resort: true });
  reportRefused(refused);
  if (!fromSearch) search.showWijk(wijken[wijkIndex.get(code)]);
  safeMap((m) => m.setSelected(code));
  return ok;
}

/** Select a wijk now, or as soon as the wijk values are loaded. */
async function requestWijk(code, opts = {}) {
  const mine = ++choice;
  if (jw.hasWijkValues()) return selectWijk(code, opts);
  const w = wijken[wijkIndex.get(code)];
  if (w) setText('resultaat-titel', M.wijkLoading(w.name));
  const ok = await loadValues();
  if (choice !== mine) return false; // a later choice won
  if (!ok) { renderHeader(); return false; }
  return selectWijk(code, opts);
}

function startEigen(from, { gemeente, overrides = {}, nJeugd } = {}) {
  let p;
  if (from === 'land') {
    p = national;
    state.impKinds = {};
  } else {
    if (!wijkIndex.has(from)) return false;
    p = jw.wijkProfile(from);
    state.impKinds = impKindsFor(p);
    state.wijk = from;
  }
  state.mode = 'eigen';
  state.start = from;
  // The youths: from the link, else the start wijk's own count, else the default.
  if (nJeugd !== undefined) state.nJeugd = nJeugd;
  else state.nJeugd = from === 'land' ? null : (p.n_jeugd ?? null);
  state.gemeente = gemeente !== undefined ? gemeente : (from === 'land' ? null : p.gemeente);
  if (state.gemeente && !gemeenteIndex.has(state.gemeente)) state.gemeente = null;
  state.base = { ...p.imputed };
  const { good, refused } = acceptedOverrides(state.base, state.gemeente, overrides);
  state.values = { ...state.base, ...good };
  whatif.load(state.base, state.values, state.impKinds);
  setBusy(false);
  updateEigenUi();
  const ok = recompute({ resort: true });
  reportRefused(refused);
  safeMap((m) => m.setSelected(from === 'land' ? null : from));
  return ok;
}

function updateEigenUi() {
  const eigen = state.mode === 'eigen';
  $('eigen-opties').hidden = !eigen;
  $('eigen-stop').hidden = !(eigen && state.wijk);
  $('eigen-wijk').disabled = !state.wijk;
  $('eigen-gemeente').value = state.gemeente || '';
  const nInput = $('eigen-njeugd');
  if (document.activeElement !== nInput) {
    nInput.value = state.nJeugd === null ? '' : String(Math.round(state.nJeugd * 1000) / 1000);
  }
  nInput.placeholder = info?.default_n_jeugd ? String(Math.round(info.default_n_jeugd)) : '';
  $('eigen-njeugd-opties').hidden = !info?.default_n_jeugd;
  $('eigen-land').setAttribute('aria-pressed', String(eigen && state.start === 'land'));
  $('eigen-wijk').setAttribute('aria-pressed', String(eigen && state.start !== 'land'));
}

// ---------------------------------------------------------------- URL

let urlTimer = 0;
function scheduleUrl() {
  if (!urlEnabled) return;
  clearTimeout(urlTimer);
  // Debounced: Chromium throttles (and logs about) very frequent replaceState calls.
  urlTimer = setTimeout(writeUrl, 120);
}

function writeUrl() {
  const q = new URLSearchParams();
  if (state.mode === 'wijk') q.set('wijk', state.wijk);
  else {
    q.set('eigen', state.start);
    if (state.gemeente) q.set('gemeente', state.gemeente);
    if (state.nJeugd !== null) q.set('n_jeugd', String(state.nJeugd));
  }
  for (const name of changedNames()) q.set(name, String(state.values[name]));
  // The map's income-class filter (issue 12) keeps its own parameter.
  const ses = new URLSearchParams(location.search).get('ses');
  if (ses) q.set('ses', ses);
  // So does the "Eigen model" choice (issue 10).
  const model = new URLSearchParams(location.search).get('model');
  if (model !== null) q.set('model', model);
  // The language (issue 12): absent = nl.
  const lang = new URLSearchParams(location.search).get('lang');
  if (lang) q.set('lang', lang);
  // (Commas kept readable: the model list is comma-separated, other values hold none.)
  const url = `${location.pathname}?${q.toString().replace(/%2C/g, ',')}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

/**
 * Parameters a link may hold besides the determinants' names: those writeUrl writes
 * (see the header comment). Any other is named as ignored.
 */
const LINK_KEYS = new Set(['wijk', 'eigen', 'gemeente', 'n_jeugd', 'ses', 'lang', 'model']);
/** What readUrl could not take over from the link; said with the first result. */
let linkProblems = [];
/** A link's text as a message quotes it: short. */
const quoted = (t) => `'${t.length > 40 ? `${t.slice(0, 40)}…` : t}'`;
/** A link's ?model= (see the header comment): the valid switched-off names, for the panel. */
let modelLink = null;

/**
 * ?model=-a,-b: each item a minus and a determinant name. An item that is not is named in
 * the notice; the rest is the panel's choice. An empty value means all on.
 */
function readModelParam(raw, names) {
  const off = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const name = item.startsWith('-') ? item.slice(1).trim() : null;
    if (name !== null && names.has(name)) {
      if (!off.includes(name)) off.push(name);
    } else if (name !== null) {
      linkProblems.push(messages('model').linkUnknown(quoted(name)));
    } else {
      linkProblems.push(messages('model').linkNoMinus(quoted(item)));
    }
  }
  return { off };
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  const overrides = {};
  const names = new Set(determinants.map((d) => d.name));
  linkProblems = [...new Set(q.keys())].filter((k) => !names.has(k) && !LINK_KEYS.has(k))
    .map((k) => M.linkUnknownParam(quoted(k)));
  if (q.has('model')) modelLink = readModelParam(q.get('model'), names);
  for (const d of determinants) {
    if (!q.has(d.name)) continue;
    const raw = q.get(d.name);
    const v = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(v)) overrides[d.name] = v;
    else linkProblems.push(M.linkNotNumber(d.name, quoted(raw)));
  }
  if (q.has('eigen')) {
    const gm = q.get('gemeente');
    if (gm && !gemeenteIndex.has(gm)) {
      linkProblems.push(jw.hasSite() ? M.linkUnknownGemeente(quoted(gm)) : M.linkGemeenteData(quoted(gm)));
    }
    // A youth count is checked by the core, with the check every calculation uses.
    const raw = q.get('n_jeugd') ?? '';
    let n;
    if (raw.trim() !== '') {
      try {
        jw.expected({ n_jeugd: Number(raw) });
        n = Number(raw);
      } catch (e) {
        linkProblems.push(M.linkInLink(errorText(e), quoted(raw)));
      }
    }
    return { eigen: q.get('eigen'), gemeente: gm && gemeenteIndex.has(gm) ? gm : null, overrides, nJeugd: n };
  }
  if (q.has('wijk')) return { wijk: q.get('wijk'), overrides };
  return null;
}

// ---------------------------------------------------------------- static parts

/**
 * A data file that could not be loaded: said in its own notice, which stays (#fatal is
 * cleared by the next valid result).
 */
function showDataProblem(msg) {
  const n = $('data-notice');
  n.textContent = msg;
  n.hidden = false;
}

function showFatal(msg, block = true) {
  const f = $('fatal');
  f.textContent = msg;
  f.hidden = false;
  if (block) setText('resultaat-titel', M.fatalTitle);
}

function fillEigenSelect() {
  const sel = $('eigen-gemeente');
  const sorted = [...gemeenten].sort((a, b) => collator.compare(a.name, b.name));
  for (const g of sorted) {
    const o = document.createElement('option');
    o.value = g.code;
    o.textContent = g.name;
    sel.append(o);
  }
}

function fillVerantwoording() {
  if (!info) return;
  setText('vw-nkenmerken', String(determinants.length));
  if (wijken.length) {
    const unpublished = wijken.filter((w) => w.observed === null).length;
    setText('vw-nfit', M.nFit(fmtNum(info.n_fit, 0), fmtNum(wijken.length, 0)));
    if (info.n_fit === wijken.length - unpublished) {
      setText('vw-nfit-note', M.nFitNoteExcluded(fmtNum(unpublished, 0)));
    } else if (info.specification === 'scp') {
      setText('vw-nfit-note', M.nFitNoteScp(fmtNum(unpublished, 0)));
    }
  } else {
    // Without the wijken (site.bin.gz failed): what the model alone tells.
    setText('vw-nfit', fmtNum(info.n_fit, 0));
  }
  fillSpecification(info);
  if (info.formula) setText('vw-formula', info.formula);
  if (info.converged === false) setText('vw-reml', M.notConverged(fmtNum(info.reml_criterion, 2)));
  setText('vw-ngroups', `${fmtNum(info.n_gemeente, 0)} / ${fmtNum(info.n_regio, 0)}`);
  if (info.converged !== false) setText('vw-reml', fmtNum(info.reml_criterion, 2));
  const v = info.variance || {};
  const varText = (x) => (Number.isFinite(x) ? M.variance(fmtNum(x, 3), fmtNum(Math.sqrt(x), 2)) : '–');
  setText('vw-var-regio', varText(v.regio));
  setText('vw-var-gemeente', varText(v.gemeente));
  setText('vw-var-residual', varText(v.residual));
  const a = info.agreement;
  if (a) {
    setText('vw-agreement', M.agreement(fmtNum(a.n, 0), fmtNum(a.correlation, 4), fmtNum(a.rmse, 3), fmtNum(a.max_abs, 2)));
    $('vw-agreement').dataset.correlation = String(a.correlation);
    $('vw-agreement').dataset.rmse = String(a.rmse);
  }
  setText('vw-software', M.software(info.software ?? 'jeugdhulp-wijk', info.data_sha256 ? String(info.data_sha256).slice(0, 12) : ''));

  const byName = new Map(determinants.map((d) => [d.name, d]));
  const tbody = $('coef-tabel').tBodies[0];
  for (const fe of info.fixed_effects || []) {
    const det = byName.get(fe.term);
    const tr = document.createElement('tr');
    tr.dataset.term = fe.term;
    const cells = det
      ? [det.label, det.unit, det.level === 'gemeente' ? M.levelGemeente : M.levelWijk]
      : [/intercept/i.test(fe.term) ? M.constant : fe.term, '', ''];
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = cells[0];
    tr.append(th);
    for (const c of cells.slice(1)) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    for (const x of [fe.estimate, fe.std_error]) {
      const td = document.createElement('td');
      td.className = 'num';
      td.textContent = fmtCoef(x);
      td.dataset.value = String(x);
      tr.append(td);
    }
    tbody.append(tr);
  }
}

const labelOf = (name) => determinants.find((d) => d.name === name)?.label ?? name;

/** The specification, the agreement with SCP, the N-dependent interval and the
 *  coverage chart: every figure from modelInfo() (computed by `site` at build time). */
function fillSpecification(m) {
  const f = m.fidelity;
  const spec = $('vw-spec');
  if (m.specification !== 'scp' || !f) { spec.hidden = true; return; }
  spec.hidden = false;
  setText('vw-zero', m.zero_when_missing.map(labelOf).join('; '));
  const agree = $('vw-scp-rmse');
  agree.textContent = M.scpRmse(f, fmtNum);
  for (const k of ['all', 'complete', 'incomplete', 'suppressed']) agree.dataset[k] = String(f[`rmse_${k}`].rmse);
  if (m.interval) {
    setText('vw-s0', fmtNum(m.interval.s0, 3));
    setText('vw-c', fmtNum(m.interval.c, 2));
    setText('vw-nu', fmtNum(m.interval.nu, 1));
  }
  setText('vw-nmedian', fmtCount(m.default_n_jeugd));
  setText('vw-verdict-changes', M.verdictChanges(f, fmtNum));
  $('vw-verdict-changes').dataset.value = String(f.verdict_changes);
  // The chart: a table (read by screen readers as is) with a bar per cell on
  // a 85–100 % scale, and the 95 % target marked.
  const tbody = $('vw-coverage').tBodies[0];
  tbody.replaceChildren();
  const lo = 85;
  const bar = (value, kind) => {
    const td = document.createElement('td');
    td.className = 'num cov-cell';
    td.dataset.value = String(value);
    const track = document.createElement('span');
    track.className = 'cov-track';
    track.setAttribute('aria-hidden', 'true');
    const b = document.createElement('span');
    b.className = `cov-bar cov-${kind}`;
    b.style.width = `${Math.max(0, Math.min(100, ((value - lo) / (100 - lo)) * 100))}%`;
    const target = document.createElement('span');
    target.className = 'cov-target';
    target.style.left = `${((95 - lo) / (100 - lo)) * 100}%`;
    track.append(b, target);
    const text = document.createElement('span');
    text.className = 'cov-text';
    text.textContent = `${fmtNum(value, 1)} %`;
    td.append(track, text);
    return td;
  };
  f.coverage_before.forEach((before, q) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    const b = f.quintile_bounds;
    th.textContent = M.quintile(q + 1, q === 0 ? M.smallest : q === 4 ? M.largest : '', fmtCount(b[q]), fmtCount(b[q + 1]));
    tr.append(th, bar(before, 'voor'), bar(f.coverage_after[q], 'na'));
    tbody.append(tr);
  });
}

// ---------------------------------------------------------------- wijk values

let siteResponse; // fetch(site.bin.gz), started as soon as the wasm is in

/** The wijken: the search, the eigen wijk's gemeente list, the map and links need them. */
function loadSite() {
  if (!siteReady) {
    siteReady = fetchGzipped(siteResponse ?? fetch(new URL('site.bin.gz', import.meta.url)), 'site.bin.gz')
      .then((bytes) => {
        jw.loadSite(bytes);
        siteArrived();
        return true;
      })
      .catch((e) => {
        console.warn('site.bin.gz:', e);
        showDataProblem(M.valuesFailed(errorText(e)));
        return false;
      });
  }
  return siteReady;
}

function siteArrived() {
  wijken = jw.wijken();
  gemeenten = jw.gemeenten();
  info = jw.modelInfo(); // now with the agreement with SCP
  wijkIndex = new Map(wijken.map((w, i) => [w.code, i]));
  gemeenteIndex = new Map(gemeenten.map((g, i) => [g.code, i]));
  search = createSearch(document.querySelector('.search'), {
    wijken, gemeenten,
    onWijk: (code) => { urlEnabled = true; requestWijk(code, { fromSearch: true }); },
    onGemeente: (code) => safeMap((m) => m.zoomToGemeente(code)),
  });
  // Typed before the wijken were there: search it now.
  if ($('zoek').value) $('zoek').dispatchEvent(new Event('input'));
  fillEigenSelect();
  updateEigenUi();
  performance.mark('jw:site');
}

// Resolved when something first asks for the wijk values: the map waits for it (or for its
// own first use) before it asks for them itself; so do the panels below it.
let wantValues;
const valuesWanted = new Promise((resolve) => { wantValues = resolve; });

function loadValues() {
  wantValues();
  if (!valuesReady) {
    // Asked for at once, loaded once the wijken are in.
    const bytes = fetchDataFile('wijkwaarden.bin.gz', import.meta.url); // failure said below
    valuesReady = loadSite().then(async (ok) => {
      if (!ok) return false;
      try {
        jw.loadWijkValues(await bytes);
        return true;
      } catch (e) {
        console.warn('wijkwaarden.bin.gz:', e);
        showDataProblem(M.valuesFailed(errorText(e)));
        return false;
      }
    });
  }
  return valuesReady;
}

// ---------------------------------------------------------------- map

let geometryResponse; // fetch(geo.bin.gz), started as soon as the wasm is in
const MAP_FIRST_MODULES = ['./map/geometry.js', './map/draw.js', './map/interaction.js', './geobin.js',
  './map/style.js', './map/ses.js'];

async function loadMap() {
  const el = $('kaart');
  try {
    const { mountMap } = await import('./map.js');
    map = await mountMap(el, {
      jw, wijken, determinants, gemeenten, geometryResponse,
      // the map draws its first view from the geometry, then asks for the values when it
      // is first used or when they are wanted for something else
      loadValues: async () => { const ok = await loadValues(); if (ok) updateEigenUi(); return ok; },
      valuesWanted,
      onSelectWijk: (code) => { urlEnabled = true; requestWijk(code); },
    });
    if (currentWijk()) safeMap((m) => m.setSelected(currentWijk()));
    scheduleMapUpdate();
  } catch (e) {
    console.warn('De kaart kon niet worden geladen:', e);
    map = null;
    mapNotice();
  }
}

// Issue 10's panels (www/extend/): each module exports mount(section, ctx) and fills its
// own section; a panel that fails to load is said, and the calculator goes on.
// ctx.modelLink: the link's ?model= as readUrl took it over ({off: [names]}, or null).
const EXTEND_PANELS = [['aanvullen', './extend/panel.js'], ['eigen-model', './extend/model.js']];
function loadExtendPanels() {
  const ctx = { jw, determinants, wijken, gemeenten, getMap: () => map, modelLink };
  for (const [id, module] of EXTEND_PANELS) {
    import(module).then((m) => m.mount($(id), ctx)).catch((e) => {
      console.warn(`${id}:`, e);
      const p = document.createElement('p');
      p.className = 'notice';
      p.setAttribute('role', 'status');
      p.textContent = M.panelFailed(e.message || e);
      $(id).hidden = false;
      $(id).append(p);
    });
  }
}

function mapNotice() {
  const p = document.createElement('p');
  p.className = 'notice map-notice';
  p.setAttribute('role', 'status');
  p.textContent = M.mapFailed;
  $('kaart').append(p);
}

// ---------------------------------------------------------------- start

async function main() {
  try {
    performance.mark('jw:start');
    // As soon as the wasm is in, the map's geometry and modules start to download, so
    // they arrive while the first result is drawn. The geometry's fetch starts here, not in
    // map.js: the main thread is busy until the first result is on screen, and a callback
    // of map.js's import would only run then.
    await Promise.all([init().then(() => {
      siteResponse = fetch(new URL('site.bin.gz', import.meta.url));
      siteResponse.catch(() => {}); // loadSite reports a failure
      geometryResponse = fetch(new URL('geo.bin.gz', import.meta.url));
      geometryResponse.catch(() => {}); // map.js reports a failure
      // The modules of the map's first view (map.js loadFirstParts, and what draw.js
      // imports) are asked for now as well: asked for by map.js, each level of imports
      // would wait for the main thread, busy with the first result, and a round trip.
      // Not before the catalog: some of them read their text when they are evaluated.
      i18nReady.then(() => {
        import('./map.js').then((mp) => mp.prefetch(geometryResponse)).catch(() => {});
        for (const m of MAP_FIRST_MODULES) import(m).catch(() => {});
      }).catch(() => {});
    }), i18nReady]);
    performance.mark('jw:init');
    // Labels and units in the page's language (the core gives both, docs/wasm-api.md).
    determinants = localizeDeterminants(jw.determinants());
    national = jw.nationalProfile();
    info = jw.modelInfo();
    performance.mark('jw:lists');
  } catch (e) {
    showFatal(M.wasmFailed(errorText(e)));
    return;
  }

  contrib = createContributions($('bijdragen'), { determinants });
  performance.mark('ui:contrib');
  whatif = createWhatIf($('whatif-controls'), {
    determinants,
    onInput: (name, value) => {
      urlEnabled = true;
      choice += 1;
      state.values[name] = value;
      recompute();
    },
  });
  performance.mark('ui:built');

  $('reset-alles').addEventListener('click', () => {
    if (!state.result) return; // nothing to reset while a link's wijk is still loading
    urlEnabled = true;
    choice += 1;
    state.values = { ...state.base };
    whatif.resetAll();
    recompute();
  });
  $('eigen-land').addEventListener('click', () => { urlEnabled = true; choice += 1; startEigen('land'); });
  $('eigen-wijk').addEventListener('click', () => { if (state.wijk) { urlEnabled = true; choice += 1; startEigen(state.wijk); } });
  $('eigen-stop').addEventListener('click', () => { if (state.wijk) { urlEnabled = true; choice += 1; selectWijk(state.wijk); } });
  $('eigen-gemeente').addEventListener('change', (e) => {
    urlEnabled = true;
    choice += 1;
    state.gemeente = e.target.value || null;
    recompute();
  });
  // Number of youths of an eigen wijk: empty = the default; anything else goes
  // to the core, which says in Dutch what is wrong with a bad value.
  $('eigen-njeugd').addEventListener('input', (e) => {
    urlEnabled = true;
    const t = e.target.value.trim().replace(',', '.');
    state.nJeugd = t === '' ? null : Number(t);
    recompute();
  });

  // A link that names a wijk or a gemeente is read once the wijken are in, and its wijk
  // shown once their values are in. Until then the controls wait; a choice made meanwhile
  // (eigen wijk, search) wins over the link.
  const q = new URLSearchParams(location.search);
  const linkWaits = q.has('wijk') || q.has('gemeente') || (q.has('eigen') && q.get('eigen') !== 'land');
  const mine = linkWaits ? ++choice : choice;
  if (linkWaits) {
    setText('resultaat-titel', M.dataLoading);
    setBusy(true);
    // A link to a wijk needs its values too: asked for beside the wijken.
    if (q.has('wijk') || (q.has('eigen') && q.get('eigen') !== 'land')) loadValues();
    await loadSite();
  }
  const fromUrl = readUrl();
  const urlWijk = fromUrl?.wijk ?? (fromUrl?.eigen && fromUrl.eigen !== 'land' ? fromUrl.eigen : null);
  let ok = false;
  if (choice !== mine) {
    ok = true; // chosen while the wijken loaded
  } else if (urlWijk) {
    const loaded = wijkIndex.has(urlWijk) && await loadValues();
    if (choice !== mine) {
      ok = true;
    } else if (loaded) {
      ok = fromUrl.wijk
        ? selectWijk(urlWijk, { overrides: fromUrl.overrides })
        : startEigen(urlWijk, { gemeente: fromUrl.gemeente, overrides: fromUrl.overrides, nJeugd: fromUrl.nJeugd });
    }
  } else if (fromUrl?.eigen === 'land') {
    ok = startEigen('land', { gemeente: fromUrl.gemeente, overrides: fromUrl.overrides, nJeugd: fromUrl.nJeugd });
  }
  // Default (or a broken link): the national mean profile, which needs no wijk values.
  if (fromUrl && !ok) {
    const code = String(urlWijk || fromUrl.wijk || fromUrl.eigen || '');
    const why = fromUrl.eigen === 'land' ? M.linkProfile
      : wijkIndex.has(code) || !jw.hasSite() ? M.linkWijkData(quoted(code))
        : M.linkNoWijk(quoted(code));
    linkProblems.unshift(M.linkShowsLand(why));
  }
  if (!state.result) startEigen('land', { gemeente: null });
  setBusy(false);
  reportRefused([]); // what the link could not give, if no result has said it yet
  if (fromUrl) urlEnabled ||= ok;
  // The address shows what the page shows: what was refused (and named) is not kept in it,
  // so a bookmark or a shared link does not carry it on. (A link whose wijk could not be
  // loaded stays as it was, to be tried again.)
  if (fromUrl && ok && linkRefused) writeUrl();

  // After the first result is on screen: the wijken (search, gemeente list), the
  // Verantwoording tables, then the map, which draws its first view (observed use) from
  // the wijken and the geometry. The wijk values follow when they are wanted (the map
  // used, a wijk chosen, the panels below the map near), then the panels and the service
  // worker, whose offline copy would download them anyway. (A failure of the wijken or
  // the values is said by loadSite or loadValues.)
  requestAnimationFrame(() => setTimeout(async () => {
    const haveSite = await loadSite();
    fillVerantwoording(); // without the wijken, the model's own part
    if (!haveSite) { mapNotice(); registerServiceWorker(); return; }
    loadMap();
    whenNear($('verantwoording'), loadValues);
    await valuesWanted;
    if (await loadValues()) loadExtendPanels();
    registerServiceWorker();
  }, 0));
}

/** Call `f` once when `node` comes within a screen height of the viewport. */
function whenNear(node, f) {
  if (!('IntersectionObserver' in window)) { f(); return; }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { io.disconnect(); f(); }
  }, { rootMargin: '0px 0px 100% 0px' });
  io.observe(node);
}

// Offline use after one visit (www/sw.js). Only where the page is served over http(s)
// from dist/ (the worker is generated there), and never in the way of the calculator.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // update(): look for a new deploy now, not at the browser's leisure.
  navigator.serviceWorker.register('sw.js').then((reg) => reg.update())
    .catch((e) => console.warn('Offline gebruik niet beschikbaar of niet bijgewerkt:', e));
}

// ?rapport=GM0344 and ?vergelijk=… are the per-gemeente views (issue 12, www/report/).
if (/[?&](rapport|vergelijk)=/.test(location.search)) {
  Promise.all([import('./report/main.js'), i18nReady]).then(([r]) => r.start()).then(registerServiceWorker)
    .catch((e) => showFatal(M.reportFailed(e.message || e)));
} else {
  main();
}
