// The tooltip and the accessible list of all wijken. The list is the keyboard and
// screen-reader way through the map: a listbox inside the map area that shows as a
// panel over the map when it has focus, so the rest of the page does not shift. Its
// active option gets the tooltip, the purple outline and the map follows it.

import { el } from '../dom.js';
import { fmtNum, fmtPct, fmtPp } from '../format.js';
import { messages, tr } from '../i18n.js';

const M = messages('map');
const E = messages('extend');

export function createTooltip(m) {
  const { state, shapes, geoToData, observed, nData } = m;
  const tooltip = el('div', { class: 'map-tooltip', role: 'tooltip', id: 'map-tooltip', 'data-testid': 'map-tooltip', hidden: true });
  let tooltipFor = -1;
  let tooltipAnchor = null; // {x, y} in CSS px binnen stage, of null = labelpunt

  function content(g) {
    const i = geoToData[g];
    const rows = [];
    const row = (k, v, cl = '') => rows.push(k
      ? el('div', { class: `map-tt-row ${cl}` }, el('span', { class: 'map-tt-k' }, k), el('span', { class: 'map-tt-v' }, v))
      : el('p', { class: `map-tt-line ${cl}` }, v));
    const title = el('p', { class: 'map-tt-title' }, m.wijkName(g));
    const sub = el('p', { class: 'map-tt-sub' }, m.gemName(g));
    if (i < 0) {
      row('', M.ttNoData, 'map-tt-note');
    } else {
      const o = observed[i];
      const e = m.scope.expected[i];
      row(M.ttObserved, Number.isFinite(o) ? fmtPct(o) : M.ttNotPublished);
      // issue 10: the extension's expectation has no national interval
      const extended = m.scope.overridden(i);
      row(extended ? E.ttExpected : m.scope.scenario.active ? M.ttExpectedWhatif : M.ttExpected, fmtPct(e));
      if (!extended) {
        const iv = m.scope.currentIntervals();
        row(M.ttPi, `${fmtNum(iv[2 * nData + i], 1)}–${fmtNum(iv[3 * nData + i], 1)}\u00a0%`);
      }
      if (Number.isFinite(o)) {
        row(M.ttDifference, fmtPp(o - e));
        const v = m.scope.verdict(i);
        if (v && v.value !== 'binnen') row('', `${v.value === 'hoger' ? '▲' : '▼'} ${M.ttOutside(tr(v, 'label'))}`, 'map-tt-flag');
      }
    }
    const eff = m.effectOfGem(m.gemOfGeo(g));
    row(M.ttEffect, Number.isFinite(eff) ? fmtPp(eff) : M.noData);
    return [title, sub, ...rows];
  }
  /** Show the tooltip of shape g, at anchor (the mouse) or else at its label point. */
  function show(g, anchor = null) {
    if (g < 0) { hide(); return; }
    tooltipFor = g;
    tooltipAnchor = anchor;
    tooltip.replaceChildren(...content(g));
    tooltip.dataset.code = shapes[g].code;
    tooltip.hidden = false;
    place();
  }
  function place() {
    if (tooltipFor < 0) return;
    let ax, ay;
    if (tooltipAnchor) ({ x: ax, y: ay } = tooltipAnchor);
    else { const [lx, ly] = shapes[tooltipFor].label; ax = lx * state.k + state.x; ay = ly * state.k + state.y; }
    const tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
    let x = ax + 14, y = ay + 14;
    if (x + tw > state.W - 4) x = ax - tw - 14;
    if (y + th > state.H - 4) y = ay - th - 14;
    tooltip.style.left = `${Math.max(4, x)}px`;
    tooltip.style.top = `${Math.max(4, y)}px`;
  }
  function hide() {
    tooltipFor = -1;
    tooltip.hidden = true;
  }
  return {
    el: tooltip, show, hide,
    /** New figures (view or what-if changed) for the wijk it shows. */
    refresh() {
      if (tooltipFor >= 0 && !tooltip.hidden) tooltip.replaceChildren(...content(tooltipFor));
    },
    /** After panning or zooming: one at the mouse no longer fits, one at a label point moves along. */
    moved() {
      if (tooltip.hidden) return;
      if (tooltipAnchor) hide(); else place();
    },
  };
}

