// "Eigen model" (issue 10, point 4): switch the national model's determinants off and on
// and refit it in the browser, in the Web Worker of www/extend/worker.js
// (`refitNational`, docs/wasm-api.md). The result stands beside the page's (default)
// model: coefficients, variances, REML criterion, and how many wijken get another verdict
// than with the default model and than SCP's. SCP published no coefficients; the core derives
// those of the 21 wijk-level determinants from SCP's expected use (`r.scp`, src/refit.rs,
// docs/fidelity.md §1) and they are shown beside ours. SCP's gemeente-level coefficients and
// variances cannot be derived, which the panel says; the verdicts compare with SCP as well.
//
// The worker starts only when someone opens the panel, not for every visitor. The choice
// lives in the URL as ?model=-a,-b (the switched-off determinants, written here after a
// run); app.js checks such a link with its other parameters (readUrl, so a bad name is in
// the link notice) and hands the valid part over as ctx.modelLink; the panel then opens
// with that choice and runs it.
// Verdicts are the core's: the panel only counts and lists what the core returns.

import { el, loadStylesheet } from '../dom.js';
import { messages, tr, errorText } from '../i18n.js';
import { fmtNum, fmtCount } from '../format.js';
import { startWorker, call } from './client.js';

const M = messages('model');

/** A coefficient or SE with enough digits to compare (4 significant, at least 2 decimals). */
function fmtEst(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  const d = a === 0 ? 2 : Math.min(8, Math.max(2, 3 - Math.floor(Math.log10(a))));
  return fmtNum(x, d);
}

/** The page's model's variances under the names refitNational uses. */
const defaultVariance = (info) => ({
  gemeentecode: info.variance.gemeente,
  jeugdzorgregiocode: info.variance.regio,
  Residual: info.variance.residual,
});

