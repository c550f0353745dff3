// "Wat als…" on the map: the scenario (the deltas from the what-if panel and the
// scale they apply to), the expected values, intervals and verdicts the wasm core
// gives for it, and the scale radios. A change is recoloured once per
// animation frame, however many slider events arrive.

import { el } from '../dom.js';
import { messages, tr } from '../i18n.js';

const M = messages('map');

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
        sc.expected = jw.expectedAll(d, scope, code);
        scenario.active = true;
      } else {
        sc.expected = baseExpected;
        scenario.active = false;
      }
    } catch (err) {
      m.status.textContent = M.whatifFailed(err.message);
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
    box, note, timing, scenario, baseExpected,
    expected: baseExpected, // for the current scenario; replaced, never written into
    currentIntervals, verdict, applies, scopeText, refreshControls,
    /** The selected wijk becomes the what-if's wijk if the page has not named one. */
    adoptWijk(code) {
      if (scenario.wijk == null) { scenario.wijk = code; refreshControls(); }
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
