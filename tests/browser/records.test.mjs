// The E-Akte staff pages in Chromium: create a file, a case and a document
// through the forms (the upload by file input), view the document inline and
// download it, add a PDF as its second version, find it by an inflected word once the extraction worker has
// indexed it, form errors next to their fields, a refused script (415), the
// file plan and the disposal list of the registry, and the upload form by
// keyboard only. axe-core (WCAG 2.0/2.1 A and AA) checks every page kind.
// The axe context bypasses the CSP to inject axe; the keyboard context runs
// under the pages' own CSP, where any violation is a console error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { formatViolations, formLogin, launch, runAxe, watchPage } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const SHOTS = process.env.RATHAUS_SHOTS || ''; // a directory: screenshots of each page go there
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A short German letter; the search step looks for inflected forms of its words.
const LETTER = [
  'Sehr geehrte Damen und Herren,',
  '',
  'die Anträge der Anwohner zur Straßenreinigung in der Straße Gänsewiese wurden geprüft.',
  'Der Winterdienst übernimmt künftig auch den Gehweg vor den Häusern 4 bis 12.',
  '',
  'Mit freundlichen Grüßen',
  'Ordnungs- und Rechtsamt',
].join('\n');

/** A one-page PDF with a text layer, written by hand (no PDF library needed). */
function minimalPdf(text) {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
  ];
  const stream = `BT /F1 18 Tf 20 80 Td (${text}) Tj ET`;
  objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  let out = '%PDF-1.4\n';
  const offsets = objs.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

let srv, browser, staff, registry, head, kbd;
let fileUrl, caseUrl, viewHref, downloadHref;
const title = `Straßenreinigung Gänsewiese ${Date.now() % 100000}`;

async function open(opts = { bypassCSP: true }) {
  const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, ...opts });
  const page = await ctx.newPage();
  return { ctx, page, problems: watchPage(page) };
}

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** axe on the current page of who: no violations, no console problems. */
async function axe(who, name) {
  const results = await runAxe(who.page);
  assert.deepEqual(results.violations.map((v) => v.id), [], formatViolations(who.page.url(), results.violations));
  assert.deepEqual(who.problems, [], `problems while loading ${who.page.url()}`);
  await shot(who.page, name);
}

async function visit(who, p, status = 200) {
  who.problems.length = 0;
  const res = await who.page.goto(srv.base + p);
  assert.equal(res.status(), status, `GET ${p}`);
  return res;
}

/** Clicks a submit control and waits for the navigation it causes; returns the response. */
async function submit(page, selector) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(selector),
  ]);
  return res;
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  [staff, registry, head, kbd] = await Promise.all([open(), open(), open(), open({})]);
  await formLogin(staff.page, srv.base, 'amt32', srv.demoPassword);
  await formLogin(registry.page, srv.base, 'amt10', srv.demoPassword);
  await formLogin(head.page, srv.base, 'leitung32', srv.demoPassword);
  await formLogin(kbd.page, srv.base, 'amt32', srv.demoPassword);
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

