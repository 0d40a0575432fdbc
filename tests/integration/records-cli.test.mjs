// The E-Akte on the command line: `plan list --json`, `plan export` and
// `plan import` (all or nothing, "Zeile N: …"), `file create` and `case
// create` printing only the new reference, German errors naming the bad
// value with a non-zero exit, and `verify` afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeDataDir, runCli } from '../lib/server.mjs';

let data;
const cli = (sub, args = []) => runCli([...sub.split(' '), '--data', data.dir, ...args]);

before(async () => {
  data = await makeDataDir();
});
after(async () => {
  if (data && !process.env.RATHAUS_TEST_KEEP) await fsp.rm(data.parent, { recursive: true, force: true });
});

describe('plan', () => {
  test('plan list --json: the default plan as a list of objects', async () => {
    const r = await cli('plan list', ['--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.ok(Array.isArray(plan) && plan.length >= 60, `${plan.length} nodes`);
    for (const n of plan) {
      assert.equal(typeof n.code, 'string');
      assert.equal(typeof n.title, 'string');
      assert.equal(typeof n.retention_years, 'number');
      assert.match(n.archive_decision, /^[ABV]$/);
      assert.equal(typeof n.active, 'boolean');
    }
    const codes = plan.map((n) => n.code);
    // every office of the seed has its group, parents come before children
    for (const nr of ['01', '05', '06', '10', '14', '16', '20', '32', '37', '40', '50', '51', '56', '61', '62', '63', '66', '68', '70'])
      assert.ok(codes.includes(nr), `no group ${nr}`);
    for (const n of plan) if (n.parent_code) assert.ok(codes.indexOf(n.parent_code) < codes.indexOf(n.code), n.code);
    assert.ok(plan.some((n) => n.code.split('.').length === 3));
    assert.equal(plan.find((n) => n.code === '63.10').retention_years, 30); // Bauakten
    assert.equal(plan.find((n) => n.code === '10.20').retention_years, 50); // Personal
  });

  test('plan list without --json is a German table', async () => {
    const r = await cli('plan list');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Kennzeichen/);
    assert.match(r.stdout, /32\.30\.01 .*Bewohnerparkausweise/);
  });

  test('export → import round trip (CSV and JSON)', async () => {
    for (const fmt of ['csv', 'json']) {
      const r = await cli('plan export', fmt === 'json' ? ['--json'] : []);
      assert.equal(r.code, 0);
      const file = path.join(data.parent, `plan.${fmt}`);
      fs.writeFileSync(file, r.stdout);
      const imp = await cli('plan import', [file]);
      assert.equal(imp.code, 0, imp.stderr);
      assert.match(imp.stdout, /Aktenplaneinheiten aus .* übernommen/);
    }
  });

  test('a bad import changes nothing and names the line', async () => {
    const file = path.join(data.parent, 'bad.csv');
    fs.writeFileSync(file, 'code;title;retention_years;archive_decision;active\n95;Neu;10;B;1\n95.10;Neu 2;10;X;1\n');
    let r = await cli('plan import', [file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Zeile 3: Archivierungsentscheidung „X“ muss A, B oder V sein/);
    fs.writeFileSync(file, 'code;title;retention_years;archive_decision;active\n96.10;Waise;10;B;1\n');
    r = await cli('plan import', [file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Zeile 2: die übergeordnete Aktenplaneinheit „96“ fehlt/);
    fs.writeFileSync(file, 'Kennzeichen;Titel\n1;x\n');
    r = await cli('plan import', [file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Zeile 1: die erste Zeile muss die Spaltenköpfe/);
    r = await cli('plan import', [path.join(data.parent, 'fehlt.csv')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fehlt\.csv/);
    const plan = JSON.parse((await cli('plan list', ['--json'])).stdout);
    assert.ok(!plan.some((n) => n.code === '95'));
  });
});

describe('file and case', () => {
  let ref;
  test('file create prints only the Aktenzeichen', async () => {
    const r = await cli('file create', ['--plan', '63.10.01', '--office', '63', '--title', 'Bauantrag Lindenweg 12', '--parties', 'Familie Öztürk']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^63\.10\.01-\d{4}-\d{4}\n$/);
    ref = r.stdout.trim();
    const r2 = await cli('file create', ['--plan', '63.10.01', '--office', '63', '--title', 'Bauantrag Birkenweg 3']);
    const [, year, seq] = /-(\d{4})-(\d{4})$/.exec(ref);
    assert.equal(r2.stdout.trim(), `63.10.01-${year}-${String(Number(seq) + 1).padStart(4, '0')}`);
  });

  test('case create prints only the case reference', async () => {
    let r = await cli('case create', ['--file', ref, '--title', 'Bauantrag']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${ref}/1\n`);
    r = await cli('case create', ['--file', ref, '--title', 'Nachforderung']);
    assert.equal(r.stdout, `${ref}/2\n`);
  });

  test('errors are German, name the bad value and exit non-zero', async () => {
    const cases = [
      [['file create', ['--plan', '99.99', '--office', '63', '--title', 'x']], /„99\.99“ gibt es nicht/],
      [['file create', ['--plan', '63.10.01', '--office', 'dreiundsechzig', '--title', 'x']], /„dreiundsechzig“ ist keine Amtsnummer/],
      [['file create', ['--plan', '63.10.01', '--office', '4711', '--title', 'x']], /Amt 4711 gibt es nicht/],
      [['file create', ['--plan', '63.10.01', '--office', '63', '--title', ' ']], /Titel fehlt/],
      [['file create', ['--plan', '63.10.01', '--office', '63']], /--title/],
      [['case create', ['--file', '63.10.01-1900-0001', '--title', 'x']], /„63\.10\.01-1900-0001“ gibt es nicht/],
      [['file frobnicate', []], /„frobnicate“/],
      [['plan import', ['plan.txt']], /„plan\.txt“.*\.csv oder \.json/],
    ];
    for (const [[sub, args], re] of cases) {
      const r = await cli(sub, args);
      assert.notEqual(r.code, 0, `${sub} ${args.join(' ')}`);
      assert.equal(r.stdout, '', `${sub}: output on stdout`);
      assert.match(r.stderr, re, `${sub} ${args.join(' ')}: ${r.stderr}`);
    }
  });

  test('verify stays OK', async () => {
    const r = await cli('verify');
    assert.equal(r.code, 0, r.stderr);
  });
});
