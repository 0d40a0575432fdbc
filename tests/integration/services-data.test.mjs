// The shipped service catalogue (data/services/*.json): every definition is
// complete and consistent with docs/formulare.md, names an existing office and
// plan node, and its BPMN process deploys into a fresh data directory with the
// notice templates it uses present; exactly the 20 services of issue 5.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, makeDataDir, runCli } from '../lib/server.mjs';

const SERVICES = path.join(ROOT, 'data', 'services');
const BPMN = path.join(ROOT, 'data', 'bpmn');
const NOTICES = path.join(ROOT, 'data', 'notices');

const KEYS = {
  slug: 'string', name: 'string', leika: 'string', topic: 'string', description: 'string',
  legal_basis: 'string', office: 'number', plan_code: 'string', file_per: 'string', fee: 'string',
  evidence: 'array', processing_days: 'number', ozg_level: 'number', process: 'string', form: 'object',
};
const TYPES = new Set(['text', 'textarea', 'number', 'date', 'email', 'phone', 'iban', 'postcode',
  'select', 'radio', 'checkbox', 'yesno', 'file']);
const RULES = new Set(['before', 'not_after', 'required_if']);
const ID_RE = /^[a-z0-9_]{1,64}$/;
// Case variables the engine or the templates use themselves, and the
// keywords of the condition language: no form or task field may take them.
const RESERVED = new Set(['case', 'date', 'bemerkung', 'wiedervorlage', 'notice_document', 'and', 'or', 'not',
  'true', 'false']);
const TASK_ID_RE = /^[a-z_][a-z0-9_]{0,63}$/;
const TASK_TYPES = new Set(['text', 'textarea', 'number', 'date', 'select', 'yesno']);
const EXPECTED_LEIKA = {
  bewohnerparkausweis: '99108001001000',
  'hundesteuer-anmeldung': '99102013104000',
  'hundesteuer-abmeldung': '99102013070000',
  gewerbeanmeldung: '99050012104000',
  fuehrungszeugnis: '99049001001000',
  wohngeld: '99107023037000',
  wohnberechtigungsschein: '99107022012000',
  geburtsurkunde: '99027002012000',
};
// Services of issue 5 without a verified key: their LeiKa stays empty.
const WITHOUT_LEIKA = ['gewerbeummeldung', 'gewerbeabmeldung', 'sondernutzungserlaubnis',
  'sperrmuellanmeldung', 'meldebescheinigung', 'kita-platz-anmeldung', 'bauantrag',
  'veranstaltungsanzeige', 'fundsache', 'maengelmelder', 'eheschliessung',
  'informationszugang'];

function csv(file) {
  const [head, ...rows] = fs.readFileSync(path.join(ROOT, 'data', file), 'utf8').trim().split('\n');
  const cols = head.split(';');
  return rows.map((r) => Object.fromEntries(r.split(';').map((v, i) => [cols[i], v])));
}
const units = new Set(csv('units.csv').map((r) => Number(r.nr)));
const plan = new Set(csv('aktenplan.csv').map((r) => r.code));

const files = fs.readdirSync(SERVICES).filter((f) => f.endsWith('.json')).sort();
const services = files.map((f) => ({ file: f, def: JSON.parse(fs.readFileSync(path.join(SERVICES, f), 'utf8')) }));

/** Walks a form: yields {field, group, step} for every field. */
function* fieldsOf(form) {
  for (const step of form.steps) for (const group of step.groups) for (const field of group.fields) yield { field, group, step };
}

/** The task-form fields of a BPMN model (rathaus:field): [{id, type}]. */
function taskFields(xml) {
  return [...xml.matchAll(/<rathaus:field\b([^>]*)>/g)].map((m) => ({
    id: /\bid="([^"]+)"/.exec(m[1])?.[1],
    type: /\btype="([^"]+)"/.exec(m[1])?.[1],
  }));
}

