// The two catalogs (www/i18n/nl.js and en.js, the modules' messages; static.nl.js and
// static.en.js, index.html's text) have the same keys, and each message has the same
// shape in both: a string, an array of the same length, a function, or a section with
// the same keys. Runs in Node, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nl from '../../www/i18n/nl.js';
import en from '../../www/i18n/en.js';
import staticNl from '../../www/i18n/static.nl.js';
import staticEn from '../../www/i18n/static.en.js';

function shape(o, prefix = '') {
  const out = new Map();
  for (const [k, v] of Object.entries(o)) {
    const key = `${prefix}${k}`;
    if (Array.isArray(v)) out.set(key, `array(${v.length})`);
    else if (v && typeof v === 'object') for (const [k2, s] of shape(v, `${key}.`)) out.set(k2, s);
    else out.set(key, typeof v);
  }
  return out;
}

test('every key of the Dutch catalog exists in the English one, and vice versa', () => {
  const a = shape({ ...nl, static: staticNl });
  const b = shape({ ...en, static: staticEn });
  assert.ok(a.size > 300, `the catalogs hold the page's messages (${a.size})`);
  assert.deepEqual([...a.keys()].filter((k) => !b.has(k)), [], 'in nl.js, missing in en.js');
  assert.deepEqual([...b.keys()].filter((k) => !a.has(k)), [], 'in en.js, missing in nl.js');
  const differ = [...a].filter(([k, s]) => b.get(k) !== s).map(([k, s]) => `${k}: ${s} vs ${b.get(k)}`);
  assert.deepEqual(differ, [], 'same shape in both');
});

test('function messages give text in both languages, and the English differs from the Dutch', () => {
  const args = ['Utrecht', 'Amsterdam', 'x', 'y'];
  let same = 0;
  let total = 0;
  const walk = (a, b, path) => {
    for (const k of Object.keys(a)) {
      const p = `${path}${k}`;
      if (typeof a[k] === 'function') {
        let x; let y;
        try { x = a[k](...args); y = b[k](...args); } catch { continue; } // needs structured arguments
        assert.equal(typeof x, typeof y, p);
        total += 1;
        if (x === y) same += 1;
      } else if (typeof a[k] === 'string' && a[k].length > 12) {
        total += 1;
        if (a[k] === b[k]) same += 1;
      } else if (a[k] && typeof a[k] === 'object' && !Array.isArray(a[k])) walk(a[k], b[k], `${p}.`);
    }
  };
  walk({ ...nl, static: staticNl }, { ...en, static: staticEn }, '');
  assert.ok(total > 200, `${total} messages compared`);
  // a few are the same in both (e.g. "Reset", "SE", formulas); most must not be
  assert.ok(same < total * 0.05, `${same} of ${total} messages are the same in English as in Dutch`);
});
