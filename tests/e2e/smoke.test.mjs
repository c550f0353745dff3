// The smallest check that a dist/ works: the page loads under a project sub-path with no
// errors, and a wijk from the URL gives a result. tests/fresh_clone.sh runs it on the
// dist/ of a fresh clone; it is part of the end-to-end suite as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distDir, launchBrowser, openPage, serveDist, mapReady } from './helpers.mjs';

test(`a wijk gives a result (${distDir})`, async () => {
  const server = await serveDist();
  const browser = await launchBrowser();
  try {
    const origin = server.url.replace(/\/$/, '');
    const { page, consoleErrors, foreignRequests } = await openPage(browser, origin, '/?wijk=WK036300');
    await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Burgwallen-Oude Zijde'
      && document.querySelector('[data-testid="expected"]')?.dataset.value, null, { timeout: 30_000 });
    const expected = Number(await page.getAttribute('[data-testid="expected"]', 'data-value'));
    assert.ok(expected > 0 && expected < 100, `expected ${expected}`);
    assert.equal(new URL(page.url()).searchParams.get('wijk'), 'WK036300');
    await mapReady(page, 30_000);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
