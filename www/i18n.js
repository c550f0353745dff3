// The page's language (issue 12): Dutch by default, English with ?lang=en.
//
//   lang, locale         'nl' | 'en', and the Intl locale for numbers ('nl-NL' | 'en-GB')
//   loadMessages()       loads the language's catalog (www/i18n/nl.js or en.js, same keys;
//                        for English also static.en.js); the page awaits it before it
//                        shows any text. Only the one language is downloaded.
//   messages(ns)         a module's messages (strings, arrays and functions), read when
//                        used, so a module may take them at import time: const M = messages('x')
//   t('ns.key', …args)   one message; a function message is called with args
//   tr(obj, 'label')     a field the wasm core gives in both languages (label / label_en)
//   errorText(e)         a thrown error's message in the page's language (message / message_en)
//   withLang(href)       a link the page writes, with ?lang=en kept (nl: unchanged)
//   applyStatic()        fills the static HTML marked data-i18n / data-i18n-html /
//                        data-i18n-attr, <html lang>, and the language switch
//
// No framework: the catalogs are plain objects, numbers go through Intl (www/format.js).

function readLang() {
  try {
    return new URLSearchParams(globalThis.location?.search ?? '').get('lang') === 'en' ? 'en' : 'nl';
  } catch {
    return 'nl';
  }
}

export const lang = readLang();
export const locale = lang === 'en' ? 'en-GB' : 'nl-NL';

let catalog = null; // the language's messages, once loaded
let staticText = null; // English only: the text of index.html's marked elements
let loading = null;

export function loadMessages() {
  loading ??= Promise.all([
    lang === 'en' ? import('./i18n/en.js') : import('./i18n/nl.js'),
    lang === 'en' ? import('./i18n/static.en.js') : null,
  ]).then(([m, s]) => { catalog = m.default; staticText = s?.default ?? null; });
  return loading;
}

export function messages(ns) {
  return new Proxy({}, {
    get(_, key) {
      if (!catalog) throw new Error(`i18n: messages '${ns}' used before loadMessages()`);
      return catalog[ns]?.[key];
    },
  });
}

export function t(key, ...args) {
  const dot = key.indexOf('.');
  const v = catalog?.[key.slice(0, dot)]?.[key.slice(dot + 1)];
  if (v === undefined) return key;
  return typeof v === 'function' ? v(...args) : v;
}

/** A field of the core's output in the page's language: obj.label_en in English, else obj.label. */
export function tr(obj, field) {
  if (!obj) return obj;
  return lang === 'en' ? (obj[`${field}_en`] ?? obj[field]) : obj[field];
}

/**
 * An error's message in the page's language: the wasm core throws Errors with `message`
 * (Dutch) and `message_en` (docs/wasm-api.md); any other error gives its message as it is.
 */
export function errorText(e) {
  if (e === null || e === undefined) return String(e);
  return tr(e, 'message') ?? String(e);
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
  const u = new URL(globalThis.location.href);
  if (lang === 'nl') u.searchParams.set('lang', 'en');
  else u.searchParams.delete('lang');
  return `${u.pathname}${u.search.replace(/%2C/g, ',')}${u.hash}`;
}

/** Fill the static HTML in the page's language (after loadMessages()) and set <html lang>. */
export function applyStatic(root = document) {
  const doc = root.ownerDocument ?? root;
  doc.documentElement.lang = lang;
  const S = staticText;
  if (S) {
    // (In Dutch the HTML already holds this text.)
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
  // URL the page writes (it is read again when the link is about to be used).
  const sw = doc.getElementById('lang-switch');
  if (sw) {
    const update = () => { sw.href = otherLanguageHref(); };
    update();
    for (const ev of ['pointerenter', 'focus', 'click']) sw.addEventListener(ev, update);
  }
}
