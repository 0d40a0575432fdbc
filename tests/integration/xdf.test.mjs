// `rathaus forms import-xdf` on every XDatenfelder sample in
// ../shared/data/xdatenfelder (2.0 and 3.0.0) and on tests/data/xdf: valid
// files exit 0 with a form whose fields agree with an independent count by
// XPath (xmllint --shell: every datenfeld of Feldart input or select is one
// field, with bezeichnungEingabe or else name as its label), and every rule of
// the file is either carried over or named in the report; the invalid samples
// (their names say what is wrong) exit 1 naming file, line, column and reason;
// the valid ones without any input field exit 1 saying so. Exit 0 also means
// the form engine (form_def_parse) accepted the form: the import runs it and
// refuses to hand out a definition the engine would not take.
// Also: malformed XML gives line and column, a DOCTYPE, a foreign file, an
// unsupported message, an empty or missing file are refused in German, and
// --output / --json-report do what they say.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, runCli } from '../lib/server.mjs';

// ../shared beside the repository (a worktree under wt/ looks two levels up).
const SAMPLES = [path.join(ROOT, '..', 'shared'), path.join(ROOT, '..', '..', 'shared')]
  .map((d) => path.join(d, 'data', 'xdatenfelder'))
  .find((d) => fs.existsSync(d)) ?? path.join(ROOT, '..', 'shared', 'data', 'xdatenfelder');
const OWN = path.join(ROOT, 'tests', 'data', 'xdf');

const list = (dir) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort() : [];
const samples = ['v2-data', 'v3-data'].flatMap((d) => list(path.join(SAMPLES, d)).map((f) => `${d}/${f}`));

// The invalid samples and the reason the import must name (line as in the file).
const INVALID = {
  'v2-data/duplicate-optional-value.xml': /Zeile 15, Spalte \d+: das Element <xdf:beschreibung> steht doppelt in <xdf:stammdatenschema>/,
  'v2-data/duplicate-required-value.xml': /Zeile 13, Spalte \d+: das Element <xdf:name> steht doppelt in <xdf:stammdatenschema>/,
  'v2-data/unknown-namespace.xml': /Zeile 2, Spalte \d+: unbekannter XDatenfelder-Namensraum „urn:xoev-de:fim:standard:xdatenfelder_unknown“/,
  'v3-data/duplicate-id-node.xml': /Zeile 11, Spalte \d+: das Element <xdf:id> steht doppelt in <xdf:identifikation>/,
  'v3-data/empty-id-node.xml': /Zeile 10, Spalte \d+: das Element <xdf:id> ist leer/,
  'v3-data/missing-id-node.xml': /Zeile 9, Spalte \d+: in <xdf:identifikation> fehlt das Element <xdf:id>/,
  'v3-data/unexpected-node.xml': /Zeile 11, Spalte \d+: unerwartetes Element <xdf:unknown> in <xdf:identifikation>/,
  'v3-data/invalid-freigabestatus.xml': /Zeile 18, Spalte \d+: ungültiger Wert „10“ in <xdf:freigabestatus> \(erlaubt: 1 bis 8\)/,
  'v3-data/unknown-namespace.xml': /Zeile 3, Spalte \d+: unbekannter XDatenfelder-Namensraum/,
};

// Valid XDatenfelder without a single input field: no form can come of them
// (the engine wants at least one step), so they are refused for that reason,
// with what they do contain listed below the message.
const EMPTY = ['v2-data/data-group-rule.xml', 'v2-data/label.xml', 'v2-data/minimal.xml', 'v2-data/rule.xml'];

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
      // the shell writes non-ASCII bytes as #XX
      const utf8 = (v) => v.replace(/(#[0-9A-F]{2})+/g, (h) => Buffer.from(h.replaceAll('#', ''), 'hex').toString('utf8'));
      const values = [...out.matchAll(/Object is an? (number|string) : ?(.*)/g)].map((m) =>
        m[1] === 'number' ? Number(m[2]) : utf8(m[2]),
      );
      if (values.length !== exprs.length)
        return reject(new Error(`xmllint ${file}: ${values.length} results for ${exprs.length} expressions\n${out}${err}`));
      resolve(values);
    });
    child.stdin.end(exprs.map((e) => `xpath ${e}\n`).join(''));
  });
}

