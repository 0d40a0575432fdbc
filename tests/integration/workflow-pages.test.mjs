// The workflow in the running server: the demo instance's first task is
// claimed and completed through the staff forms (a second completion changes
// nothing), other offices get 404, the boundary timer of the co-signature
// model falls due while the server is down and fires after the restart with
// the clock moved on (RATHAUS_CLOCK_OFFSET), and the event log of the process
// lists every step (with the branch of the decision) as CSV and JSON for
// Leitung only; the rejected decision puts the case on /wiedervorlagen.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { formToken, startServer } from '../lib/server.mjs';

const PROCESS = 'Mitzeichnung';
const DAY = 24 * 3600;
let srv;

before(async () => {
  delete process.env.RATHAUS_CLOCK_OFFSET;
  srv = await startServer();
});

after(async () => {
  delete process.env.RATHAUS_CLOCK_OFFSET;
  await srv?.cleanup();
});

/** The id of the first task link of /aufgaben for client c. */
async function firstTask(c) {
  const html = await (await c.fetch('/aufgaben')).text();
  const m = /href="\/aufgaben\/(\d+)"/.exec(html);
  return m ? Number(m[1]) : null;
}

async function post(c, p, form = {}) {
  const page = await (await c.fetch('/aufgaben')).text();
  return c.fetch(p, { method: 'POST', form: { _csrf: formToken(page), ...form } });
}

async function events(c, format) {
  const res = await c.fetch(`/api/v1/processes/${PROCESS}/events?format=${format}`);
  assert.equal(res.status, 200);
  return format === 'json' ? res.json() : res.text();
}