export function mount(section, ctx) {
  const { jw, determinants, wijken } = ctx;
  loadStylesheet(new URL('./model.css', import.meta.url)); // beside this module, once
  const info = jw.modelInfo();
  const names = determinants.map((d) => d.name);
  const byName = new Map(determinants.map((d) => [d.name, d]));
  const verdictList = jw.verdicts();

  // ---- head: title, explanation, the button that opens the panel
  const openBtn = el('button', {
    type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': 'eigen-model-body',
    'data-testid': 'model-open',
  }, M.open);
  section.append(
    el('h2', { id: 'eigen-model-titel' }, M.title),
    el('p', {}, M.intro),
    openBtn,
  );

  // ---- body: the choice, the run button, the status, the result
  const body = el('div', { id: 'eigen-model-body', class: 'model-body', hidden: true });
  section.append(body);

  body.append(el('p', { class: 'hint' }, M.how));
  const boxes = new Map(); // name → checkbox
  const groups = [];
  for (const d of determinants) {
    let g = groups.find((x) => x.key === d.group);
    if (!g) { g = { key: d.group, label: d.group_label, items: [] }; groups.push(g); }
    g.items.push(d);
  }
  const choice = el('div', { class: 'model-choice' });
  for (const g of groups) {
    const fs = el('fieldset', { class: 'model-group' }, el('legend', {}, g.label));
    for (const d of g.items) {
      const id = `model-det-${d.name}`;
      const box = el('input', { type: 'checkbox', id, 'data-testid': id, value: d.name, checked: true });
      boxes.set(d.name, box);
      // (A gemeente-level determinant says so in its label: "… (gemeente)".)
      fs.append(el('div', { class: 'model-check' }, box, el('label', { for: id }, d.label)));
    }
    choice.append(fs);
  }
  body.append(choice);

  const countLine = el('p', { class: 'hint', 'data-testid': 'model-count', 'aria-live': 'polite' });
  const allOn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'model-all-on' }, M.allOn);
  const runBtn = el('button', { type: 'button', class: 'model-run', 'data-testid': 'model-run' }, M.run);
  body.append(countLine, el('div', { class: 'button-row' }, runBtn, allOn));
  const status = el('p', { class: 'model-status', role: 'status', 'data-testid': 'model-status' });
  const error = el('p', { class: 'notice model-error', role: 'alert', 'data-testid': 'model-error', hidden: true });
  const stale = el('p', { class: 'hint model-stale', 'data-testid': 'model-stale', hidden: true }, M.stale);
  const result = el('div', { class: 'model-result', 'data-testid': 'model-result', 'aria-live': 'off' });
  body.append(status, error, stale, result);

  /** The names switched on, in model order. */
  const chosenNames = () => names.filter((n) => boxes.get(n).checked);
  const offNames = () => names.filter((n) => !boxes.get(n).checked);
  let shownFor = null; // the off-list (joined) of the result on screen
  let defaultVerdicts = null; // the page model's verdicts (jw.verdictsAll without a what-if)

  function updateChoice() {
    const on = chosenNames().length;
    countLine.textContent = M.count(on, names.length);
    allOn.disabled = on === names.length;
    stale.hidden = shownFor === null || shownFor === offNames().join(',');
  }
  for (const box of boxes.values()) box.addEventListener('change', updateChoice);
  allOn.addEventListener('click', () => {
    for (const box of boxes.values()) box.checked = true;
    updateChoice();
    runBtn.focus();
  });

  let opened = false;
  function open() {
    if (!opened) {
      opened = true;
      // Download the worker's wasm now, while the person chooses.
      startWorker().catch(() => {}); // a failure is said by the run
    }
    body.hidden = false;
    openBtn.setAttribute('aria-expanded', 'true');
    openBtn.textContent = M.close;
  }
  openBtn.addEventListener('click', () => {
    if (body.hidden) open();
    else {
      body.hidden = true;
      openBtn.setAttribute('aria-expanded', 'false');
      openBtn.textContent = M.open;
    }
  });

  /** ?model= as the choice: the switched-off names, or none (the default). */
  function writeUrl(off) {
    const q = new URLSearchParams(location.search);
    if (off.length) q.set('model', off.map((n) => `-${n}`).join(',')); else q.delete('model');
    const s = q.toString().replace(/%2C/g, ',');
    history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
  }

  let running = false;
  async function run() {
    if (running) return;
    running = true;
    const chosen = chosenNames();
    const off = offNames();
    runBtn.disabled = true;
    result.setAttribute('aria-busy', 'true');
    error.hidden = true;
    status.textContent = M.running(chosen.length);
    const t0 = performance.now();
    try {
      const { result: r, ms } = await call('refitNational', chosen);
      const total = performance.now() - t0;
      render(r, off);
      shownFor = off.join(',');
      status.textContent = M.done(r.determinants.length, fmtNum(ms, 1), fmtNum(total, 1));
      status.dataset.ms = String(ms);
      status.dataset.totalMs = String(total);
      writeUrl(off);
    } catch (e) {
      status.textContent = M.failedStatus;
      error.textContent = M.coreError(errorText(e));
      error.hidden = false;
    } finally {
      running = false;
      runBtn.disabled = false;
      result.setAttribute('aria-busy', 'false');
      // A disabled button loses keyboard focus: give it back.
      if (document.activeElement === document.body || document.activeElement === null) runBtn.focus();
      updateChoice();
    }
  }
  runBtn.addEventListener('click', () => run());

  // ---- the result beside the default model
  function render(r, off) {
    const eig = new Map(r.fixed_effects.map((f) => [f.term, f]));
    const def = new Map(info.fixed_effects.map((f) => [f.term, f]));
    result.replaceChildren();
    result.dataset.runs = String(Number(result.dataset.runs || 0) + 1); // for tests: a new result
    result.append(el('h3', {}, M.resultHead));

    // Verdict changes first: the figure most people want.
    const nPublished = Array.from(r.verdicts).filter((v) => v >= 0).length;
    const changes = el('ul', { class: 'model-changes' },
      el('li', {}, el('strong', { 'data-testid': 'model-changes-default', 'data-value': r.verdict_changes.vs_default },
        fmtCount(r.verdict_changes.vs_default)), ` ${M.changesDefault(fmtCount(nPublished))}`),
      el('li', {}, el('strong', { 'data-testid': 'model-changes-scp', 'data-value': r.verdict_changes.vs_scp },
        fmtCount(r.verdict_changes.vs_scp)), ` ${M.changesScp(fmtCount(nPublished))}`));
    result.append(changes, el('p', { class: 'hint' }, M.scpNote));
    if (!r.converged) result.append(el('p', { class: 'notice', 'data-testid': 'model-not-converged' }, M.notConverged));

    // Coefficients: default model and eigen model side by side, a dash where switched off.
    const table = el('table', { class: 'coef model-coef', 'data-testid': 'model-coef-table' },
      el('caption', {}, M.coefCaption),
      el('thead', {},
        el('tr', {},
          el('th', { scope: 'col', rowspan: 2 }, M.colTerm),
          el('th', { scope: 'colgroup', colspan: 2 }, M.colDefault),
          el('th', { scope: 'colgroup', colspan: 2 }, M.colEigen),
          el('th', { scope: 'col', rowspan: 2, class: 'num' }, M.colScp)),
        el('tr', {},
          el('th', { scope: 'col', class: 'num' }, M.colEstimate), el('th', { scope: 'col', class: 'num' }, M.colSe),
          el('th', { scope: 'col', class: 'num' }, M.colEstimate), el('th', { scope: 'col', class: 'num' }, M.colSe))));
    const scp = new Map(r.scp.fixed_effects.map((f) => [f.term, f.estimate]));
    const tbody = el('tbody');
    const terms = ['(Intercept)', ...names];
    for (const term of terms) {
      const d = byName.get(term);
      const label = d ? d.label : M.intercept;
      const key = d ? term : 'intercept';
      const a = def.get(term);
      const b = eig.get(term);
      const switchedOff = d && off.includes(term);
      tbody.append(el('tr', { class: switchedOff ? 'model-off' : null },
        el('th', { scope: 'row' }, label, switchedOff ? el('span', { class: 'hint' }, ` ${M.offMark}`) : ''),
        el('td', { class: 'num' }, a ? fmtEst(a.estimate) : '–'),
        el('td', { class: 'num' }, a ? fmtEst(a.std_error) : '–'),
        el('td', {
          class: 'num', 'data-testid': `model-coef-${key}`,
          'data-value': b ? b.estimate : '', 'data-se': b ? b.std_error : '',
        }, b ? fmtEst(b.estimate) : el('span', { 'aria-label': M.offAria }, '–')),
        el('td', { class: 'num' }, b ? fmtEst(b.std_error) : '–'),
        el('td', { class: 'num', 'data-testid': `model-scp-${key}`, 'data-value': scp.has(term) ? scp.get(term) : '' },
          ...(scp.has(term) ? [fmtEst(scp.get(term))]
            : [el('span', { 'aria-hidden': 'true' }, '?'), el('span', { class: 'visually-hidden' }, M.scpUnknownAria)]))));
    }
    table.append(tbody);
    result.append(el('div', { class: 'table-scroll' }, table),
      el('p', { class: 'hint', 'data-testid': 'model-scp-note' },
        M.scpCoefNote(fmtCount(r.scp.n), fmtCount(r.scp.n_gemeente), fmtNum(r.scp.rmse, 3))));

    // Variances and the REML criterion.
    const dv = defaultVariance(info);
    const vt = el('table', { class: 'coef model-var', 'data-testid': 'model-var-table' },
      el('caption', {}, M.varCaption),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, M.colPart),
        el('th', { scope: 'col', class: 'num' }, M.colDefault),
        el('th', { scope: 'col', class: 'num' }, M.colEigen))));
    const vb = el('tbody');
    for (const [k, label] of [['gemeentecode', M.varGemeente], ['jeugdzorgregiocode', M.varRegio], ['Residual', M.varResidual]]) {
      vb.append(el('tr', {},
        el('th', { scope: 'row' }, label),
        el('td', { class: 'num' }, fmtEst(dv[k])),
        el('td', { class: 'num', 'data-testid': `model-var-${k}`, 'data-value': r.variance[k] }, fmtEst(r.variance[k]))));
    }
    vb.append(el('tr', {},
      el('th', { scope: 'row' }, M.reml),
      el('td', { class: 'num' }, fmtNum(info.reml_criterion, 2)),
      el('td', { class: 'num', 'data-testid': 'model-reml', 'data-value': r.reml_criterion }, fmtNum(r.reml_criterion, 2))));
    vb.append(el('tr', {},
      el('th', { scope: 'row' }, M.nWijken),
      el('td', { class: 'num' }, fmtCount(info.n_fit)),
      el('td', { class: 'num', 'data-testid': 'model-n', 'data-value': r.n }, fmtCount(r.n))));
    vt.append(vb);
    result.append(el('div', { class: 'table-scroll' }, vt), el('p', { class: 'hint' }, M.remlNote));

    // Which wijken change verdict against the default model (the core's verdicts, compared).
    defaultVerdicts ??= jw.verdictsAll(new Float64Array(names.length), 'land', '');
    const before = defaultVerdicts;
    const changed = [];
    for (let i = 0; i < r.verdicts.length; i++) {
      if (r.verdicts[i] >= 0 && before[i] >= 0 && r.verdicts[i] !== before[i]) changed.push(i);
    }
    if (changed.length) {
      const vLabel = (k) => tr(verdictList[k], 'label');
      const list = el('ul', { class: 'model-wijken', 'data-testid': 'model-changed-list' });
      for (const i of changed) {
        const w = wijken[i];
        list.append(el('li', { 'data-code': w.code },
          `${w.name} (${w.gemeente_name}): ${vLabel(before[i])} → ${vLabel(r.verdicts[i])}`));
      }
      result.append(el('details', { class: 'explain' }, el('summary', {}, M.changedList(fmtCount(changed.length))), list));
    }
  }

  updateChoice();
  section.hidden = false;

  // A link with ?model=: open with that choice and run it (app.js checked the names).
  const link = ctx.modelLink;
  if (link) {
    for (const n of link.off) if (boxes.has(n)) boxes.get(n).checked = false;
    updateChoice();
    open();
    run();
  }
}