const el = (name) => `*[local-name()='${name}']`;
const INPUT_FIELDS = `//${el('datenfeld')}[${el('feldart')}/code[normalize-space()='input' or normalize-space()='select']]`;
const RULE_IDS = `//${el('regel')}/${el('identifikation')}/${el('id')}`;

/** Fields, labels and rule ids of an XDatenfelder file, counted by XPath. */
async function countByXPath(file) {
  const [n, r] = await xpath(file, [`count(${INPUT_FIELDS})`, `count(${RULE_IDS})`]);
  const exprs = [];
  for (let k = 1; k <= n; k++) {
    exprs.push(`normalize-space((${INPUT_FIELDS})[${k}]/${el('bezeichnungEingabe')})`);
    exprs.push(`normalize-space((${INPUT_FIELDS})[${k}]/${el('name')})`);
  }
  for (let k = 1; k <= r; k++) exprs.push(`normalize-space((${RULE_IDS})[${k}])`);
  const v = exprs.length ? await xpath(file, exprs) : [];
  const labels = [];
  for (let k = 0; k < n; k++) labels.push(v[2 * k] || v[2 * k + 1]);
  const rules = [...new Set(v.slice(2 * n))];
  return { fields: n, labels: labels.sort(), rules };
}

function formFields(form) {
  const out = [];
  for (const s of form.steps) for (const g of s.groups) for (const f of g.fields) out.push(f);
  return out;
}

/** Checks the shape docs/formulare.md gives a form. */
function assertFormShape(form) {
  assert.deepEqual(Object.keys(form).sort(), ['rules', 'steps']);
  const ids = new Set();
  const seen = (id) => {
    assert.match(id, /^[a-z0-9_]{1,64}$/, `id ${id}`);
    assert.ok(!ids.has(id), `id ${id} twice`);
    ids.add(id);
  };
  const types = new Set(['text', 'textarea', 'number', 'date', 'email', 'phone', 'iban', 'postcode',
    'select', 'radio', 'checkbox', 'yesno', 'file']);
  for (const s of form.steps) {
    seen(s.id);
    assert.ok(s.title.length > 0);
    assert.ok(s.groups.length > 0, `step ${s.id} without groups`);
    for (const g of s.groups) {
      seen(g.id);
      assert.ok(g.legend.length > 0);
      assert.ok(g.fields.length > 0, `group ${g.id} without fields`);
      if (g.repeat) assert.ok(g.repeat.min <= g.repeat.max && g.repeat.max <= 50);
      for (const f of g.fields) {
        seen(f.id);
        assert.ok(types.has(f.type), `type ${f.type}`);
        assert.ok(f.label.length > 0);
        assert.equal(typeof f.required, 'boolean');
        if (f.type === 'select' || f.type === 'radio') assert.ok(f.options.length > 0);
      }
    }
  }
  for (const r of form.rules) {
    assert.ok(['before', 'not_after', 'required_if'].includes(r.type));
    assert.ok(ids.has(r.a) && ids.has(r.b), `rule over unknown fields ${r.a} ${r.b}`);
  }
}

