// The process library in Chromium under the real Content-Security-Policy:
// the bpmn-js viewer (served by rathaus from npm, nothing from other hosts)
// draws the co-signature model (a screenshot is saved to test-results/), the
// modeler loads it and saves it as a new version, and axe-core (WCAG 2.0/2.1
// A and AA) finds nothing on the register, a process, the viewer, the
// modeler and the edit form.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeContext, formatViolations, formLogin, launch, runAxe, watchPage } from '../lib/browser.mjs';
import { ROOT, startServer } from '../lib/server.mjs';

let srv, browser;
const SHOTS = path.join(ROOT, 'test-results');

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

/** A page in a context that keeps the server's CSP (no bypass). */
async function strictPage(login, password) {
  const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  await formLogin(page, srv.base, login, password);
  return { ctx, page, problems };
}

describe('process library in the browser', () => {
  test('the viewer draws the model with bpmn-js under the CSP', async () => {
    const { ctx, page, problems } = await strictPage('amt32', srv.demoPassword);
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(srv.base + '/prozesse/mitzeichnung/modelle/1');
    await page.waitForSelector('#diagramm[data-geladen="ja"]', { timeout: 20000 });
    const shapes = await page.locator('#diagramm .djs-element.djs-shape').count();
    assert.ok(shapes >= 8, `diagram shapes drawn: ${shapes}`);
    assert.match(await page.textContent('#diagramm'), /Stellungnahme|Mitzeichnung|Entscheidung/);
    assert.match(await page.textContent('#diagramm-status'), /Diagramm geladen/);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'bpmn-viewer.png'), fullPage: true });
    assert.ok(fs.statSync(path.join(SHOTS, 'bpmn-viewer.png')).size > 5000);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith(srv.base)), [], 'nothing loaded from other hosts');
    await ctx.close();
  });

  test('the modeler loads the model and saves it as a new version', async () => {
    const { ctx, page, problems } = await strictPage('admin', srv.adminPassword);
    await page.goto(srv.base + '/prozesse/mitzeichnung/modellieren');
    await page.waitForSelector('#diagramm[data-geladen="ja"]', { timeout: 20000 });
    assert.ok(await page.locator('.djs-palette').count(), 'the modeler palette');
    await page.fill('#m-kommentar', 'im Browser gespeichert');
    await Promise.all([page.waitForURL(/\/prozesse\/mitzeichnung\/modelle\/2$/, { timeout: 20000 }), page.click('#m-speichern')]);
    await page.waitForSelector('#diagramm[data-geladen="ja"]', { timeout: 20000 });
    await page.goto(srv.base + '/prozesse/mitzeichnung');
    assert.match(await page.textContent('table:has(#c-modelle)'), /im Browser gespeichert/);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('axe finds no violations on the library pages', async () => {
    const ctx = await axeContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await formLogin(page, srv.base, 'admin', srv.adminPassword);
    for (const p of ['/prozesse', '/prozesse?q=Rechnung', '/prozesse/mitzeichnung', '/prozesse/neu', '/prozesse/mitzeichnung/bearbeiten', '/prozesse/mitzeichnung/modelle/1', '/prozesse/mitzeichnung/modellieren']) {
      const res = await page.goto(srv.base + p);
      assert.equal(res.status(), 200, p);
      if (p.includes('/modell')) await page.waitForSelector('#diagramm[data-geladen="ja"]', { timeout: 20000 });
      const r = await runAxe(page);
      assert.deepEqual(r.violations.map((v) => v.id), [], formatViolations(p, r.violations));
    }
    await ctx.close();
  });
});
