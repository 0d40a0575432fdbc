// The online services portal against the running server: every service of
// data/services/ is submitted with valid data generated from its own form
// definition and lands as a Vorgang in the responsible office's Akte with
// the data as JSON and PDF, each attachment, and a started workflow; invalid
// data gets a 400 page with German errors per field and stores nothing; a
// repeated request makes no second case; the honeypot and the per-address
// rate limit refuse; the catalogue pages, `services list` and the
// accessibility feedback work.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, runCli, startServer } from '../lib/server.mjs';
import { formData, samplePdf, services, statusToken, submitDirect, validEntries } from '../lib/portal.mjs';

let srv;
const SERVICES = services();

function sql(statement) {
  return execFileSync('sqlite3', [path.join(srv.dir, 'rathaus.db'), statement]).toString().trim();
}

/** Rows of the tables a submission writes, for before/after comparisons. */
function counts() {
  return sql(
    "SELECT (SELECT COUNT(*) FROM files) || ' ' || (SELECT COUNT(*) FROM cases) || ' ' ||" +
      " (SELECT COUNT(*) FROM documents) || ' ' || (SELECT COUNT(*) FROM versions) || ' ' ||" +
      " (SELECT COUNT(*) FROM submissions) || ' ' || (SELECT COUNT(*) FROM drafts) || ' ' ||" +
      " (SELECT COUNT(*) FROM instances) || ' ' || (SELECT COUNT(*) FROM blobs) || ' ' ||" +
      " (SELECT COUNT(*) FROM journal WHERE action LIKE 'portal.%' OR action LIKE 'case.%'" +
      " OR action LIKE 'file.%' OR (action LIKE 'doc.%' AND action NOT LIKE 'doc.extract%')" +
      " OR action LIKE 'wf.instance%')",
  );
}

before(async () => {
  process.env.RATHAUS_PORTAL_RATE = '1000';
  srv = await startServer();
});

after(async () => {
  delete process.env.RATHAUS_PORTAL_RATE;
  await srv?.cleanup();
});

