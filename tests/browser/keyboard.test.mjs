// Keyboard use in a real browser: login by typing and Enter, the skip link
// as first Tab stop, logout by keyboard. No CSP bypass here: the pages run
// under their own Content-Security-Policy, and any violation is an error.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { launch, watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let srv, browser, ctx, page, problems;
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  // one page for all tests (a new one costs about a second); cookies are
  // cleared before each test
  ctx = await browser.newContext();
  page = await ctx.newPage();
  problems = watchPage(page);
});
beforeEach(async () => {
  await ctx.clearCookies();
  problems.length = 0;
});
after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

/** Describes the focused element: tag#id.class "text". */
const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    if (!e) return null;
    return {
      tag: e.tagName.toLowerCase(),
      id: e.id,
      cls: e.className,
      text: (e.textContent || '').trim().slice(0, 60),
      href: e.getAttribute('href'),
      name: e.getAttribute('name'),
    };
  });

describe('keyboard', () => {
  test('log in with the keyboard only: focus, type, Tab, type, Enter → start page "Guten Tag"', async () => {
    await page.goto(`${srv.base}/login`);
    await page.focus('#login');
    await page.keyboard.type('amt32');
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.equal(f.id, 'passwort', `Tab from the login field went to ${JSON.stringify(f)}`);
    await page.keyboard.type(srv.demoPassword);
    await Promise.all([page.waitForURL(`${srv.base}/`), page.keyboard.press('Enter')]);
    const h1 = await page.textContent('h1');
    assert.match(h1, /Guten Tag, Sachbearbeitung Amt 32/);
    assert.match(await page.title(), /Startseite/);
    // the session cookie is invisible to scripts
    assert.equal(await page.evaluate(() => document.cookie), '', 'cookies readable from JavaScript');
    assert.deepEqual(problems, [], 'console errors (CSP violations?)');
  });

  test('a failed login by keyboard shows the error and keeps the login name', async () => {
    await page.goto(`${srv.base}/login`);
    await page.focus('#login');
    await page.keyboard.type('amt32');
    await page.keyboard.press('Tab');
    await page.keyboard.type('falsches-passwort');
    await Promise.all([page.waitForLoadState('load'), page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.waitForSelector('[role="alert"]');
    assert.match(await page.textContent('[role="alert"]'), /Anmeldename oder Passwort ist falsch/);
    assert.equal(await page.inputValue('#login'), 'amt32');
    assert.equal(await page.getAttribute('#passwort', 'aria-invalid'), 'true');
    // log in correctly so the address is not throttled for the other tests
    await page.fill('#passwort', srv.demoPassword);
    await Promise.all([page.waitForURL(`${srv.base}/`), page.press('#passwort', 'Enter')]);
  });

  for (const [what, p, loggedIn] of [
    ['start page', '/', false],
    ['login page', '/login', false],
    ['404 page', '/gibt-es-nicht', false],
    ['start page, logged in', '/', true],
  ]) {
    test(`skip link is the first Tab stop and moves focus to main (${what})`, async () => {
      if (loggedIn) {
        await page.goto(`${srv.base}/login`);
        await page.fill('#login', 'amt10');
        await page.fill('#passwort', srv.demoPassword);
        await Promise.all([page.waitForURL(`${srv.base}/`), page.press('#passwort', 'Enter')]);
      }
      await page.goto(srv.base + p);
      await page.keyboard.press('Tab');
      const f = await focused(page);
      assert.equal(f.tag, 'a', `first Tab stop: ${JSON.stringify(f)}`);
      assert.equal(f.href, '#inhalt', `first Tab stop: ${JSON.stringify(f)}`);
      assert.match(f.text, /Zum Inhalt springen/);
      // visible while focused (not only for screen readers)
      const box = await page.evaluate(() => {
        const r = document.activeElement.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      });
      assert.ok(box.w > 1 && box.h > 1 && box.x >= 0 && box.y >= 0, `skip link not visible when focused: ${JSON.stringify(box)}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'inhalt', null, { timeout: 2000 }).catch(() => {});
      const g = await focused(page);
      assert.equal(g.tag, 'main', `focus after the skip link: ${JSON.stringify(g)}`);
      assert.equal(g.id, 'inhalt');
      // the next Tab goes on from main (into it or past it), not back into the header
      await page.keyboard.press('Tab');
      const where = await page.evaluate(() => {
        const e = document.activeElement;
        const main = document.getElementById('inhalt');
        return e?.closest('header') ? 'header' : main.contains(e) || (main.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) ? 'after' : 'before';
      });
      assert.equal(where, 'after', `Tab after the skip link went back: ${JSON.stringify(await focused(page))}`);
      assert.deepEqual(problems, [], `console errors or failed loads on ${p}`);
      });
  }

  test('logout by keyboard: Tab to "Abmelden", Enter → login page with the notice', async () => {
    await page.goto(`${srv.base}/login`);
    await page.fill('#login', 'amt01');
    await page.fill('#passwort', srv.demoPassword);
    await Promise.all([page.waitForURL(`${srv.base}/`), page.press('#passwort', 'Enter')]);
    let f;
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      f = await focused(page);
      if (f.tag === 'button' && /Abmelden/.test(f.text)) break;
    }
    assert.match(f.text, /Abmelden/, 'no "Abmelden" button within 10 Tab stops');
    await Promise.all([page.waitForURL(/\/login\?abgemeldet=1$/), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main'), /Sie haben sich abgemeldet/);
    const r = await page.goto(`${srv.base}/verwaltung`);
    assert.match(page.url(), /\/login\?weiter=\/verwaltung$/, `after logout /verwaltung went to ${page.url()} (${r.status()})`);
  });
});
