// Search combobox (WAI-ARIA 1.2 "combobox with listbox popup" pattern).
//
// Finds a wijk by name or code (WK036300) — each option shows its gemeente —
// and a gemeente by name or code (GM0363). Choosing a gemeente narrows the list
// to that gemeente's wijken (shown as a removable chip) and calls onGemeente.
// Keys: ArrowDown/ArrowUp move the active option (opening the list if closed),
// Home/End jump to the first/last option while an option is active, Enter
// chooses, Escape closes (or clears when already closed). Matching ignores case
// and diacritics; every typed word must occur in the name, gemeente or code.

import { normalise, collator } from './format.js';
import { messages } from './i18n.js';

const M = messages('search');

const MAX_OPTIONS = 60;

export function createSearch(root, { wijken, gemeenten, onWijk, onGemeente }) {
  const input = root.querySelector('[role="combobox"]');
  const listbox = root.querySelector('[role="listbox"]');
  const status = root.querySelector('.search-status');
  const chip = root.querySelector('.search-chip');
  const chipText = chip.querySelector('.search-chip-text');
  const chipClear = chip.querySelector('button');
  const listId = listbox.id;

  const wijkCount = new Map();
  for (const w of wijken) wijkCount.set(w.gemeente_code, (wijkCount.get(w.gemeente_code) || 0) + 1);

  // The index is built on first use (focus or typing), not during the first view.
  let itemsCache = null;
  const buildItems = () => [
    ...gemeenten.map((g) => ({
      kind: 'gemeente', code: g.code, name: g.name,
      detail: M.gemeenteDetail(wijkCount.get(g.code) || 0, g.regio_name ?? ''),
      nName: normalise(g.name), nAll: normalise(`${g.name} ${g.code}`),
      gemeente: g.code,
    })),
    ...wijken.map((w) => ({
      kind: 'wijk', code: w.code, name: w.name,
      detail: `${w.gemeente_name} · ${w.code}`,
      nName: normalise(w.name), nAll: normalise(`${w.name} ${w.gemeente_name} ${w.code}`),
      gemeente: w.gemeente_code,
    })),
  ];
  const items = () => (itemsCache ??= buildItems());

  let shownLabel = ''; // text put in the box for the chosen wijk
  let scopeGemeente = null; // {code, name} when a gemeente was chosen
  let results = [];
  let active = -1;
  let open = false;

  function score(item, q, words) {
    // Lower is better. Exact code or name first, then prefixes, then word matches.
    const code = item.code.toLowerCase();
    if (code === q.replace(/ /g, '')) return 0;
    for (const w of words) if (!item.nAll.includes(w)) return Infinity;
    let s = 10;
    if (item.nName === q) s = 1;
    else if (item.nName.startsWith(q)) s = 2;
    else if (code.startsWith(q.replace(/ /g, ''))) s = 3;
    else if ((' ' + item.nName).includes(' ' + words[0])) s = 4;
    if (item.kind === 'gemeente') s -= 0.5; // a gemeente before its own wijken
    return s;
  }

  function compute(text) {
    const q = normalise(text);
    const words = q ? q.split(' ') : [];
    const pool = scopeGemeente
      ? items().filter((it) => it.kind === 'wijk' && it.gemeente === scopeGemeente.code)
      : items();
    if (!words.length && !scopeGemeente) return { list: [], total: 0 };
    const scored = [];
    for (const it of pool) {
      const s = words.length ? score(it, q, words) : 0;
      if (s !== Infinity) scored.push([s, it]);
    }
    scored.sort((a, b) => a[0] - b[0] || collator.compare(a[1].name, b[1].name) || (a[1].code < b[1].code ? -1 : 1));
    return { list: scored.slice(0, scopeGemeente ? Infinity : MAX_OPTIONS).map((x) => x[1]), total: scored.length };
  }

  function optionId(i) { return `${listId}-opt-${i}`; }

  function render(total) {
    listbox.replaceChildren();
    results.forEach((it, i) => {
      const li = document.createElement('li');
      li.id = optionId(i);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', i === active ? 'true' : 'false');
      li.dataset.code = it.code;
      li.dataset.kind = it.kind;
      li.className = `option option-${it.kind}`;
      const name = document.createElement('span');
      name.className = 'option-name';
      name.textContent = it.name;
      const detail = document.createElement('span');
      detail.className = 'option-detail';
      detail.textContent = it.detail;
      li.append(name, ' ', detail);
      listbox.append(li);
    });
    let msg;
    if (!open) msg = '';
    else if (!results.length) msg = M.none;
    else if (total > results.length) msg = M.more(results.length, total);
    else msg = M.count(results.length);
    status.textContent = msg;
    listbox.hidden = !open || !results.length;
    input.setAttribute('aria-expanded', open && results.length ? 'true' : 'false');
    setActive(active);
  }

  function setActive(i) {
    const prev = listbox.querySelector('[aria-selected="true"]');
    if (prev) prev.setAttribute('aria-selected', 'false');
    active = i;
    if (i >= 0 && i < results.length) {
      const el = document.getElementById(optionId(i));
      el.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', el.id);
      el.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function update(openIt = true) {
    const { list, total } = compute(input.value);
    results = list;
    active = -1;
    open = openIt && (results.length > 0 || normalise(input.value) !== '');
    render(total);
  }

  function close() {
    open = false;
    active = -1;
    render(0);
  }

  function setScope(g) {
    scopeGemeente = g;
    chip.hidden = !g;
    chipText.textContent = g ? M.chip(g.name) : '';
    input.placeholder = g ? M.placeholderIn(g.name) : M.placeholder;
  }

  function choose(i) {
    const it = results[i];
    if (!it) return;
    if (it.kind === 'gemeente') {
      setScope({ code: it.code, name: it.name });
      input.value = '';
      update(true);
      status.textContent = M.gemeenteChosen(it.name, results.length);
      onGemeente?.(it.code);
    } else {
      input.value = `${it.name} (${it.detail.split(' · ')[0]})`;
      shownLabel = input.value;
      close();
      onWijk?.(it.code);
    }
  }

  input.addEventListener('input', () => update(true));
  input.addEventListener('focus', () => {
    // The box shows the chosen wijk; select it so typing starts a new search.
    if (input.value && input.value === shownLabel) requestAnimationFrame(() => { if (input.value === shownLabel) input.select(); });
    if (scopeGemeente && !open) update(true);
    else setTimeout(items, 0); // warm the index while the user starts typing
  });
  input.addEventListener('keydown', (e) => {
    const n = results.length;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) { update(true); if (e.altKey) return; }
        if (results.length) setActive(active < results.length - 1 ? active + 1 : 0);
        break;
      case 'ArrowUp':
        e.preventDefault();
        if (!open) update(true);
        if (results.length) setActive(active > 0 ? active - 1 : results.length - 1);
        break;
      case 'Home':
        if (open && active >= 0 && n) { e.preventDefault(); setActive(0); }
        break;
      case 'End':
        if (open && active >= 0 && n) { e.preventDefault(); setActive(n - 1); }
        break;
      case 'Enter':
        if (open && n) {
          e.preventDefault();
          choose(active >= 0 ? active : 0);
        }
        break;
      case 'Escape':
        if (open) { e.preventDefault(); close(); }
        else if (input.value) { e.preventDefault(); input.value = ''; }
        else if (scopeGemeente) { e.preventDefault(); setScope(null); }
        break;
      case 'Tab':
        close();
        break;
      default:
    }
  });
  input.addEventListener('blur', () => { setTimeout(() => { if (document.activeElement !== input) close(); }, 150); });
  // Keep focus in the input when an option is clicked.
  listbox.addEventListener('mousedown', (e) => e.preventDefault());
  listbox.addEventListener('click', (e) => {
    const li = e.target.closest('[role="option"]');
    if (!li) return;
    const i = [...listbox.children].indexOf(li);
    choose(i);
  });
  chipClear.addEventListener('click', () => { setScope(null); input.focus(); update(true); });

  return {
    /** Reflect an outside selection (map click, URL) in the input without opening the list. */
    showWijk(w) {
      input.value = w ? `${w.name} (${w.gemeente_name})` : '';
      shownLabel = input.value;
      close();
    },
    clearScope() { setScope(null); },
    focus() { input.focus(); },
  };
}
