// The online services portal in Chromium. End to end with JavaScript off and
// on: an applicant finds the Bewohnerparkausweis in /leistungen, fills the
// steps by label, uploads the vehicle registration, checks the review page
// and sends; the receipt names the case. Staff of Amt 32 complete the task in
// their inbox with "genehmigt", the workflow produces the notice, and the
// applicant downloads it from the status page. axe-core (WCAG 2.0/2.1 A and
// AA) checks every page of every service: list, detail, each step (also with
// errors), review, receipt and status.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeContext, formatViolations, formLogin, launch, runAxe, watchPage } from '../lib/browser.mjs';
import { Client, startServer } from '../lib/server.mjs';
import { formData, samplePdf, services, validEntries } from '../lib/portal.mjs';

let srv, browser;
const SERVICES = services();
const BPA = SERVICES.find((s) => s.slug === 'bewohnerparkausweis');

function sql(statement) {
  return execFileSync('sqlite3', [path.join(srv.dir, 'rathaus.db'), statement]).toString().trim();
}

before(async () => {
  process.env.RATHAUS_PORTAL_RATE = '1000';
  [srv, browser] = await Promise.all([startServer(), launch()]);
});

after(async () => {
  delete process.env.RATHAUS_PORTAL_RATE;
  await browser?.close();
  await srv?.cleanup();
});

async function axe(page, problems) {
  const results = await runAxe(page);
  assert.deepEqual(results.violations.map((v) => v.id), [], formatViolations(page.url(), results.violations));
  if (problems) assert.deepEqual(problems, [], `problems while loading ${page.url()}`);
}

function isoDay(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
}

/** Clicks a submit button and waits for the next document. */
async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