export function createList(m) {
  const { state, shapes, nGeo, geoIndex, geoToData, container } = m;
  const list = el('ul', {
    class: 'map-list', role: 'listbox', tabindex: '0', id: 'map-list', 'data-testid': 'map-list',
    'aria-label': M.listLabel,
    'aria-describedby': 'map-tooltip',
  });
  const hint = el('p', { class: 'map-list-hint', id: 'map-list-hint' },
    M.listHint);

  // Gebouwd na de eerste tekening (3070 opties kosten layout-tijd), of meteen
  // als de lijst eerder focus krijgt.
  let order = null;
  const options = new Array(nGeo);
  const posInOrder = new Int32Array(nGeo);
  function build() {
    if (order) return;
    // not format.js's collator: this one ignores punctuation, so a leading quote
    // ("'s-Hertogenbosch") does not put a name before all others
    const collator = new Intl.Collator('nl', { numeric: true, sensitivity: 'base', ignorePunctuation: true });
    const gn = shapes.map((_, g) => m.gemName(g));
    const wn = shapes.map((_, g) => m.wijkName(g));
    order = [...shapes.keys()].sort((a, b) => collator.compare(gn[a], gn[b]) || collator.compare(wn[a], wn[b]));
    const frag = document.createDocumentFragment();
    for (const g of order) {
      const li = el('li', { role: 'option', id: `map-opt-${shapes[g].code}`, 'data-code': shapes[g].code, 'aria-selected': 'false' },
        `${wn[g]}, ${gn[g]}${geoToData[g] < 0 ? M.listNoData : ''}`);
      options[g] = li;
      frag.append(li);
    }
    list.append(frag);
    order.forEach((g, p) => { posInOrder[g] = p; });
    container.dataset.listReady = 'true';
  }

  function setFocus(g, { scroll = true } = {}) {
    if (state.focus >= 0) options[state.focus].setAttribute('aria-selected', 'false');
    state.focus = g;
    if (g < 0) { list.removeAttribute('aria-activedescendant'); m.tip.hide(); m.draw.scheduleRedraw(); return; }
    const li = options[g];
    li.setAttribute('aria-selected', 'true');
    list.setAttribute('aria-activedescendant', li.id);
    // zelf scrollen: scrollIntoView zou ook het kaartvlak verschuiven
    if (scroll) {
      const top = li.offsetTop, bottom = top + li.offsetHeight;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
    }
    if (!m.act.isVisible(g)) m.act.centreOn(g, { zoom: false });
    m.draw.scheduleRedraw();
    m.tip.show(g);
  }
  let typed = '', typedAt = 0;
  list.addEventListener('focus', () => {
    build();
    if (state.focus < 0) setFocus(state.selected ?? order[0]);
    else m.tip.show(state.focus);
  });
  list.addEventListener('blur', () => { m.tip.hide(); });
  list.addEventListener('keydown', (e) => {
    build();
    const p = state.focus >= 0 ? posInOrder[state.focus] : -1;
    const go = (q) => { setFocus(order[Math.max(0, Math.min(nGeo - 1, q))]); e.preventDefault(); };
    switch (e.key) {
      case 'ArrowDown': return go(p + 1);
      case 'ArrowUp': return go(p - 1);
      case 'PageDown': return go(p + 20);
      case 'PageUp': return go(p - 20);
      case 'Home': return go(0);
      case 'End': return go(nGeo - 1);
      case 'Enter': case ' ':
        if (state.focus >= 0) m.act.select(state.focus);
        e.preventDefault();
        return;
      case 'Escape': m.tip.hide(); return;
      default:
        if (m.act.zoomKeys(e)) { e.preventDefault(); return; }
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          // typ de eerste letters van een wijk of gemeente
          const now = performance.now();
          const fresh = now - typedAt > 800;
          typed = fresh ? e.key : typed + e.key;
          typedAt = now;
          const t = typed.toLocaleLowerCase('nl');
          const start = Math.max(p, 0) + (fresh ? 1 : 0);
          for (let k = 0; k < nGeo; k++) {
            const g = order[(start + k) % nGeo];
            if (m.wijkName(g).toLocaleLowerCase('nl').startsWith(t) || m.gemName(g).toLocaleLowerCase('nl').startsWith(t)) { setFocus(g); break; }
          }
          e.preventDefault();
        }
    }
  });
  list.addEventListener('click', (e) => {
    const li = e.target.closest('[data-code]');
    if (!li) return;
    const g = geoIndex.get(li.dataset.code);
    setFocus(g, { scroll: false });
    m.act.select(g);
  });

  return { el: list, hint, build };
}
