// Accessibility: axe-core (WCAG 2.0/2.1 A and AA rules) finds no violations
// on the pages of the shell, anonymous and logged in. axe is injected from
// node_modules into every document of these contexts; the pages' CSP forbids
// that script, so they bypass the CSP (the keyboard tests run without it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeContext, formatViolations, launch, runAxe, watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let srv, browser, ctx, page, problems, adminCookie, staffCookie;
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  // one page (a new one costs seconds on a slow machine); the tests switch
  // between anonymous, admin and amt32 by swapping the session cookie of
  // logins made over HTTP
  ctx = await axeContext(browser);
  [page, adminCookie, staffCookie] = await Promise.all([
    ctx.newPage(),
    srv.login('admin', srv.adminPassword).then((c) => c.jar.get('rathaus_sid')),
    srv.login('amt32', srv.demoPassword).then((c) => c.jar.get('rathaus_sid')),
  ]);
  problems = watchPage(page);
});
after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

async function as(who) {
  await ctx.clearCookies();
  const value = { anon: null, admin: adminCookie, staff: staffCookie }[who];
  if (value) await ctx.addCookies([{ name: 'rathaus_sid', value, url: srv.base, httpOnly: true, sameSite: 'Strict' }]);
}

async function check(who, p, { status = 200, prepare } = {}) {
  await as(who);
  problems.length = 0;
  const res = await page.goto(srv.base + p);
  assert.equal(res.status(), status, `GET ${p}`);
  if (prepare) await prepare(page);
  const url = page.url();
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  if (who !== 'anon') assert.ok(await page.$('form[action="/logout"]'), `${url}: not logged in as ${who}`);
  const results = await runAxe(page);
  assert.deepEqual(results.violations.map((v) => v.id), [], formatViolations(url, results.violations));
  assert.deepEqual(problems, [], `problems while loading ${url}`);
}

describe('axe-core: no WCAG 2.1 A/AA violations', () => {
  test('/login', () => check('anon', '/login'));
  test('/login after a failed attempt (error message, aria-invalid)', async () => {
    await check('anon', '/login', {
      prepare: async (pg) => {
        await pg.fill('#login', 'amt32');
        await pg.fill('#passwort', 'falsches-passwort');
        await Promise.all([pg.waitForResponse((r) => r.request().method() === 'POST'), pg.press('#passwort', 'Enter')]);
        await pg.waitForSelector('[role="alert"]');
      },
    });
    await srv.login('amt10', srv.demoPassword); // a success resets the address's failure count
  });
  test('/login?abgemeldet=1 (notice)', () => check('anon', '/login?abgemeldet=1'));
  test('start page, anonymous', () => check('anon', '/'));
  test('404 page, anonymous', () => check('anon', '/gibt-es-nicht', { status: 404 }));
  test('Impressum, Datenschutz, Barrierefreiheit', async () => {
    for (const p of ['/impressum', '/datenschutz', '/barrierefreiheit']) await check('anon', p);
  });
  test('start page, logged in as admin (journal table)', () => check('admin', '/'));
  test('start page, logged in as amt32', () => check('staff', '/'));
  test('/verwaltung', () => check('admin', '/verwaltung'));
  test('/verwaltung?gespeichert=1 (notice)', () => check('admin', '/verwaltung?gespeichert=1'));
  test('/verwaltung/einstellungen', () => check('admin', '/verwaltung/einstellungen'));
  test('/admin/prozesse', () => check('admin', '/admin/prozesse'));
  test('403 page (amt32 on /verwaltung)', () => check('staff', '/verwaltung', { status: 403 }));
  test('404 page, logged in', () => check('admin', '/gibt-es-nicht', { status: 404 }));
  test('/prozesse/analyse (process mining list)', () => check('admin', '/prozesse/analyse'));
  test('/prozesse/analyse/demo-mitzeichnung (tables and SVG charts)', () =>
    check('admin', '/prozesse/analyse/demo-mitzeichnung'));
  test('/prozesse/analyse/demo-mitzeichnung?version=alle (all model versions)', () =>
    check('admin', '/prozesse/analyse/demo-mitzeichnung?version=alle'));
});

