// The income-class filter (issue 12): the map shows only the wijken of one national
// income class (tertiles of the mean standardised household income, from the core:
// jw.incomeClasses()), so low-income wijken can be compared across a region. The
// other wijken are drawn in plain grey. The choice lives in the URL as ?ses=laag|midden|hoog.

import { el } from '../dom.js';
import { fmtNum } from '../format.js';

export const FILTERED_FILL = '#cfcfcf';

const M = {
  legend: 'Alleen wijken met inkomen',
  all: 'alle wijken',
  values: ['laag', 'midden', 'hoog'],
  option: (label, lo, hi) => (lo === null ? `${label} (tot en met ${fmtNum(hi, 0)} euro)`
    : hi === null ? `${label} (boven ${fmtNum(lo, 0)} euro)` : `${label} (${fmtNum(lo, 0)} tot en met ${fmtNum(hi, 0)} euro)`),
  hint: (label) => `Inkomensklassen: drie even grote groepen van alle wijken naar het ${label.toLowerCase()}. Wijken zonder inkomen vallen bij een filter weg.`,
  legendItem: 'andere inkomensklasse (weggefilterd)',
  note: (label) => `De kaart toont alleen wijken met ${label}.`,
  failed: (what) => `Inkomensklassen niet beschikbaar (${what}).`,
};

export function createSesFilter(m, onChange) {
  let classes = null;
  let problem = '';
  try { classes = m.jw.incomeClasses(); } catch (e) { problem = e.message || String(e); }
  const select = el('select', { id: 'map-ses', 'data-testid': 'map-ses', 'aria-describedby': 'map-ses-hint' },
    el('option', { value: '' }, M.all));
  if (classes) {
    const [b1, b2] = classes.bounds;
    const ranges = [[null, b1], [b1, b2], [b2, null]];
    M.values.forEach((v, k) => select.append(el('option', { value: v }, M.option(classes.labels[k], ...ranges[k]))));
  } else {
    select.disabled = true;
  }
  const box = el('div', { class: 'map-ses', 'data-testid': 'map-ses-box' },
    el('label', { for: 'map-ses' }, M.legend), select,
    el('p', { class: 'hint', id: 'map-ses-hint' }, classes ? M.hint(classes.label) : M.failed(problem)));
  let chosen = -1;
  const fromUrl = new URLSearchParams(location.search).get('ses');
  if (classes && M.values.includes(fromUrl)) { chosen = M.values.indexOf(fromUrl); select.value = fromUrl; }
  m.container.dataset.ses = chosen < 0 ? '' : M.values[chosen];

  function writeUrl() {
    const q = new URLSearchParams(location.search);
    if (chosen < 0) q.delete('ses'); else q.set('ses', M.values[chosen]);
    const s = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
  }
  select.addEventListener('change', () => {
    chosen = select.value ? M.values.indexOf(select.value) : -1;
    m.container.dataset.ses = chosen < 0 ? '' : M.values[chosen];
    writeUrl();
    onChange();
  });

  return {
    box,
    /** Whether data wijk i is filtered away. */
    hides: (i) => chosen >= 0 && classes.class[i] !== chosen,
    active: () => chosen >= 0,
    legendItem: () => (chosen >= 0 ? [FILTERED_FILL, M.legendItem] : null),
    note: () => (chosen >= 0 ? M.note(classes.labels[chosen]) : ''),
  };
}
