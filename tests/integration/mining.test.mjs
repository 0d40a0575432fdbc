// Process mining on a real deployed model: the demo's co-signature instance
// (data/bpmn/mitzeichnung.bpmn) is driven through the staff forms, one step
// per day of a moved clock (RATHAUS_CLOCK_OFFSET, the server restarted for
// each), until it ends. The figures of /prozesse/analyse/<service>.csv must
// then equal what this test computes itself from the event log API
// (/api/v1/processes/Mitzeichnung/events): cycle time, per step executions,
// median duration, waiting and working, the variant and the month in Berlin
// time. The pages are for Leitung and Admin; bad tables and unknown services
// get 400 and 404. Model versions: the portal service Fundsache gets a case
// under its shipped model (version 1), then a version 2 with a step
// "Fund vorprüfen" before "Fund erfassen" and a case under it; each version
// is mined only with its own cases against its own model (the other model
// would count both as deviations), the selector lists both with their case
// counts, "alle" counts every case without a fitness figure, and the CSV
// follows ?version=.
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, ROOT, formToken, startServer } from '../lib/server.mjs';
import { services, submitDirect, validEntries } from '../lib/portal.mjs';

const SERVICE = 'demo-mitzeichnung';
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

/** Restarts the server with the clock moved by days. */
async function atDay(days) {
  await srv.stop();
  process.env.RATHAUS_CLOCK_OFFSET = String(days * DAY);
  await srv.start();
}

/** The first task id on /aufgaben of login whose row names text. */
async function taskOf(login, text) {
  const c = await srv.login(login, srv.demoPassword);
  const html = await (await c.fetch('/aufgaben')).text();
  const re = new RegExp(`href="/aufgaben/(\\d+)">${text}`);
  const m = re.exec(html);
  assert.ok(m, `task "${text}" for ${login} in\n${html}`);
  return { c, id: Number(m[1]), token: formToken(html) };
}

async function act(login, text, what, form = {}) {
  const { c, id, token } = await taskOf(login, text);
  const res = await c.fetch(`/aufgaben/${id}/${what}`, { method: 'POST', form: { _csrf: token, ...form } });
  assert.equal(res.status, 303, `${login} ${what} ${text}`);
}