describe('catalogue', () => {
  test('services list --json names every service with slug, name, leika, office, ozg_level', async () => {
    const r = await runCli(['services', 'list', '--data', srv.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout);
    assert.equal(list.length, SERVICES.length);
    for (const s of SERVICES) {
      const got = list.find((x) => x.slug === s.slug);
      assert.ok(got, s.slug);
      assert.equal(got.name, s.name);
      assert.equal(got.leika, s.leika);
      assert.equal(got.office, s.office);
      assert.equal(got.ozg_level, s.ozg_level);
    }
    assert.equal(Number(sql('SELECT COUNT(*) FROM services WHERE online = 1 AND ozg_level >= 3')), SERVICES.length);
  });

  test('every service model is deployed under its slug', () => {
    for (const s of SERVICES)
      assert.equal(sql(`SELECT COUNT(*) FROM deployments WHERE service_key = '${s.slug}'`), '1', s.slug);
  });

  test('/leistungen lists, searches and filters without login', async () => {
    const c = new Client(srv);
    let html = await (await c.fetch('/leistungen')).text();
    for (const s of SERVICES) assert.match(html, new RegExp(`href="/leistungen/${s.slug}"`));
    assert.match(html, /Online-Leistungen/);
    const first = SERVICES[0];
    html = await (await c.fetch(`/leistungen?q=${encodeURIComponent(first.name)}`)).text();
    assert.match(html, new RegExp(`href="/leistungen/${first.slug}"`));
    html = await (await c.fetch('/leistungen?q=gibtesnichtxyz')).text();
    assert.match(html, /Keine Leistung passt/);
    html = await (await c.fetch(`/leistungen?thema=${encodeURIComponent(first.topic)}`)).text();
    for (const s of SERVICES)
      assert.equal(html.includes(`href="/leistungen/${s.slug}"`), s.topic === first.topic, s.slug);
    const res = await c.fetch(`/leistungen/${first.slug}`);
    assert.equal(res.status, 200);
    html = await res.text();
    assert.match(html, /Rechtsgrundlage/);
    assert.match(html, new RegExp(`href="/leistungen/${first.slug}/antrag"`));
    assert.equal((await c.fetch('/leistungen/gibt-es-nicht')).status, 404);
  });
});

describe('submission of every service', () => {
  for (const svc of SERVICES) {
    test(`${svc.slug}: valid data → Vorgang in Amt ${svc.office} with documents and a started workflow`, async () => {
      const c = new Client(srv);
      const entries = validEntries(svc.form);
      const res = await submitDirect(c, svc, entries, { idem: `test-${svc.slug}-0000000000` });
      const body = res.status === 303 ? '' : await res.text();
      assert.equal(res.status, 303, body.slice(0, 3000));
      const token = statusToken(res);
      assert.ok(token);
      const ref = sql(`SELECT case_ref FROM submissions WHERE service = '${svc.slug}'`);
      assert.ok(ref, 'a submission row');
      assert.equal(sql(`SELECT f.unit_nr FROM cases c JOIN files f ON f.id = c.file_id WHERE c.reference = '${ref}'`), String(svc.office));
      assert.equal(sql(`SELECT service_key FROM cases WHERE reference = '${ref}'`), svc.slug);
      const plan = sql(`SELECT p.code FROM cases c JOIN files f ON f.id = c.file_id JOIN plan_nodes p ON p.id = f.plan_node_id WHERE c.reference = '${ref}'`);
      assert.equal(plan, svc.plan_code);
      const files = entries.filter(([, v]) => typeof v !== 'string').length;
      const docs = sql(`SELECT v.filename FROM documents d JOIN cases c ON c.id = d.case_id JOIN versions v ON v.document_id = d.id WHERE c.reference = '${ref}' ORDER BY d.id`).split('\n');
      assert.ok(docs.includes('antragsdaten.json'), docs.join(','));
      assert.ok(docs.includes('antrag.pdf'));
      assert.ok(docs.length >= 2 && docs.length <= 2 + files, docs.join(','));
      assert.equal(sql(`SELECT mime FROM versions WHERE filename = 'antrag.pdf' AND document_id IN (SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = '${ref}')`), 'application/pdf');
      assert.equal(sql(`SELECT COUNT(*) FROM instances WHERE case_ref = '${ref}'`), '1');
      const receipt = await c.fetch(`/status/${token}/eingang`);
      assert.equal(receipt.status, 200);
      assert.match(await receipt.text(), new RegExp(ref.replace(/[.]/g, '\\.')));
      const status = await (await c.fetch(`/status/${token}`)).text();
      assert.match(status, /Stand Ihres Antrags/);
      const pdf = await c.fetch(`/status/${token}/eingangsbestaetigung.pdf`);
      assert.equal(pdf.status, 200);
      assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
    });
  }
});

describe('refusals store nothing', () => {
  const svc = SERVICES.find((s) => s.slug === 'bewohnerparkausweis') || SERVICES[0];

  test('invalid data: 400 with German errors at each field and in the summary, nothing stored', async () => {
    const c = new Client(srv);
    const before = counts();
    // every text value emptied, postcode and e-mail wrong
    const entries = validEntries(svc.form)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => [k, /plz|postleitzahl/.test(k) ? '123' : /mail/.test(k) ? 'kein-at' : '']);
    const res = await submitDirect(c, svc, entries);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, /aria-invalid="true"/);
    assert.match(html, /nicht gespeichert/);
    const required = svc.form.steps[0].groups.flatMap((g) => g.fields).filter((f) => f.required && !f.show_if);
    for (const f of required) assert.match(html, new RegExp(`href="#${f.id}"`), f.id);
    assert.equal(counts(), before);
  });

  test('an upload typed by its content as a script: 400 at the field, nothing stored', async () => {
    const c = new Client(srv);
    const before = counts();
    const entries = validEntries(svc.form).map(([k, v]) =>
      typeof v === 'string' ? [k, v] : [k, { file: Buffer.from('#!/bin/sh\nrm -rf /\n'), filename: 'nachweis.pdf', type: 'application/pdf' }],
    );
    assert.ok(entries.some(([, v]) => typeof v !== 'string'), 'the service has a file field');
    const res = await submitDirect(c, svc, entries);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /Dateityp wird nicht angenommen/);
    assert.match(html, /aria-invalid="true"/);
    assert.equal(counts(), before);
  });

  test('honeypot filled: 400, nothing stored', async () => {
    const c = new Client(srv);
    const before = counts();
    const res = await submitDirect(c, svc, validEntries(svc.form), { extra: { _homepage: 'http://spam.example' } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Bitte leer lassen/);
    assert.equal(counts(), before);
  });

  test('a repeated request (same idempotency key) makes no second case and shows the same receipt', async () => {
    const c = new Client(srv);
    const entries = validEntries(svc.form);
    const idem = 'doppelklick-0123456789abcdef';
    const [a, b] = await Promise.all([
      submitDirect(c, svc, entries, { idem }),
      submitDirect(new Client(srv), svc, entries, { idem }),
    ]);
    assert.equal(a.status, 303);
    assert.equal(b.status, 303);
    assert.equal(a.headers.get('location'), b.headers.get('location'));
    const third = await submitDirect(c, svc, entries, { idem });
    assert.equal(third.headers.get('location'), a.headers.get('location'));
    const key = sql(`SELECT COUNT(*) FROM submissions`);
    const token = statusToken(a);
    const ref = sql(`SELECT case_ref FROM submissions s WHERE s.id = (SELECT MAX(id) FROM submissions)`);
    assert.ok(ref);
    assert.equal(sql(`SELECT COUNT(*) FROM cases WHERE reference = '${ref}'`), '1');
    assert.ok(Number(key) >= 1);
    assert.equal((await c.fetch(`/status/${token}/eingang`)).status, 200);
  });

  test('unknown status token: 404', async () => {
    const c = new Client(srv);
    assert.equal((await c.fetch('/status/AAAAAAAAAAAAAAAAAAAAAA')).status, 404);
  });
});

