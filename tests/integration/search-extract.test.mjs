// Text extraction in the server and the German full-text search: a PDF with
// a text layer, a PNG of German text rendered in the test and a PDF that is
// only a scan are uploaded through the API, extracted by the worker (OCR
// for the image and the scan) and found with inflected queries ("Antrag"
// for "Anträge", "strasse" for "Straße"); snippets are escaped HTML with
// <mark>; another office finds nothing of it; filters, paging and bad
// parameters; a restart resumes queued jobs; a damaged file fails after
// three attempts; the command line search sees what the account may see.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makePdf, upload } from '../lib/records.mjs';
import { pngToScanPdf, renderPng, search, searchUntil } from '../lib/scan.mjs';
import { startServer } from '../lib/server.mjs';

const enc = encodeURIComponent;
let srv, amt32, amt50;
let fileRef, caseRef;
const docs = {}; // name → document id

/** Creates a document in the test case; returns its id. */
async function doc(title, extra = {}) {
  const r = await amt32.fetch(`/api/v1/files/${enc(fileRef)}/cases/1/documents`, {
    method: 'POST',
    json: { title, direction: 'in', ...extra },
  });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).id;
}

async function put(docId, bytes, name) {
  const r = await upload(amt32, docId, bytes, name);
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).id;
}

const ids = (body) => body.items.map((i) => i.document_id);
const has = (...want) => (body) => want.every((d) => ids(body).includes(d));

/** The jobs table row of a version (sqlite3 reads it; no FTS needed for that). */
function job(version) {
  const out = execFileSync('sqlite3', ['-json', path.join(srv.dir, 'rathaus.db'),
    `SELECT state, attempts, error FROM jobs WHERE kind = 'extract' AND object = ${Number(version)}`]).toString();
  return JSON.parse(out || '[]')[0];
}

before(async () => {
  srv = await startServer();
  [amt32, amt50] = await Promise.all([srv.login('amt32', srv.demoPassword), srv.login('amt50', srv.demoPassword)]);
  let r = await amt32.fetch('/api/v1/files', {
    method: 'POST',
    json: { plan: '32.30.01', title: 'Straßenreinigung Altstadt', parties: 'Erika Mustermann' },
  });
  assert.equal(r.status, 201, await r.clone().text());
  fileRef = (await r.json()).reference;
  r = await amt32.fetch(`/api/v1/files/${enc(fileRef)}/cases`, { method: 'POST', json: { title: 'Reinigungspflicht' } });
  assert.equal(r.status, 201, await r.clone().text());
  caseRef = (await r.json()).reference;
});
after(async () => {
  await srv?.cleanup();
});

