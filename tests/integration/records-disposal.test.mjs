// Retention and disposal through the API: a closed file becomes due only
// after its retention (the server runs with RATHAUS_CLOCK_OFFSET years
// ahead), a hold refuses disposal (409), without it the file is destroyed:
// the blob file is gone, the version content answers 404, a tombstone and a
// journal entry remain and `rathaus verify` stays OK. A/B files are offered
// before they may be destroyed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { upload } from '../lib/records.mjs';
import { sha256hex, startServer } from '../lib/server.mjs';

const enc = encodeURIComponent;
const YEARS = 40 * 366 * 24 * 3600; // far beyond every retention period of the test
let srv, amt32, leitung32, admin;

/** Makes a closed file under plan with one version of content; returns {ref, version, sha}. */
async function closedFile(plan, content) {
  let r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan, title: `Aussonderung ${plan}`, parties: 'Max Muster' } });
  assert.equal(r.status, 201, await r.clone().text());
  const ref = (await r.json()).reference;
  r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases`, { method: 'POST', json: { title: 'Vorgang' } });
  assert.equal(r.status, 201);
  await r.arrayBuffer();
  r = await amt32.fetch(`/api/v1/files/${enc(ref)}/cases/1/documents`, { method: 'POST', json: { title: 'Brief', direction: 'out', party: 'Max Muster' } });
  assert.equal(r.status, 201);
  const doc = (await r.json()).id;
  r = await upload(amt32, doc, Buffer.from(content), 'brief.txt');
  assert.equal(r.status, 201);
  const version = (await r.json()).id;
  r = await amt32.fetch(`/api/v1/files/${enc(ref)}/close`, { method: 'POST', json: {} });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  return { ref, version, sha: sha256hex(Buffer.from(content)) };
}

const blobPath = (sha) => path.join(srv.dir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
const dispose = (client, ref, action) =>
  client.fetch(`/api/v1/files/${enc(ref)}/dispose`, { method: 'POST', json: { action } });

let held, free, archival;
before(async () => {
  srv = await startServer();
  amt32 = await srv.login('amt32', srv.demoPassword);
  leitung32 = await srv.login('leitung32', srv.demoPassword);
  admin = await srv.login('admin', srv.adminPassword);
  held = await closedFile('32.30.01', 'Parkausweis mit Sperre\n'); // 3 years, V
  free = await closedFile('32.30.01', 'Parkausweis ohne Sperre\n');
  archival = await closedFile('63.10.03', 'Sonderbau, archivwürdig\n'); // 30 years, A
});
after(async () => {
  delete process.env.RATHAUS_CLOCK_OFFSET;
  await srv?.stop(); // a clean exit, so the sanitizers report leaks
  await srv?.cleanup();
});

describe('before the end of retention', () => {
  test('a closed file is not due and cannot be disposed (409, German)', async () => {
    const due = await (await admin.fetch('/api/v1/disposal')).json();
    assert.ok(!due.some((f) => f.reference === free.ref));
    const r = await dispose(admin, free.ref, 'destroy');
    assert.equal(r.status, 409);
    assert.match((await r.json()).error, /Aufbewahrungsfrist.*läuft noch bis 31\.12\./);
  });

  test('holds: only Leitung/Registratur/Admin, with a reason', async () => {
    let r = await amt32.fetch(`/api/v1/files/${enc(held.ref)}/hold`, { method: 'POST', json: { reason: 'Klage' } });
    assert.equal(r.status, 403);
    await r.arrayBuffer();
    r = await leitung32.fetch(`/api/v1/files/${enc(held.ref)}/hold`, { method: 'POST', json: { hold: true } });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error, /Grund/);
    r = await leitung32.fetch(`/api/v1/files/${enc(held.ref)}/hold`, { method: 'POST', json: { hold: true, reason: 'Klageverfahren 3 K 12/26' } });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).hold, true);
  });
});

describe('after the end of retention', () => {
  before(async () => {
    await srv.stop();
    process.env.RATHAUS_CLOCK_OFFSET = String(YEARS);
    await srv.start();
    // sessions ended with the jump in time: log in again
    amt32 = await srv.login('amt32', srv.demoPassword);
    admin = await srv.login('admin', srv.adminPassword);
  });

  test('the disposal list shows the due files with their hold', async () => {
    const r = await admin.fetch('/api/v1/disposal');
    assert.equal(r.status, 200);
    const due = await r.json();
    const h = due.find((f) => f.reference === held.ref);
    const f = due.find((x) => x.reference === free.ref);
    assert.ok(h && f, 'due files missing');
    assert.equal(h.hold, true);
    assert.equal(f.hold, false);
    assert.equal(f.archive_decision, 'V');
    assert.equal(f.office, 32);
  });

  test('a caseworker may not dispose (403)', async () => {
    const r = await dispose(amt32, free.ref, 'destroy');
    assert.equal(r.status, 403);
    assert.match((await r.json()).error, /Registratur/);
  });

  test('with a hold: refused (409), the content stays', async () => {
    for (const action of ['destroy', 'offer']) {
      const r = await dispose(admin, held.ref, action);
      assert.equal(r.status, 409, action);
      assert.match((await r.json()).error, /Sperre/);
    }
    assert.ok(fs.existsSync(blobPath(held.sha)));
    const r = await amt32.fetch(`/api/v1/versions/${held.version}/content`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  });

  test('without a hold: destroyed, blob gone, tombstone and journal, verify OK', async () => {
    assert.ok(fs.existsSync(blobPath(free.sha)));
    let r = await dispose(admin, free.ref, 'vernichten');
    assert.equal(r.status, 400);
    await r.arrayBuffer();
    r = await dispose(admin, free.ref, 'destroy');
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(await r.json(), { reference: free.ref, status: 'disposed' });
    assert.ok(!fs.existsSync(blobPath(free.sha)), 'the blob file is still there');
    r = await amt32.fetch(`/api/v1/versions/${free.version}/content`);
    assert.equal(r.status, 404);
    assert.match((await r.json()).error, /ausgesondert/);
    const f = await (await amt32.fetch(`/api/v1/files/${enc(free.ref)}`)).json();
    assert.equal(f.status, 'disposed');
    assert.equal(f.parties, '');
    const v = await (await amt32.fetch(`/api/v1/versions/${free.version}`)).json();
    assert.equal(v.available, false);
    assert.equal(v.sha256, null);
    const log = await (await admin.fetch(`/api/v1/files/${enc(free.ref)}/access-log`)).json();
    assert.ok(log.some((e) => e.action === 'file.destroy' && e.actor === 'admin'));
    r = await dispose(admin, free.ref, 'destroy');
    assert.equal(r.status, 409);
    assert.match((await r.json()).error, /bereits ausgesondert/);
    const due = await (await admin.fetch('/api/v1/disposal')).json();
    assert.ok(!due.some((x) => x.reference === free.ref));
    const ver = await srv.cli('verify');
    assert.equal(ver.code, 0, ver.stdout + ver.stderr);
    assert.match(ver.stdout, /^OK: /);
  });

  test('an A file is offered first, then destroyed', async () => {
    let r = await dispose(admin, archival.ref, 'destroy');
    assert.equal(r.status, 409);
    assert.match((await r.json()).error, /archivwürdig.*angeboten/);
    r = await dispose(admin, archival.ref, 'offer');
    assert.equal(r.status, 200);
    assert.equal((await r.json()).status, 'offered');
    assert.ok(fs.existsSync(blobPath(archival.sha)));
    r = await dispose(admin, archival.ref, 'destroy');
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    assert.ok(!fs.existsSync(blobPath(archival.sha)));
    assert.equal((await srv.cli('verify')).code, 0);
  });

  test('the hold lifted, the held file can go too', async () => {
    let r = await admin.fetch(`/api/v1/files/${enc(held.ref)}/hold`, { method: 'POST', json: { hold: false } });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    r = await dispose(admin, held.ref, 'destroy');
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    assert.ok(!fs.existsSync(blobPath(held.sha)));
    const ver = await srv.cli('verify', [], { env: { RATHAUS_CLOCK_OFFSET: String(YEARS) } });
    assert.equal(ver.code, 0, ver.stdout + ver.stderr);
  });
});
