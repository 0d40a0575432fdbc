// Tamper detection of `rathaus verify`: an altered journal row and a flipped
// byte in a blob file are both found and named.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG_1x1, makeDataDir, Server, sha256hex, startServer } from '../lib/server.mjs';

const cleanups = [];
after(async () => {
  for (const c of cleanups) await c();
});

function sql(dir, statement) {
  return execFileSync('sqlite3', [path.join(dir, 'rathaus.db'), statement]).toString().trim();
}

async function verify(srv) {
  const r = await srv.cli('verify');
  return { ...r, out: r.stdout + r.stderr };
}

describe('journal', () => {
  let srv;
  before(async () => {
    const data = await makeDataDir();
    srv = new Server(data); // not started: the CLI works on the directory
    cleanups.push(() => srv.cleanup());
  });

  test('verify passes on the untouched directory', async () => {
    const v = await verify(srv);
    assert.equal(v.code, 0, v.out);
    const n = Number(sql(srv.dir, 'SELECT count(*) FROM journal'));
    const b = Number(sql(srv.dir, 'SELECT count(*) FROM blobs'));
    assert.match(v.stdout, new RegExp(`^OK: ${n} journal entries, ${b} blobs$`, 'm'));
  });

  test('the journal refuses UPDATE and DELETE while its triggers stand', () => {
    assert.throws(
      () => execFileSync('sqlite3', [path.join(srv.dir, 'rathaus.db'), "UPDATE journal SET details='{}' WHERE seq=5;"], { stdio: 'pipe' }),
      /append-only/,
    );
    assert.throws(
      () => execFileSync('sqlite3', [path.join(srv.dir, 'rathaus.db'), 'DELETE FROM journal WHERE seq=5;'], { stdio: 'pipe' }),
      /append-only/,
    );
  });

  test('an altered row (details of entry 5) → exit 1 naming entry 5', async () => {
    const before5 = sql(srv.dir, 'SELECT details FROM journal WHERE seq=5');
    assert.notEqual(before5, '{"x":1}');
    sql(srv.dir, 'DROP TRIGGER journal_no_update; UPDATE journal SET details=\'{"x":1}\' WHERE seq=5;');
    assert.equal(sql(srv.dir, 'SELECT details FROM journal WHERE seq=5'), '{"x":1}');
    const v = await verify(srv);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /Protokolleintrag 5 ist beschädigt/, v.out);
    assert.doesNotMatch(v.stdout, /^OK/m);
  });

  test('a row altered and re-hashed consistently is still found: the next entry points to the old hash', async () => {
    const data = await makeDataDir();
    const s2 = new Server(data);
    cleanups.push(() => s2.cleanup());
    const row = JSON.parse(execFileSync('sqlite3', ['-json', path.join(s2.dir, 'rathaus.db'), 'SELECT * FROM journal WHERE seq=7']).toString())[0];
    // the chain hash of journal.c: sha256(prev ‖ for each field: "<bytes>:" field "\n")
    const h = createHash('sha256').update(row.prev_hash);
    for (const f of [String(row.seq), row.at, 'mallory', row.action, row.object, row.details]) {
      h.update(`${Buffer.byteLength(f)}:`).update(f).update('\n');
    }
    const forged = h.digest('hex');
    // the recomputation is right: the stored hash of the untouched row matches it with the real actor
    const h0 = createHash('sha256').update(row.prev_hash);
    for (const f of [String(row.seq), row.at, row.actor, row.action, row.object, row.details]) h0.update(`${Buffer.byteLength(f)}:`).update(f).update('\n');
    assert.equal(h0.digest('hex'), row.hash, 'hash recomputation differs from journal.c');
    sql(s2.dir, `DROP TRIGGER journal_no_update; UPDATE journal SET actor='mallory', hash='${forged}' WHERE seq=7;`);
    const v = await verify(s2);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /Protokolleintrag 8 ist beschädigt/, v.out);
  });

  test('a deleted row → exit 1 naming the gap', async () => {
    const data = await makeDataDir();
    const s3 = new Server(data);
    cleanups.push(() => s3.cleanup());
    sql(s3.dir, 'DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq=9;');
    const v = await verify(s3);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /Protokolleintrag 10 ist beschädigt/, v.out);
  });

  test('a cut-off tail passes the chain but not --head with the head noted before', async () => {
    const data = await makeDataDir();
    const s4 = new Server(data);
    cleanups.push(() => s4.cleanup());
    const before = await verify(s4);
    assert.equal(before.code, 0, before.out);
    const m = /^Kopf der Protokollkette: Eintrag (\d+), SHA-256 ([0-9a-f]{64})$/m.exec(before.stdout);
    assert.ok(m, `no head line in:\n${before.out}`);
    const head = `${m[1]}:${m[2]}`;
    let r = await s4.cli('verify', ['--head', head]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    sql(s4.dir, `DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq=${m[1]};`);
    const plain = await verify(s4);
    assert.equal(plain.code, 0, 'the chain alone cannot see a cut-off tail');
    r = await s4.cli('verify', ['--head', head]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`Protokolleintrag ${m[1]} fehlt`));
  });
});

describe('blobs', () => {
  let srv, sha, file;
  before(async () => {
    srv = await startServer();
    cleanups.push(() => srv.cleanup());
  });

  test('an uploaded logo is stored as DIR/blobs/<2hex>/<2hex>/<sha256>', async () => {
    const admin = await srv.login('admin', srv.adminPassword);
    const fd = new FormData();
    fd.append('_csrf', admin.csrf);
    fd.append('city', 'Stadt Prüfheim');
    fd.append('logo', new Blob([PNG_1x1], { type: 'image/png' }), 'wappen.png');
    const r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: fd });
    assert.equal(r.status, 303, await r.text());
    sha = sha256hex(PNG_1x1);
    file = path.join(srv.dir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    assert.ok(fs.existsSync(file), `no blob file ${file}`);
    assert.deepEqual(fs.readFileSync(file), PNG_1x1);
    assert.equal(sql(srv.dir, `SELECT size FROM blobs WHERE sha256='${sha}'`), String(PNG_1x1.length));
    const v = await verify(srv); // while the server runs
    assert.equal(v.code, 0, v.out);
    const b = Number(sql(srv.dir, 'SELECT count(*) FROM blobs'));
    assert.ok(b >= 1);
    assert.match(v.stdout, new RegExp(`^OK: \\d+ journal entries, ${b} blobs$`, 'm'));
  });

  test('one flipped byte → exit 1 naming the blob', async () => {
    assert.ok(file, 'the upload test did not run');
    fs.chmodSync(file, 0o600);
    const buf = fs.readFileSync(file);
    buf[buf.length >> 1] ^= 0x01;
    fs.writeFileSync(file, buf);
    const v = await verify(srv);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, new RegExp(`Blob ${sha}`), v.out);
    assert.match(v.out, /beschädigt/);
  });

  test('the damaged logo is not served as if it were intact', async () => {
    const r = await srv.fetch('/logo');
    const body = Buffer.from(await r.arrayBuffer());
    assert.notEqual(r.status, 200, `GET /logo served the damaged blob (${body.length} bytes)`);
    assert.ok(r.status >= 500, `status ${r.status}`);
  });

  test('a missing blob file → exit 1 naming the blob', async () => {
    fs.rmSync(file);
    const v = await verify(srv);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, new RegExp(`Blob ${sha} fehlt`), v.out);
  });
});