describe('extraction and inflected search', () => {
  test('uploads: PDF with text layer, PNG and scanned PDF (OCR), plain text', async () => {
    docs.pdf = await doc('Bescheid Kehrpflicht');
    await put(docs.pdf, makePdf('Bescheid zu Ihren Antraegen: die Strassenreinigung der Bahnhofstra\xdfe ist Pflicht.'), 'bescheid.pdf');
    const png = renderPng('Anträge für Straßenreinigung\nim Kreuzungsbereich Mühlenweg');
    docs.png = await doc('Eingang Foto');
    await put(docs.png, png, 'foto.png');
    docs.scan = await doc('Eingang Scan');
    await put(docs.scan, pngToScanPdf(renderPng('Widerspruch gegen die Gebühren\nfür den Winterdienst in der Lindenstraße')), 'scan.pdf');
    docs.txt = await doc('Notiz');
    await put(docs.txt, Buffer.from('Vermerk: <b>Antragsteller</b> & Co. wünschen Rückruf wegen Kehrwoche.\n'), 'notiz.txt');
  });

  test('a document without content is found by its title at once', async () => {
    docs.meta = await doc('Beschwerden über Laubbläser', { party: 'Hans Huber' });
    const { status, body } = await search(amt32, { q: 'Beschwerde Laubbläser' });
    assert.equal(status, 200);
    assert.deepEqual(ids(body), [docs.meta]);
    assert.equal(body.items[0].version_id, null);
    assert.equal(body.items[0].case_reference, caseRef);
    assert.equal(body.items[0].file_reference, fileRef);
    const byParty = await search(amt32, { q: 'Huber' });
    assert.deepEqual(ids(byParty.body), [docs.meta]);
  });

  test('PDF text layer and OCR of PNG and scan are found with inflected forms', async () => {
    // "Anträge" in the image, "Antrag" asked
    await searchUntil(amt32, { q: 'Antrag Kreuzungsbereich' }, has(docs.png));
    // "Straßenreinigung"/"Strassenreinigung" both ways
    await searchUntil(amt32, { q: 'Strassenreinigung' }, has(docs.png, docs.pdf));
    await searchUntil(amt32, { q: 'Bahnhofstrasse' }, has(docs.pdf));
    // the scanned PDF: OCR of a page without a text layer
    const scan = await searchUntil(amt32, { q: 'Widersprüche Lindenstrasse' }, has(docs.scan));
    assert.equal(scan.items[0].document_id, docs.scan);
    assert.match(scan.items[0].snippet, /<mark>Widerspruch<\/mark>/);
    assert.ok(scan.items[0].version_id > 0);
    // umlaut folding: "Muhlenweg" and "MÜHLENWEG" meet "Mühlenweg"
    for (const q of ['Muhlenweg', 'MÜHLENWEG', 'mühlenwegs'])
      assert.deepEqual(ids((await search(amt32, { q })).body), [docs.png], q);
  });

  test('snippets are escaped HTML with <mark> around the hits', async () => {
    const body = await searchUntil(amt32, { q: 'Antragsteller' }, has(docs.txt));
    const s = body.items.find((i) => i.document_id === docs.txt).snippet;
    assert.match(s, /&lt;b&gt;<mark>Antragsteller<\/mark>&lt;\/b&gt; &amp; Co\./);
    assert.doesNotMatch(s.replace(/<\/?mark>/g, ''), /<|>/);
  });

  test('prefix, phrase, exclusion and the Aktenzeichen', async () => {
    assert.ok(ids((await search(amt32, { q: 'Straßenrein*' })).body).includes(docs.png));
    assert.ok(ids((await search(amt32, { q: 'Mühlen*' })).body).includes(docs.png));
    assert.ok(ids((await search(amt32, { q: 'Laub*' })).body).includes(docs.meta));
    let body = (await search(amt32, { q: '"Winterdienst in der Lindenstraße"' })).body;
    assert.deepEqual(ids(body), [docs.scan]);
    body = (await search(amt32, { q: '"Lindenstraße in der Winterdienst"' })).body;
    assert.equal(body.total, 0);
    body = (await search(amt32, { q: 'Strassenreinigung -Kreuzungsbereich' })).body;
    assert.ok(ids(body).includes(docs.pdf));
    assert.ok(!ids(body).includes(docs.png));
    // the whole reference, the file reference, and without leading zeros
    body = (await search(amt32, { q: caseRef })).body;
    assert.equal(body.total, 5);
    body = (await search(amt32, { q: fileRef.replace(/-0*(\d+)$/, '-$1') })).body;
    assert.equal(body.total, 5);
  });

  test('query syntax typed by a user is text, never FTS5 syntax', async () => {
    for (const q of ['"', '""', 'title:Bescheid', 'NEAR(a b)', 'a OR', '* * *', '-', '^x', '(', 'Bescheid)', "'; DROP TABLE documents; --", '\u0000', 'a\u0001b']) {
      const { status, body } = await search(amt32, { q });
      assert.equal(status, 200, `${q}: ${JSON.stringify(body)}`);
      assert.equal(typeof body.total, 'number');
    }
    // a colon is no column filter: "Bescheid:Kehrpflicht" is the phrase of both words
    const { body } = await search(amt32, { q: 'Bescheid:Kehrpflicht' });
    assert.deepEqual(ids(body), [docs.pdf]);
  });
});

