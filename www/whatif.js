// "Wat als…" controls: one slider + number field per determinant (a select for
// ja/nee determinants), grouped as SCP groups them, the two headline controls first.
//
// The module owns the DOM; app.js owns the state. A valid edit calls
// onInput(name, value); an invalid typed value shows an error next to the field
// (aria-invalid, aria-describedby → role=alert message) and calls nothing, so
// the last valid result stays on screen.

import { fmtNum, fmtValue, fmtCoef, inputText, parseNumber, unitInline } from './format.js';
import { el } from './dom.js';
import { messages } from './i18n.js';

const M = messages('whatif');

export const HEADLINE = ['perc_1ouder', 'perc_hhbijs'];
const GROUPS = ['kind', 'ouders_gezin', 'omgeving'];

function decimalsOf(step) {
  const s = String(step);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

export function createWhatIf(root, { determinants, onInput }) {
  const controls = new Map(); // name → control API
  const groupEls = new Map(); // group → {details, count}

  function makeControl(det) {
    const id = `wi-${det.name}`;
    const binary = det.unit_kind === 'yes_no';
    const stepDec = decimalsOf(det.step || 1);
    const step = det.step || 1;
    const lo = binary ? 0 : Number((Math.floor(det.min / step + 1e-9) * step).toFixed(stepDec));
    const hi = binary ? 1 : Number((Math.ceil(det.max / step - 1e-9) * step).toFixed(stepDec));
    const shownDec = binary ? 2 : Math.max(det.decimals ?? 1, 0);
    const labelText = `${det.label} (${det.unit})`;
    // Long units ("per 100 inwoners van 20–64 jaar") are in the label already.
    const shortUnit = !binary && unitInline(det);
    const fmtShort = (x) => (shortUnit ? fmtValue(x, det) : fmtNum(x, det.decimals ?? 1));
    const betaText = M.coefficient(fmtCoef(det.beta), binary ? M.perYes : (det.unit_kind === 'percent' ? M.perPp : shortUnit ? det.unit : M.perUnit));

    const wrap = el('div', { class: 'control', 'data-name': det.name, 'data-testid': `control-${det.name}` });
    const head = el('div', { class: 'control-head' });
    const imp = el('span', { class: 'imputed-flag', id: `${id}-imp`, hidden: true });
    const hint = el('p', { class: 'hint', id: `${id}-hint` });
    const err = el('p', { class: 'error', id: `${id}-err`, role: 'alert' });
    const reset = el('button', { type: 'button', class: 'reset', 'aria-label': M.resetLabel(det.label), title: M.resetTitle }, M.reset);
    const row = el('div', { class: 'control-row' });
    let range = null;
    let num = null;
    let sel = null;

    if (binary) {
      head.append(el('label', { for: `${id}-sel`, text: labelText }), imp);
      sel = el('select', { id: `${id}-sel`, 'aria-describedby': `${id}-hint ${id}-imp` });
      row.append(sel, reset);
    } else {
      head.append(el('label', { for: `${id}-range`, text: labelText }), imp);
      range = el('input', {
        type: 'range', id: `${id}-range`, min: lo, max: hi, step,
        'aria-describedby': `${id}-hint ${id}-imp`,
      });
      num = el('input', {
        type: 'text', inputmode: 'decimal', id: `${id}-num`, class: 'num', autocomplete: 'off',
        spellcheck: 'false', 'aria-describedby': `${id}-err ${id}-hint ${id}-imp`,
      });
      const numLabel = el('label', { for: `${id}-num`, class: 'visually-hidden', text: M.numLabel(labelText) });
      const unit = el('span', { class: 'unit-suffix', 'aria-hidden': 'true', text: det.unit_kind === 'percent' ? '%' : '' });
      row.append(range, numLabel, num, unit, reset);
    }
    wrap.append(head, row, hint, err);

    let base = NaN;
    let value = NaN;
    let impKindNow = null;

    function setError(msg) {
      err.textContent = msg || '';
      if (num) num.setAttribute('aria-invalid', msg ? 'true' : 'false');
      wrap.classList.toggle('invalid', !!msg);
    }

    function showValue(v, { fromRange = false, fromNum = false } = {}) {
      value = v;
      wrap.dataset.value = String(v);
      wrap.classList.toggle('changed', v !== base);
      if (binary) {
        const vs = String(v);
        if (![...sel.options].some((o) => o.value === vs)) {
          sel.append(el('option', { value: vs, text: M.estimated(fmtNum(v, 2)) }));
        }
        sel.value = vs;
      } else {
        if (!fromRange) range.value = String(v);
        range.setAttribute('aria-valuetext', fmtValue(v, det));
        if (!fromNum) num.value = inputText(v, shownDec);
      }
    }

    function commit(v, how) {
      setError('');
      showValue(v, how);
      onInput(det.name, v);
    }

    if (binary) {
      sel.addEventListener('input', () => commit(Number(sel.value), {}));
    } else {
      range.addEventListener('input', () => {
        const v = Number(Number(range.value).toFixed(stepDec));
        commit(v, { fromRange: true });
      });
      num.addEventListener('input', () => {
        const p = parseNumber(num.value);
        if (!p.ok) {
          setError(p.reason === 'leeg'
            ? M.empty(fmtNum(lo, shownDec), fmtNum(hi, shownDec))
            : M.notANumber(num.value.trim(), inputText((lo + hi) / 2, shownDec)));
          return;
        }
        if (p.value < lo - 1e-9 || p.value > hi + 1e-9) {
          setError(M.outOfRange(fmtNum(lo, shownDec), fmtNum(hi, shownDec)));
          return;
        }
        commit(p.value, { fromNum: true });
      });
      // Tidy the text once the user leaves a valid field.
      num.addEventListener('change', () => {
        if (!wrap.classList.contains('invalid')) num.value = inputText(value, shownDec);
      });
    }
    reset.addEventListener('click', () => commit(base, {}));

    return {
      det, wrap,
      set(baseValue, current, impKind) {
        base = baseValue;
        if (binary) {
          sel.replaceChildren(el('option', { value: '0', text: fmtValue(0, det) }), el('option', { value: '1', text: fmtValue(1, det) }));
        }
        setError('');
        showValue(current);
        imp.hidden = !impKind;
        imp.textContent = impKind === 'gemeente' ? M.impGemeente
          : impKind === 'land' ? M.impLand
            : impKind === 'nul' ? M.impZero : '';
        wrap.classList.toggle('imputed', !!impKind);
        impKindNow = impKind;
        const rangeText = binary ? '' : M.range(fmtShort(lo), fmtShort(hi));
        hint.textContent = M.hint(rangeText, binary ? fmtValue(baseValue, det) : fmtShort(baseValue), det.level === 'gemeente', betaText);
      },
      get value() { return value; },
      get base() { return base; },
      get impKind() { return impKindNow; },
    };
  }

  // Headline controls first, then one <details> per SCP group.
  const byName = new Map(determinants.map((d) => [d.name, d]));
  const headline = el('div', { class: 'whatif-headline' });
  for (const name of HEADLINE) {
    const det = byName.get(name);
    if (!det) continue;
    const c = makeControl(det);
    controls.set(name, c);
    headline.append(c.wrap);
  }
  root.append(headline);
  for (const g of GROUPS) {
    const dets = determinants.filter((d) => d.group === g && !HEADLINE.includes(d.name));
    if (!dets.length) continue;
    const count = el('span', { class: 'group-count' });
    const summary = el('summary', {}, el('span', { class: 'group-name', text: dets[0].group_label || g }), ' ', count);
    const details = el('details', { class: 'whatif-group', 'data-group': g }, summary);
    const body = el('div', { class: 'group-body' });
    for (const det of dets) {
      const c = makeControl(det);
      controls.set(det.name, c);
      body.append(c.wrap);
    }
    details.append(body);
    root.append(details);
    groupEls.set(g, { details, count, names: dets.map((d) => d.name) });
  }

  function refreshCounts() {
    for (const { count, names } of groupEls.values()) {
      const changed = names.filter((n) => controls.get(n).value !== controls.get(n).base).length;
      const imputed = names.filter((n) => controls.get(n).wrap.classList.contains('imputed')).length;
      const parts = [M.nDet(names.length)];
      if (changed) parts.push(M.nChanged(changed));
      if (imputed) parts.push(M.nImputed(imputed));
      count.textContent = `(${parts.join(', ')})`;
    }
  }

  return {
    /** Load a profile: base values (the start), current values, imputation kind per name. */
    load(baseValues, currentValues, impKinds = {}) {
      for (const [name, c] of controls) c.set(baseValues[name], currentValues[name] ?? baseValues[name], impKinds[name] || null);
      refreshCounts();
    },
    /** Values changed by onInput are already shown; call this to refresh group counts. */
    refresh: refreshCounts,
    resetAll() {
      for (const c of controls.values()) c.set(c.base, c.base, c.impKind);
      refreshCounts();
    },
    values() {
      return Object.fromEntries([...controls].map(([n, c]) => [n, c.value]));
    },
  };
}
