// `rathaus import`: 200 files in nested folders (PDFs with a text layer, text
// files, images for OCR) with one damaged PDF among them, imported next to
// a running server: exit 1, 199 documents, the damaged file named with its
// reason, everything searchable at once (no waiting for the server's
// worker), TR-RESISCAN capture metadata per version, resumable (a second run
// skips what is there), German refusals, and the progress bar on a terminal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makePdf } from '../lib/records.mjs';
import { renderPng, search } from '../lib/scan.mjs';
import { BIN, sha256hex, startServer } from '../lib/server.mjs';

const enc = encodeURIComponent;
let srv, amt32, amt50, fileRef, caseRef, dir, damaged;
const pngCount = 4;
const txtCount = 45;

async function caseDocs() {
  const r = await amt32.fetch(`/api/v1/files/${enc(fileRef)}/cases/1`);
  assert.equal(r.status, 200);
  return (await r.json()).documents;
}

before(async () => {
  srv = await startServer();
  [amt32, amt50] = await Promise.all([srv.login('amt32', srv.demoPassword), srv.login('amt50', srv.demoPassword)]);
  let r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '32.10', title: 'Altakten Gewerbeaufsicht' } });
  assert.equal(r.status, 201, await r.clone().text());
  fileRef = (await r.json()).reference;
  r = await amt32.fetch(`/api/v1/files/${enc(fileRef)}/cases`, { method: 'POST', json: { title: 'Scanstapel 1' } });
  assert.equal(r.status, 201, await r.clone().text());
  caseRef = (await r.json()).reference;

  // 200 files: 150 PDFs, 45 text files, 4 images, 1 damaged PDF, in three folders
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rathaus-import-'));
  for (const sub of ['stapel-a', 'stapel-b/teil-1', 'stapel-b/teil-2']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const where = (i) => ['stapel-a', 'stapel-b/teil-1', 'stapel-b/teil-2'][i % 3];
  let n = 0;
  for (let i = 1; i <= 150; i++, n++)
    fs.writeFileSync(path.join(dir, where(i), `blatt-${String(i).padStart(3, '0')}.pdf`),
      makePdf(`Sammelimport Blatt ${i}: Gewerbeanmeldung Kennung K${i}X`));
  for (let i = 1; i <= txtCount; i++, n++)
    fs.writeFileSync(path.join(dir, where(i), `notiz-${String(i).padStart(3, '0')}.txt`),
      `Sammelimport Notiz ${i}: Rückfrage zur Gewerbeanmeldung, Kennung N${i}X\n`);
  for (let i = 1; i <= pngCount; i++, n++)
    fs.writeFileSync(path.join(dir, 'stapel-a', `foto-${i}.png`), renderPng(`Sammelimport Foto ${i}\nBaustelle Mühlenstraße`));
  damaged = path.join(dir, 'stapel-b', 'teil-2', 'blatt-kaputt.pdf');
  fs.writeFileSync(damaged, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
  n++;
  assert.equal(n, 200);
  // a known scan time, to find it in the capture metadata
  fs.utimesSync(path.join(dir, 'stapel-a', 'foto-1.png'), new Date('2026-03-02T08:15:30Z'), new Date('2026-03-02T08:15:30Z'));
});
after(async () => {
  await srv?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('rathaus import', () => {
  test('200 files with one damaged: exit 1, 199 imported, the damaged one named', async () => {
    const t0 = Date.now();
    const r = await srv.cli('import', ['--into', caseRef, '--scanner', 'Fujitsu fi-7160', '--operator', 'amt32', dir], { timeoutMs: 300000 });
    const secs = (Date.now() - t0) / 1000;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: das PDF ist beschädigt`, 'm'));
    assert.match(r.stdout, /199 von 200 Dateien übernommen, 0 bereits vorhanden, 1 fehlgeschlagen/);
    // not a terminal: plain progress lines, one per file
    assert.match(r.stderr, /^200\/200 .*Dateien\/s/m);
    assert.doesNotMatch(r.stderr, /\r/);
    const docs = await caseDocs();
    assert.equal(docs.length, 199);
    assert.ok(docs.every((d) => d.direction === 'in' && d.versions.length === 1));
    assert.ok(docs.some((d) => d.title === 'blatt-001'), 'title = file name without extension');
    // in import order: folders sorted, files sorted within them
    const titles = docs.map((d) => d.title);
    assert.ok(titles.indexOf('blatt-003') < titles.indexOf('foto-1'));
    console.log(`# import of 200 files: ${secs.toFixed(1)} s`);
  });

  test('everything imported is searchable when the command has ended', async () => {
    // no polling: the import stored the texts itself
    let { body } = await search(amt32, { q: 'Sammelimport', per_page: 100 });
    assert.equal(body.total, 199);
    ({ body } = await search(amt32, { q: 'K117X' }));
    assert.equal(body.total, 1);
    assert.equal(body.items[0].title, 'blatt-117');
    ({ body } = await search(amt32, { q: 'Rückfragen N45X' }));
    assert.equal(body.total, 1);
    // OCR of the images, inflected
    ({ body } = await search(amt32, { q: 'Mühlenstrasse Baustellen' }));
    assert.equal(body.total, pngCount);
    ({ body } = await search(amt50, { q: 'Sammelimport' }));
    assert.equal(body.total, 0);
  });

  test('each version carries TR-RESISCAN capture metadata', async () => {
    const docs = await caseDocs();
    const foto = docs.find((d) => d.title === 'foto-1');
    const r = await amt32.fetch(`/api/v1/versions/${foto.versions[0].id}`);
    assert.equal(r.status, 200);
    const v = await r.json();
    const file = path.join(dir, 'stapel-a', 'foto-1.png');
    assert.deepEqual(v.capture, {
      scanned_at: '2026-03-02T08:15:30Z',
      device: 'Fujitsu fi-7160',
      operator: 'amt32',
      sha256_at_capture: sha256hex(fs.readFileSync(file)),
      quality_checked: false,
      source_path: fs.realpathSync(file),
    });
    assert.equal(v.sha256, v.capture.sha256_at_capture);
    assert.equal(v.has_text, true);
    assert.equal(v.mime, 'image/png');
  });

  test('a second run skips what is there; a repaired file is taken alone', async () => {
    let r = await srv.cli('import', ['--into', caseRef, dir], { timeoutMs: 120000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /0 von 200 Dateien übernommen, 199 bereits vorhanden, 1 fehlgeschlagen/);
    assert.equal((await caseDocs()).length, 199);
    fs.writeFileSync(damaged, makePdf('Sammelimport Ersatzblatt'));
    r = await srv.cli('import', ['--into', caseRef, dir], { timeoutMs: 120000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 von 200 Dateien übernommen, 199 bereits vorhanden, 0 fehlgeschlagen/);
    assert.equal((await caseDocs()).length, 200);
    const { body } = await search(amt32, { q: 'Ersatzblatt' });
    assert.equal(body.total, 1);
    // without --operator the capture names the operating system account
    const docs = await caseDocs();
    const v = await (await amt32.fetch(`/api/v1/versions/${docs.find((d) => d.title === 'blatt-kaputt').versions[0].id}`)).json();
    assert.equal(v.capture.operator, os.userInfo().username);
    assert.equal(v.capture.device, null);
  });

  test('refusals in German; a bad file among good ones does not stop them', async () => {
    let r = await srv.cli('import', ['--into', '32.10-1999-0001/1', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /einen Vorgang „32\.10-1999-0001\/1“ gibt es nicht/);
    r = await srv.cli('import', [dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--into VORGANG ist nötig/);
    r = await srv.cli('import', ['--into', caseRef]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /keine Datei/);
    r = await srv.cli('import', ['--into', caseRef, '--operator', 'niemand', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ein Konto „niemand“ gibt es nicht/);

    const extra = fs.mkdtempSync(path.join(os.tmpdir(), 'rathaus-import-extra-'));
    try {
      fs.copyFileSync('/bin/true', path.join(extra, 'a-programm'));
      fs.writeFileSync(path.join(extra, 'b-leer.txt'), '');
      fs.writeFileSync(path.join(extra, 'c-gut.txt'), 'Sammelimport Nachtrag Zwischenstand\n');
      fs.writeFileSync(path.join(extra, 'd-skript.sh'), '#!/bin/sh\necho hallo\n');
      r = await srv.cli('import', ['--into', caseRef, extra, path.join(extra, 'fehlt.pdf')]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /a-programm: Dateityp application\/x-\S+ wird nicht übernommen/);
      assert.match(r.stderr, /b-leer\.txt: die Datei ist leer/);
      assert.match(r.stderr, /d-skript\.sh: Dateityp text\/x-shellscript wird nicht übernommen/);
      assert.match(r.stderr, /fehlt\.pdf: nicht vorhanden/);
      assert.match(r.stdout, /1 von 5 Dateien übernommen/);
      const { body } = await search(amt32, { q: 'Zwischenstand' });
      assert.equal(body.total, 1);
    } finally {
      fs.rmSync(extra, { recursive: true, force: true });
    }
  });

  test('on a terminal: a progress bar redrawn in place', { skip: !fs.existsSync('/usr/bin/script') }, async () => {
    const batch = fs.mkdtempSync(path.join(os.tmpdir(), 'rathaus-import-tty-'));
    try {
      for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(batch, `t${i}.txt`), `Terminal Probe ${i}\n`);
      const cmd = [BIN, 'import', '--data', srv.dir, '--into', caseRef, batch].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\r\x1b\[K\[#+-*\] 5\/5 +[\d,]+ Dateien\/s +noch \d+:\d\d/);
      assert.match(r.stdout, /5 von 5 Dateien übernommen/);
    } finally {
      fs.rmSync(batch, { recursive: true, force: true });
    }
  });
});