describe('visibility, filters and paging', () => {
  test('an office-50 user finds nothing of an office-32 file', async () => {
    for (const q of ['Strassenreinigung', 'Laubbläser', 'Widerspruch Lindenstraße', fileRef, 'Mustermann']) {
      const { status, body } = await search(amt50, { q });
      assert.equal(status, 200);
      assert.ok(!body.items.some((i) => i.file_reference === fileRef), q);
    }
    const { body } = await search(amt50, { q: 'Laubbläser' });
    assert.equal(body.total, 0);
  });

  test('after sharing, office 50 finds it', async () => {
    const leitung = await srv.login('leitung32', srv.demoPassword);
    const r = await leitung.fetch(`/api/v1/files/${enc(fileRef)}/share`, { method: 'POST', json: { office: 50 } });
    assert.ok([200, 201, 204].includes(r.status), await r.text());
    const { body } = await search(amt50, { q: 'Laubbläser' });
    assert.deepEqual(ids(body), [docs.meta]);
  });

  test('filters: office, plan node and children, year, status, direction', async () => {
    const year = Number(fileRef.split('-')[1]);
    const q = 'Strassenreinigung';
    const base = (await search(amt32, { q })).body.total;
    assert.ok(base >= 2);
    for (const [params, expect] of [
      [{ office: 32 }, base],
      [{ office: 50 }, 0],
      [{ plan: '32.30' }, base],
      [{ plan: '32.30.01' }, base],
      [{ plan: '32.3' }, 0],
      [{ plan: '50' }, 0],
      [{ year }, base],
      [{ year: year - 1 }, 0],
      [{ status: 'open' }, base],
      [{ status: 'closed' }, 0],
      [{ direction: 'in' }, base],
      [{ direction: 'out' }, 0],
    ]) {
      const { status, body } = await search(amt32, { q, ...params });
      assert.equal(status, 200);
      assert.equal(body.total, expect, JSON.stringify(params));
    }
  });

  test('paging: total stays, pages do not overlap', async () => {
    const all = (await search(amt32, { q: caseRef, per_page: 100 })).body;
    const p1 = (await search(amt32, { q: caseRef, per_page: 2, page: 1 })).body;
    const p2 = (await search(amt32, { q: caseRef, per_page: 2, page: 2 })).body;
    const p9 = (await search(amt32, { q: caseRef, per_page: 2, page: 9 })).body;
    assert.equal(p1.total, all.total);
    assert.equal(p1.items.length, 2);
    assert.equal(p2.items.length, 2);
    assert.equal(p9.items.length, 0);
    assert.equal(p9.total, all.total);
    assert.deepEqual([...ids(p1), ...ids(p2)], ids(all).slice(0, 4));
    assert.deepEqual([p1.page, p1.per_page], [1, 2]);
  });

  test('ranking: a title hit comes before a text hit', async () => {
    const d = await doc('Kehrwoche Regelung');
    const { body } = await search(amt32, { q: 'Kehrwoche' });
    assert.deepEqual(ids(body), [d, docs.txt]);
    assert.ok(body.items[0].score > body.items[1].score);
  });

  test('prefixes: 3 to 6 letters (own index) and longer ones; shorter ones: 400 with a German message', async () => {
    // "Kehrpflicht" in a title, "Kehrwoche" in a title and a text
    const kehr = (await search(amt32, { q: 'Kehr*' })).body;
    assert.ok(has(docs.pdf, docs.txt)(kehr), JSON.stringify(ids(kehr)));
    assert.deepEqual(ids((await search(amt32, { q: 'Kehrpfl*' })).body), [docs.pdf]);
    assert.deepEqual(ids((await search(amt32, { q: 'kehrpflicht*' })).body), [docs.pdf]);
    // shared with office 50 above: it finds the same; office 50 as a filter finds nothing
    assert.deepEqual(ids((await search(amt50, { q: 'Kehr*' })).body), ids(kehr));
    assert.equal((await search(amt32, { q: 'Kehr*', office: 50 })).body.total, 0);
    for (const q of ['Ke*', 'Antrag K*', '-ab* Antrag']) {
      const { status, body } = await search(amt32, { q });
      assert.equal(status, 400, q);
      assert.match(body.error, /mindestens 3 Buchstaben/);
    }
    const page = await amt32.fetch(`/suche?q=${enc('Ke*')}`);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /mindestens 3 Buchstaben/);
  });

  test('bad parameters: 400 with a German message; no login: 401', async () => {
    for (const params of [{ office: 'x' }, { year: '20x6' }, { page: '0' }, { per_page: '101' }, { status: 'weg' }, { direction: 'hin' }, { plan: '32..10' }, { q: 'x'.repeat(1001) }]) {
      const { status, body } = await search(amt32, { q: 'Antrag', ...params });
      assert.equal(status, 400, JSON.stringify(params));
      assert.match(body.error, /[a-zäöüß]{4}/i);
    }
    const r = await srv.fetch('/api/v1/search?q=Antrag');
    assert.equal(r.status, 401);
  });
});

