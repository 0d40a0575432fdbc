// The strategy cockpit in the running server: the Digitalisierung role (others
// get 403), the seed's plan loaded at init, actuals and status of a measure
// with the Soll/Ist deviation, trainings, review meetings, maturity and the
// paper baseline entered through the forms (CSRF checked, every write
// journaled, bad input refused with 422 and nothing written), KPIs of
// `rathaus kpi --json` equal to independent SQL counts on rathaus.db, and the
// annual report as HTML, CSV and PDF (pdftotext finds every section; the same
// database gives the same bytes); the server takes the daily KPI snapshot
// itself at start.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formToken, startServer } from '../lib/server.mjs';

const PW = 'digital-geheim-2026';
const TODAY = new Date().toISOString().slice(0, 10);
const YEAR = Number(TODAY.slice(0, 4));
let srv;
let digi;

/** Runs one SQL statement with the sqlite3 CLI on the data directory's database. */
function sql(q) {
  return execFileSync('sqlite3', ['-readonly', path.join(srv.dir, 'rathaus.db'), q], { encoding: 'utf8' }).trim();
}

async function post(c, p, form) {
  const page = await (await c.fetch('/strategie')).text();
  return c.fetch(p, { method: 'POST', form: { _csrf: formToken(page), ...form } });
}

async function kpis() {
  const r = await srv.cli('kpi', ['--json']);
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries(JSON.parse(r.stdout).map((k) => [k.id, k]));
}

before(async () => {
  srv = await startServer();
  const r = await srv.cli(['user', 'add'], ['--login', 'digi', '--name', 'Stabsstelle Digitalisierung', '--office', '10', '--roles', 'digitalisierung', '--password-stdin'], { input: `${PW}\n` });
  assert.equal(r.code, 0, r.stderr);
  digi = await srv.login('digi', PW);
});

after(async () => {
  await srv?.cleanup();
});

