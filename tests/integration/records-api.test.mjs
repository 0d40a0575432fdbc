// The E-Akte's JSON API: plan, file → case → document → version through
// /api/v1, download of the same bytes with the read journaled in the access
// log, inline display rules, visibility between offices (404, absent from
// lists), sharing, refusal of executables (415, German), CSRF and login.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makePdf, upload } from '../lib/records.mjs';
import { PNG_1x1, sha256hex, startServer } from '../lib/server.mjs';

const enc = encodeURIComponent;
let srv, amt32, amt50, leitung32, admin;
let ref, caseRef, docId, pdf, pdfVersion, txtVersion;

before(async () => {
  srv = await startServer();
  [amt32, amt50, leitung32, admin] = await Promise.all([
    srv.login('amt32', srv.demoPassword),
    srv.login('amt50', srv.demoPassword),
    srv.login('leitung32', srv.demoPassword),
    srv.login('admin', srv.adminPassword),
  ]);
});
after(async () => {
  await srv?.stop(); // a clean exit, so the sanitizers report leaks
  await srv?.cleanup();
});

describe('plan', () => {
  test('GET /api/v1/plan lists the default plan (≥ 60 nodes, 3 levels)', async () => {
    const r = await amt32.fetch('/api/v1/plan');
    assert.equal(r.status, 200);
    const plan = await r.json();
    assert.ok(plan.length >= 60, `only ${plan.length} nodes`);
    const node = plan.find((n) => n.code === '32.30.01');
    assert.ok(node, 'no 32.30.01');
    assert.equal(node.parent_code, '32.30');
    assert.equal(node.depth, 2);
    assert.ok(['A', 'B', 'V'].includes(node.archive_decision));
    assert.ok(plan.every((n) => n.retention_years >= 0 && n.retention_years <= 200));
  });

  test('only Registratur/Admin change the plan (403, German)', async () => {
    const r = await amt32.fetch('/api/v1/plan', {
      method: 'POST',
      json: { code: '32.30.09', title: 'Test', retention_years: 5, archive_decision: 'V' },
    });
    assert.equal(r.status, 403);
    assert.match((await r.json()).error, /Registratur/);
  });

  test('admin creates (201), updates (200) and imports nodes; bad CSV names the line', async () => {
    let r = await admin.fetch('/api/v1/plan', {
      method: 'POST',
      json: { code: '32.30.09', title: 'Anwohnerparken Sonderfälle', retention_years: 5, archive_decision: 'V' },
    });
    assert.equal(r.status, 201, await r.clone().text());
    r = await admin.fetch('/api/v1/plan', {
      method: 'POST',
      json: { code: '32.30.09', title: 'Anwohnerparken, Sonderfälle', retention_years: 6, archive_decision: 'V' },
    });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).retention_years, 6);
    r = await admin.fetch('/api/v1/plan', {
      method: 'POST',
      json: { code: '77.10', title: 'Ohne Eltern', retention_years: 5, archive_decision: 'V' },
    });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /übergeordnete.*„77“/);
    r = await admin.fetch('/api/v1/plan', {
      method: 'POST',
      json: [
        { code: '90', title: 'Testgruppe', retention_years: 10, archive_decision: 'B' },
        { code: '90.10', title: 'Testeinheit', retention_years: 3, archive_decision: 'V', active: false },
      ],
    });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal((await r.json()).imported, 2);
    const fd = new FormData();
    fd.append('file', new Blob(['code;title;retention_years;archive_decision;active\n91;Gut;5;V;1\n91.10;Schlecht;fünf;V;1\n']), 'plan.csv');
    r = await admin.fetch('/api/v1/plan', { method: 'POST', body: fd, headers: { 'X-CSRF-Token': admin.csrf } });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /^Zeile 3: Aufbewahrungsfrist „fünf“/);
    const plan = await (await admin.fetch('/api/v1/plan')).json();
    assert.ok(!plan.some((n) => n.code === '91'), 'the import was not all or nothing');
    assert.equal(plan.find((n) => n.code === '90.10').active, false);
  });
});

