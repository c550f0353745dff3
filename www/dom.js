// Small DOM helpers shared by the page's modules.

/**
 * Make an element: `attrs` sets attributes (`class` → className, `text` →
 * textContent, `true` → empty attribute; null/undefined/false are left out).
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/** Offer `blob` as a download named `name` (the page's CSV, SVG and PNG exports). */
export function download(blob, name) {
  const a = el('a', { download: name, class: 'visually-hidden' });
  a.href = URL.createObjectURL(blob);
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() has returned.
  setTimeout(() => URL.revokeObjectURL(a.href), 30000);
}

/**
 * Add the stylesheet at `url` (a URL beside the calling module, so style-src 'self' holds)
 * to the page once: the panels that load lazily bring their own styles this way.
 */
export function loadStylesheet(url) {
  const href = String(url);
  if ([...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === href)) return;
  document.head.append(el('link', { rel: 'stylesheet', href }));
}