describe('strategy cockpit', () => {
  test('the server takes the day\'s KPI snapshot when it starts, before anyone opens the cockpit', () => {
    assert.equal(sql("SELECT count(*) FROM journal WHERE action = 'strategy.kpi.snapshot' AND actor <> 'system'"), '0');
    assert.equal(sql(`SELECT count(*) FROM strat_kpi_snapshots WHERE day = '${TODAY}' AND kpi IN ('leistungen_online', 'prozesse_dokumentiert', 'schulungen')`), '3');
    assert.equal(sql("SELECT count(*) FROM journal WHERE action = 'strategy.kpi.snapshot' AND actor = 'system'"), '1');
  });

  test('the seed is loaded: 4 blocks, measures 001–010, recommendations 1–9, budget 588.000 € + 650.671 €', () => {
    assert.equal(sql('SELECT group_concat(code) FROM strat_blocks'), 'LBS-001,LBS-002,LBS-003,LBS-004');
    assert.equal(sql("SELECT group_concat(nr, ',') FROM (SELECT nr FROM strat_measures ORDER BY nr)"), '001,002,003,004,005,006,007,008,009,010');
    assert.equal(sql('SELECT count(*) FROM strat_recommendations'), '9');
    assert.equal(sql("SELECT sum(soll) FROM strat_budget WHERE category = 'einmal'"), '58800000');
    assert.equal(sql("SELECT sum(soll) FROM strat_budget WHERE category = 'laufend'"), '65067100');
    assert.equal(sql('SELECT sum(running_soll) FROM strat_measures'), '65067100');
    // the plan per year adds up to each measure's totals
    assert.equal(sql('SELECT count(*) FROM strat_measures m WHERE oneoff_soll + running_soll <> (SELECT sum(oneoff_soll + running_soll) FROM strat_measure_plan p WHERE p.measure = m.nr)'), '0');
  });

  test('only Digitalisierung and Admin see the cockpit; others get 403, strangers the login', async () => {
    const amt32 = await srv.login('amt32', srv.demoPassword);
    for (const p of ['/strategie', '/strategie/massnahmen', '/strategie/kennzahlen', '/strategie/schulungen', `/strategie/bericht/${YEAR}`, `/strategie/bericht/${YEAR}/pdf`])
      assert.equal((await amt32.fetch(p)).status, 403, p);
    const page = await (await amt32.fetch('/aufgaben')).text();
    const r = await amt32.fetch('/strategie/schulungen', { method: 'POST', form: { _csrf: formToken(page), kurs: 'x', datum: TODAY, amt: '32', teilnehmende: '3' } });
    assert.equal(r.status, 403);
    assert.equal(sql('SELECT count(*) FROM strat_trainings'), '0');
    assert.equal((await srv.fetch('/strategie')).status, 303);
    const html = await (await digi.fetch('/strategie')).text();
    assert.match(html, /Strategie-Cockpit/);
    assert.match(html, /href="\/strategie"/, 'nav item');
    const admin = await srv.login('admin', srv.adminPassword);
    assert.equal((await admin.fetch('/strategie/massnahmen')).status, 200);
    const demo = await srv.login('digital', srv.demoPassword); // the demo account of init --demo
    assert.equal((await demo.fetch('/strategie/kennzahlen')).status, 200);
    assert.equal((await digi.fetch('/strategie/massnahmen/999')).status, 404);
    assert.equal((await digi.fetch('/strategie/schulungen/999')).status, 404);
    assert.doesNotMatch(await (await amt32.fetch('/')).text(), /href="\/strategie"/);
  });

  test('actuals of measure 001: Soll/Ist with the deviation in € and %, journaled', async () => {
    const before = Number(sql("SELECT count(*) FROM journal WHERE action = 'strategy.actual.set'"));
    const soll = Number(sql(`SELECT oneoff_soll + running_soll FROM strat_measure_plan WHERE measure = '001' AND year = ${YEAR}`));
    let r = await post(digi, '/strategie/massnahmen/001/ist', { jahr: String(YEAR), einmal: '50.000,00', laufend: '1000', bemerkung: 'erste Rechnung' });
    assert.equal(r.status, 303);
    assert.equal(sql(`SELECT oneoff_ist || '/' || running_ist FROM strat_actuals WHERE measure = '001' AND year = ${YEAR}`), '5000000/100000');
    assert.equal(Number(sql("SELECT count(*) FROM journal WHERE action = 'strategy.actual.set'")), before + 1);
    const dev = 5100000 - soll;
    const pct = Math.round((dev * 1000) / soll) / 10;
    const euros = (c) => {
      const a = Math.abs(c);
      const s = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
      return `${c < 0 ? '-' : '+'}${s},${String(a % 100).padStart(2, '0')}\u00a0€`;
    };
    const html = await (await digi.fetch(`/strategie/massnahmen?jahr=${YEAR}`)).text();
    assert.ok(html.includes(euros(dev)), `deviation ${euros(dev)}`);
    assert.ok(html.includes(`${String(pct).replace('.', ',')}\u00a0%`), `percent ${pct}`);
    const k = await kpis();
    const all = Number(sql(`SELECT sum(oneoff_soll + running_soll) FROM strat_measure_plan WHERE year = ${YEAR}`));
    assert.equal(k.budget_abweichung.value, Math.round(((5100000 - all) * 1000) / all) / 10);

    r = await post(digi, '/strategie/massnahmen/001/status', { status: 'begonnen' });
    assert.equal(r.status, 303);
    assert.equal(sql("SELECT status FROM strat_measures WHERE nr = '001'"), 'begonnen');
  });

  test('bad input is refused with 422 and a German message, nothing written; no CSRF → 403', async () => {
    const n = sql('SELECT count(*) FROM strat_actuals');
    let r = await post(digi, '/strategie/massnahmen/002/ist', { jahr: String(YEAR), einmal: 'viel', laufend: '' });
    assert.equal(r.status, 422);
    assert.match(await r.text(), /Beträge in Euro/);
    r = await post(digi, '/strategie/massnahmen/002/ist', { jahr: '1999', einmal: '1', laufend: '' });
    assert.equal(r.status, 422);
    r = await post(digi, '/strategie/massnahmen/002/status', { status: 'vergessen' });
    assert.equal(r.status, 422);
    r = await post(digi, '/strategie/schulungen', { kurs: '', datum: TODAY, amt: '32', teilnehmende: '3' });
    assert.equal(r.status, 422);
    assert.match(await r.text(), /Kurs/);
    r = await post(digi, '/strategie/schulungen', { kurs: 'DMS', datum: '2026-02-30', amt: '32', teilnehmende: '3' });
    assert.equal(r.status, 422);
    r = await post(digi, '/strategie/schulungen', { kurs: 'DMS', datum: TODAY, amt: '32', teilnehmende: '3', elearning: 'javascript:alert(1)' });
    assert.equal(r.status, 422);
    r = await post(digi, '/strategie/reifegrad', { bereich: 'strategie', stufe: '6', datum: TODAY, nachweis: 'x' });
    assert.equal(r.status, 422);
    r = await digi.fetch('/strategie/gespraeche', { method: 'POST', form: { datum: TODAY, titel: 'ohne Token' } });
    assert.equal(r.status, 403);
    assert.equal(sql('SELECT count(*) FROM strat_actuals'), n);
    assert.equal(sql("SELECT status FROM strat_measures WHERE nr = '002'"), 'geplant');
    assert.equal(sql('SELECT count(*) FROM strat_trainings') + sql('SELECT count(*) FROM strat_reviews') + sql('SELECT count(*) FROM strat_maturity'), '000');
  });

  test('KPIs equal independent SQL counts after documents, trainings and reviews are created', async () => {
    // documents through the records API, as Amt 32
    const amt32 = await srv.login('amt32', srv.demoPassword);
    let r = await amt32.fetch('/api/v1/files', { method: 'POST', json: { plan: '32.30.01', title: 'Kennzahl-Test' } });
    assert.equal(r.status, 201, await r.clone().text());
    const ref = (await r.json()).reference;
    r = await amt32.fetch(`/api/v1/files/${encodeURIComponent(ref)}/cases`, { method: 'POST', json: { title: 'Vorgang' } });
    assert.equal(r.status, 201);
    for (const t of ['Antrag', 'Bescheid', 'Vermerk']) {
      r = await amt32.fetch(`/api/v1/files/${encodeURIComponent(ref)}/cases/1/documents`, { method: 'POST', json: { title: t, direction: 'Eingang' } });
      assert.equal(r.status, 201, await r.clone().text());
    }
    // the demo's baseline is marked as made up; the city's count replaces it
    let k = await kpis();
    assert.match(sql('SELECT note FROM strat_baseline'), /^Demo-Wert/);
    const before = Number(sql('SELECT count(*) FROM documents'));
    assert.equal(k.digitalanteil.value, Math.round((before * 1000) / (before + 120)) / 10);
    r = await post(digi, '/strategie/basiswert', { papier: '1234', erlaeuterung: 'Zählung Posteingang 2025' });
    assert.equal(r.status, 303);
    // trainings and reviews through the forms; one training next year does not count
    const trainings = [['DMS-Grundschulung', TODAY, '32', '12'], ['Prozessmanagement', `${YEAR}-01-01`, '10', '7'], ['E-Akte', `${YEAR + 1}-03-01`, '50', '40']];
    for (const [kurs, datum, amt, n] of trainings) {
      r = await post(digi, '/strategie/schulungen', { kurs, datum, amt, teilnehmende: n, elearning: 'https://lernen.example/dms' });
      assert.equal(r.status, 303, await r.text());
    }
    r = await post(digi, '/strategie/gespraeche', { datum: TODAY, titel: 'Soll-Ist-Abgleich mit dem Verwaltungsvorstand', notizen: 'Maßnahmen 001 und 004 besprochen.' });
    assert.equal(r.status, 303);
    r = await post(digi, '/strategie/gespraeche', { datum: `${YEAR - 1}-11-02`, titel: 'Vorjahr' });
    assert.equal(r.status, 303);

    k = await kpis();
    for (const o of Object.values(k)) for (const f of ['id', 'name', 'target', 'value', 'unit']) assert.ok(f in o, `${o.id}.${f}`);
    const docs = Number(sql('SELECT count(*) FROM documents'));
    const paper = Number(sql('SELECT paper_docs FROM strat_baseline'));
    assert.ok(docs >= 3);
    assert.equal(k.digitalanteil.value, Math.round((docs * 1000) / (docs + paper)) / 10);
    assert.equal(k.digitalanteil.target, 30);
    const where = `substr(held_on, 1, 4) = '${YEAR}' AND held_on <= '${TODAY}'`;
    assert.equal(k.schulungen.value, Number(sql(`SELECT count(*) FROM strat_trainings WHERE ${where}`)));
    assert.equal(k.schulungen.value, 2);
    assert.equal(k.schulung_teilnehmende.value, Number(sql(`SELECT sum(participants) FROM strat_trainings WHERE ${where}`)));
    assert.equal(k.strategiegespraeche.value, Number(sql(`SELECT count(*) FROM strat_reviews WHERE ${where}`)));
    assert.equal(k.strategiegespraeche.value, 1);
    assert.equal(k.prozesse_dokumentiert.value, Number(sql('SELECT count(*) FROM proc_processes')));
    assert.equal(k.leistungen_online.target, 20);
    assert.equal(k.leistungen_online.value, Number(sql('SELECT count(*) FROM services WHERE online = 1 AND ozg_level >= 3')));
    assert.ok(k.leistungen_online.value > 0, 'the portal publishes services at level 3 or 4');
    // today's values are the KPIs' history
    assert.equal(sql(`SELECT value FROM strat_kpi_snapshots WHERE kpi = 'schulungen' AND day = '${TODAY}'`), '2.0');
    assert.ok(Number(sql("SELECT count(*) FROM journal WHERE action = 'strategy.kpi.snapshot'")) >= 1);
    // the text form names every KPI
    const t = await srv.cli('kpi', ['--no-save']);
    assert.equal(t.code, 0);
    assert.match(t.stdout, /digitalanteil/);
  });

  test('trainings can be edited and deleted; maturity keeps its history', async () => {
    const id = sql("SELECT id FROM strat_trainings WHERE course = 'Prozessmanagement'");
    let r = await post(digi, `/strategie/schulungen/${id}`, { kurs: 'Prozessmanagement Grundlagen', datum: `${YEAR}-01-01`, amt: '10', teilnehmende: '8' });
    assert.equal(r.status, 303);
    assert.equal(sql(`SELECT course || '/' || participants FROM strat_trainings WHERE id = ${id}`), 'Prozessmanagement Grundlagen/8');
    const tmp = sql("SELECT id FROM strat_trainings WHERE course = 'E-Akte'");
    r = await post(digi, `/strategie/schulungen/${tmp}/loeschen`, {});
    assert.equal(r.status, 303);
    assert.equal(sql(`SELECT count(*) FROM strat_trainings WHERE id = ${tmp}`), '0');
    r = await post(digi, '/strategie/reifegrad', { bereich: 'prozesse', stufe: '1', datum: `${YEAR}-02-01`, nachweis: 'Prozessregister angelegt' });
    assert.equal(r.status, 303);
    r = await post(digi, '/strategie/reifegrad', { bereich: 'prozesse', stufe: '2', datum: TODAY, nachweis: 'Erste Prozesse modelliert' });
    assert.equal(r.status, 303);
    assert.equal(sql("SELECT group_concat(level) FROM strat_maturity WHERE area = 'prozesse'"), '1,2');
    const html = await (await digi.fetch('/strategie/reifegrad')).text();
    assert.match(html, /Prozessregister angelegt/);
    assert.match(html, /Erste Prozesse modelliert/);
    const kp = await (await digi.fetch('/strategie/kennzahlen')).text();
    assert.match(kp, /<svg/, 'history chart');
    assert.equal(sql("SELECT count(*) FROM journal WHERE action LIKE 'strategy.training.%'"), '5');
  });

  test('annual report: CSV, HTML and PDF hold every section; the same database gives the same bytes', async () => {
    const out = path.join(srv.parent, 'bericht.pdf');
    let r = await srv.cli(['report', 'strategy'], ['--year', String(YEAR), '--format', 'pdf', '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    const a = fs.readFileSync(out);
    assert.equal(a.subarray(0, 5).toString(), '%PDF-');
    r = await srv.cli(['report', 'strategy'], ['--year', String(YEAR), '--format', 'pdf']);
    const b = await srv.cli(['report', 'strategy'], ['--year', String(YEAR), '--format', 'pdf', '--output', `${out}.2`]);
    assert.equal(b.code, 0);
    assert.ok(a.equals(fs.readFileSync(`${out}.2`)), 'same bytes');
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
    for (const s of ['Zusammenfassung', 'Maßnahmen Soll/Ist', 'Budget', 'Kennzahlen', 'Reifegrad', 'Schulungen', 'Strategiegespräche'])
      assert.ok(text.includes(s), `PDF section ${s}`);
    assert.match(text, /DMS-Grundschulung/);
    assert.match(text, /Soll-Ist-Abgleich/);
    const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
    assert.match(info, new RegExp(`CreationDate:.*${YEAR}`));

    const csv = await srv.cli(['report', 'strategy'], ['--year', String(YEAR), '--format', 'csv']);
    assert.equal(csv.code, 0);
    const lines = csv.stdout.trim().split('\n');
    assert.match(lines[0], /^abschnitt;schluessel;bezeichnung;jahr;soll_eur;ist_eur/);
    const sections = new Set(lines.slice(1).map((l) => l.split(';')[0]));
    for (const s of ['massnahme', 'budget', 'kennzahl', 'reifegrad', 'schulung', 'strategiegespraech']) assert.ok(sections.has(s), s);
    assert.ok(lines.some((l) => l.startsWith(`massnahme;001;`) && l.includes(';51000,00;')), 'Ist of 001');

    const html = await srv.cli(['report', 'strategy'], ['--year', String(YEAR), '--format', 'html']);
    assert.equal(html.code, 0);
    assert.match(html.stdout, /^<!doctype html>/);
    for (const s of ['Zusammenfassung', 'Maßnahmen Soll/Ist', 'Budget', 'Kennzahlen', 'Reifegrad', 'Schulungen', 'Strategiegespräche'])
      assert.ok(html.stdout.includes(`>${s}</h2>`), s);
    assert.doesNotMatch(html.stdout, /<script/);

    const page = await digi.fetch(`/strategie/bericht/${YEAR}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /strategie-druck\.css/);
    const pdf = await digi.fetch(`/strategie/bericht/${YEAR}/pdf`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.ok(Buffer.from(await pdf.arrayBuffer()).equals(a), 'the page serves the same PDF');

    r = await srv.cli(['report', 'strategy'], ['--year', 'zwanzig']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--year/);
    r = await srv.cli(['report', 'strategy'], ['--year', String(YEAR), '--format', 'docx']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /docx/);
  });

  test('the journal chain is intact after every write of the cockpit', async () => {
    const r = await srv.cli('verify');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(Number(sql("SELECT count(*) FROM journal WHERE action LIKE 'strategy.%'")) >= 15);
  });

  test('a data directory without the default data gets it when the server starts', async () => {
    await srv.stop();
    const tables = ['strat_kpi_snapshots', 'strat_baseline', 'strat_maturity', 'strat_maturity_areas', 'strat_reviews', 'strat_trainings',
      'strat_recommendations', 'strat_personnel', 'strat_budget', 'strat_actuals', 'strat_measure_plan', 'strat_measures', 'strat_blocks', 'strat_years'];
    execFileSync('sqlite3', [path.join(srv.dir, 'rathaus.db'), tables.map((t) => `DELETE FROM ${t};`).join(' ')]);
    assert.equal(sql('SELECT count(*) FROM strat_measures'), '0');
    await srv.start();
    assert.equal(sql('SELECT count(*) FROM strat_measures'), '10');
    assert.equal(sql('SELECT count(*) FROM strat_recommendations'), '9');
    const c = await srv.login('digital', srv.demoPassword);
    assert.equal((await c.fetch('/strategie')).status, 200);
  });
});
