// The page's language (issue 12): Dutch by default, English with ?lang=en.
//
//   lang, locale         'nl' | 'en', and the Intl locale for numbers ('nl-NL' | 'en-GB')
//   messages(ns)         a module's messages (strings and functions) in the current language,
//                        from the catalogs www/i18n/nl.js and www/i18n/en.js (same keys)
//   t('ns.key', …args)   one message; a function message is called with args
//   tr(obj, 'label')     a field the wasm core gives in both languages (label / label_en)
//   withLang(href)       a link the page writes, with ?lang=en kept (nl: unchanged)
//   applyStatic()        fills the static HTML marked data-i18n / data-i18n-html /
//                        data-i18n-attr, <html lang>, the title and the language switch
//
// No framework: the catalogs are plain objects, numbers go through Intl.

import nl from './i18n/nl.js';
import en from './i18n/en.js';

// Getters: the catalogs import format.js, which imports this module, so they may not be
// evaluated yet when this module is (an import cycle that is harmless at call time).
export const CATALOGS = { get nl() { return nl; }, get en() { return en; } };

function readLang() {
  try {
    return new URLSearchParams(globalThis.location?.search ?? '').get('lang') === 'en' ? 'en' : 'nl';
  } catch {
    return 'nl';
  }
}

export const lang = readLang();
export const locale = lang === 'en' ? 'en-GB' : 'nl-NL';

export function messages(ns) {
  const m = CATALOGS[lang][ns];
  if (!m) throw new Error(`i18n: no messages '${ns}'`);
  return m;
}

export function t(key, ...args) {
  const dot = key.indexOf('.');
  const v = CATALOGS[lang][key.slice(0, dot)]?.[key.slice(dot + 1)];
  if (v === undefined) return key;
  return typeof v === 'function' ? v(...args) : v;
}

/** A field of the core's output in the page's language: obj.label_en in English, else obj.label. */
export function tr(obj, field) {
  if (!obj) return obj;
  return lang === 'en' ? (obj[`${field}_en`] ?? obj[field]) : obj[field];
}

/**
 * `href` as the page writes it ("?rapport=GM0344", "./") with the language kept: in
 * English `lang=en` is added to its query; in Dutch it is returned as given (no `lang` = nl).
 */
export function withLang(href) {
  if (lang === 'nl') return href;
  const u = new URL(href, globalThis.location?.href ?? 'http://localhost/');
  u.searchParams.set('lang', 'en');
  const rest = `${u.search.replace(/%2C/g, ',')}${u.hash}`;
  if (href.startsWith('?')) return rest;
  if (href.startsWith('./') || href === '.') return `./${rest}`;
  return `${u.pathname}${rest}`;
}

/** The determinants of jw.determinants() with label, unit and group_label in the page's language. */
export function localizeDeterminants(list) {
  if (lang === 'nl') return list;
  return list.map((d) => ({ ...d, label: tr(d, 'label'), unit: tr(d, 'unit'), group_label: tr(d, 'group_label') }));
}

/** The current page's address in the other language (the state in the URL is kept). */
export function otherLanguageHref() {
  const other = lang === 'en' ? 'nl' : 'en';
  const u = new URL(globalThis.location.href);
  if (other === 'en') u.searchParams.set('lang', 'en');
  else u.searchParams.delete('lang');
  return `${u.pathname}${u.search}${u.hash}`;
}

/** Fill the static HTML from the catalog's `static` section and set <html lang>. */
export function applyStatic(root = document) {
  const doc = root.ownerDocument ?? root;
  doc.documentElement.lang = lang;
  const S = CATALOGS[lang].static;
  if (lang !== 'nl') {
    // (In Dutch the HTML already holds this text; a test keeps the two equal.)
    for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = S[e.dataset.i18n] ?? e.textContent;
    for (const e of root.querySelectorAll('[data-i18n-html]')) e.innerHTML = S[e.dataset.i18nHtml] ?? e.innerHTML;
    for (const e of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of e.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split('=').map((s) => s.trim());
        if (S[key] !== undefined) e.setAttribute(attr, S[key]);
      }
    }
    // The page's own links keep the language.
    for (const a of root.querySelectorAll('a[href^="?"]')) a.setAttribute('href', withLang(a.getAttribute('href')));
  }
  // The switch: a link to this page in the other language, kept up to date with the
  // URL the page writes (it is read when the link is used).
  const sw = doc.getElementById('lang-switch');
  if (sw) {
    const update = () => { sw.href = otherLanguageHref(); };
    update();
    for (const ev of ['pointerenter', 'focus', 'click']) sw.addEventListener(ev, update);
  }
}