for (const js of [false, true]) {
  describe(`Bewohnerparkausweis end to end, JavaScript ${js ? 'on' : 'off'}`, { skip: !BPA && 'no Bewohnerparkausweis' }, () => {
    let ctx, page, problems, statusUrl, caseRef;
    // axe runs in the page's JavaScript: only with JavaScript on
    const check = (pg, pr) => (js ? axe(pg, pr) : undefined);
    const tmp = fs.mkdtempSync('/tmp/portal-browser-');
    const upload = path.join(tmp, 'fahrzeugschein.pdf');
    fs.writeFileSync(upload, samplePdf('Fahrzeugschein'));

    before(async () => {
      ctx = await axeContext(browser, { javaScriptEnabled: js, acceptDownloads: true });
      page = await ctx.newPage();
      problems = watchPage(page);
    });
    after(async () => {
      await ctx?.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    test('the applicant applies with an attachment and gets a receipt', async () => {
      await page.goto(`${srv.base}/leistungen`);
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Bewohnerparkausweis' }).first().click()]);
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Antrag online stellen' }).click()]);
      assert.match(await page.textContent('h2'), /Schritt 1 von 4/);
      // Weiter without anything: errors at the top and at the fields
      await submit(page, 'Weiter');
      assert.ok(await page.$('[role="alert"]'));
      assert.ok(await page.$('#vorname[aria-invalid="true"]'));
      await check(page);
      await page.getByLabel('Vorname').fill('Eva');
      await page.getByLabel('Nachname').fill('Beispiel');
      await page.getByLabel('Straße').fill('Lippestraße');
      await page.getByLabel('Hausnummer').fill('12');
      await page.getByLabel('Postleitzahl').fill('46282');
      await page.getByRole('textbox', { name: /^Ort/ }).fill('Dorsten');
      await page.getByLabel('E-Mail-Adresse').fill('eva@example.org');
      await submit(page, 'Weiter');
      assert.match(await page.textContent('h2'), /Schritt 2 von 4/);
      assert.equal(await page.getAttribute('.schritte li[aria-current="step"]', 'aria-current'), 'step');
      await page.getByLabel('Amtliches Kennzeichen').fill('AB-CD 123');
      await page.getByLabel('auf mich').check();
      await page.getByLabel('Bewohnerparkzone').selectOption('A');
      await page.getByLabel('12 Monate').check();
      await page.getByLabel('Gültig ab').fill(isoDay(3));
      await submit(page, 'Weiter');
      assert.match(await page.textContent('h2'), /Schritt 3 von 4/);
      await page.getByLabel('Fahrzeugschein', { exact: false }).first().setInputFiles(upload);
      await page.getByLabel('Ich versichere', { exact: false }).check();
      await submit(page, 'Weiter');
      assert.match(page.url(), /\/antrag\/pruefen$/);
      const review = await page.textContent('main');
      assert.match(review, /Lippestraße/);
      assert.match(review, /fahrzeugschein\.pdf/);
      await check(page, problems);
      await submit(page, 'Antrag verbindlich absenden');
      assert.match(page.url(), /\/status\/[A-Za-z0-9_-]+\/eingang$/);
      const receipt = await page.textContent('main');
      assert.match(receipt, /Ihr Antrag ist eingegangen/);
      caseRef = await page.textContent('.az');
      assert.match(caseRef, /^32\.30\.01-\d{4}-\d{4}\/\d+$/);
      assert.match(receipt, /fahrzeugschein\.pdf/);
      statusUrl = await page.getAttribute('#status-link', 'href');
      await check(page, problems);
    });

    test('staff of Amt 32 complete the task; the applicant downloads the notice', async () => {
      const taskId = sql(`SELECT t.id FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE i.case_ref = '${caseRef}' AND t.state = 'open'`);
      assert.ok(taskId, 'an open task for the case');
      const sctx = await browser.newContext({ locale: 'de-DE' });
      const staff = await sctx.newPage();
      try {
        await formLogin(staff, srv.base, 'amt32', srv.demoPassword);
        await staff.goto(`${srv.base}/aufgaben`);
        assert.ok(await staff.$(`a[href="/aufgaben/${taskId}"]`), 'the task is in the inbox of Amt 32');
        await staff.goto(`${srv.base}/aufgaben/${taskId}`);
        await Promise.all([staff.waitForNavigation(), staff.getByRole('button', { name: 'Aufgabe übernehmen' }).click()]);
        await staff.getByLabel('Entscheidung', { exact: false }).first().selectOption('genehmigt');
        const nr = staff.getByLabel('Ausweisnummer', { exact: false });
        if (await nr.count()) await nr.fill('BPA-2026-0001');
        const bis = staff.getByLabel('Gültig bis', { exact: false });
        if (await bis.count()) await bis.fill(isoDay(365));
        await Promise.all([staff.waitForNavigation(), staff.getByRole('button', { name: 'Erledigt' }).click()]);
      } finally {
        await sctx.close();
      }
      assert.equal(sql(`SELECT state FROM tasks WHERE id = ${taskId}`), 'done');
      await page.goto(srv.base + statusUrl);
      const link = page.getByRole('link', { name: /herunterladen/ });
      assert.ok(await link.count(), 'a notice to download on the status page');
      await check(page, problems);
      const [download] = await Promise.all([page.waitForEvent('download'), link.first().click()]);
      const file = path.join(tmp, 'bescheid');
      await download.saveAs(file);
      assert.equal(fs.readFileSync(file).subarray(0, 5).toString(), '%PDF-');
      const reads = sql(`SELECT COUNT(*) FROM journal WHERE action = 'doc.read' AND actor = 'antragsteller'`);
      assert.ok(Number(reads) >= 1, 'the download is journaled as a read');
    });
  });
}

describe('axe-core on every page of every service', () => {
  let ctx, page, problems;
  before(async () => {
    ctx = await axeContext(browser);
    page = await ctx.newPage();
    problems = watchPage(page);
  });
  after(() => ctx?.close());

  test('/leistungen, filtered, and the accessibility statement', async () => {
    for (const p of ['/leistungen', '/leistungen?q=zzzz', '/barrierefreiheit']) {
      problems.length = 0;
      const res = await page.goto(srv.base + p);
      assert.equal(res.status(), 200);
      await axe(page, problems);
    }
  });

  for (const svc of SERVICES) {
    test(`${svc.slug}: detail, every step (empty and with errors), review, receipt, status`, async () => {
      await ctx.clearCookies();
      problems.length = 0;
      let res = await page.goto(`${srv.base}/leistungen/${svc.slug}`);
      assert.equal(res.status(), 200);
      await axe(page, problems);
      await page.goto(`${srv.base}/leistungen/${svc.slug}/antrag`);
      await axe(page, problems);
      await submit(page, 'Weiter'); // errors of step 1
      await axe(page);
      // the draft filled over HTTP, then each step page in the browser
      const c = new Client(srv);
      for (let i = 0; i < svc.form.steps.length; i++) {
        const html = await (await c.fetch(`/leistungen/${svc.slug}/antrag?schritt=${i + 1}`)).text();
        const csrf = /name="_csrf" value="([^"]*)"/.exec(html)[1];
        res = await c.fetch(`/leistungen/${svc.slug}/antrag`, {
          method: 'POST',
          body: formData(validEntries(svc.form, { steps: [i] }), { _csrf: csrf, _schritt: String(i + 1), _aktion: 'weiter' }),
        });
        assert.equal(res.status, 303, `step ${i + 1}: ${(await res.text()).slice(0, 1500)}`);
      }
      const cookie = `ra_${svc.slug}`;
      await ctx.clearCookies();
      await ctx.addCookies([{ name: cookie, value: c.jar.get(cookie), url: srv.base, httpOnly: true, sameSite: 'Strict' }]);
      for (let i = 0; i < svc.form.steps.length; i++) {
        problems.length = 0;
        res = await page.goto(`${srv.base}/leistungen/${svc.slug}/antrag?schritt=${i + 1}`);
        assert.equal(res.status(), 200);
        assert.match(await page.textContent('main h2'), new RegExp(`Schritt ${i + 1} von`));
        await axe(page, problems);
      }
      await page.goto(`${srv.base}/leistungen/${svc.slug}/antrag/pruefen`);
      await axe(page, problems);
      await submit(page, 'Antrag verbindlich absenden');
      assert.match(page.url(), /\/eingang$/);
      await axe(page, problems);
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Zum Stand Ihres Antrags' }).click()]);
      assert.match(await page.textContent('h1'), /Stand Ihres Antrags/);
      await axe(page, problems);
    });
  }
});
