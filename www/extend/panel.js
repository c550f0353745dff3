// "Aanvullen met eigen wijkkenmerken" (issue 10, point 3): a region uploads a CSV with a
// wijkcode and its own numeric columns; the Worker (www/extend/worker.js) reads it
// (extendInspect) and refits the national model's residual for the region's wijken with
// those columns (extendRun). Everything the page shows comes from the core's answer
// (docs/wasm-api.md); this module only lays it out.
//
// The Worker (with its ~350 KB wasm) starts when the user opens the panel, not at page
// load. The file's bytes go to the Worker by postMessage and nowhere else: the file never
// leaves the browser (tests/e2e/extend.test.mjs records every request).
//
// Test hooks: data-ready on the section when the Worker is ready, data-state (reading,
// inspected, running, done, failed: the last step's outcome), ext-upload, ext-example,
// ext-run, ext-status, ext-error, ext-col-<column>, ext-regio-<code>, ext-problems,
// ext-results, ext-n, ext-explained, ext-coef-<column>, ext-lr-p, ext-gem, ext-scatter-<column>,
// ext-show-map, ext-csv.

import { el, download, loadStylesheet } from '../dom.js';
import { messages, tr, lang } from '../i18n.js';
import { fmtNum, fmtCoef, fmtPct, fmtPp, csvDialect } from '../format.js';
import { startWorker, call } from './client.js';
import { scatterPlot } from './ext-scatter.js';

const M = messages('extend');

/**
 * A text of the core (a problem's message, a caution, an error) in the page's language:
 * `obj[field + '_en']` in English. Where the core has no English for it, the Dutch is
 * shown marked lang="nl", so a screen reader reads it as Dutch.
 */
function coreText(obj, field, tag = 'span') {
  const text = tr(obj, field) ?? String(obj);
  const dutch = lang === 'en' && (obj == null || obj[`${field}_en`] == null);
  return el(tag, { class: 'ext-core-text', lang: dutch ? 'nl' : null }, String(text));
}

/** "p = 0,096", or "p < 0,001" below a thousandth (fmtP's rule). */
function fmtPEq(p) {
  const shown = fmtP(p);
  return shown.startsWith('<') ? `p ${shown}` : `p = ${shown}`;
}

/** A p-value as people read it: "< 0,001" below a thousandth, else three decimals. */
function fmtP(p) {
  if (!Number.isFinite(p)) return '–';
  if (p < 0.001) return `< ${fmtNum(0.001, 3)}`;
  return fmtNum(p, 3);
}

