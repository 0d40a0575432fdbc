// `rathaus backup` while the server runs, `rathaus restore` into a new
// directory, and `verify` on both.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG_1x1, runCli, Server, sha256hex, startServer } from '../lib/server.mjs';

function sql(dir, statement) {
  return execFileSync('sqlite3', [path.join(dir, 'rathaus.db'), statement]).toString().trim();
}

let srv, admin, work;
const servers = [];
before(async () => {
  srv = await startServer();
  servers.push(srv);
  admin = await srv.login('admin', srv.adminPassword);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'rathaus-backup-'));
});
after(async () => {
  for (const s of servers) await s.cleanup();
  if (work && !process.env.RATHAUS_TEST_KEEP) await fsp.rm(work, { recursive: true, force: true });
});

function okCounts(stdout) {
  const m = /^OK: (\d+) journal entries, (\d+) blobs$/m.exec(stdout);
  assert.ok(m, `no OK line in:\n${stdout}`);
  return { journal: Number(m[1]), blobs: Number(m[2]) };
}

describe('backup and restore', () => {
  test('a backup taken while serving restores to a directory that verifies with the same counts', async () => {
    // some data: a logo (one blob) and a few offices
    const fd = new FormData();
    fd.append('_csrf', admin.csrf);
    fd.append('city', 'Stadt Sicherheim');
    fd.append('logo', new Blob([PNG_1x1], { type: 'image/png' }), 'wappen.png');
    let r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: fd });
    assert.equal(r.status, 303);
    for (let nr = 700; nr < 705; nr++) {
      r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr, name: `Sicherungsamt ${nr}` } });
      assert.equal(r.status, 201);
    }
    const src = await srv.cli('verify');
    assert.equal(src.code, 0, src.stderr);
    const want = okCounts(src.stdout);
    // the demo content's documents plus the logo
    assert.equal(want.blobs, Number(sql(srv.dir, 'SELECT count(*) FROM blobs')));
    assert.ok(want.blobs >= 1);

    const file = path.join(work, 'sicherung.tar');
    const b = await srv.cli('backup', [file]);
    assert.equal(b.code, 0, `backup failed:\n${b.stdout}${b.stderr}`);
    assert.match(b.stdout, /Sicherung geschrieben/);
    assert.ok(fs.statSync(file).size > 0);
    assert.deepEqual(fs.readdirSync(work).filter((n) => n !== 'sicherung.tar'), [], 'backup left work files behind');
    assert.ok(srv.running, 'the server died during the backup');

    const dest = path.join(work, 'zurueck');
    const rs = await runCli(['restore', '--data', dest, file]);
    assert.equal(rs.code, 0, `restore failed:\n${rs.stdout}${rs.stderr}`);
    assert.deepEqual(okCounts(rs.stdout), want, 'restore reported other counts');
    const v = await runCli(['verify', '--data', dest]);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(okCounts(v.stdout), want);
    const sha = sha256hex(PNG_1x1);
    assert.deepEqual(fs.readFileSync(path.join(dest, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha)), PNG_1x1);

    // the restored directory serves: same admin password, same offices, same logo
    const copy = new Server({ dir: dest, adminPassword: srv.adminPassword, demoPassword: srv.demoPassword });
    servers.push(copy);
    await copy.start();
    const a2 = await copy.login('admin', srv.adminPassword);
    const units = await (await a2.fetch('/api/v1/units')).json();
    for (let nr = 700; nr < 705; nr++) assert.ok(units.some((u) => u.nr === nr && u.name === `Sicherungsamt ${nr}`), `office ${nr} missing`);
    const logo = await copy.fetch('/logo');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG_1x1);
    assert.match(await (await copy.fetch('/')).text(), /Stadt Sicherheim/);
    const st = await copy.stop();
    assert.equal(st.code, 0);
  });

  test('a backup taken during a stream of writes is a consistent snapshot', async () => {
    let stop = false;
    let nr = 2000;
    const writer = (async () => {
      while (!stop && nr < 2400) {
        const r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr, name: `Laufend ${nr}` } });
        assert.equal(r.status, 201);
        await r.arrayBuffer();
        nr++;
      }
    })();
    const file = path.join(work, 'laufend.tar');
    const b = await srv.cli('backup', [file]);
    stop = true;
    await writer;
    assert.equal(b.code, 0, `${b.stdout}${b.stderr}`);
    const dest = path.join(work, 'laufend');
    const rs = await runCli(['restore', '--data', dest, file]);
    assert.equal(rs.code, 0, `${rs.stdout}${rs.stderr}`);
    const got = okCounts(rs.stdout);
    const now = okCounts((await srv.cli('verify')).stdout);
    assert.ok(got.journal <= now.journal, `${got.journal} > ${now.journal}`);
  });

  test('backup refuses to overwrite a file; restore refuses an existing directory', async () => {
    const file = path.join(work, 'sicherung.tar');
    const b = await srv.cli('backup', [file]);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /existiert bereits/);
    const rs = await runCli(['restore', '--data', srv.dir, file]);
    assert.equal(rs.code, 1);
    assert.match(rs.stderr, /existiert bereits/);
  });

  test('restore refuses a file that is no backup', async () => {
    const junk = path.join(work, 'kaputt.tar');
    fs.writeFileSync(junk, 'das ist keine Sicherung\n'.repeat(100));
    const rs = await runCli(['restore', '--data', path.join(work, 'kaputt'), junk]);
    assert.notEqual(rs.code, 0);
    assert.match(rs.stderr, /rathaus restore: /);
  });
});