describe('file, case, document, version', () => {
  test('POST /api/v1/files → 201 with the Aktenzeichen', async () => {
    const r = await amt32.fetch('/api/v1/files', {
      method: 'POST',
      json: { plan: '32.30.01', title: 'Bewohnerparken Altstadt', parties: 'Erika Mustermann' },
    });
    assert.equal(r.status, 201, await r.clone().text());
    const f = await r.json();
    assert.match(f.reference, /^32\.30\.01-\d{4}-\d{4}$/);
    assert.equal(f.office, 32);
    assert.equal(f.status, 'open');
    assert.equal(f.parties, 'Erika Mustermann');
    ref = f.reference;
  });

  test('refusals name the problem in German', async () => {
    let r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '32.30.01', title: 'x', office: 50 } });
    assert.equal(r.status, 403);
    assert.match((await r.json()).error, /eigenes Amt/);
    r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '99.99', title: 'x' } });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /„99\.99“ gibt es nicht/);
    r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '32.30.01', title: '  ' } });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /Titel fehlt/);
    r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '32.30.01' }, csrf: false });
    assert.equal(r.status, 403, 'no CSRF token');
    r = await srv.fetch('/api/v1/files');
    assert.equal(r.status, 401);
    r = await amt32.fetch('/api/v1/files', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': amt32.csrf }, body: '{"plan": ' });
    assert.equal(r.status, 400);
  });

  test('a case, a document and two versions', async () => {
    let r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases`, { method: 'POST', json: { title: 'Antrag Zone A' } });
    assert.equal(r.status, 201, await r.clone().text());
    const k = await r.json();
    assert.equal(k.reference, `${ref}/1`);
    caseRef = k.reference;
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1/documents`, {
      method: 'POST',
      json: { title: 'Antrag', direction: 'Eingang', dated: '2026-01-05', party: 'Erika Mustermann' },
    });
    assert.equal(r.status, 201, await r.clone().text());
    const d = await r.json();
    assert.equal(d.direction, 'in');
    assert.equal(d.case_reference, caseRef);
    docId = d.id;
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1/documents`, {
      method: 'POST',
      json: { title: 'x', direction: 'seitwärts' },
    });
    assert.equal(r.status, 400);
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1/documents`, {
      method: 'POST',
      json: { title: 'x', direction: 'in', dated: '2026-02-30' },
    });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /Datum/);

    pdf = makePdf('Antrag auf einen Bewohnerparkausweis');
    r = await upload(amt32, docId, pdf, 'Antrag Müller.pdf');
    assert.equal(r.status, 201, await r.clone().text());
    const v = await r.json();
    assert.equal(v.mime, 'application/pdf');
    assert.equal(v.n, 1);
    assert.equal(v.size, pdf.length);
    assert.equal(v.sha256, sha256hex(pdf));
    assert.equal(v.filename, 'Antrag Müller.pdf');
    pdfVersion = v.id;
    // the client's type does not matter: the bytes decide
    const fd = new FormData();
    fd.append('file', new Blob(['Vermerk: Zone A bestätigt.\n'], { type: 'application/pdf' }), 'vermerk.pdf');
    r = await amt32.fetch(`/api/v1/documents/${docId}/versions`, { method: 'POST', body: fd, headers: { 'X-CSRF-Token': amt32.csrf } });
    assert.equal(r.status, 201);
    const t = await r.json();
    assert.equal(t.mime, 'text/plain');
    assert.equal(t.n, 2);
    txtVersion = t.id;
  });

  test('GET case and file show the structure', async () => {
    const k = await (await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1`)).json();
    assert.equal(k.documents.length, 1);
    assert.deepEqual(k.documents[0].versions.map((v) => v.n), [1, 2]);
    assert.ok(k.documents[0].versions.every((v) => v.available));
    const f = await (await amt32.fetch(`/api/v1/files/${enc(ref)}`)).json();
    assert.equal(f.cases.length, 1);
    assert.equal(f.cases[0].documents, 1);
    const list = await (await amt32.fetch(`/api/v1/files?q=${enc('Altstadt')}`)).json();
    assert.ok(list.items.some((i) => i.reference === ref));
    const page = await (await amt32.fetch('/api/v1/files?per_page=1&page=1')).json();
    assert.equal(page.items.length, 1);
    assert.ok(page.total >= 1);
    assert.equal((await amt32.fetch('/api/v1/files?status=kaputt')).status, 400);
    assert.equal((await amt32.fetch('/api/v1/files?page=0')).status, 400);
  });

  test('download returns the same bytes; inline rules; read journaled', async () => {
    let r = await amt32.fetch(`/api/v1/versions/${pdfVersion}/content`);
    assert.equal(r.status, 200);
    const got = Buffer.from(await r.arrayBuffer());
    assert.ok(got.equals(pdf), 'downloaded bytes differ');
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="Antrag M_ller\.pdf"; filename\*=UTF-8''Antrag%20M%C3%BCller\.pdf$/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    r = await amt32.fetch(`/api/v1/versions/${pdfVersion}/content?inline=1`);
    assert.match(r.headers.get('content-disposition'), /^inline;/);
    await r.arrayBuffer();
    r = await amt32.fetch(`/api/v1/versions/${txtVersion}/content?inline=1`);
    assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.match(r.headers.get('content-disposition'), /^inline;/);
    assert.equal(await r.text(), 'Vermerk: Zone A bestätigt.\n');

    r = await leitung32.fetch(`/api/v1/files/${enc(ref)}/access-log`);
    assert.equal(r.status, 200);
    const log = await r.json();
    const reads = log.filter((e) => e.action === 'doc.read' && e.object === `version:${pdfVersion}`);
    assert.equal(reads.length, 2);
    assert.ok(reads.every((e) => e.actor === 'amt32' && /^\d{4}-\d\d-\d\dT/.test(e.at)));
    assert.deepEqual(reads.map((e) => e.details.mode).sort(), ['download', 'view']);
    for (const a of ['file.create', 'case.create', 'doc.create', 'doc.version']) assert.ok(log.some((e) => e.action === a), a);
    assert.ok(log.every((e) => typeof e.details.file === 'number'));
    // a caseworker may not read the log
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/access-log`);
    assert.equal(r.status, 403);
    assert.match((await r.json()).error, /Amtsleitung/);
  });

  test('GET /api/v1/versions/:id gives metadata without a read entry', async () => {
    // counts only reads: the extraction worker may journal doc.extract meanwhile
    const reads = async () =>
      (await (await leitung32.fetch(`/api/v1/files/${enc(ref)}/access-log`)).json()).filter((e) => e.action === 'doc.read').length;
    const before = await reads();
    const r = await amt32.fetch(`/api/v1/versions/${pdfVersion}`);
    assert.equal(r.status, 200);
    const v = await r.json();
    assert.equal(v.case_reference, caseRef);
    assert.equal(v.file_reference, ref);
    assert.equal(await reads(), before);
  });
});