export function mount(section, ctx) {
  loadStylesheet(new URL('./ext-panel.css', import.meta.url)); // beside this module, once
  const { getMap } = ctx;
  let file = null; // {name, bytes: Uint8Array}
  let inspected = null; // extendInspect's answer for `file`
  let result = null; // extendRun's answer
  let busy = false;
  let readyFlag = false;

  // --- the frame: heading, explanation, privacy, the disclosure --------------------
  const status = el('p', { class: 'ext-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'ext-status' });
  const error = el('div', { class: 'ext-error', role: 'alert', 'data-testid': 'ext-error', hidden: true });
  const upload = el('input', {
    type: 'file', id: 'ext-upload', accept: '.csv,.txt,text/csv,text/plain', 'data-testid': 'ext-upload',
    'aria-describedby': 'ext-upload-hint',
  });
  const exampleBtn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'ext-example' }, M.example);
  const inspectBox = el('div', { class: 'ext-inspect', 'data-testid': 'ext-inspect', hidden: true });
  const runBtn = el('button', { type: 'button', class: 'ext-primary', 'data-testid': 'ext-run', disabled: true }, M.run);
  const runBox = el('div', { class: 'ext-run-row', hidden: true }, runBtn);
  const results = el('div', { class: 'ext-results', 'data-testid': 'ext-results', hidden: true, tabindex: '-1' });

  const body = el('div', { class: 'ext-body' },
    status,
    el('div', { class: 'ext-upload' },
      el('label', { for: 'ext-upload', class: 'ext-upload-label' }, M.uploadLabel),
      el('p', { class: 'hint', id: 'ext-upload-hint' }, M.uploadHint),
      upload,
      el('p', { class: 'ext-or' }, M.or),
      exampleBtn,
      el('p', { class: 'hint' }, M.exampleSource)),
    error, inspectBox, runBox, results);
  const details = el('details', { class: 'ext-details' }, el('summary', { 'data-testid': 'ext-open' }, M.open), body);

  section.replaceChildren(
    el('h2', { id: 'aanvullen-titel' }, M.title),
    el('p', {}, M.intro),
    el('p', { class: 'ext-privacy', 'data-testid': 'ext-privacy' }, M.privacy),
    details,
  );
  section.hidden = false;

  // The Worker starts when the user opens the panel (its wasm is ~350 KB).
  let workerReady = null;
  function ensureWorker() {
    if (workerReady) return workerReady;
    status.textContent = M.loading;
    workerReady = startWorker().then(() => {
      readyFlag = true;
      section.dataset.ready = 'true';
      if (!busy) status.textContent = M.ready;
    }, (e) => {
      section.dataset.ready = 'false';
      showError(M.loadFailed(e.message || e));
      workerReady = null; // opening again retries
      throw e;
    });
    return workerReady;
  }
  details.addEventListener('toggle', () => { if (details.open) ensureWorker().catch(() => {}); });

  /** An error: the panel's own text, and the core's message after it when there is one. */
  function showError(text, cause = null) {
    error.replaceChildren(el('p', {}, el('span', { class: 'ext-sev-icon', 'aria-hidden': 'true' }, '✖ '), text,
      ...(cause == null ? [] : [' ', cause instanceof Error ? coreText(cause, 'message') : String(cause)])));
    error.hidden = false;
  }
  function clearError() { error.hidden = true; error.replaceChildren(); }

  // --- upload -------------------------------------------------------------------
  async function useFile(name, bytes) {
    clearError();
    file = { name, bytes };
    inspected = null;
    result = null;
    results.hidden = true;
    results.replaceChildren();
    runBtn.disabled = true;
    inspectBox.hidden = true;
    runBox.hidden = true;
    section.dataset.state = 'reading';
    status.textContent = M.reading(name);
    getMap?.()?.clearOverride?.(); // the map shows no result of another file
    try {
      await ensureWorker();
      const { result: info } = await call('extendInspect', bytes);
      if (file?.bytes !== bytes) return; // another file came meanwhile
      inspected = info;
      renderInspect();
      status.textContent = '';
      section.dataset.state = 'inspected';
    } catch (e) {
      if (file?.bytes !== bytes) return;
      inspectBox.hidden = true;
      runBox.hidden = true;
      status.textContent = '';
      showError(M.readFailed(name), e);
      section.dataset.state = 'failed';
    }
  }

  upload.addEventListener('change', async () => {
    const f = upload.files?.[0];
    if (!f) return;
    await useFile(f.name, new Uint8Array(await f.arrayBuffer()));
  });
  exampleBtn.addEventListener('click', async () => {
    clearError();
    try {
      await ensureWorker();
      const r = await fetch(new URL('../voorbeeld-kerncijfers-2017.csv', import.meta.url));
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      upload.value = '';
      await useFile(M.exampleFile, new Uint8Array(await r.arrayBuffer()));
    } catch (e) {
      showError(M.exampleFailed(e.message || e));
      section.dataset.state = 'failed';
    }
  });

  // --- what the file holds: detection, columns, regio's, problems -------------------
  let columnBoxes = []; // [{name, input}]
  let regioBoxes = [];

  function renderInspect() {
    const d = inspected;
    const dl = el('dl', { class: 'ext-detected', 'data-testid': 'ext-detected' });
    const item = (k, v, id) => dl.append(el('dt', {}, k), el('dd', { 'data-testid': id }, v));
    item(M.detFile, file.name, 'ext-det-file');
    item(M.detDelimiter, M.delimiters[d.delimiter] ?? d.delimiter, 'ext-det-delimiter');
    item(M.detDecimal, M.decimals[d.decimal] ?? d.decimal, 'ext-det-decimal');
    item(M.detEncoding, M.encodings[d.encoding] ?? d.encoding, 'ext-det-encoding');
    item(M.detRows, fmtNum(d.rows, 0), 'ext-det-rows');

    columnBoxes = [];
    const colList = el('ul', { class: 'ext-checks' });
    d.columns.forEach((c, k) => {
      const id = `ext-col-${k}`;
      const input = el('input', {
        type: 'checkbox', id, 'data-testid': `ext-col-${c.name}`, value: c.name,
        checked: c.numeric, disabled: !c.numeric, 'aria-describedby': `${id}-info`,
      });
      const info = c.numeric ? M.columnInfo(fmtNum(c.n_values, 0), c.n_missing ? fmtNum(c.n_missing, 0) : '')
        : M.columnText(fmtNum(c.n_invalid, 0));
      colList.append(el('li', { class: c.numeric ? '' : 'ext-disabled' },
        input, ' ', el('label', { for: id }, c.name), ' ', el('span', { class: 'hint', id: `${id}-info` }, `(${info})`)));
      if (c.numeric) columnBoxes.push({ name: c.name, input });
    });
    const colSet = el('fieldset', { class: 'ext-fieldset' }, el('legend', {}, M.columnsLegend), colList);

    regioBoxes = [];
    const regList = el('ul', { class: 'ext-checks ext-regios' });
    d.regios.forEach((r) => {
      const id = `ext-regio-${r.code}`;
      const input = el('input', { type: 'checkbox', id, 'data-testid': id, value: r.code, checked: true });
      regList.append(el('li', {}, input, ' ', el('label', { for: id }, `${r.name} (${r.code})`), ' ',
        el('span', { class: 'hint' }, `(${M.regioInfo(fmtNum(r.n_wijken, 0))})`)));
      regioBoxes.push({ code: r.code, name: r.name, input });
    });
    const allBtn = el('button', { type: 'button', class: 'secondary ext-small' }, M.tickRegios);
    const noneBtn = el('button', { type: 'button', class: 'secondary ext-small', 'data-testid': 'ext-regios-none' }, M.untickRegios);
    allBtn.addEventListener('click', () => regioBoxes.forEach((b) => { b.input.checked = true; }));
    noneBtn.addEventListener('click', () => regioBoxes.forEach((b) => { b.input.checked = false; }));
    const regSet = el('fieldset', { class: 'ext-fieldset' }, el('legend', {}, M.regiosLegend),
      el('div', { class: 'button-row' }, allBtn, noneBtn), regList);

    inspectBox.replaceChildren(
      el('h3', {}, M.detectedTitle), dl,
      el('div', { class: 'ext-choices' }, colSet, regSet),
      problemList(d.problems, M.problemsTitle, 'ext-problems'),
    );
    inspectBox.hidden = false;
    runBox.hidden = false;
    runBtn.disabled = false;
  }

  /** Every problem, errors and warnings told apart by an icon and a word, not colour only. */
  function problemList(problems, title, testid) {
    const box = el('div', { class: 'ext-problems', 'data-testid': testid, 'data-count': String(problems.length) });
    if (!problems.length) {
      box.append(el('p', {}, M.problemsNone));
      return box;
    }
    const nErr = problems.filter((p) => p.severity === 'fout').length;
    const headId = `${testid}-title`;
    box.append(el('h3', { id: headId }, title(fmtNum(problems.length, 0), fmtNum(nErr, 0), fmtNum(problems.length - nErr, 0))));
    // the scrolling box is a focusable region (keyboard scrolling), the list keeps its role
    const list = el('ul', { class: 'ext-problem-list' });
    for (const p of problems) {
      const place = [
        p.row != null ? M.row(p.row) : null,
        p.column != null ? M.column(p.column) : null,
        p.value != null ? M.value(p.value) : null,
      ].filter(Boolean);
      const sev = p.severity === 'fout' ? 'fout' : 'waarschuwing';
      list.append(el('li', {
        class: `ext-problem ext-${sev}`, 'data-severity': sev,
        'data-row': p.row ?? '', 'data-column': p.column ?? '', 'data-value': p.value ?? '',
      },
      el('span', { class: 'ext-sev' }, el('span', { 'aria-hidden': 'true' }, sev === 'fout' ? '✖ ' : '⚠ '), `${M.severity[sev]}:`),
      ' ', el('span', { class: 'ext-place' }, place.length ? place.join(', ') : M.wholeFile),
      ': ', coreText(p, 'message')));
    }
    box.append(el('div', { class: 'ext-problem-scroll', tabindex: '0', role: 'region', 'aria-labelledby': headId }, list));
    return box;
  }

  // --- run ----------------------------------------------------------------------
  runBtn.addEventListener('click', async () => {
    if (busy) return;
    clearError();
    if (!file || !inspected) { showError(M.noFile); return; }
    const columns = columnBoxes.filter((b) => b.input.checked).map((b) => b.name);
    const regios = regioBoxes.filter((b) => b.input.checked).map((b) => b.code);
    if (!columns.length) { showError(M.noColumns); return; }
    if (!regios.length) { showError(M.noRegios); return; }
    busy = true;
    runBtn.disabled = true;
    runBtn.setAttribute('aria-busy', 'true');
    section.dataset.state = 'running';
    status.textContent = M.running;
    getMap?.()?.clearOverride?.(); // the map must not keep a previous run's expectation
    try {
      const { result: r, ms } = await call('extendRun', file.bytes, { columns, regios });
      result = r;
      renderResults();
      status.textContent = M.done(fmtNum(ms, ms < 10 ? 1 : 0));
      section.dataset.state = 'done';
    } catch (e) {
      result = null;
      results.hidden = true;
      status.textContent = '';
      showError(M.runFailed, e);
      section.dataset.state = 'failed';
    } finally {
      busy = false;
      runBtn.disabled = false;
      runBtn.removeAttribute('aria-busy');
    }
  });

  // --- results ------------------------------------------------------------------
  function renderResults() {
    const r = result;
    const regioNames = r.regios.map((x) => x.name).join(', ');
    const nLine = el('p', { class: 'ext-n', 'data-testid': 'ext-n', 'data-value': String(r.n), 'data-gemeenten': String(r.n_gemeente) },
      M.n(fmtNum(r.n, 0), fmtNum(r.n_gemeente, 0), regioNames));
    const pct = 100 * r.residual_variance_reduction;
    const explained = el('p', { class: 'ext-explained', 'data-testid': 'ext-explained', 'data-value': String(r.residual_variance_reduction) },
      el('strong', {}, M.explained(fmtPct(pct))), ' ',
      M.explainedDetail(fmtNum(r.variance_null.Residual, 2), fmtNum(r.variance.Residual, 2)));

    const cautions = tr(r, 'cautions') ?? [];
    const cautionsDutch = lang === 'en' && r.cautions_en == null;
    const cautionBox = el('div', { class: 'ext-cautions', 'data-testid': 'ext-cautions' },
      el('h4', {}, M.cautionsTitle), el('ul', { lang: cautionsDutch ? 'nl' : null }, ...cautions.map((c) => el('li', {}, c))));

    // coefficients
    const head = el('tr', {}, ...M.coefHead.map((h, k) => el('th', { scope: 'col', class: k ? 'num' : '' }, h)));
    const rows = r.fixed_effects.map((f, k) => {
      const col = k === 0 ? null : r.columns[k - 1];
      const attrs = col == null ? {} : { 'data-testid': `ext-coef-${col}`, 'data-value': String(f.estimate), 'data-se': String(f.std_error) };
      return el('tr', attrs,
        el('th', { scope: 'row' }, col == null ? M.intercept : M.coefTerm(col)),
        el('td', { class: 'num' }, fmtCoef(f.estimate)),
        el('td', { class: 'num' }, fmtCoef(f.std_error)),
        el('td', { class: 'num' }, `${fmtCoef(f.ci_low)} – ${fmtCoef(f.ci_high)}`),
        el('td', { class: 'num' }, fmtP(f.p_value)));
    });
    const coefTable = el('div', { class: 'table-scroll' }, el('table', { class: 'coef ext-coef' },
      el('caption', {}, M.coefCaption), el('thead', {}, head), el('tbody', {}, ...rows)));

    const lr = r.lr_test;
    const lrBox = el('div', { class: 'ext-lr' }, el('h4', {}, M.lrTitle),
      el('p', { 'data-testid': 'ext-lr-p', 'data-value': String(lr.p_value), 'data-statistic': String(lr.statistic), 'data-df': String(lr.df) },
        M.lr(fmtNum(lr.statistic, 2), fmtNum(lr.df, 0), fmtPEq(lr.p_value))),
      el('p', { class: 'hint' }, M.lrMeaning));

    // gemeente effects before and after
    const gems = [...r.random_effects.gemeente].sort((a, b) => a.naam.localeCompare(b.naam, 'nl'));
    const gemTable = el('div', { class: 'table-scroll' }, el('table', { class: 'coef ext-gem', 'data-testid': 'ext-gem' },
      el('caption', {}, M.gemCaption),
      el('thead', {}, el('tr', {}, ...M.gemHead.map((h, k) => el('th', { scope: 'col', class: k ? 'num' : '' }, h)))),
      el('tbody', {}, ...gems.map((g) => el('tr', { 'data-code': g.code },
        el('th', { scope: 'row' }, g.naam),
        el('td', { class: 'num', 'data-value': String(g.value_national) }, fmtPp(g.value_national, 2, { short: true })),
        el('td', { class: 'num', 'data-value': String(g.effect) }, fmtPp(g.effect, 2, { short: true })))))));

    // one scatter plot per column
    const scatters = r.columns.map((col, k) => scatterPlot(r, k, col, M));

    const mapBtn = el('button', { type: 'button', class: 'ext-primary', 'data-testid': 'ext-show-map' }, M.showMap);
    const csvBtn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'ext-csv' }, M.csv);
    const mapMsg = el('p', { class: 'hint', role: 'status' });
    mapBtn.addEventListener('click', () => showOnMap(mapBtn, mapMsg));
    csvBtn.addEventListener('click', () => download(new Blob([resultCsv(r)], { type: 'text/csv;charset=utf-8' }), M.csvFile));

    results.replaceChildren(
      el('h3', {}, M.resultsTitle),
      nLine, explained, cautionBox, coefTable, lrBox,
      el('div', { class: 'button-row' }, mapBtn, csvBtn), mapMsg,
      el('h4', {}, M.gemTitle), gemTable,
      el('h4', {}, M.scatterTitle), el('div', { class: 'ext-scatters' }, ...scatters),
      problemList(r.problems ?? [], M.droppedTitle, 'ext-run-problems'),
    );
    results.hidden = false;
  }

  function showOnMap(btn, msg) {
    const map = getMap?.();
    if (!map?.setOverride) { msg.textContent = M.mapMissing; return; }
    const r = result;
    const codes = r.predictions.map((p) => p.wijkcode);
    const expected = r.predictions.map((p) => p.expected);
    map.setOverride({
      codes, expected,
      note: M.mapNote(fmtNum(r.n, 0), r.regios.map((x) => x.name).join(', '), r.columns.join(', ')),
      onClear: () => { if (btn.isConnected) btn.focus(); },
    });
  }

  /** The per-wijk results in the page's CSV dialect (nl: `;` and decimal comma). */
  function resultCsv(r) {
    const C = csvDialect();
    const rows = [[...M.csvHead, ...r.columns].map(C.text).join(C.sep)];
    const gemName = new Map(r.random_effects.gemeente.map((g) => [g.code, g.naam]));
    for (const p of r.predictions) {
      rows.push([
        p.wijkcode, C.text(p.naam), p.gemeentecode, C.text(gemName.get(p.gemeentecode) ?? ''),
        C.num(p.observed, 3), C.num(p.expected_national, 3), C.num(p.expected, 3),
        C.num(p.residual_national, 3), C.num(p.residual, 3),
        ...p.z.map((v) => C.num(v, 6)),
      ].join(C.sep));
    }
    return `\ufeff${rows.join('\r\n')}\r\n`;
  }

  // for tests: whether the Worker answered
  Object.defineProperty(section, 'extDebug', { value: { get ready() { return readyFlag; }, get result() { return result; } } });
}
