// `rathaus bpmn inspect` on the 21 BPMN MIWG reference models: every file
// loads, and the per-process element counts agree with an independent count
// by XPath (xmllint --shell). The rule on both sides: every element in the
// BPMN model namespace below the process element, nothing inside a
// bpmn:extensionElements (the extensionElements element itself counts).
// Also: malformed XML is refused with line and column, and a missing file or
// a file that is not BPMN gives a German message naming it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, runCli } from '../lib/server.mjs';

const MIWG = path.join(ROOT, '..', 'shared', 'data', 'bpmn-miwg');
const M = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const files = fs.existsSync(MIWG) ? fs.readdirSync(MIWG).filter((f) => f.endsWith('.bpmn')).sort() : [];

/** Runs XPath expressions in one `xmllint --shell FILE`; resolves their values in order. */
function xpath(file, exprs) {
  return new Promise((resolve, reject) => {
    const child = spawn('xmllint', ['--shell', file], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`xmllint ${file}: exit ${code}\n${err}`));
      const values = [...out.matchAll(/Object is an? (number|string) : ?(.*)/g)].map((m) =>
        m[1] === 'number' ? Number(m[2]) : m[2],
      );
      if (values.length !== exprs.length)
        return reject(new Error(`xmllint ${file}: ${values.length} results for ${exprs.length} expressions\n${out}${err}`));
      resolve(values);
    });
    child.stdin.end(exprs.map((e) => `xpath ${e}\n`).join(''));
  });
}

/** An XPath string literal (XPath 1.0 has no escapes: pick the other quote). */
const lit = (v) => (v.includes("'") ? `"${v}"` : `'${v}'`);
const processPath = (k) => `/*/*[local-name()='process' and namespace-uri()='${M}'][${k}]`;
const below = (k) =>
  `${processPath(k)}//*[namespace-uri()='${M}' and not(ancestor::*[local-name()='extensionElements' and namespace-uri()='${M}'])]`;

describe('bpmn inspect on the MIWG reference models', () => {
  test('all 21 reference models are there', () => {
    assert.equal(files.length, 21, `${MIWG}: ${files.join(' ')}`);
  });

  for (const f of files) {
    test(`${f}: counts per process agree with XPath`, async () => {
      const file = path.join(MIWG, f);
      const r = await runCli(['bpmn', 'inspect', file, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(got), ['processes']);
      const [nproc] = await xpath(file, [`count(/*/*[local-name()='process' and namespace-uri()='${M}'])`]);
      assert.equal(got.processes.length, nproc, 'number of processes');
      for (let k = 1; k <= got.processes.length; k++) {
        const p = got.processes[k - 1];
        assert.deepEqual(Object.keys(p), ['id', 'name', 'elements']);
        const names = Object.keys(p.elements);
        // the total, the id and the name (as counts: the shell cuts long
        // strings), then one count per reported local name: equal counts per
        // name and an equal total mean no name is missing from the answer
        const exprs = [
          `count(${below(k)})`,
          `count(${processPath(k)}[@id=${lit(p.id)}])`,
          `count(${processPath(k)}[@name=${lit(p.name)} or (not(@name) and ${lit(p.name)}='')])`,
        ];
        for (const n of names) exprs.push(`count(${below(k)}[local-name()='${n}'])`);
        const [total, idOk, nameOk, ...counts] = await xpath(file, exprs);
        assert.equal(idOk, 1, `process ${k}: id ${p.id}`);
        assert.equal(nameOk, 1, `process ${k}: name ${p.name}`);
        const sum = Object.values(p.elements).reduce((a, b) => a + b, 0);
        assert.equal(sum, total, `${p.id}: total of all element counts`);
        const want = Object.fromEntries(names.map((n, i) => [n, counts[i]]));
        assert.deepEqual(p.elements, want, p.id);
        assert.ok(names.every((n) => p.elements[n] > 0));
      }
    });
  }

  test('the plain form is a German table per process', async () => {
    const r = await runCli(['bpmn', 'inspect', path.join(MIWG, 'A.2.0.bpmn')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Prozess .*\(WFP-6-\)\n {2}Elementtyp +Anzahl\n/);
    assert.match(r.stdout, /\n {2}exclusiveGateway +2\n/);
    assert.match(r.stdout, /\n {2}Summe +\d+\n$/);
  });
});

describe('bpmn inspect refuses bad input', () => {
  let dir;
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'rathaus-bpmn-'));
  });
  after(async () => {
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  test('malformed XML: file, line and column', async () => {
    const file = path.join(dir, 'kaputt.bpmn');
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<definitions xmlns="${M}">\n  <process id="p">\n    <task id="t">\n  </process>\n</definitions>\n`);
    const r = await runCli(['bpmn', 'inspect', file, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /kaputt\.bpmn: Zeile 5, Spalte \d+: kein wohlgeformtes XML/);
  });

  test('a DOCTYPE (entities) is refused', async () => {
    const file = path.join(dir, 'entity.bpmn');
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>\n<definitions xmlns="${M}"><process id="p" name="&a;"/></definitions>\n`);
    const r = await runCli(['bpmn', 'inspect', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /entity\.bpmn: Zeile 2, Spalte \d+: DOCTYPE/);
  });

  test('not BPMN, missing file', async () => {
    const file = path.join(dir, 'fremd.xml');
    fs.writeFileSync(file, '<definitions xmlns="urn:fremd"/>');
    let r = await runCli(['bpmn', 'inspect', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fremd\.xml: keine BPMN-2\.0-Datei/);
    r = await runCli(['bpmn', 'inspect', path.join(dir, 'fehlt.bpmn')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fehlt\.bpmn: Datei kann nicht gelesen werden: nicht vorhanden/);
  });
});
