// `rathaus import` stores in batches (one transaction for many files): a file
// that fails inside a batch takes nothing else with it and leaves no
// half-stored document; an import killed with SIGKILL keeps every file it
// had reported as imported, and a second run brings in the rest, so each file
// is there exactly once and `verify` finds journal and blobs intact.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { search } from '../lib/scan.mjs';
import { BIN, startServer } from '../lib/server.mjs';

const enc = encodeURIComponent;
let srv, amt32, fileRef, tmp;

async function newCase(title) {
  const r = await amt32.fetch(`/api/v1/files/${enc(fileRef)}/cases`, { method: 'POST', json: { title } });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).reference;
}

async function caseDocs(caseRef) {
  const n = caseRef.split('/').pop();
  const r = await amt32.fetch(`/api/v1/files/${enc(fileRef)}/cases/${n}`);
  assert.equal(r.status, 200);
  return (await r.json()).documents;
}

/* n text files stapel-001.txt … with a unique word each (Kennung <tag><i>X) */
function textFiles(dir, n, tag) {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= n; i++)
    fs.writeFileSync(path.join(dir, `stapel-${String(i).padStart(3, '0')}.txt`), `Stapelprobe ${path.basename(dir)} Blatt ${i}, Kennung ${tag}${i}X\n`);
}

before(async () => {
  srv = await startServer();
  amt32 = await srv.login('amt32', srv.demoPassword);
  const r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '32.10', title: 'Stapelimport' } });
  assert.equal(r.status, 201, await r.clone().text());
  fileRef = (await r.json()).reference;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rathaus-import-batch-'));
});
after(async () => {
  await srv?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('rathaus import in batches', () => {
  test('a file that fails inside a batch takes only itself back', async () => {
    const caseRef = await newCase('Stapel mit falschem Namen');
    const dir = path.join(tmp, 'gemischt');
    textFiles(dir, 250, 'G');
    // a control character: no valid document title, refused when the batch
    // stores it (after the files before it in the same batch)
    const bad = path.join(dir, 'stapel-125\x01b.txt');
    fs.writeFileSync(bad, 'Stapelprobe ungültiger Name\n');
    const r = await srv.cli('import', ['--into', caseRef, dir], { timeoutMs: 120000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`${bad}: der Dateiname taugt nicht als Titel`), r.stderr);
    assert.match(r.stdout, /250 von 251 Dateien übernommen, 0 bereits vorhanden, 1 fehlgeschlagen/);
    const docs = await caseDocs(caseRef);
    assert.equal(docs.length, 250);
    assert.ok(docs.every((d) => d.versions.length === 1), 'no document without its content');
    assert.equal(new Set(docs.map((d) => d.title)).size, 250);
    const { body } = await search(amt32, { q: 'G126X' });
    assert.equal(body.total, 1);
    const v = await srv.cli('verify');
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('kill -9 during an import: what it reported stays, a rerun completes it once', async () => {
    const caseRef = await newCase('Stapel mit Absturz');
    const dir = path.join(tmp, 'absturz');
    const n = 600;
    textFiles(dir, n, 'A');
    const child = spawn(BIN, ['import', '--data', srv.dir, '--into', caseRef, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      // kill as soon as the first file is reported as imported
      if (!killed && /: übernommen /.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stdout.resume();
    const exit = await exited;
    const acked = [...stderr.matchAll(/^\d+\/\d+ (.*): übernommen /gm)].map((m) => path.basename(m[1], '.txt'));
    assert.ok(acked.length > 0, stderr);
    console.log(`# killed: ${JSON.stringify(exit)}, ${acked.length} of ${n} files reported before`);

    // every acknowledged file survived, and no document is half stored
    let docs = await caseDocs(caseRef);
    const titles = new Set(docs.map((d) => d.title));
    for (const t of acked) assert.ok(titles.has(t), `${t} was reported as imported but is missing`);
    assert.ok(docs.every((d) => d.versions.length === 1), 'no document without its content');
    assert.equal(titles.size, docs.length);

    const r = await srv.cli('import', ['--into', caseRef, dir], { timeoutMs: 120000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = /(\d+) von (\d+) Dateien übernommen, (\d+) bereits vorhanden, 0 fehlgeschlagen/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[2]), n);
    assert.equal(Number(m[1]) + Number(m[3]), n);
    assert.equal(Number(m[3]), docs.length);

    docs = await caseDocs(caseRef);
    assert.equal(docs.length, n);
    assert.equal(new Set(docs.map((d) => d.title)).size, n, 'every file exactly once');
    assert.ok(docs.every((d) => d.versions.length === 1));
    for (const k of [1, 300, n]) {
      const { body } = await search(amt32, { q: `A${k}X` });
      assert.equal(body.total, 1, `A${k}X`);
    }
    const v = await srv.cli('verify');
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});