describe('workflow pages and event log', () => {
  let id;
  test('the demo task is in the inbox of Amt 32 and hidden from Amt 20', async () => {
    const c = await srv.login('amt32', srv.demoPassword);
    id = await firstTask(c);
    assert.ok(id, 'a task in the inbox');
    const other = await srv.login('amt20', srv.demoPassword);
    assert.equal((await other.fetch(`/aufgaben/${id}`)).status, 404);
    assert.equal((await other.fetch(`/aufgaben/${id}/uebernehmen`, { method: 'POST', form: {} })).status >= 400, true);
  });

  test('claim and complete once; the second completion is refused and changes nothing', async () => {
    const c = await srv.login('amt32', srv.demoPassword);
    let res = await post(c, `/aufgaben/${id}/uebernehmen`);
    assert.equal(res.status, 303);
    // a wrong form value: 400 with a German message at the field, values kept, nothing changed
    res = await post(c, `/aufgaben/${id}/erledigen`,
      { bemerkung: 'passt so', 'feld-prioritaet': 'hoch', 'feld-frist_mitzeichnung': '31.02.2027' });
    assert.equal(res.status, 400);
    let html = await res.text();
    assert.match(html, /<title>Fehler: /);
    assert.match(html, /id="feld-frist_mitzeichnung-fehler">Bitte ein gültiges Datum eingeben/);
    assert.match(html, /href="#feld-frist_mitzeichnung"/);
    assert.match(html, /aria-describedby="feld-frist_mitzeichnung-hilfe feld-frist_mitzeichnung-fehler" aria-invalid="true"/);
    assert.match(html, /<option value="hoch" selected>Hoch<\/option>/);
    assert.match(html, />passt so<\/textarea>/);
    html = await (await c.fetch(`/aufgaben/${id}`)).text();
    assert.match(html, /Aufgabe erledigen/, 'the task is still open');
    assert.match(html, /<legend>Angaben zur Aufgabe<\/legend>/);
    assert.match(html, /<label for="feld-prioritaet">Priorität<\/label>/);
    // the diagram: pool and lane names, names wrapped in their boxes, the step marked
    assert.match(html, /transform="rotate\(-90 [^"]*"[^>]*><tspan[^>]*>Stadtverwaltung<\/tspan>/);
    assert.match(html, /<tspan x="[\d.]+" dy="0">Entscheidung<\/tspan><tspan x="[\d.]+" dy="12">vorbereiten<\/tspan>/);
    assert.match(html, /aktueller Schritt<\/text>/);
    res = await post(c, `/aufgaben/${id}/erledigen`,
      { bemerkung: 'passt so', 'feld-prioritaet': 'hoch', 'feld-frist_mitzeichnung': '2027-02-15' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location'), /erledigt/);
    res = await post(c, `/aufgaben/${id}/erledigen`, { bemerkung: 'noch einmal' });
    assert.equal(res.status, 409);
    const head = await srv.login('leitung32', srv.demoPassword);
    const log = await events(head, 'json');
    const done = log.events.filter((e) => e.event === 'wf.task.complete' && e.task === id);
    assert.equal(done.length, 1);
  });

  test('the event log is for Leitung and Admin only', async () => {
    const c = await srv.login('amt32', srv.demoPassword);
    const res = await c.fetch(`/api/v1/processes/${PROCESS}/events?format=csv`);
    assert.equal(res.status, 403);
  });

  test('a timer due during downtime fires after the restart', async () => {
    await srv.stop();
    process.env.RATHAUS_CLOCK_OFFSET = String(6 * DAY);
    await srv.start();
    const head = await srv.login('leitung32', srv.demoPassword);
    let fired = false;
    for (let i = 0; i < 50 && !fired; i++) {
      const log = await events(head, 'json');
      fired = log.events.some((e) => e.event === 'wf.timer.fire' && e.activity === 'Erinnerung20');
      if (!fired) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(fired, 'wf.timer.fire of Erinnerung20 in the event log');
    // the co-signature task of Amt 20 (due after 5 days) is overdue now, said in words
    const amt20 = await srv.login('amt20', srv.demoPassword);
    const html = await (await amt20.fetch('/aufgaben?sortierung=faellig-absteigend')).text();
    assert.match(html, /Mitzeichnen \(Amt 20\)/);
    assert.match(html, /überfällig/);
  });

  test('Nachweise anfordern: a request for evidence is kept for the status page', async () => {
    const c = await srv.login('amt63', srv.demoPassword);
    const t = await firstTask(c);
    assert.ok(t);
    let res = await post(c, `/aufgaben/${t}/nachweise`, { nachweise: '' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /id="nachweise-fehler" role="alert">Bitte beschreiben Sie/);
    res = await post(c, `/aufgaben/${t}/nachweise`, { nachweise: 'Bitte den Lageplan <nachreichen>.' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/aufgaben/${t}?nachgefordert=1`);
    const html = await (await c.fetch(res.headers.get('location'))).text();
    assert.match(html, /Die Nachforderung wurde gespeichert/);
    assert.match(html, /<strong>Nachforderung:<\/strong> Bitte den Lageplan &lt;nachreichen&gt;\./);
    // another office cannot ask on this task
    const other = await srv.login('amt20', srv.demoPassword);
    res = await post(other, `/aufgaben/${t}/nachweise`, { nachweise: 'x' });
    assert.equal(res.status, 404);
  });

  test('co-signatures and a decision without approval set a resubmission', async () => {
    for (const login of ['amt20', 'amt63', 'amt32']) {
      const c = await srv.login(login, srv.demoPassword);
      const t = await firstTask(c);
      assert.ok(t, `a task for ${login}`);
      if (login === 'amt32') {
        // the decision's yes/no is required
        const bad = await post(c, `/aufgaben/${t}/erledigen`, { 'feld-begruendung': 'fehlt noch' });
        assert.equal(bad.status, 400);
        const html = await bad.text();
        assert.match(html, /id="feld-genehmigt-fehler">Bitte eine Auswahl treffen/);
        assert.match(html, />fehlt noch<\/textarea>/);
      }
      const res = await post(c, `/aufgaben/${t}/erledigen`,
        login === 'amt32' ? { 'feld-genehmigt': 'nein', 'feld-begruendung': 'Unterlagen fehlen' } : {});
      assert.equal(res.status, 303, `${login} completes task ${t}`);
    }
    const c = await srv.login('amt32', srv.demoPassword);
    const html = await (await c.fetch('/wiedervorlagen')).text();
    assert.match(html, /href="\/akten\/32\.[^"]*\/vorgaenge\/\d+"/);
    assert.match(html, /\d{4}-\d\d-\d\d/);
  });

  test('the event log CSV has the expected rows', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    const csv = await events(head, 'csv');
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'time,instance,case,event,activity,task,branch,actor');
    const rows = lines.slice(1).map((l) => l.split(','));
    const kinds = rows.map((r) => `${r[3]}:${r[4]}`);
    for (const want of ['wf.instance.start:', 'wf.task.create:Vorbereiten', 'wf.task.claim:Vorbereiten',
      'wf.task.complete:Vorbereiten', 'wf.task.create:Mitzeichnung20', 'wf.task.create:Mitzeichnung63',
      'wf.timer.fire:Erinnerung20', 'wf.notify:Erinnern20', 'wf.task.complete:Entscheiden',
      'wf.resubmission:Wiedervorlage'])
      assert.ok(kinds.includes(want), `${want} in\n${csv}`);
    assert.equal(kinds.filter((k) => k === 'wf.task.complete:Vorbereiten').length, 1);
    for (const r of rows) {
      assert.match(r[0], /^\d{4}-\d\d-\d\dT/);
      assert.match(r[1], /^\d+$/);
      assert.match(r[2], /^32\./);
    }
    const gw = rows.find((r) => r[3] === 'wf.gateway' && r[4] === 'Ergebnis');
    assert.equal(gw?.[6], 'Flow_Nein', 'the decision took the default branch');
    const claim = rows.find((r) => r[3] === 'wf.task.claim');
    assert.equal(claim[7], 'amt32');
  });

  test('the event log as XES: one trace per instance, lifecycle per step', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    const res = await head.fetch(`/api/v1/processes/${PROCESS}/events?format=xes`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/xml/);
    const xml = await res.text();
    execFileSync('xmllint', ['--noout', '-'], { input: xml }); // well-formed, or it throws
    assert.match(xml, /<log xes.version="1.0" xmlns="http:\/\/www.xes-standard.org\/">/);
    assert.equal((xml.match(/<trace>/g) || []).length, 1);
    assert.match(xml, /<string key="rathaus:case" value="32\./);
    const ev = /<event>\s*<string key="concept:name" value="Vorbereiten"\/>\s*<string key="lifecycle:transition" value="complete"\/>\s*<string key="org:resource" value="amt32"\/>\s*<date key="time:timestamp" value="\d{4}-\d\d-\d\dT[^"]*Z"\/>/;
    assert.match(xml, ev);
    assert.match(xml, /<string key="rathaus:branch" value="Flow_Nein"\/>/);
    assert.equal((await head.fetch(`/api/v1/processes/${PROCESS}/events?format=pdf`)).status, 400);
  });
});