describe('step by step, drafts and the resume link', () => {
  const svc = SERVICES.find((s) => s.slug === 'bewohnerparkausweis') || SERVICES[0];

  async function postStep(c, n, entries, aktion = 'weiter') {
    const page = await c.fetch(`/leistungen/${svc.slug}/antrag?schritt=${n}`);
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]*)"/.exec(html)[1];
    return c.fetch(`/leistungen/${svc.slug}/antrag`, {
      method: 'POST',
      body: formData(entries, { _csrf: csrf, _schritt: String(n), _aktion: aktion }),
    });
  }

  test('each step checks itself; the review shows everything; sending twice makes one case', async () => {
    const c = new Client(srv);
    const first = await c.fetch(`/leistungen/${svc.slug}/antrag`);
    const html = await first.text();
    assert.match(html, new RegExp(`Schritt 1 von ${svc.form.steps.length + 1}`));
    assert.match(html, /aria-current="step"/);
    // an empty first step: 400 and no draft
    const before = counts();
    let res = await postStep(c, 1, []);
    assert.equal(res.status, 400);
    assert.equal(counts(), before);
    for (let i = 0; i < svc.form.steps.length; i++) {
      res = await postStep(c, i + 1, validEntries(svc.form, { steps: [i] }));
      assert.equal(res.status, 303, (await res.text()).slice(0, 2000));
    }
    assert.match(res.headers.get('location'), /\/antrag\/pruefen$/);
    const review = await c.fetch(`/leistungen/${svc.slug}/antrag/pruefen`);
    const rhtml = await review.text();
    assert.equal(review.status, 200);
    assert.match(rhtml, /Antrag verbindlich absenden/);
    const csrf = /name="_csrf" value="([^"]*)"/.exec(rhtml)[1];
    const cases = Number(sql('SELECT COUNT(*) FROM cases'));
    const send = () => c.fetch(`/leistungen/${svc.slug}/antrag/absenden`, { method: 'POST', form: { _csrf: csrf } });
    const [a, b] = await Promise.all([send(), send()]);
    assert.equal(a.status, 303);
    assert.equal(b.status, 303);
    assert.equal(a.headers.get('location'), b.headers.get('location'));
    assert.equal(Number(sql('SELECT COUNT(*) FROM cases')), cases + 1);
    assert.equal(sql(`SELECT COUNT(*) FROM drafts`), '0', 'the draft is gone after sending');
  });

  test('"Speichern und später fortsetzen" gives a resume link that works in another browser', async () => {
    const c = new Client(srv);
    const entries = validEntries(svc.form, { steps: [0] });
    const res = await postStep(c, 1, entries, 'speichern');
    assert.equal(res.status, 200);
    const html = await res.text();
    const m = /href="(\/antrag\/fortsetzen\/[A-Za-z0-9_-]{22})"/.exec(html);
    assert.ok(m, html.slice(0, 2000));
    const other = new Client(srv);
    const r2 = await other.fetch(m[1]);
    assert.equal(r2.status, 303);
    const step = await other.fetch(r2.headers.get('location'));
    const shtml = await step.text();
    const [name, value] = entries.find(([, v]) => typeof v === 'string' && v.length > 3);
    assert.ok(shtml.includes(value), `${name}=${value} restored`);
    assert.equal((await other.fetch('/antrag/fortsetzen/AAAAAAAAAAAAAAAAAAAAAA')).status, 404);
    // 31 days later the link has expired
    await srv.stop();
    process.env.RATHAUS_CLOCK_OFFSET = String(31 * 86400);
    try {
      await srv.start();
      const late = await new Client(srv).fetch(m[1]);
      assert.equal(late.status, 410);
      assert.match(await late.text(), /abgelaufen/);
    } finally {
      await srv.stop();
      delete process.env.RATHAUS_CLOCK_OFFSET;
      await srv.start();
    }
  });
});