/** Parses a CSV of rathaus (no quoted commas in these tables). */
function parseCsv(text) {
  const [head, ...rows] = text.trim().split('\r\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

async function csv(c, table, { service = SERVICE, version = null } = {}) {
  const q = version === null ? '' : `&version=${encodeURIComponent(version)}`;
  const res = await c.fetch(`/prozesse/analyse/${service}.csv?table=${table}${q}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  return parseCsv(await res.text());
}

/** Nearest-rank quantile, as docs/prozessanalyse.md defines it. */
function quantile(values, q) {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(q * s.length) - 1];
}

/** Every figure this test can compute from the event log on its own. */
function expected(events) {
  const t = (e) => Date.parse(e.time) / 1000;
  const tasks = new Map();
  const steps = new Map();
  let start;
  let end;
  const variant = [];
  for (const e of events) {
    if (e.event === 'wf.instance.start') start = t(e);
    if (e.event === 'wf.instance.end') end = t(e);
    if (e.event === 'wf.task.create') tasks.set(e.task, { created: t(e), claimed: null });
    if (e.event === 'wf.task.claim' && tasks.get(e.task).claimed === null) tasks.get(e.task).claimed = t(e);
    if (e.event === 'wf.task.complete') {
      const k = tasks.get(e.task);
      const done = t(e);
      const s = steps.get(e.activity) ?? { executions: 0, dur: [], wait: [], work: [] };
      s.executions++;
      s.dur.push(done - k.created);
      s.wait.push((k.claimed ?? done) - k.created);
      s.work.push(k.claimed === null ? 0 : done - k.claimed);
      steps.set(e.activity, s);
      variant.push(e.activity);
    }
  }
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' })
    .format(new Date(end * 1000)).slice(0, 7);
  return { start, end, steps, variant, month };
}

describe('process mining of the demo workflow', () => {
  test('the pages are for Leitung and Admin only', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    const res = await head.fetch('/prozesse/analyse');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(`href="/prozesse/analyse/${SERVICE}"`));
    assert.match(html, /<caption[^>]*>Leistungen mit bereitgestelltem Prozess/);
    assert.match(html, /href="\/prozesse\/analyse"[^>]*>Prozessanalyse/, 'nav item');
    const clerk = await srv.login('amt32', srv.demoPassword);
    assert.equal((await clerk.fetch('/prozesse/analyse')).status, 403);
    assert.equal((await clerk.fetch(`/prozesse/analyse/${SERVICE}.csv`)).status, 403);
    assert.doesNotMatch(await (await clerk.fetch('/')).text(), /Prozessanalyse/);
  });

  test('an open case counts as open and has no cycle time', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    const sum = Object.fromEntries((await csv(head, 'summary')).map((r) => [r.figure, Number(r.value)]));
    assert.equal(sum.cases, 1);
    assert.equal(sum.open, 1);
    assert.equal(sum.closed, 0);
    assert.equal(sum.cycle_median_s, 0);
    assert.deepEqual(await csv(head, 'variants'), []);
  });

  test('driven to its end over four days, the figures equal the event log', async () => {
    await act('amt32', 'Entscheidung vorbereiten', 'uebernehmen');
    await atDay(1);
    await act('amt32', 'Entscheidung vorbereiten', 'erledigen');
    await atDay(2);
    await act('amt63', 'Mitzeichnen \\(Amt 63\\)', 'erledigen');
    await act('amt20', 'Mitzeichnen \\(Amt 20\\)', 'uebernehmen');
    await atDay(3);
    await act('amt20', 'Mitzeichnen \\(Amt 20\\)', 'erledigen');
    await atDay(4);
    await act('amt32', 'Entscheiden', 'erledigen', { 'feld-genehmigt': 'nein', 'feld-begruendung': 'Unterlagen fehlen' });

    const head = await srv.login('leitung32', srv.demoPassword);
    const log = await (await head.fetch(`/api/v1/processes/${PROCESS}/events?format=json`)).json();
    const want = expected(log.events);
    assert.ok(want.end, 'the instance ended');

    const sum = Object.fromEntries((await csv(head, 'summary')).map((r) => [r.figure, r.value]));
    assert.equal(Number(sum.cases), 1);
    assert.equal(Number(sum.closed), 1);
    assert.equal(Number(sum.open), 0);
    assert.equal(Number(sum.cycle_median_s), want.end - want.start);
    assert.equal(Number(sum.cycle_p90_s), want.end - want.start);
    assert.equal(Number(sum.fitting), 1, 'the engine followed its own model');
    assert.equal(sum.fitness_percent, '100.0');
    assert.ok(want.end - want.start >= 4 * DAY);

    const rows = await csv(head, 'steps');
    assert.deepEqual(rows.map((r) => r.step).sort(),
      ['Entscheiden', 'Erinnerung20', 'Mitzeichnung20', 'Mitzeichnung63', 'Vorbereiten']);
    for (const r of rows) {
      const s = want.steps.get(r.step);
      if (r.step === 'Erinnerung20') {
        assert.equal(Number(r.executions), 0, 'the reminder never fired');
        continue;
      }
      assert.ok(s, `${r.step} in the event log`);
      assert.equal(Number(r.executions), s.executions, r.step);
      assert.equal(Number(r.median_s), quantile(s.dur, 0.5), `${r.step} median`);
      assert.equal(Number(r.p90_s), quantile(s.dur, 0.9), `${r.step} p90`);
      assert.equal(Number(r.wait_sum_s), s.wait.reduce((a, b) => a + b, 0), `${r.step} waiting`);
      assert.equal(Number(r.work_sum_s), s.work.reduce((a, b) => a + b, 0), `${r.step} working`);
      assert.equal(Number(r.deviations), 0);
    }
    // claimed before the day passed: a day of work; never claimed: a day of waiting
    const byStep = Object.fromEntries(rows.map((r) => [r.step, r]));
    assert.ok(Number(byStep.Vorbereiten.work_sum_s) >= DAY);
    assert.ok(Number(byStep.Mitzeichnung63.wait_sum_s) >= DAY);
    assert.equal(Number(byStep.Mitzeichnung63.work_sum_s), 0);

    const variants = await csv(head, 'variants');
    assert.equal(variants.length, 1);
    assert.equal(variants[0].steps, want.variant.join('>'));
    assert.equal(Number(variants[0].cases), 1);
    assert.equal(variants[0].share_percent, '100.0');

    const months = await csv(head, 'months');
    assert.deepEqual(months, [{ month: want.month, completed: '1' }]);

    const html = await (await head.fetch(`/prozesse/analyse/${SERVICE}`)).text();
    assert.match(html, /<h1>Prozessanalyse: Mitzeichnung durch zwei Ämter<\/h1>/);
    assert.match(html, /abgeschlossen 1, offen 0/);
    assert.match(html, /100,0 % \(1 von 1 Fällen folgten dem Modell dieser Version\)/);
    assert.match(html, /Die Zahlen gelten für Version 1 \(aktuell\), bereitgestellt am [0-9.]+ – nur der eine Fall, der unter dieser Version lief/);
    assert.match(html, /<th scope="row">Entscheidung vorbereiten<\/th>/);
    assert.match(html, /Entscheidung vorbereiten → Mitzeichnen \(Amt 63\) → Mitzeichnen \(Amt 20\) → Entscheiden/);
    assert.match(html, /<div class="diagramm" aria-hidden="true"><svg/);
  });

  test('the demo brings a history of its own: 48 closed cases over eleven months, every one fitting', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    const sum = Object.fromEntries((await csv(head, 'summary', { service: 'mitzeichnung-verlauf' })).map((r) => [r.figure, r.value]));
    assert.equal(Number(sum.cases), 48);
    assert.equal(Number(sum.closed), 48);
    assert.equal(Number(sum.fitting), 48);
    const months = await csv(head, 'months', { service: 'mitzeichnung-verlauf' });
    assert.ok(months.length >= 10, `${months.length} months`);
    assert.equal(months.reduce((n, m) => n + Number(m.completed), 0), 48);
    const steps = Object.fromEntries((await csv(head, 'steps', { service: 'mitzeichnung-verlauf' })).map((r) => [r.step, r]));
    for (const step of ['Vorbereiten', 'Mitzeichnung20', 'Mitzeichnung63', 'Entscheiden']) assert.equal(Number(steps[step].executions), 48, step);
    const reminders = Number(steps.Erinnerung20.executions);
    assert.ok(reminders > 0 && reminders < 48, `the reminder fired in some cases (${reminders})`);
    // its own process: the demo case's event log is not mixed with it
    const log = await (await head.fetch('/api/v1/processes/Mitzeichnung_Verlauf/events?format=json')).json();
    assert.equal(new Set(log.events.map((e) => e.instance)).size, 48);
  });

  test('bad requests: unknown table 400 in German, unknown service 404', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    const bad = await head.fetch(`/prozesse/analyse/${SERVICE}.csv?table=alles`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Unbekannte Tabelle/);
    assert.equal((await head.fetch('/prozesse/analyse/gibt-es-nicht')).status, 404);
    assert.equal((await head.fetch('/prozesse/analyse/gibt-es-nicht.csv')).status, 404);
  });

  test('bad versions: 400 or 404 with a German message', async () => {
    const head = await srv.login('leitung32', srv.demoPassword);
    for (const v of ['abc', '-1', '1x', ':1', '']) {
      if (v === '') continue; // empty: the default version
      const res = await head.fetch(`/prozesse/analyse/${SERVICE}?version=${encodeURIComponent(v)}`);
      assert.equal(res.status, 400, v);
      assert.match(await res.text(), /Ungültige Modellversion/);
    }
    let res = await head.fetch(`/prozesse/analyse/${SERVICE}?version=7`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /keine Modellversion 7 mit Fällen/);
    res = await head.fetch(`/prozesse/analyse/${SERVICE}.csv?table=summary&version=7`);
    assert.equal(res.status, 404);
    res = await head.fetch(`/prozesse/analyse/${SERVICE}.csv?table=summary&version=Anderer:1`);
    assert.equal(res.status, 404);
    assert.equal((await head.fetch(`/prozesse/analyse/${SERVICE}?version=Mitzeichnung:1`)).status, 200);
  });
});

describe('process mining by model version', () => {
  const FUND = 'fundsache';
  const svc = services().find((s) => s.slug === FUND);

  /** Sends one Fundsache application through the portal. */
  async function apply() {
    const res = await submitDirect(new Client(srv), svc, validEntries(svc.form));
    assert.equal(res.status, 303, 'portal submission');
  }

  /** Version 2 of the shipped model, uploaded by the Admin on the running
   * server ("Fund vorprüfen" before "Fund erfassen"). */
  async function deployV2() {
    const xml = (await fsp.readFile(path.join(ROOT, 'data/bpmn/services/fundsache.bpmn'), 'utf8'))
      .replace('<bpmn:flowNodeRef>Erfassen</bpmn:flowNodeRef>',
        '<bpmn:flowNodeRef>Vorpruefen</bpmn:flowNodeRef><bpmn:flowNodeRef>Erfassen</bpmn:flowNodeRef>')
      .replace('<bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Erfassen"/>',
        '<bpmn:userTask id="Vorpruefen" name="Fund vorprüfen"/>' +
        '<bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Vorpruefen"/>' +
        '<bpmn:sequenceFlow id="Flow_0" sourceRef="Vorpruefen" targetRef="Erfassen"/>');
    assert.match(xml, /Flow_0/);
    const admin = await srv.login('admin', srv.adminPassword);
    const page = await (await admin.fetch('/admin/prozesse')).text();
    const fd = new FormData();
    fd.append('_csrf', formToken(page));
    fd.append('leistung', FUND);
    fd.append('modell', new Blob([xml], { type: 'application/octet-stream' }), 'fundsache-v2.bpmn');
    const res = await admin.fetch('/admin/prozesse', { method: 'POST', body: fd });
    assert.equal(res.status, 303, 'version 2 deployed');
  }

  const ERFASSEN = { 'feld-fundnummer': 'F-1', 'feld-aufbewahrung': 'fundbuero' };

  test('each version is replayed against its own model; the selector and the CSV follow', async () => {
    assert.ok(svc, 'the portal service fundsache');
    await apply(); // case 1 under version 1
    await deployV2();
    await apply(); // case 2 under version 2
    await act('amt32', 'Fund erfassen', 'erledigen', ERFASSEN); // case 1: the only "erfassen" yet
    await act('amt32', 'Fund vorprüfen', 'erledigen');
    await act('amt32', 'Fund erfassen', 'erledigen', ERFASSEN); // case 2

    const head = await srv.login('leitung32', srv.demoPassword);
    const summary = async (version) => Object.fromEntries(
      (await csv(head, 'summary', { service: FUND, version })).map((r) => [r.figure, r.value]));
    const steps = async (version) => Object.fromEntries(
      (await csv(head, 'steps', { service: FUND, version })).map((r) => [r.step, r]));

    // version 1: its one case, against the model without Vorpruefen
    let sum = await summary('1');
    assert.equal(sum.version, '1');
    assert.equal(sum.cases, '1');
    assert.equal(sum.closed, '1');
    assert.equal(sum.fitting, '1', 'the version-1 case fits version 1 (against version 2 Erfassen comes too early)');
    assert.equal(sum.fitness_percent, '100.0');
    let st = await steps('1');
    assert.deepEqual(Object.keys(st).sort(), ['Erfassen']);
    assert.equal(st.Erfassen.executions, '1');
    assert.equal(st.Erfassen.deviations, '0');
    assert.deepEqual((await csv(head, 'variants', { service: FUND, version: '1' })).map((v) => v.steps), ['Erfassen']);

    // version 2 (the default): its one case, with Vorpruefen in the model
    for (const version of ['2', null]) {
      sum = await summary(version);
      assert.equal(sum.version, '2');
      assert.equal(sum.cases, '1', `version ${version}`);
      assert.equal(sum.fitting, '1', 'the version-2 case fits version 2 (against version 1 Vorpruefen is unknown)');
      st = await steps(version);
      assert.deepEqual(Object.keys(st).sort(), ['Erfassen', 'Vorpruefen']);
      assert.equal(st.Vorpruefen.in_model, '1');
      assert.equal(st.Vorpruefen.deviations, '0');
      assert.equal(st.Erfassen.deviations, '0');
    }

    // all versions: both cases, no fitness figure
    sum = await summary('alle');
    assert.equal(sum.version, 'alle');
    assert.equal(sum.cases, '2');
    assert.equal(sum.closed, '2');
    assert.equal(sum.fitting, '');
    assert.equal(sum.fitness_percent, '');
    st = await steps('alle');
    assert.equal(st.Erfassen.executions, '2');
    assert.equal(st.Erfassen.deviations, '');
    assert.equal((await csv(head, 'variants', { service: FUND, version: 'alle' })).length, 2);

    // the page: the selector with both versions and their counts, the scope named
    let html = await (await head.fetch(`/prozesse/analyse/${FUND}`)).text();
    assert.match(html, /<form method="get" action="\/prozesse\/analyse\/fundsache" class="filter filter-breit" aria-label="Modellversion wählen">/);
    assert.match(html, /<label for="f-version">Modellversion<\/label>/);
    const opts = [...html.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)]
      .map((m) => ({ value: m[1], selected: !!m[2], label: m[3] }));
    assert.deepEqual(opts.map((o) => o.value), ['2', '1', 'alle']);
    assert.deepEqual(opts.map((o) => o.selected), [true, false, false]);
    assert.match(opts[0].label, /^Version 2 \(aktuell\) – 1 Fall, bereitgestellt am /);
    assert.match(opts[1].label, /^Version 1 – 1 Fall, bereitgestellt am /);
    assert.match(opts[2].label, /^alle Versionen – 2 Fälle/);
    assert.match(html, /<button type="submit" class="knopf">Anzeigen<\/button>/);
    assert.match(html, /Die Zahlen gelten für Version 2 \(aktuell\)/);
    assert.match(html, /100,0 % \(1 von 1 Fällen folgten dem Modell dieser Version\)/);
    assert.match(html, /href="\/prozesse\/analyse\/fundsache\.csv\?version=2&amp;table=summary"/);

    html = await (await head.fetch(`/prozesse/analyse/${FUND}?version=1`)).text();
    assert.match(html, /<option value="1" selected>/);
    assert.match(html, /Die Zahlen gelten für Version 1, bereitgestellt am [0-9.]+ – nur der eine Fall, der unter dieser Version lief/);
    assert.doesNotMatch(html, /Fund vorprüfen/);
    assert.match(html, /href="\/prozesse\/analyse\/fundsache\.csv\?version=1&amp;table=steps"/);

    html = await (await head.fetch(`/prozesse/analyse/${FUND}?version=alle`)).text();
    assert.match(html, /<option value="alle" selected>/);
    assert.match(html, /Die Zahlen gelten für alle Modellversionen \(2\) – alle 2 Fälle der Leistung/);
    assert.match(html, /Modelltreue<\/dt><dd>nicht berechnet: die Fälle liefen unter verschiedenen Modellversionen/);
    assert.doesNotMatch(html, /folgten dem Modell/);

    const res = await head.fetch(`/prozesse/analyse/${FUND}.csv?table=steps&version=1`);
    assert.match(res.headers.get('content-disposition'), /prozessanalyse-fundsache-v1-steps\.csv/);
  });
});