let tmp;
before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'rathaus-xdf-'));
});
after(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('forms import-xdf on the XDatenfelder samples', () => {
  test('the samples are there (10 × 2.0, 8 × 3.0.0) and every invalid or empty one is known', () => {
    assert.equal(samples.filter((s) => s.startsWith('v2-data/')).length, 10, samples.join(' '));
    assert.equal(samples.filter((s) => s.startsWith('v3-data/')).length, 8, samples.join(' '));
    for (const f of [...Object.keys(INVALID), ...EMPTY]) assert.ok(samples.includes(f), f);
  });

  for (const s of samples) {
    const file = path.join(SAMPLES, s);
    if (INVALID[s]) {
      test(`${s} is refused with its reason`, async () => {
        const r = await runCli(['forms', 'import-xdf', file]);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stdout, '');
        assert.ok(r.stderr.startsWith(`rathaus forms import-xdf: ${file}: Zeile `), r.stderr);
        assert.match(r.stderr, INVALID[s]);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      });
      continue;
    }
    if (EMPTY.includes(s)) {
      test(`${s} has no input field (XPath) and is refused for that reason`, async () => {
        const want = await countByXPath(file);
        assert.equal(want.fields, 0);
        const r = await runCli(['forms', 'import-xdf', file]);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stdout, '');
        assert.ok(r.stderr.startsWith(`rathaus forms import-xdf: ${file}: die Datei enthält keine übertragbaren Datenfelder, daraus entsteht kein Formular\n`), r.stderr);
        for (const id of want.rules) assert.match(r.stderr, new RegExp(`\\n  Zeile \\d+: Regel ${id} \\(`));
      });
      continue;
    }
    test(`${s}: fields and labels agree with XPath, every rule accounted for`, async () => {
      const r = await runCli(['forms', 'import-xdf', file, '--json-report']);
      assert.equal(r.code, 0, r.stderr);
      const form = JSON.parse(r.stdout);
      const report = JSON.parse(r.stderr);
      assertFormShape(form);
      const want = await countByXPath(file);
      const fields = formFields(form);
      assert.equal(fields.length, want.fields);
      assert.deepEqual(fields.map((f) => f.label).sort(), want.labels);
      assert.equal(report.counts.fields, want.fields);
      assert.match(report.standard, s.startsWith('v2') ? /^XDatenfelder 2\.0$/ : /^XDatenfelder 3\.0\.0$/);
      const unmappedRules = report.unmapped.filter((u) => /^Regel /.test(u.message)).map((u) => u.element);
      assert.equal(unmappedRules.length + form.rules.length, want.rules.length);
      for (const id of unmappedRules) assert.ok(want.rules.includes(id), id);
      for (const u of report.unmapped) {
        assert.equal(typeof u.line, 'number');
        assert.ok(u.message.length > 10);
      }
    });
  }

  test('what the samples leave out is named: rules, code lists, static text, empty schemas', async () => {
    const run = async (s) => {
      const r = await runCli(['forms', 'import-xdf', path.join(SAMPLES, s)]);
      assert.equal(r.code, EMPTY.includes(s) ? 1 : 0, r.stderr);
      return r.stderr;
    };
    assert.match(await run('v2-data/rule.xml'), /Zeile 30: Regel R60000037 \(MindestEineAngabe\) nicht übertragen: .*„function script\(\) \{\}“/);
    assert.match(await run('v2-data/data-field-rule.xml'), /Regel R60000037 \(MindestEineAngabe\) nicht übertragen/);
    assert.match(await run('v2-data/data-group-rule.xml'), /Regel R60000037 \(MindestEineAngabe\) nicht übertragen/);
    assert.match(await run('v2-data/select.xml'), /select\.xml:34: Feld F123 \(Hinweis\): Codeliste urn:de:example, Version 1 ist nicht in der Datei enthalten, als Textfeld übernommen/);
    assert.match(await run('v2-data/label.xml'), /Feld F123 \(Hinweis\): statischer Text \(Feldart label\)/);
    assert.match(await run('v2-data/minimal.xml'), /minimal\.xml: die Datei enthält keine übertragbaren Datenfelder, daraus entsteht kein Formular\n$/);
    assert.match(await run('v2-data/data-field-rule.xml'), /data-field-rule\.xml:60: Regel R60000037/);
    assert.match(await run('v3-data/simple.xml'), /Regel R60000000019 \(Anschrift Inland Straßenanschrift \/ Anschrift Inland Postfachanschrift\) nicht übertragen: Freitext „Es muss entweder Feldgruppe G60000086/);
    assert.match(await run('v3-data/input.xml'), /Element <xdf:inhalt> steht doppelt in <xdf:datenfeld>: die leere Angabe in Zeile 57 wurde übergangen/);
  });

  test('v2 simple.xml maps group, label, help, required and length', async () => {
    const r = await runCli(['forms', 'import-xdf', path.join(SAMPLES, 'v2-data/simple.xml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      steps: [{
        id: 'schritt_g00000082', title: 'Natürliche Person',
        groups: [{
          id: 'g00000082', legend: 'Natürliche Person',
          fields: [{ id: 'f60000227', type: 'text', label: 'Familienname', min: 1, max: 120, help: 'Hilfe Eingabe', required: true }],
        }],
      }],
      rules: [],
    });
  });

  test('v3 simple.xml: the optional group 0:1 becomes a repeat of 0 to 1 entries', async () => {
    const r = await runCli(['forms', 'import-xdf', path.join(SAMPLES, 'v3-data/simple.xml')]);
    assert.equal(r.code, 0, r.stderr);
    const g = JSON.parse(r.stdout).steps[0].groups[0];
    assert.equal(g.legend, 'Straßenanschrift');
    assert.deepEqual(g.repeat, { min: 0, max: 1, item: 'Straßenanschrift' });
    assert.deepEqual(g.fields[0], { id: 'f60000000243', type: 'text', label: 'Straße', min: 1, max: 55, help: 'Geben Sie an, wie die Straße heißt.', required: true });
  });
});