describe('rate limit', () => {
  test('the third submission from one address within an hour is refused with 429', async () => {
    await srv.stop();
    process.env.RATHAUS_PORTAL_RATE = '2';
    try {
      await srv.start();
      const svc = SERVICES[0];
      const c = new Client(srv);
      for (let i = 0; i < 2; i++) {
        const res = await submitDirect(c, svc, validEntries(svc.form), { idem: `rate-${i}-0123456789abcdef` });
        assert.equal(res.status, 303);
      }
      const before = counts();
      const res = await submitDirect(c, svc, validEntries(svc.form), { idem: 'rate-2-0123456789abcdef' });
      assert.equal(res.status, 429);
      assert.match(await res.text(), /zu viele Anträge/i);
      assert.equal(counts(), before);
    } finally {
      await srv.stop();
      process.env.RATHAUS_PORTAL_RATE = '1000';
      await srv.start();
    }
  });
});

describe('accessibility feedback', () => {
  test('the statement page has a feedback form; a message is stored, an empty one refused', async () => {
    const c = new Client(srv);
    const html = await (await c.fetch('/barrierefreiheit')).text();
    assert.match(html, /id="feedback"/);
    const csrf = /name="_csrf" value="([^"]*)"/.exec(html)[1];
    let res = await c.fetch('/barrierefreiheit/feedback', { method: 'POST', form: { _csrf: csrf, nachricht: '' } });
    assert.equal(res.status, 400);
    res = await c.fetch('/barrierefreiheit/feedback', { method: 'POST', form: { _csrf: csrf, nachricht: 'Kontrast zu schwach', seite: '/leistungen' } });
    assert.equal(res.status, 200);
    assert.equal(sql("SELECT COUNT(*) FROM feedback WHERE message = 'Kontrast zu schwach'"), '1');
    assert.match(await (await c.fetch('/leistungen')).text(), /href="\/barrierefreiheit#feedback"/);
  });
});

