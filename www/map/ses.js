// The income-class filter (issue 12): the map shows only the wijken of one national
// income class (tertiles of the mean standardised household income, from the core:
// jw.incomeClasses()), so low-income wijken can be compared across a region. The
// other wijken are drawn in plain grey. The choice lives in the URL as ?ses=laag|midden|hoog.

import { el } from '../dom.js';
import { messages, tr, errorText } from '../i18n.js';

export const FILTERED_FILL = '#cfcfcf';

const M = messages('ses');
// The URL's values of the three classes (not text: the same in every language).
const VALUES = ['laag', 'midden', 'hoog'];

export function createSesFilter(m, onChange) {
  let classes = null;
  let problem = '';
  try { classes = m.jw.incomeClasses(); } catch (e) { problem = errorText(e); }
  const select = el('select', { id: 'map-ses', 'data-testid': 'map-ses', 'aria-describedby': 'map-ses-hint' },
    el('option', { value: '' }, M.all));
  if (classes) {
    const [b1, b2] = classes.bounds;
    const ranges = [[null, b1], [b1, b2], [b2, null]];
    VALUES.forEach((v, k) => select.append(el('option', { value: v }, M.option(tr(classes, 'labels')[k], ...ranges[k]))));
  } else {
    select.disabled = true;
  }
  const box = el('div', { class: 'map-ses', 'data-testid': 'map-ses-box' },
    el('label', { for: 'map-ses' }, M.legend), select,
    el('p', { class: 'hint', id: 'map-ses-hint' }, classes ? M.hint(tr(classes, 'label')) : M.failed(problem)));
  let chosen = -1;
  const fromUrl = new URLSearchParams(location.search).get('ses');
  if (classes && VALUES.includes(fromUrl)) { chosen = VALUES.indexOf(fromUrl); select.value = fromUrl; }
  m.container.dataset.ses = chosen < 0 ? '' : VALUES[chosen];
  // A link's value that is no class is named beside the filter, never ignored silently,
  // and taken out of the URL (the map shows every wijk).
  const refused = fromUrl !== null && !VALUES.includes(fromUrl);
  const linkNote = el('p', { class: 'notice', role: 'status', 'data-testid': 'map-ses-link' },
    refused ? M.linkRefused(`'${fromUrl.length > 40 ? `${fromUrl.slice(0, 40)}…` : fromUrl}'`) : '');
  linkNote.hidden = !refused;
  box.append(linkNote);

  function writeUrl() {
    const q = new URLSearchParams(location.search);
    if (chosen < 0) q.delete('ses'); else q.set('ses', VALUES[chosen]);
    const s = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
  }
  if (refused) writeUrl();
  select.addEventListener('change', () => {
    linkNote.hidden = true;
    chosen = select.value ? VALUES.indexOf(select.value) : -1;
    m.container.dataset.ses = chosen < 0 ? '' : VALUES[chosen];
    writeUrl();
    onChange();
  });

  return {
    box,
    /** Whether data wijk i is filtered away. */
    hides: (i) => chosen >= 0 && classes.class[i] !== chosen,
    active: () => chosen >= 0,
    legendItem: () => (chosen >= 0 ? [FILTERED_FILL, M.legendItem] : null),
    note: () => (chosen >= 0 ? M.note(tr(classes, 'labels')[chosen]) : ''),
  };
}