describe('forms import-xdf on tests/data/xdf', () => {
  for (const f of list(OWN)) {
    test(`${f}: fields and labels agree with XPath`, async () => {
      const file = path.join(OWN, f);
      const r = await runCli(['forms', 'import-xdf', file, '--json-report']);
      assert.equal(r.code, 0, r.stderr);
      const form = JSON.parse(r.stdout);
      assertFormShape(form);
      const want = await countByXPath(file);
      assert.equal(formFields(form).length, want.fields);
      assert.deepEqual(formFields(form).map((x) => x.label).sort(), want.labels);
    });
  }

  test('antrag-v3.xml: every mapping rule of the documentation', async () => {
    const r = await runCli(['forms', 'import-xdf', path.join(OWN, 'antrag-v3.xml'), '--json-report']);
    assert.equal(r.code, 0, r.stderr);
    const form = JSON.parse(r.stdout);
    const report = JSON.parse(r.stderr);
    const byId = Object.fromEntries(formFields(form).map((f) => [f.id, f]));
    // steps: one per top-level group, then the top-level fields
    assert.deepEqual(form.steps.map((s) => s.title), ['Angaben zu Ihrer Person', 'Ihr Vorhaben', 'Antrag auf Testleistung']);
    // types, limits, pattern, help
    assert.deepEqual(byId.f99000010, {
      id: 'f99000010', type: 'text', label: 'Vorname', min: 1, max: 50,
      pattern: '^([A-Za-z[:space:]-]+)$', pattern_message: 'Bitte prüfen Sie das Format Ihrer Angabe.',
      help: 'Alle Vornamen.', required: true,
    });
    assert.equal(byId.f99000011.type, 'email');
    assert.equal(byId.f99000011.required, false);
    assert.deepEqual([byId.f99000012.type, byId.f99000012.step, byId.f99000012.min, byId.f99000012.max], ['number', 1, 0, 20]);
    assert.deepEqual([byId.f99000013.type, byId.f99000013.min], ['date', '1900-01-01']);
    assert.equal(byId.f99000010_2.label, 'Vorname des Kindes'); // the same field twice: ids stay unique
    assert.equal(byId.f99000031.type, 'radio');
    assert.deepEqual(byId.f99000031.options.map((o) => o.value), ['privat', 'gewerblich', 'verein']);
    assert.equal(byId.f99000032.type, 'select');
    assert.equal(byId.f99000032.options.length, 5);
    assert.equal(byId.f99000033.type, 'yesno');
    assert.deepEqual([byId.f99000034.type, byId.f99000034.accept, byId.f99000034.max_bytes], ['file', ['application/pdf', 'image/png'], 5000000]);
    assert.deepEqual([byId.f99000036.type, byId.f99000036.step], ['number', 0.01]);
    assert.equal(byId.f99000040.type, 'textarea');
    assert.equal(byId.f99000040.pattern, undefined);
    assert.equal(byId.f99000035, undefined); // hidden
    // groups: the repeating group keeps its nested group's fields, the file list repeats
    const groups = Object.fromEntries(form.steps.flatMap((s) => s.groups).map((g) => [g.id, g]));
    assert.deepEqual(groups.g99000002.repeat, { min: 0, max: 50, item: 'Kinder' });
    assert.deepEqual(groups.g99000002.fields.map((f) => f.id), ['f99000010_2', 'f99000013']);
    assert.deepEqual(groups.f99000034_liste.repeat, { min: 0, max: 3, item: 'Lageplan' });
    assert.equal(groups.g99000004.help, 'Beschreiben Sie Ihr Vorhaben möglichst genau.');
    assert.deepEqual(groups.g99000006.fields.map((f) => f.id), ['f99000036']);
    // rules: the comparison is carried over, the free text is reported
    assert.deepEqual(form.rules, [{ type: 'before', a: 'f99000020', b: 'f99000021', message: 'Der Beginn muss vor dem Ende liegen.' }]);
    const msgs = report.unmapped.map((u) => u.message).join('\n');
    assert.match(msgs, /Regel R99000002 \(Mindestens eine Angabe\) nicht übertragen: Freitext „Es muss mindestens eine Telefonnummer/);
    assert.match(msgs, /Gruppe G99000003 \(Geburt\) in der wiederholbaren Gruppe G99000002 \(Kinder\)/);
    assert.match(msgs, /Gruppe G99000006 \(Kostenschätzung\) in Gruppe G99000005 \(Kosten\): als eigene Gruppe/);
    assert.match(msgs, /Feld F99000035 \(Vorgangsnummer\) nicht übertragen: Feldart hidden/);
    assert.match(msgs, /Feld F99000034 \(Lageplan\): wiederholbar \(Anzahl 0:3\)/);
    assert.match(msgs, /Muster „\\p\{L\}\+“ nicht übertragen/);
    assert.deepEqual(report.counts, { steps: 3, groups: 6, fields: 13, rules: 1 });
    const lines = report.unmapped.map((u) => u.line).filter((l) => l > 0);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  });
});

