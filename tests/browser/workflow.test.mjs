// The workflow staff pages in Chromium: amt32 finds the demo task of the
// co-signature process in the office inbox, opens it (documents of the case,
// the process diagram with the current step), claims it by keyboard and
// fills its task form (select, date) and completes it with a remark by clicks; it then disappears from both lists.
// axe-core (WCAG 2.0/2.1 A and AA) checks /aufgaben, the task page and
// /wiedervorlagen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatViolations, formLogin, launch, runAxe, watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let srv, browser, staff;

async function open() {
  const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await ctx.newPage();
  return { ctx, page, problems: watchPage(page) };
}

async function axe(who) {
  const results = await runAxe(who.page);
  assert.deepEqual(results.violations.map((v) => v.id), [], formatViolations(who.page.url(), results.violations));
  assert.deepEqual(who.problems, [], `problems while loading ${who.page.url()}`);
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  staff = await open();
  await formLogin(staff.page, srv.base, 'amt32', srv.demoPassword);
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

describe('workflow pages', () => {
  let taskHref;
  test('/aufgaben shows the demo task in the inbox, linked to its case', async () => {
    staff.problems.length = 0;
    const res = await staff.page.goto(srv.base + '/aufgaben');
    assert.equal(res.status(), 200);
    assert.match(await staff.page.textContent('h1'), /Aufgaben/);
    const link = staff.page.locator('table:has(#c-posteingang) a[href^="/aufgaben/"]').first();
    assert.match(await link.textContent(), /Entscheidung vorbereiten/);
    taskHref = await link.getAttribute('href');
    const caseLink = staff.page.locator('table:has(#c-posteingang) a[href^="/akten/"]').first();
    assert.match(await caseLink.getAttribute('href'), /^\/akten\/[^/]+\/vorgaenge\/\d+$/);
    assert.ok(await staff.page.locator('nav a[href="/aufgaben"]').count(), 'nav item Aufgaben');
    await axe(staff);
  });

  test('the task page shows process, case documents and the current step', async () => {
    staff.problems.length = 0;
    const res = await staff.page.goto(srv.base + taskHref);
    assert.equal(res.status(), 200);
    const body = await staff.page.textContent('main');
    assert.match(body, /Mitzeichnung durch zwei Ämter/);
    assert.match(body, /Dokumente des Vorgangs/);
    assert.match(await staff.page.textContent('svg'), /aktueller Schritt/);
    await axe(staff);
  });

  test('claim by keyboard, complete by click: the task leaves the lists', async () => {
    const claim = staff.page.locator('button', { hasText: 'Aufgabe übernehmen' });
    await claim.focus();
    await Promise.all([staff.page.waitForNavigation({ waitUntil: 'load' }), staff.page.keyboard.press('Enter')]);
    assert.match(await staff.page.textContent('main'), /übernommen von amt32/);
    // the task form of the model: a select and a date, labelled inside a fieldset
    assert.equal(await staff.page.locator('fieldset legend', { hasText: 'Angaben zur Aufgabe' }).count(), 1);
    await staff.page.getByLabel('Priorität').selectOption('hoch');
    await staff.page.getByLabel('Mitzeichnung erbeten bis').fill('2027-03-01');
    assert.equal(await staff.page.getByLabel('Mitzeichnung erbeten bis').getAttribute('aria-describedby'),
      'feld-frist_mitzeichnung-hilfe');
    await axe(staff);
    await staff.page.fill('#bemerkung', 'Vorlage ist vollständig.');
    await Promise.all([
      staff.page.waitForNavigation({ waitUntil: 'load' }),
      staff.page.click('button:has-text("Erledigt")'),
    ]);
    assert.match(staff.page.url(), /\/aufgaben\?erledigt=1$/);
    assert.match(await staff.page.textContent('body'), /Die Aufgabe wurde erledigt/);
    assert.equal(await staff.page.locator(`a[href="${taskHref}"]`).count(), 0);
    await axe(staff);
  });

  test('/wiedervorlagen passes axe', async () => {
    staff.problems.length = 0;
    const res = await staff.page.goto(srv.base + '/wiedervorlagen');
    assert.equal(res.status(), 200);
    await axe(staff);
  });
});
