// "Wat als…" on the map: the scenario (the deltas from the what-if panel and the
// scale they apply to), the expected values, intervals and verdicts the wasm core
// gives for it, and the scale radios. A change is recoloured once per
// animation frame, however many slider events arrive.

import { el } from '../dom.js';
import { messages, tr, errorText } from '../i18n.js';

const M = messages('map');
const E = messages('extend');

const SCOPES = ['wijk', 'gemeente', 'regio', 'land'].map((id) => ({ id, label: M.scopes[id] }));

const codeOf = (v) => (v == null ? null : typeof v === 'string' ? v : v.code ?? null);

export function createScope(m) {
  const { jw, container, wijken, gemeenten, dataIndex, gemByCode, nDet } = m;
  const zeros = new Float64Array(nDet);
  const baseExpected = Float64Array.from(jw.expectedAll(zeros, 'land', ''));
  let baseIntervals = null;
  let intervals = null; // lazily: Float64Array(4n) for the current scenario
  // The verdict of every wijk (hoger / lager / binnen the PI) comes from the
  // Rust core (verdictsAll): -1 = not published, else an index into VERDICTS.
  const VERDICTS = jw.verdicts().map((v) => ({ ...v, label: tr(v, 'label') }));
  let baseVerdicts = null;
  let verdicts = null; // lazily, like intervals
  let members = null; // lazily: Uint8Array(n), the wijken the current what-if covers
  const scenario = { deltas: zeros, wijk: null, gemeente: null, scope: 'wijk', usedScope: 'land', active: false, scopeCode: '' };

  const radios = SCOPES.map((s) => el('input', { type: 'radio', name: 'map-scope', value: s.id, id: `map-scope-${s.id}`, 'data-testid': `map-scope-${s.id}` }));
  const box = el('fieldset', { class: 'map-scope', 'data-testid': 'map-scope' },
    el('legend', {}, M.scopeLegend),
    ...SCOPES.map((s, k) => el('label', { for: `map-scope-${s.id}` }, radios[k], ` ${s.label}`)));
  const note = el('p', { class: 'map-scenario', 'data-testid': 'map-scenario' });

  // Issue 10: "Aanvullen met eigen wijkkenmerken" lays the extension's expected use over
  // that of the national model (or the what-if) for the region's wijken (setOverride).
  // The national 95 % interval does not belong to that expectation, so these wijken get
  // no verdict while it is shown.
  let override = null; // {index: Map(data index → expected), onClear}
  let rawExpected = baseExpected; // the national / what-if expectation, without the override
  const overrideText = el('p', { 'data-testid': 'map-override-note' });
  const overrideBack = el('button', { type: 'button', class: 'secondary', 'data-testid': 'map-override-back' }, E.mapBack);
  const overrideBox = el('div', { class: 'map-override', 'data-testid': 'map-override', role: 'region', 'aria-label': E.showMap, hidden: true },
    overrideText, overrideBack);
  function overlay(arr) {
    if (!override) return arr;
    const out = Float64Array.from(arr);
    for (const [i, e] of override.index) out[i] = e;
    return out;
  }

  // for tests and bench/map.mjs
  const timing = { recolourMs: 0, shownMs: 0, frameGap: 0 };
  let recolours = 0;
  let pending = false;

  /** Intervals for the current scenario: CI low, CI high, PI low, PI high, n each. */
  function currentIntervals() {
    if (!scenario.active) {
      baseIntervals ??= Float64Array.from(jw.intervalsAll(zeros, 'land', ''));
      return baseIntervals;
    }
    intervals ??= Float64Array.from(jw.intervalsAll(scenario.deltas, scenario.usedScope, scenario.scopeCode));
    return intervals;
  }

  function currentVerdicts() {
    if (!scenario.active) {
      baseVerdicts ??= Int8Array.from(jw.verdictsAll(zeros, 'land', ''));
      return baseVerdicts;
    }
    verdicts ??= Int8Array.from(jw.verdictsAll(scenario.deltas, scenario.usedScope, scenario.scopeCode));
    return verdicts;
  }
  /** The core's verdict on wijk i, {value: 'hoger'|'lager'|'binnen', label}, or null if its use was not published. */
  function verdict(i) {
    if (override?.index.has(i)) return null;
    const v = currentVerdicts()[i];
    return v < 0 ? null : VERDICTS[v];
  }

  /** Whether the current what-if changes wijk i: the core's scope rule (scopeMembers). */
  function applies(i) {
    if (!scenario.active) return false;
    members ??= jw.scopeMembers(scenario.usedScope, scenario.scopeCode);
    return members[i] === 1;
  }

  function scopeCodeFor(scope) {
    const w = scenario.wijk != null ? dataIndex.get(scenario.wijk) : undefined;
    if (scope === 'land') return '';
    if (scope === 'wijk') return w !== undefined ? wijken[w].code : null;
    if (scope === 'gemeente') return scenario.gemeente ?? (w !== undefined ? wijken[w].gemeente_code : null);
    if (scope === 'regio') {
      if (w !== undefined) return wijken[w].regio_code;
      const gm = scenario.gemeente && gemByCode.get(scenario.gemeente);
      return gm ? gm.regio_code : null;
    }
    return null;
  }
  function effectiveScope() {
    // valt terug op een ruimere schaal als de gekozen schaal geen code heeft
    const order = SCOPES.map((s) => s.id);
    for (let k = order.indexOf(scenario.scope); k < order.length; k++) {
      const c = scopeCodeFor(order[k]);
      if (c != null) return [order[k], c];
    }
    return ['land', ''];
  }
  function refreshControls() {
    // aangevinkt: de schaal die echt gebruikt wordt (ruimer als de gekozen schaal
    // nu geen wijk/gemeente heeft); de keuze zelf blijft bewaard in scenario.scope
    const [eff] = effectiveScope();
    SCOPES.forEach((s, k) => {
      const ok = scopeCodeFor(s.id) != null;
      radios[k].disabled = !ok;
      radios[k].checked = s.id === eff;
    });
  }
  function scopeText(scope, code) {
    if (scope === 'land') return M.scopeLand;
    if (scope === 'wijk') { const i = dataIndex.get(code); return M.scopeWijk(wijken[i]?.name ?? code); }
    if (scope === 'gemeente') return M.scopeGemeente(gemByCode.get(code)?.name ?? code);
    const g = gemeenten.find((x) => x.regio_code === code);
    return M.scopeRegio(g?.regio_name ?? code);
  }

  function recompute(frameTs) {
    const t0 = performance.now();
    const d = scenario.deltas;
    let any = false;
    for (let j = 0; j < d.length; j++) if (d[j] !== 0 && Number.isFinite(d[j])) { any = true; break; }
    const [scope, code] = effectiveScope();
    const was = `${scenario.active}|${scenario.usedScope}|${scenario.scopeCode}`;
    scenario.usedScope = scope;
    scenario.scopeCode = code;
    intervals = null;
    verdicts = null;
    members = null;
    try {
      if (any) {
        rawExpected = jw.expectedAll(d, scope, code);
        scenario.active = true;
      } else {
        rawExpected = baseExpected;
        scenario.active = false;
      }
      sc.expected = overlay(rawExpected);
    } catch (err) {
      m.status.textContent = M.whatifFailed(errorText(err));
      return;
    }
    m.draw.computeClasses();
    m.draw.redraw();
    m.tip.refresh();
    recolours += 1;
    container.dataset.recolours = String(recolours);
    const now = `${scenario.active}|${scenario.usedScope}|${scenario.scopeCode}`;
    if (now !== was) {
      note.textContent = scenario.active
        ? M.whatifNote(scopeText(scope, code))
        : '';
    }
    timing.recolourMs = performance.now() - t0;
    container.dataset.lastRecolourMs = timing.recolourMs.toFixed(2);
    // wanneer staat het op het scherm: de volgende frame na deze
    requestAnimationFrame((ts) => {
      timing.shownMs = performance.now() - t0;
      timing.frameGap = frameTs === undefined ? NaN : ts - frameTs;
    });
  }
  function scheduleRecompute() {
    if (pending) return;
    pending = true;
    requestAnimationFrame((ts) => { pending = false; recompute(ts); });
  }
  radios.forEach((r) => r.addEventListener('change', () => {
    if (!r.checked) return;
    scenario.scope = r.value;
    scheduleRecompute();
  }));

  const sc = {
    box, note, overrideBox, overrideBack, timing, scenario, baseExpected,
    expected: baseExpected, // for the current scenario; replaced, never written into
    currentIntervals, verdict, applies, scopeText, refreshControls,
    /** The selected wijk becomes the what-if's wijk if the page has not named one. */
    adoptWijk(code) {
      if (scenario.wijk == null) { scenario.wijk = code; refreshControls(); }
    },
    /** Whether wijk i shows the extension's expectation (setOverride). */
    overridden: (i) => override?.index.has(i) ?? false,
    /**
     * Issue 10: use `expected[k]` for wijk `codes[k]` (unknown codes are skipped); `note`
     * is shown above the map with a button back. Returns the data indexes used.
     */
    setOverride({ codes, expected, note: text = '', onClear = null }) {
      const index = new Map();
      codes.forEach((c, k) => {
        const i = dataIndex.get(c);
        if (i !== undefined && Number.isFinite(expected[k])) index.set(i, expected[k]);
      });
      override = { index, onClear };
      sc.expected = overlay(rawExpected);
      overrideText.textContent = text;
      overrideBox.hidden = false;
      container.dataset.override = String(index.size);
      return [...index.keys()];
    },
    /**
     * Back to the national model's (or the what-if's) expectation everywhere. Returns the
     * override's onClear (map.js calls it when the user pressed the back button), or null
     * when there was none.
     */
    clearOverride() {
      if (!override) return null;
      const { onClear } = override;
      override = null;
      sc.expected = rawExpected;
      overrideBox.hidden = true;
      overrideText.textContent = '';
      delete container.dataset.override;
      return onClear ?? (() => {});
    },
    /** mountMap's update(): the page's deltas, wijk and gemeente. */
    update({ deltas, wijk, gemeente } = {}) {
      if (deltas) scenario.deltas = deltas instanceof Float64Array ? deltas : Float64Array.from(deltas);
      const wc = codeOf(wijk), gc = codeOf(gemeente);
      if (wijk !== undefined) scenario.wijk = wc;
      if (gemeente !== undefined) scenario.gemeente = gc;
      refreshControls();
      scheduleRecompute();
    },
  };
  return sc;
}
