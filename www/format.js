// Number formatting and parsing for the page, in the page's language (www/i18n.js):
// nl-NL ("12,3 %", "25.353") or en-GB ("12.3 %", "25,353"), always through Intl.
// Percentages get one decimal, coefficients two; a real minus sign (U+2212) and a
// non-breaking space before units so "12,3 %" never wraps.

import { locale, lang, messages } from './i18n.js';

const NBSP = '\u00a0';
const MINUS = '\u2212';
const cache = new Map();

function nf(decimals, signed = false) {
  const key = `${decimals}|${signed}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      signDisplay: signed ? 'exceptZero' : 'auto',
      useGrouping: true,
    });
    cache.set(key, f);
  }
  return f;
}

/** Plain number in the page's locale, with a typographic minus. `null`/NaN → "–". */
export function fmtNum(x, decimals = 1, { signed = false } = {}) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  // Avoid "−0,0": round first, then format.
  const r = Number(x.toFixed(decimals));
  const s = nf(decimals, signed).format(r === 0 ? 0 : r);
  return s.replace('-', MINUS);
}

/** "12,3 %" */
export function fmtPct(x, decimals = 1) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return `${fmtNum(x, decimals)}${NBSP}%`;
}

/**
 * "+2,4 procentpunt" / "+2.4 percentage points" (signed; "0,0 procentpunt" for zero).
 * `short`: the unit as a table column has room for ("procentpunt" / "pp").
 */
export function fmtPp(x, decimals = 1, { short = false } = {}) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return `${fmtNum(x, decimals, { signed: true })}${NBSP}${messages('fmt')[short ? 'ppShort' : 'pp']}`;
}

/** Range "10,9–12,7 %" */
export function fmtRange(lo, hi, decimals = 1) {
  return `${fmtNum(lo, decimals)}–${fmtNum(hi, decimals)}${NBSP}%`;
}

/** Coefficient, two decimals (more when it would show as 0,00). */
export function fmtCoef(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  const d = a === 0 || a >= 0.005 ? 2 : Math.min(6, 1 - Math.floor(Math.log10(a)) + 1);
  return fmtNum(x, d);
}

/** Whether a determinant's unit is short enough to stand after a number ("24,3 %",
 *  "25.353 euro", "1,2 km", "ja"); the long ones ("per 100 inwoners van 20–64 jaar",
 *  "× 1000 euro") are in the control's label instead. By the unit's kind, not its text. */
export const unitInline = (det) => det.unit_kind !== 'per_hundred' && det.unit_kind !== 'thousand_euro';

/** A determinant value with its unit, e.g. "24,3 %", "25.353 euro", "ja". */
export function fmtValue(x, det) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (det.unit_kind === 'yes_no') {
    if (x === 0) return messages('fmt').no;
    if (x === 1) return messages('fmt').yes;
    return fmtNum(x, 2);
  }
  const n = fmtNum(x, det.decimals ?? 1);
  return det.unit_kind === 'percent' ? `${n}${NBSP}%` : `${n}${NBSP}${det.unit}`;
}

/** The text a number input shows: no grouping, the language's decimal mark, det.decimals digits. */
export function inputText(x, decimals) {
  if (!Number.isFinite(x)) return '';
  const s = x.toFixed(Math.max(0, decimals));
  return s.replace('.', DECIMAL).replace('-', MINUS);
}

/** The decimal mark of the page's language. */
export const DECIMAL = lang === 'en' ? '.' : ',';

/** A count of people, whole: "12 345" (nl: a narrow space per thousand), "12,345" (en). */
export function fmtCount(n) {
  if (!Number.isFinite(n)) return '–';
  const s = fmtNum(Math.round(n), 0);
  return lang === 'nl' ? s.replace(/\./g, '\u202f') : s;
}

/**
 * CSV downloads: Dutch Excel reads ';' with a decimal comma, English Excel ',' with a
 * point. `num(x, d)`: d decimals, no grouping, '' for a missing value; `text(s)`: quoted
 * when needed.
 */
export function csvDialect() {
  const sep = lang === 'en' ? ',' : ';';
  const quote = new RegExp(`[${sep}"\n\r]`);
  return {
    sep,
    num: (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d).replace('.', DECIMAL) : ''),
    text: (s) => { const t = String(s ?? ''); return quote.test(t) ? `"${t.replace(/"/g, '""')}"` : t; },
  };
}

/**
 * Parse what a user typed in a number field. Accepts "12,5", "12.5", "-3", "−3",
 * surrounding spaces. Rejects grouping ("1.000,5"), letters and empty input.
 * Returns {ok: true, value} or {ok: false, reason: 'leeg'|'geen getal'}.
 */
export function parseNumber(text) {
  const t = String(text ?? '').trim().replace(MINUS, '-').replace(/\s+/g, '');
  if (t === '') return { ok: false, reason: 'leeg' };
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(t)) return { ok: false, reason: 'geen getal' };
  const v = Number(t.replace(',', '.'));
  if (!Number.isFinite(v)) return { ok: false, reason: 'geen getal' };
  return { ok: true, value: v };
}

/** Lowercase, strip diacritics and punctuation differences, for search matching. */
export function normalise(s) {
  return String(s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[''`´]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** One shared Dutch collator (String#localeCompare with a locale builds one per call). */
export const collator = new Intl.Collator('nl', { sensitivity: 'base', numeric: true });