const parents = [];
after(async () => {
  for (const p of parents) await fsp.rm(p, { recursive: true, force: true });
});

describe('service catalogue', () => {
  test('exactly the 20 services of issue 5, with the listed LeiKa keys', () => {
    assert.equal(files.length, 20, files.join(', '));
    const bySlug = Object.fromEntries(services.map((s) => [s.def.slug, s.def]));
    for (const [slug, leika] of Object.entries(EXPECTED_LEIKA)) assert.equal(bySlug[slug]?.leika, leika, slug);
    for (const slug of WITHOUT_LEIKA) assert.equal(bySlug[slug]?.leika, '', slug);
  });

  for (const { file, def } of services) {
    describe(file, () => {
      test('catalogue entry', () => {
        for (const [k, t] of Object.entries(KEYS)) {
          const v = def[k];
          const ok = t === 'array' ? Array.isArray(v) : t === 'object' ? v && typeof v === 'object' && !Array.isArray(v) : typeof v === t;
          assert.ok(ok, `${k} fehlt oder ist kein ${t}`);
        }
        assert.equal(`${def.slug}.json`, file);
        assert.match(def.slug, /^[a-z0-9-]+$/);
        assert.match(def.leika, /^([0-9]{14})?$/);
        assert.ok(units.has(def.office), `Amt ${def.office} fehlt in data/units.csv`);
        assert.ok(plan.has(def.plan_code), `Aktenplan-Knoten ${def.plan_code} fehlt`);
        const group = def.plan_code.split('.')[0];
        assert.equal(Number(group), def.office, 'Aktenplan-Knoten liegt nicht in der Gruppe des Amts');
        assert.ok(['applicant', 'service_year'].includes(def.file_per));
        assert.ok([3, 4].includes(def.ozg_level));
        assert.ok(Number.isInteger(def.processing_days) && def.processing_days > 0);
        assert.ok(def.evidence.every((e) => typeof e === 'string' && e.length));
        for (const k of ['name', 'topic', 'description', 'legal_basis', 'fee']) assert.ok(def[k].trim().length, k);
        assert.equal(def.process, `services/${def.slug}.bpmn`);
      });

      test('form definition', () => {
        const form = def.form;
        assert.ok(Array.isArray(form.steps) && form.steps.length >= 2 && form.steps.length <= 4, 'zwei bis vier Schritte');
        const ids = new Set();
        const fieldIds = new Map();
        const claim = (id, what) => {
          assert.match(id, ID_RE, `${what} ${id}`);
          assert.ok(!ids.has(id), `doppelte id ${id}`);
          ids.add(id);
        };
        for (const step of form.steps) {
          claim(step.id, 'Schritt');
          assert.ok(step.title, `Schritt ${step.id} ohne Titel`);
          assert.ok(step.groups.length, `Schritt ${step.id} ohne Gruppen`);
          for (const group of step.groups) {
            claim(group.id, 'Gruppe');
            assert.ok(group.legend, `Gruppe ${group.id} ohne legend`);
            assert.ok(group.fields.length, `Gruppe ${group.id} ohne Felder`);
            if (group.repeat) {
              const { min, max, item } = group.repeat;
              assert.ok(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && min <= max && max <= 50, group.id);
              assert.ok(item, `Gruppe ${group.id}: repeat.item fehlt`);
            }
          }
        }
        for (const { field, group } of fieldsOf(form)) {
          claim(field.id, 'Feld');
          assert.ok(!RESERVED.has(field.id), `Feld ${field.id}: reservierter Name`);
          fieldIds.set(field.id, { field, group });
          assert.ok(TYPES.has(field.type), `Feld ${field.id}: Typ ${field.type}`);
          assert.ok(field.label, `Feld ${field.id} ohne label`);
          if (['select', 'radio'].includes(field.type)) assert.ok(field.options?.length >= 2, `Feld ${field.id}: options`);
          if (field.options) {
            assert.ok(['select', 'radio', 'checkbox'].includes(field.type), `Feld ${field.id}: options bei ${field.type}`);
            const vals = field.options.map((o) => o.value);
            assert.equal(new Set(vals).size, vals.length, `Feld ${field.id}: doppelte Werte`);
            for (const o of field.options) assert.ok(typeof o.value === 'string' && o.value && o.label, `Feld ${field.id}: option`);
          }
          if (field.type === 'file') {
            assert.ok(Array.isArray(field.accept) && field.accept.length, `Feld ${field.id}: accept`);
            assert.ok(Number.isInteger(field.max_bytes) && field.max_bytes > 0, `Feld ${field.id}: max_bytes`);
          }
          if (field.pattern) assert.doesNotThrow(() => new RegExp(field.pattern), field.id);
          if (field.min !== undefined && field.max !== undefined && typeof field.min === 'number')
            assert.ok(field.min <= field.max, `Feld ${field.id}: min > max`);
        }
        const checkCond = (cond, where, group) => {
          assert.ok(cond.field, `${where}: show_if.field fehlt`);
          const target = fieldIds.get(cond.field);
          assert.ok(target, `${where}: show_if auf unbekanntes Feld ${cond.field}`);
          assert.ok(('equals' in cond) !== ('in' in cond), `${where}: genau eines von equals/in`);
          const values = 'in' in cond ? cond.in : [cond.equals];
          assert.ok(values.length, where);
          if (target.field.options)
            for (const v of values) assert.ok(target.field.options.some((o) => o.value === v), `${where}: Wert ${v} nicht in den options von ${cond.field}`);
          if (target.field.type === 'yesno') for (const v of values) assert.equal(typeof v, 'boolean', where);
          if (target.group.repeat) assert.equal(target.group, group, `${where}: Feld einer anderen wiederholbaren Gruppe`);
        };
        for (const step of form.steps)
          for (const group of step.groups) {
            if (group.show_if) checkCond(group.show_if, `Gruppe ${group.id}`, group);
            for (const field of group.fields) if (field.show_if) checkCond(field.show_if, `Feld ${field.id}`, group);
          }
        for (const rule of form.rules ?? []) {
          assert.ok(RULES.has(rule.type), `Regel ${rule.type}`);
          assert.ok(fieldIds.has(rule.a), `Regel: Feld ${rule.a} unbekannt`);
          assert.ok(fieldIds.has(rule.b), `Regel: Feld ${rule.b} unbekannt`);
          assert.ok(rule.message, 'Regel ohne message');
          if (rule.type === 'required_if') assert.ok('equals' in rule, 'required_if ohne equals');
          else for (const k of ['a', 'b']) assert.ok(['date', 'number'].includes(fieldIds.get(rule[k]).field.type), `Regel ${rule.type}: ${rule[k]} ist kein Datum und keine Zahl`);
        }
      });

      test('process model and notice templates', () => {
        const file = path.join(BPMN, def.process);
        assert.ok(fs.existsSync(file), `${def.process} fehlt`);
        const xml = fs.readFileSync(file, 'utf8');
        const templates = [...xml.matchAll(/rathaus:template="([^"]+)"/g)].map((m) => m[1]);
        assert.ok(templates.includes(def.slug), `kein render_notice mit rathaus:template="${def.slug}"`);
        assert.ok(fs.existsSync(path.join(NOTICES, `${def.slug}.txt`)), 'Bescheidvorlage fehlt');
        const formIds = new Set([...fieldsOf(def.form)].map(({ field }) => field.id));
        for (const g of def.form.steps.flatMap((s) => s.groups)) if (g.repeat) formIds.add(g.id);
        const taskIds = [];
        for (const { id, type } of taskFields(xml)) {
          assert.match(id ?? '', TASK_ID_RE, `Aufgabenfeld ${id}`);
          assert.ok(TASK_TYPES.has(type), `Aufgabenfeld ${id}: Typ ${type}`);
          assert.ok(!RESERVED.has(id), `Aufgabenfeld ${id}: reservierter Name`);
          assert.ok(!formIds.has(id), `Aufgabenfeld ${id} überschreibt ein Antragsfeld`);
          taskIds.push(id);
        }
        const vars = new Set([...formIds, ...taskIds, 'case', 'date']);
        for (const t of templates) {
          const p = path.join(NOTICES, `${t}.txt`);
          assert.ok(fs.existsSync(p), `Vorlage ${t}.txt fehlt`);
          const text = fs.readFileSync(p, 'utf8');
          assert.match(text, /^# \S/, `${t}.txt beginnt nicht mit einer Überschrift`);
          for (const m of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) assert.ok(vars.has(m[1]), `${t}.txt: unbekannte Variable {{${m[1]}}}`);
        }
        const texts = [...xml.matchAll(/rathaus:text="([^"]*)"/g)].map((m) => m[1]);
        assert.ok(texts.length, 'keine Nachricht (notify mit rathaus:text) an die Antragstellenden');
        for (const t of texts)
          for (const m of t.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) assert.ok(vars.has(m[1]), `rathaus:text: unbekannte Variable {{${m[1]}}}`);
        for (const m of xml.matchAll(/<bpmn:conditionExpression[^>]*>([^<]*)</g))
          for (const name of m[1].replace(/'[^']*'|"[^"]*"/g, '').match(/[a-z_][a-z0-9_]*/g) ?? [])
            if (!['and', 'or', 'not', 'true', 'false', 'date'].includes(name))
              assert.ok(vars.has(name), `Bedingung „${m[1]}“: Variable ${name} unbekannt`);
      });
    });
  }
});

describe('service processes deploy', () => {
  let dir;
  before(async () => {
    const d = await makeDataDir({ demo: false });
    parents.push(d.parent);
    dir = d.dir;
  });

  test('every process deploys with rathaus bpmn deploy, each under its own process id', async () => {
    const seen = new Map();
    for (const { def } of services) {
      const r = await runCli(['bpmn', 'deploy', '--data', dir, path.join(BPMN, def.process), '--service', def.slug]);
      assert.equal(r.code, 0, `${def.process}: ${r.stdout}${r.stderr}`);
      // init deployed every service once (portal catalogue sync): this is version 2
      assert.match(r.stdout, /Version 2 /, `${def.process}: Prozess-id schon von einer anderen Leistung belegt`);
      const pid = /<bpmn:process id="([^"]+)"/.exec(fs.readFileSync(path.join(BPMN, def.process), 'utf8'))[1];
      assert.ok(!seen.has(pid), `${def.slug} und ${seen.get(pid)} haben dieselbe Prozess-id ${pid}`);
      seen.set(pid, def.slug);
    }
  });
});

describe('service catalogue in the binary', () => {
  // `rathaus services list` (portal) parses every embedded definition with
  // the form engine (form_def_parse); a definition it cannot use is a warning.
  test('rathaus services list shows all 20 with office, LeiKa and level, without warnings', async (t) => {
    const d = await makeDataDir({ demo: false });
    parents.push(d.parent);
    const r = await runCli(['services', 'list', '--data', d.dir, '--json']);
    if (r.code !== 0 && /unbekannter Befehl/.test(r.stderr)) {
      t.skip('rathaus services list gibt es in diesem Build noch nicht (Portal)');
      return;
    }
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /Warnung|Fehler/, r.stderr);
    const list = JSON.parse(r.stdout);
    const bySlug = Object.fromEntries(list.map((o) => [o.slug, o]));
    for (const { def } of services) {
      const o = bySlug[def.slug];
      assert.ok(o, `${def.slug} fehlt in der Liste`);
      assert.equal(o.name, def.name);
      assert.equal(o.leika, def.leika);
      assert.equal(o.office, def.office);
      assert.equal(o.ozg_level, def.ozg_level);
    }
  });
});
