// Every export of the page's wasm module, called through its real wasm-bindgen glue with
// arguments of the wrong type (review D1/D2): each throws an Error with a Dutch `message`
// and an English `message_en`, or returns a value; nothing traps ("RuntimeError: memory
// access out of bounds") or throws a raw TypeError, and the calculator answers afterwards
// (not "de rekenhulp is al bezig"). tests/web.rs checks the same on the Rust side.
// Run after `./build.sh build`: node --test tests/e2e/wasm_args.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, inPage, siteUnderTest } from './helpers.mjs';

const site = siteUnderTest();

test('every export answers null, undefined, a number, a string or an object; nothing traps', async () => {
  const { page } = await openPage(site.browser, site.origin, '/?wijk=WK036300');
  // The link's wijk is shown once the wijken and their values are in. (Not a waitForFunction
  // with an async predicate: its promise counts as truthy at once, and the calls below then
  // raced the page's loading.)
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Burgwallen-Oude Zijde',
    null, { timeout: 30_000 });
  assert.equal(await inPage(page, (jw) => jw.hasSite() && jw.hasWijkValues()), true);
  const problems = await inPage(page, (jw) => {
    const arity = {
      loadSite: 1, hasSite: 0, loadWijkValues: 1, hasWijkValues: 0, determinants: 0, wijken: 0,
      gemeenten: 0, wijkProfile: 1, nationalProfile: 0, expected: 1, expectedAll: 3,
      intervalsAll: 3, verdictsAll: 3, scopeMembers: 2, verdicts: 0, modelInfo: 0,
      gemeenteEffects: 1, gemeenteReport: 1, funnel: 1, incomeClasses: 0,
    };
    const good = {
      expectedAll: [new Float64Array(27), 'gemeente', 'GM0363'],
      intervalsAll: [new Float64Array(27), 'gemeente', 'GM0363'],
      verdictsAll: [new Float64Array(27), 'gemeente', 'GM0363'],
      scopeMembers: ['gemeente', 'GM0363'],
    };
    const bad = [null, undefined, 5, 'abc', {}, [5], -1, NaN];
    const out = [];
    const exported = Object.keys(jw).filter((k) => typeof jw[k] === 'function' && k in arity);
    if (exported.length !== Object.keys(arity).length) out.push(`exports: ${exported}`);
    for (const name of exported) {
      const cases = bad.map((b) => Array(Math.max(arity[name], 1)).fill(b));
      for (let k = 0; good[name] && k < arity[name]; k++) {
        for (const b of bad) { const a = [...good[name]]; a[k] = b; cases.push(a); }
      }
      for (const args of cases) {
        const call = `${name}(${args.map((a) => (a === undefined ? 'undefined' : JSON.stringify(a))).join(', ')})`;
        try {
          jw[name](...args);
        } catch (e) {
          if (!(e instanceof Error) || typeof e.message_en !== 'string' || !/^[\w.[\]]+: /.test(e.message)) {
            out.push(`${call}: ${e?.constructor?.name}: ${e?.message}`);
          }
        }
        try {
          jw.wijken();
          jw.expected({ values: {} });
        } catch (e) {
          out.push(`after ${call}: ${e?.message}`);
          return out; // the calculator is stuck: every further line would say the same
        }
      }
    }
    // The review's cases by name.
    const msg = (f) => { try { f(); return null; } catch (e) { return `${e.message} | ${e.message_en}`; } };
    for (const [f, want] of [
      [() => jw.expectedAll(null, 'land', ''), /^deltas: verwacht een Float64Array, kreeg null \| deltas: expected a Float64Array, got null$/],
      [() => jw.wijkProfile(5), /^code: verwacht tekst, kreeg het getal 5/],
      [() => jw.gemeenteEffects('GM0363'), /^codes: verwacht een lijst met teksten/],
      [() => jw.gemeenteEffects([5]), /^codes\[0\]: verwacht tekst, kreeg het getal 5/],
      [() => jw.funnel(-1), /^points: /],
      [() => jw.expected({ get values() { throw new Error('nee'); } }), /^values: de waarde kon niet worden gelezen/],
    ]) {
      const m = msg(f);
      if (!m || !want.test(m)) out.push(`${f}: ${m}`);
    }
    return out;
  });
  assert.deepEqual(problems, []);
  await page.close();
});