describe('E-Akte pages', () => {
  test('/akten lists the demo files of Amt 32 and has the search box in the header', async () => {
    await visit(staff, '/akten');
    assert.match(await staff.page.textContent('h1'), /Akten/);
    const rows = await staff.page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.ok(rows.some((r) => /Sondernutzung Marktplatz/.test(r)), `demo file missing: ${rows.join(' | ')}`);
    assert.ok(await staff.page.$('header form[role="search"] input[name="q"]'), 'no search box in the header');
    assert.equal(await staff.page.getAttribute('nav a[href="/akten"]', 'aria-current'), 'page');
    await axe(staff, 'akten');
  });

  test('a new file without a title shows the error next to the field (400)', async () => {
    await visit(staff, '/akten');
    await staff.page.selectOption('#akte-plan', '32.20.01');
    const res = await submit(staff.page, 'form[method="post"][action="/akten"] button[type="submit"]');
    assert.equal(res.status(), 400);
    assert.equal(await staff.page.getAttribute('#akte-titel', 'aria-invalid'), 'true');
    assert.match(await staff.page.getAttribute('#akte-titel', 'aria-describedby'), /akte-titel-fehler/);
    assert.match(await staff.page.textContent('#akte-titel-fehler'), /Titel/);
    // the chosen plan node is kept
    assert.equal(await staff.page.inputValue('#akte-plan'), '32.20.01');
    await axe(staff, 'akten-fehler');
  });

  test('create a file through the form', async () => {
    await visit(staff, '/akten');
    await staff.page.selectOption('#akte-plan', '32.20.01');
    await staff.page.fill('#akte-titel', title);
    await staff.page.fill('#akte-beteiligte', 'Anwohnergemeinschaft Gänsewiese');
    const res = await submit(staff.page, 'form[method="post"][action="/akten"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(staff.page.url(), /\/akten\/32\.20\.01-\d{4}-\d{4}\?angelegt=1$/);
    fileUrl = staff.page.url().replace(/\?.*$/, '');
    assert.match(await staff.page.textContent('h1'), new RegExp(title));
    assert.match(await staff.page.textContent('[role="status"]'), /angelegt/);
    assert.match(await staff.page.textContent('.daten'), /Sondernutzungen und Veranstaltungen/);
    await axe(staff, 'akte');
  });

  test('create a case in it', async () => {
    await staff.page.goto(fileUrl);
    await staff.page.fill('#vorgang-titel', 'Antrag der Anwohner');
    const res = await submit(staff.page, 'form[action$="/vorgaenge"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(staff.page.url(), /\/vorgaenge\/1\?angelegt=1$/);
    caseUrl = staff.page.url().replace(/\?.*$/, '');
    assert.match(await staff.page.textContent('h1'), /Antrag der Anwohner/);
    assert.match(await staff.page.textContent('main'), /noch keine Dokumente/);
  });

  test('a document without a file shows the error next to the file input (400)', async () => {
    await staff.page.goto(caseUrl);
    await staff.page.fill('#dok-titel', 'Ohne Datei');
    const res = await submit(staff.page, '#h-dokument-neu ~ form button[type="submit"], section[aria-labelledby="h-dokument-neu"] button[type="submit"]');
    assert.equal(res.status(), 400);
    assert.equal(await staff.page.getAttribute('#dok-datei', 'aria-invalid'), 'true');
    assert.match(await staff.page.textContent('#dok-datei-fehler'), /Datei/);
    assert.equal(await staff.page.inputValue('#dok-titel'), 'Ohne Datei', 'the title was not kept');
    await axe(staff, 'vorgang-fehler');
  });

  test('upload a text document via the file input and see it listed', async () => {
    await staff.page.goto(caseUrl);
    await staff.page.fill('#dok-titel', 'Schreiben zur Straßenreinigung');
    await staff.page.check('#dok-richtung-out');
    await staff.page.fill('#dok-datum', '2026-03-05');
    await staff.page.fill('#dok-partei', 'Anwohnergemeinschaft Gänsewiese');
    await staff.page.setInputFiles('#dok-datei', {
      name: 'Schreiben Straßenreinigung.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(LETTER, 'utf8'),
    });
    const res = await submit(staff.page, 'section[aria-labelledby="h-dokument-neu"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(staff.page.url(), /hochgeladen=1#dok-\d+$/);
    const main = await staff.page.textContent('main');
    assert.match(main, /Schreiben zur Straßenreinigung/);
    assert.match(main, /Schreiben Straßenreinigung\.txt/);
    assert.match(main, /Ausgang/);
    viewHref = await staff.page.getAttribute('a[href^="/dokumente/version/"]:not([download])', 'href');
    downloadHref = await staff.page.getAttribute('a[href$="/download"]', 'href');
    assert.match(viewHref, /^\/dokumente\/version\/\d+$/);
    await axe(staff, 'vorgang');
  });

  test('the document opens inline as text/plain and downloads as an attachment', async () => {
    const res = await staff.page.goto(srv.base + viewHref);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'text/plain; charset=utf-8');
    assert.match(res.headers()['content-disposition'], /^inline; filename="Schreiben Stra_enreinigung\.txt"; filename\*=UTF-8''Schreiben%20Stra%C3%9Fenreinigung\.txt$/);
    assert.match(await staff.page.textContent('body'), /Anträge der Anwohner zur Straßenreinigung in der Straße/);
    const dl = await staff.page.request.get(srv.base + downloadHref);
    assert.equal(dl.status(), 200);
    assert.match(dl.headers()['content-disposition'], /^attachment; /);
    assert.equal(await dl.text(), LETTER);
  });

  test('a shell script is refused with 415 and a German message at the file input', async () => {
    await staff.page.goto(caseUrl);
    await staff.page.fill('#dok-titel', 'Skript');
    await staff.page.setInputFiles('#dok-datei', {
      name: 'aufraeumen.sh',
      mimeType: 'text/plain',
      buffer: Buffer.from('#!/bin/sh\nrm -rf /tmp/x\n'),
    });
    const res = await submit(staff.page, 'section[aria-labelledby="h-dokument-neu"] button[type="submit"]');
    assert.equal(res.status(), 415);
    assert.match(await staff.page.textContent('#dok-datei-fehler'), /Dateityp wird nicht angenommen/);
    assert.equal(await staff.page.getAttribute('#dok-datei', 'aria-invalid'), 'true');
  });

  test('search finds the document by inflected words once it is indexed', async (t) => {
    const api = await staff.page.request.get(`${srv.base}/api/v1/search?q=Antrag`);
    if (api.status() === 404) {
      t.skip('GET /api/v1/search answers 404: the search engineer\'s search.c is not in this build yet');
      return;
    }
    const deadline = Date.now() + 20000;
    let found = false;
    while (!found && Date.now() < deadline) {
      await visit(staff, `/suche?q=${encodeURIComponent('Antrag Strasse')}`);
      found = (await staff.page.textContent('main')).includes('Schreiben zur Straßenreinigung');
      if (!found) await sleep(500);
    }
    assert.ok(found, 'the uploaded document was not found by "Antrag Strasse" within 20 s');
    const html = await staff.page.innerHTML('.treffer-text');
    assert.match(html, /<mark>/, 'no highlighted hit in the snippet');
    assert.ok(await staff.page.$(`.treffer a[href^="${new URL(caseUrl).pathname}"]`), 'no link to the case');
    await axe(staff, 'suche');
  });

  test('after the search: a new version (a PDF) of the document, listed as version 2, shown inline as PDF', async () => {
    await staff.page.goto(caseUrl);
    const input = 'form[action$="/versionen"] input[type="file"]';
    await staff.page.setInputFiles(input, { name: 'Schreiben.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Anwohner Gaensewiese') });
    const res = await submit(staff.page, 'form[action$="/versionen"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(staff.page.url(), /version=1#dok-\d+$/);
    const rows = await staff.page.$$eval('.dokument tbody tr', (trs) => trs.map((tr) => tr.textContent.replace(/\s+/g, ' ')));
    assert.ok(rows.some((r) => /^ ?2 Schreiben\.pdf \(application\/pdf\)/.test(r)), `version 2 not listed: ${rows.join(' | ')}`);
    const href = await staff.page.getAttribute('.dokument tbody tr:nth-child(2) a:not([download])', 'href');
    const pdf = await staff.page.request.get(srv.base + href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.match(pdf.headers()['content-disposition'], /^inline; filename="Schreiben\.pdf"/);
  });

  test('/suche without a query and with no hits', async () => {
    await visit(staff, '/suche');
    assert.match(await staff.page.textContent('main'), /Geben Sie einen oder mehrere Suchbegriffe ein/);
    await axe(staff, 'suche-leer');
    await visit(staff, '/suche?q=Quarkstrudelverordnung');
    assert.match(await staff.page.textContent('h2'), /Keine Treffer/);
    await axe(staff, 'suche-keine');
  });

  test('an office-50 user gets 404 for the office-32 file', async () => {
    const other = await open();
    await formLogin(other.page, srv.base, 'amt50', srv.demoPassword);
    const res = await other.page.goto(fileUrl);
    assert.equal(res.status(), 404);
    await other.ctx.close();
  });

  test('the head of office reads the access log', async () => {
    await visit(head, new URL(fileUrl).pathname + '/zugriffe');
    const rows = await head.page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.ok(rows.some((r) => /Dokument angesehen/.test(r) && /amt32/.test(r)) && rows.some((r) => /Dokument heruntergeladen/.test(r)), `no read in the log: ${rows.join(' | ')}`);
    await axe(head, 'zugriffe');
  });

  test('the head of office sets a hold (reason required) and shares the file with Amt 50', async () => {
    await visit(head, new URL(fileUrl).pathname);
    await axe(head, 'akte-leitung');
    let res = await submit(head.page, 'form[action$="/sperre"] button[type="submit"]');
    assert.equal(res.status(), 400);
    assert.equal(await head.page.getAttribute('#sperre-grund', 'aria-invalid'), 'true');
    await axe(head, 'akte-sperre-fehler');
    await head.page.fill('#sperre-grund', 'Widerspruch anhängig');
    res = await submit(head.page, 'form[action$="/sperre"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(await head.page.textContent('.daten'), /gesperrt: Widerspruch anhängig/);
    await head.page.selectOption('#freigabe-amt', '50');
    res = await submit(head.page, 'form[action$="/freigabe"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(await head.page.textContent('.daten'), /Amt 50 – Sozialamt/);
    // Amt 50 now sees it, read only
    const other = await open();
    await formLogin(other.page, srv.base, 'amt50', srv.demoPassword);
    const r = await other.page.goto(fileUrl);
    assert.equal(r.status(), 200);
    assert.match(await other.page.textContent('main'), /für Ihr Amt freigegeben/);
    assert.equal(await other.page.$('#vorgang-titel'), null, 'a read-only office got the new-case form');
    await axe(other, 'akte-freigegeben');
    await other.ctx.close();
  });

  test('the file plan for the registry (amt10): browse, save a node, a form error', async () => {
    await visit(registry, '/aktenplan');
    assert.match(await registry.page.textContent('caption'), /Aktenplaneinheiten/);
    assert.ok(await registry.page.$('form[action="/aktenplan"]'), 'no edit form for the registry');
    await axe(registry, 'aktenplan');
    await visit(registry, '/aktenplan?code=32.20.02#h-bearbeiten');
    assert.equal(await registry.page.inputValue('#plan-code'), '32.20.02');
    await registry.page.fill('#plan-jahre', '500');
    let res = await submit(registry.page, 'form[action="/aktenplan"] button[type="submit"]');
    assert.equal(res.status(), 400);
    assert.equal(await registry.page.getAttribute('#plan-jahre', 'aria-invalid'), 'true');
    await axe(registry, 'aktenplan-fehler');
    await registry.page.fill('#plan-jahre', '4');
    res = await submit(registry.page, 'form[action="/aktenplan"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(await registry.page.textContent('[role="status"]'), /32\.20\.02 wurde gespeichert/);
    const csv = await registry.page.request.get(`${srv.base}/aktenplan/export.csv`);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /^32\.20\.02;Fundsachen;4;V;1$/m);
  });

  test('the disposal list for the registry shows due files and the hold', async () => {
    await visit(registry, '/aussonderung');
    const text = await registry.page.textContent('main');
    assert.match(text, /Gaststättenerlaubnis Zum Anker/);
    assert.match(text, /gesperrt/);
    await axe(registry, 'aussonderung');
    // the confirmation page of the V file, then destroy it
    await registry.page.click('a[href*="aktion=vernichten"]');
    assert.match(await registry.page.textContent('h1'), /vernichten/);
    await axe(registry, 'aussonderung-bestaetigen');
    let res = await submit(registry.page, 'form[action^="/aussonderung/"] button[type="submit"]');
    assert.equal(res.status(), 400, 'disposal without the confirmation box');
    await registry.page.check('#aus-bestaetigt');
    res = await submit(registry.page, 'form[action^="/aussonderung/"] button[type="submit"]');
    assert.equal(res.status(), 200);
    assert.match(await registry.page.textContent('[role="status"]'), /wurde vernichtet/);
  });

  test('staff without the registry role get 403 on /aussonderung', async () => {
    await visit(staff, '/aussonderung', 403);
  });

  test('keyboard only: reach the upload form with Tab, fill it, submit with Enter', async () => {
    const { page, problems } = kbd;
    problems.length = 0;
    await page.goto(caseUrl);
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      return { id: e?.id || '', tag: e?.tagName.toLowerCase(), text: (e?.textContent || '').trim().slice(0, 40) };
    });
    let f;
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      f = await focused();
      if (f.id === 'dok-titel') break;
    }
    assert.equal(f.id, 'dok-titel', 'the title field of the upload form was not reached with Tab');
    await page.keyboard.type('Vermerk per Tastatur');
    await page.keyboard.press('Tab');
    f = await focused();
    assert.equal(f.id, 'dok-richtung-in', `Tab after the title went to ${JSON.stringify(f)}`);
    await page.keyboard.press('ArrowDown'); // radio group: Ausgang
    await page.keyboard.press('ArrowDown'); // intern
    assert.equal(await page.isChecked('#dok-richtung-internal'), true);
    await page.keyboard.press('Tab');
    assert.equal((await focused()).id, 'dok-datum');
    // a date field has one Tab stop per part (day, month, year)
    for (let i = 0; i < 4 && (await focused()).id === 'dok-datum'; i++) await page.keyboard.press('Tab');
    assert.equal((await focused()).id, 'dok-partei');
    await page.keyboard.press('Tab');
    assert.equal((await focused()).id, 'dok-datei', 'the file input is not the next Tab stop');
    // choosing the file itself opens the system dialog; set it as a user would have
    await page.setInputFiles('#dok-datei', { name: 'vermerk.txt', mimeType: 'text/plain', buffer: Buffer.from('Vermerk: Ortstermin am Montag.\n') });
    await page.keyboard.press('Tab');
    f = await focused();
    assert.equal(f.tag, 'button', `after the file input: ${JSON.stringify(f)}`);
    assert.match(f.text, /Dokument speichern/);
    // the focus ring is visible
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await Promise.all([page.waitForURL(/hochgeladen=1/), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main'), /Vermerk per Tastatur/);
    assert.match(await page.textContent('main'), /intern/);
    assert.deepEqual(problems, [], 'console errors (CSP violations?)');
  });
});
