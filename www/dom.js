// Small DOM helper shared by the page's modules.

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