describe('uploads refused by content', () => {
  test('an executable (a copy of /bin/true) → 415 with a German message', async () => {
    const r = await upload(amt32, docId, fs.readFileSync('/bin/true'), 'rechnung.pdf');
    assert.equal(r.status, 415);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const j = await r.json();
    assert.equal(j.status, 415);
    assert.match(j.error, /Dateityp wird nicht angenommen.*Programme und Skripte/);
  });

  test('a shell script, HTML and SVG → 415; an empty file → 400', async () => {
    for (const [body, name] of [
      ['#!/bin/sh\nrm -rf /\n', 'skript.txt'],
      ['<html><body><script>alert(1)</script></body></html>', 'seite.txt'],
      ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'bild.png'],
    ]) {
      const r = await upload(amt32, docId, Buffer.from(body), name);
      assert.equal(r.status, 415, name);
      await r.arrayBuffer();
    }
    const r = await upload(amt32, docId, Buffer.alloc(0), 'leer.pdf');
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /leer/);
    const k = await (await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1`)).json();
    assert.equal(k.documents[0].versions.length, 2, 'a refused upload left a version');
  });

  test('a PNG is accepted; no CSRF token → 403', async () => {
    let r = await upload(amt32, docId, PNG_1x1, 'scan.png', { csrf: false });
    assert.equal(r.status, 403);
    await r.arrayBuffer();
    r = await upload(amt32, docId, PNG_1x1, 'scan.png');
    assert.equal(r.status, 201);
    assert.equal((await r.json()).mime, 'image/png');
  });
});

describe('visibility between offices', () => {
  test('amt50 gets 404 for an amt32 file, its case, document and versions', async () => {
    const paths = [
      `/api/v1/files/${enc(ref)}`,
      `/api/v1/files/${enc(ref)}/cases/1`,
      `/api/v1/versions/${pdfVersion}`,
      `/api/v1/versions/${pdfVersion}/content`,
      `/api/v1/files/${enc(ref)}/access-log`,
    ];
    for (const p of paths) {
      const r = await amt50.fetch(p);
      assert.equal(r.status, 404, p);
      const j = await r.json();
      assert.doesNotMatch(j.error, /Berechtigung/, `${p} tells that it exists`);
    }
    // the same answer as for a file that does not exist
    const none = await (await amt50.fetch('/api/v1/files/32.30.01-1999-0001')).json();
    const hidden = await (await amt50.fetch(`/api/v1/files/${enc(ref)}`)).json();
    assert.equal(hidden.error.replace(ref, 'X'), none.error.replace('32.30.01-1999-0001', 'X'));
    for (const [p, json] of [
      [`/api/v1/files/${enc(ref)}/cases`, { title: 'fremd' }],
      [`/api/v1/files/${enc(ref)}/close`, {}],
      [`/api/v1/files/${enc(ref)}/cases/1/documents`, { title: 'x', direction: 'in' }],
    ]) {
      const r = await amt50.fetch(p, { method: 'POST', json });
      assert.equal(r.status, 404, p);
      await r.arrayBuffer();
    }
    const r = await upload(amt50, docId, PNG_1x1, 'x.png');
    assert.equal(r.status, 404);
    await r.arrayBuffer();
  });

  test('the file is absent from amt50\'s list', async () => {
    let list = await (await amt50.fetch(`/api/v1/files?q=${enc('Altstadt')}&per_page=100`)).json();
    assert.ok(!list.items.some((i) => i.reference === ref));
    list = await (await amt50.fetch('/api/v1/files?office=32&per_page=100')).json();
    assert.equal(list.total, 0);
  });

  test('after sharing, amt50 reads but does not write', async () => {
    let r = await amt32.fetch(`/api/v1/files/${enc(ref)}/share`, { method: 'POST', json: { office: 50 } });
    assert.equal(r.status, 403, 'a caseworker shared');
    await r.arrayBuffer();
    r = await leitung32.fetch(`/api/v1/files/${enc(ref)}/share`, { method: 'POST', json: { office: 50 } });
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()).shares, [50]);
    r = await amt50.fetch(`/api/v1/files/${enc(ref)}`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    r = await amt50.fetch(`/api/v1/versions/${txtVersion}/content`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    r = await amt50.fetch(`/api/v1/files/${enc(ref)}/cases`, { method: 'POST', json: { title: 'fremd' } });
    assert.equal(r.status, 403);
    assert.match((await r.json()).error, /federführende Amt/);
    const log = await (await leitung32.fetch(`/api/v1/files/${enc(ref)}/access-log`)).json();
    assert.ok(log.some((e) => e.action === 'doc.read' && e.actor === 'amt50'));
    assert.ok(log.some((e) => e.action === 'file.share' && e.details.office === 50));
  });
});

describe('closing', () => {
  test('a closed case and file take no new documents; closing twice → 409', async () => {
    let r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1/close`, { method: 'POST', json: {} });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).status, 'closed');
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1/documents`, { method: 'POST', json: { title: 'spät', direction: 'in' } });
    assert.equal(r.status, 409);
    assert.match((await r.json()).error, /geschlossen/);
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/close`, { method: 'POST', json: {} });
    assert.equal(r.status, 200);
    const f = await r.json();
    assert.equal(f.status, 'closed');
    assert.match(f.retention_until, /^\d{4}-12-31$/);
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/close`, { method: 'POST', json: {} });
    assert.equal(r.status, 409);
    await r.arrayBuffer();
    r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases`, { method: 'POST', json: { title: 'neu' } });
    assert.equal(r.status, 409);
    await r.arrayBuffer();
    assert.equal((await srv.cli('verify')).code, 0);
  });
});