describe('narrow screen, 320 CSS px (WCAG 1.4.10 reflow)', () => {
  before(() => page.setViewportSize({ width: 320, height: 640 }));
  after(() => page.setViewportSize({ width: 1280, height: 720 }));
  for (const [who, p, status] of [
    ['anon', '/login', 200],
    ['anon', '/', 200],
    ['admin', '/', 200],
    ['admin', '/verwaltung', 200],
    ['admin', '/verwaltung/einstellungen', 200],
    ['admin', '/admin/prozesse', 200],
    ['admin', '/gibt-es-nicht', 404],
    ['admin', '/prozesse/analyse/demo-mitzeichnung', 200],
  ]) {
    test(`${p} as ${who}: no horizontal page scrolling, no axe violations`, async () => {
      await check(who, p, { status });
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= client, `${p}: the page is ${scroll} px wide at ${client} px (wide tables must scroll inside div.tabelle)`);
    });
  }
});

describe('strategy cockpit (axe-core)', () => {
  before(async () => {
    // one training, one review and a maturity rating, so every list and the edit page render
    const admin = await srv.login('admin', srv.adminPassword);
    const html = await (await admin.fetch('/strategie')).text();
    const csrf = /name="_csrf" value="([^"]*)"/.exec(html)[1];
    const today = new Date().toISOString().slice(0, 10);
    const form = (f) => ({ method: 'POST', form: { _csrf: csrf, ...f } });
    await admin.fetch('/strategie/schulungen', form({ kurs: 'DMS-Grundschulung', datum: today, amt: '32', teilnehmende: '9', elearning: 'https://lernen.example/dms' }));
    await admin.fetch('/strategie/gespraeche', form({ datum: today, titel: 'Soll-Ist-Abgleich', notizen: 'Zeile 1\nZeile 2' }));
    await admin.fetch('/strategie/reifegrad', form({ bereich: 'architektur', stufe: '3', datum: today, nachweis: 'Portal und E-Akte in Betrieb' }));
    await admin.fetch('/strategie/massnahmen/004/ist', form({ jahr: today.slice(0, 4), einmal: '0', laufend: '120.000,00' }));
  });
  const year = new Date().toISOString().slice(0, 4);
  for (const p of ['/strategie', '/strategie/massnahmen', '/strategie/massnahmen/004?gespeichert=1', '/strategie/kennzahlen', '/strategie/reifegrad',
    '/strategie/schulungen', '/strategie/schulungen/1', '/strategie/gespraeche', '/strategie/basiswert', '/strategie/budget', `/strategie/bericht/${year}`])
    test(p, () => check('admin', p));
  test('/strategie/massnahmen/001 after a refused entry (error message)', () =>
    check('admin', '/strategie/massnahmen/001', {
      prepare: async (pg) => {
        await pg.fill('#f-einmal', 'viel');
        await Promise.all([pg.waitForResponse((r) => r.request().method() === 'POST'), pg.click('form[action$="/ist"] button')]);
        await pg.waitForSelector('[role="alert"]');
      },
    }));
  test('403 for amt32 on /strategie', () => check('staff', '/strategie', { status: 403 }));
});

describe('strategy cockpit at 320 CSS px (WCAG 1.4.10 reflow)', () => {
  before(() => page.setViewportSize({ width: 320, height: 640 }));
  after(() => page.setViewportSize({ width: 1280, height: 720 }));
  const year = new Date().toISOString().slice(0, 4);
  for (const p of ['/strategie', '/strategie/massnahmen', '/strategie/kennzahlen', `/strategie/bericht/${year}`]) {
    test(`${p}: no horizontal page scrolling`, async () => {
      await check('admin', p);
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= client, `${p}: the page is ${scroll} px wide at ${client} px`);
    });
  }
});