describe('forms import-xdf refuses what is not XDatenfelder', () => {
  const write = async (name, text) => {
    const p = path.join(tmp, name);
    await fsp.writeFile(p, text);
    return p;
  };

  test('malformed XML: line and column', async () => {
    const p = await write('kaputt.xml', '<?xml version="1.0"?>\n<a>\n  <b>\n</a>\n');
    const r = await runCli(['forms', 'import-xdf', p]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^rathaus forms import-xdf: ${p}: Zeile 4, Spalte \\d+: kein wohlgeformtes XML \\(`));
  });

  test('a DOCTYPE (entities) is refused before anything expands', async () => {
    const p = await write('doctype.xml', '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "ee">]>\n<x>&e;</x>\n');
    const r = await runCli(['forms', 'import-xdf', p]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Zeile 2, Spalte \d+: DOCTYPE-Deklarationen sind in XDatenfelder-Dateien nicht erlaubt/);
  });

  test('another XML vocabulary, another XDatenfelder message, empty and missing files', async () => {
    let r = await runCli(['forms', 'import-xdf', await write('bpmn.xml', '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /keine XDatenfelder-Datei: das Wurzelelement <definitions> steht im Namensraum „http:\/\/www.omg.org\/spec\/BPMN\/20100524\/MODEL“/);
    r = await runCli(['forms', 'import-xdf', await write('cl.xml', '<x:xdatenfelder.codeliste.0105 xmlns:x="urn:xoev-de:fim:standard:xdatenfelder_2"/>')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /die Nachricht <x:xdatenfelder.codeliste.0105> enthält kein Formular/);
    r = await runCli(['forms', 'import-xdf', await write('leer.xml', '')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /leer\.xml: die Datei ist leer/);
    r = await runCli(['forms', 'import-xdf', path.join(tmp, 'fehlt.xml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fehlt\.xml: Datei kann nicht gelesen werden: nicht vorhanden/);
    r = await runCli(['forms', 'import-xdf']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /erwartet genau eine Datei/);
  });

  test('a missing anzahl, a bad anzahl and a struktur with two elements are refused', async () => {
    const base = fs.readFileSync(path.join(SAMPLES, 'v2-data/simple.xml'), 'utf8');
    let r = await runCli(['forms', 'import-xdf', await write('a1.xml', base.replace('<xdf:anzahl>1:1</xdf:anzahl>', '<xdf:anzahl>eins</xdf:anzahl>'))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Zeile 53, Spalte \d+: ungültige Anzahl „eins“ in <xdf:anzahl>/);
    r = await runCli(['forms', 'import-xdf', await write('a2.xml', base.replace('<xdf:anzahl>1:1</xdf:anzahl>', ''))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /in <xdf:struktur> fehlt das Element <xdf:anzahl>/);
    const field = base.slice(base.indexOf('<xdf:datenfeld>'), base.indexOf('</xdf:datenfeld>') + '</xdf:datenfeld>'.length);
    const two = base.replace(/(<\/xdf:datenfeldgruppe>)(\s*<\/xdf:enthaelt>\s*<\/xdf:struktur>\s*<\/xdf:stammdatenschema>)/, `$1${field}$2`);
    assert.notEqual(two, base);
    r = await runCli(['forms', 'import-xdf', await write('a5.xml', two)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /<xdf:enthaelt> muss genau ein Datenfeld oder eine Datenfeldgruppe enthalten, nicht 2/);
    r = await runCli(['forms', 'import-xdf', await write('a3.xml', base.replace('<xdf:datentyp listURI', '<xdf:datentyp listURIx'))]);
    assert.equal(r.code, 0, r.stderr); // attributes are not checked
    r = await runCli(['forms', 'import-xdf', await write('a4.xml', base.replace('<code>input</code>', '<code>slider</code>'))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ungültiger Wert „slider“ in <xdf:feldart> \(erlaubt: input, select, label\)/);
  });
});

describe('forms import-xdf output options', () => {
  test('--output writes the same form atomically and keeps stdout empty; the report stays on stderr', async () => {
    const file = path.join(SAMPLES, 'v2-data/simple.xml');
    const out = path.join(tmp, 'form.json');
    const r = await runCli(['forms', 'import-xdf', file, '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /simple\.xml: XDatenfelder 2\.0 „Test“ \(T1234\): 1 Schritt, 1 Gruppe, 1 Feld, 0 Regeln übernommen; 1 Hinweis\n/);
    const plain = await runCli(['forms', 'import-xdf', file]);
    assert.deepEqual(JSON.parse(await fsp.readFile(out, 'utf8')), JSON.parse(plain.stdout));
    assert.deepEqual((await fsp.readdir(tmp)).filter((f) => f.includes('.tmp.')), []);
  });

  test('--output into a missing directory fails without a partial file', async () => {
    const r = await runCli(['forms', 'import-xdf', path.join(SAMPLES, 'v2-data/simple.xml'), '--output', path.join(tmp, 'nein', 'form.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nein\/form\.json: kann nicht geschrieben werden/);
  });

  test('help is German', async () => {
    const r = await runCli(['forms', 'import-xdf', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Aufruf: rathaus forms import-xdf DATEI/);
    const top = await runCli(['--help']);
    assert.match(top.stdout, /forms\s+Formulare: import-xdf/);
  });
});