describe('worker', () => {
  test('a job queued before a crash is done after the restart', async () => {
    const d = await doc('Nachreichung');
    const v = await put(d, makePdf('Nachgereichte Unterlagen zur Zaunh\xf6he'), 'nachreichung.pdf');
    await srv.kill9();
    await srv.start();
    await amt32.loadSession();
    await searchUntil(amt32, { q: 'Zaunhöhe' }, has(d));
    assert.equal(job(v).state, 'done');
  });

  test('a damaged PDF fails after three attempts with a German reason', async () => {
    const d = await doc('Kaputt');
    const v = await put(d, Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> kaputt kaputt\n'), 'kaputt.pdf');
    const deadline = Date.now() + 30000;
    while (job(v)?.state !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const j = job(v);
    assert.equal(j.state, 'failed', JSON.stringify(j));
    assert.equal(j.attempts, 3);
    assert.match(j.error, /PDF ist beschädigt/);
    // the document is still found by its title
    const { body } = await search(amt32, { q: 'kaputt' });
    assert.deepEqual(ids(body), [d]);
  });

  test('the server stops quickly and cleanly while extracting', async () => {
    const d = await doc('Großer Scan');
    const page = pngToScanPdf(renderPng('Lange Seite\n'.repeat(30), { size: 11 }));
    await put(d, page, 'gross.pdf');
    const { code, ms } = await srv.stop();
    assert.equal(code, 0);
    assert.ok(ms < 8000, `stop took ${ms} ms`);
    await srv.start();
    await amt32.loadSession();
  });
});

describe('rathaus search', () => {
  test('--json holds total and per hit id, Vorgang, title and snippet', async () => {
    const r = await srv.cli('search', ['--as', 'amt32', '--json', 'Anträge', 'Kreuzungsbereich']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.total, 1);
    assert.equal(j.items[0].document_id, docs.png);
    assert.equal(j.items[0].case_reference, caseRef);
    assert.equal(j.items[0].title, 'Eingang Foto');
    assert.match(j.items[0].snippet, /<mark>Anträge<\/mark>/);
  });

  test('plain output: one line per hit without tags; another office sees nothing', async () => {
    let r = await srv.cli('search', ['--as', 'amt32', '--limit', '1', 'Strassenreinigung']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const [ref, title, snippet] = lines[0].split('\t');
    assert.equal(ref, caseRef);
    assert.ok(title);
    assert.doesNotMatch(snippet, /<\/?mark>|&amp;/);
    assert.match(r.stderr, /Treffer/);
    r = await srv.cli('search', ['--as', 'amt70', '--json', 'Strassenreinigung']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).total, 0);
  });

  test('refuses an unknown account and missing arguments in German', async () => {
    let r = await srv.cli('search', ['--as', 'niemand', 'Antrag']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ein Konto „niemand“ gibt es nicht/);
    r = await srv.cli('search', ['Antrag']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--as/);
    r = await srv.cli('search', ['--as', 'amt32']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /kein Suchbegriff/);
    r = await srv.cli('search', ['--as', 'amt32', '--limit', '0', 'x']);
    assert.notEqual(r.code, 0);
  });
});