describe('evidence asked by the office, notice downloaded', () => {
  const svc = SERVICES.find((s) => s.slug === 'bewohnerparkausweis') || SERVICES[0];

  test('staff ask for evidence; the applicant sees the message and uploads it into the same case', async () => {
    const c = new Client(srv);
    const res = await submitDirect(c, svc, validEntries(svc.form), { idem: 'nachweis-0123456789abcdef' });
    assert.equal(res.status, 303);
    const token = statusToken(res);
    const ref = sql(`SELECT case_ref FROM submissions WHERE id = (SELECT MAX(id) FROM submissions)`);
    let html = await (await c.fetch(`/status/${token}`)).text();
    assert.doesNotMatch(html, /Nachweis nachreichen/);
    // an upload before the office asked is refused: there is no form, but a POST is checked too
    const taskId = sql(`SELECT t.id FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE i.case_ref = '${ref}' AND t.state = 'open'`);
    const staff = await srv.login(`amt${String(svc.office).padStart(2, '0')}`, srv.demoPassword);
    const page = await (await staff.fetch(`/aufgaben/${taskId}`)).text();
    const scsrf = /name="_csrf" value="([^"]*)"/.exec(page)[1];
    const ask = await staff.fetch(`/aufgaben/${taskId}/nachweise`, { method: 'POST', form: { _csrf: scsrf, nachweise: 'Bitte reichen Sie die Meldebescheinigung nach.' } });
    assert.equal(ask.status, 303);
    html = await (await c.fetch(`/status/${token}`)).text();
    assert.match(html, /Bitte reichen Sie die Meldebescheinigung nach\./);
    assert.match(html, /Nachweis nachreichen/);
    const csrf = /name="_csrf" value="([^"]*)"/.exec(html)[1];
    const docs = Number(sql(`SELECT COUNT(*) FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = '${ref}'`));
    // a script is refused with 400 and stores nothing
    let fd = new FormData();
    fd.append('_csrf', csrf);
    fd.append('datei', new Blob(['#!/bin/sh\necho hallo\n'], { type: 'text/x-sh' }), 'skript.sh');
    let up = await c.fetch(`/status/${token}/nachweis`, { method: 'POST', body: fd });
    assert.equal(up.status, 400);
    assert.match(await up.text(), /Dateityp/);
    fd = new FormData();
    fd.append('_csrf', csrf);
    fd.append('datei', new Blob([samplePdf('Meldebescheinigung')], { type: 'application/pdf' }), 'meldebescheinigung.pdf');
    up = await c.fetch(`/status/${token}/nachweis`, { method: 'POST', body: fd });
    assert.equal(up.status, 303);
    assert.equal(Number(sql(`SELECT COUNT(*) FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = '${ref}'`)), docs + 1);
    assert.equal(sql(`SELECT d.direction FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = '${ref}' ORDER BY d.id DESC LIMIT 1`), 'in');
    assert.equal(sql(`SELECT v.filename FROM versions v JOIN documents d ON d.id = v.document_id JOIN cases c ON c.id = d.case_id WHERE c.reference = '${ref}' ORDER BY v.id DESC LIMIT 1`), 'meldebescheinigung.pdf');
  });

  test('after approval the notice is on the status page; its download is journaled as a read', async () => {
    const c = new Client(srv);
    const res = await submitDirect(c, svc, validEntries(svc.form), { idem: 'bescheid-0123456789abcdef' });
    const token = statusToken(res);
    const ref = sql(`SELECT case_ref FROM submissions WHERE id = (SELECT MAX(id) FROM submissions)`);
    const taskId = sql(`SELECT t.id FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE i.case_ref = '${ref}' AND t.state = 'open'`);
    const staff = await srv.login(`amt${String(svc.office).padStart(2, '0')}`, srv.demoPassword);
    let page = await (await staff.fetch(`/aufgaben/${taskId}`)).text();
    let scsrf = /name="_csrf" value="([^"]*)"/.exec(page)[1];
    assert.equal((await staff.fetch(`/aufgaben/${taskId}/uebernehmen`, { method: 'POST', form: { _csrf: scsrf } })).status, 303);
    const done = await staff.fetch(`/aufgaben/${taskId}/erledigen`, {
      method: 'POST',
      form: { _csrf: scsrf, 'feld-entscheidung': 'genehmigt', 'feld-ausweisnummer': 'BPA-1', 'feld-gueltig_bis': '2027-12-31' },
    });
    const dtext = done.status === 303 ? "" : await done.text();
    assert.equal(done.status, 303, [...dtext.matchAll(/class="fehler[^"]*"[^>]*>([^<]*)/g)].map((x) => x[1]).join(" / "));
    const html = await (await c.fetch(`/status/${token}`)).text();
    const m = /href="(\/status\/[^"]+\/dokument\/(\d+))"/.exec(html);
    assert.ok(m, 'a notice link');
    const before = Number(sql(`SELECT COUNT(*) FROM journal WHERE action = 'doc.read' AND object = 'version:${m[2]}'`));
    const dl = await c.fetch(m[1]);
    assert.equal(dl.status, 200);
    assert.equal(Buffer.from(await dl.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
    assert.equal(Number(sql(`SELECT COUNT(*) FROM journal WHERE action = 'doc.read' AND object = 'version:${m[2]}'`)), before + 1);
    // another case's version is not reachable through this token
    const other = sql(`SELECT MIN(id) FROM versions`);
    assert.equal((await c.fetch(`/status/${token}/dokument/${other}`)).status, 404);
  });
});
