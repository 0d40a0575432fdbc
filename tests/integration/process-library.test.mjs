// The process library (Prozessregister): the demo documents processes, the
// register searches names and knowledge notes with the German stemmer, Leitung
// creates and edits processes of its own office only, a BPMN upload makes a
// new version (a broken file is refused with line and column), the version
// downloads byte for byte, deployment goes through the workflow engine's
// validation (an unsupported element is refused with its id), attachments of
// forbidden types get 415, and every change is in the journal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, formToken, startServer } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

const MITZEICHNUNG = fs.readFileSync(path.join(ROOT, 'data/bpmn/mitzeichnung.bpmn'));

async function token(c, p = '/prozesse') {
  return formToken(await (await c.fetch(p)).text());
}

async function upload(c, p, file, name, extra = {}) {
  const fd = new FormData();
  fd.append('_csrf', await token(c));
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  fd.append('datei', new Blob([file]), name);
  return c.fetch(p, { method: 'POST', body: fd });
}

function journal(action) {
  const db = path.join(srv.dir, 'rathaus.db');
  return Number(execFileSync('sqlite3', [db, `SELECT count(*) FROM journal WHERE action = '${action}'`]).toString().trim());
}

describe('process library', () => {
  test('the register lists the demo processes and finds words in knowledge notes', async () => {
    const c = await srv.login('amt10', srv.demoPassword);
    let html = await (await c.fetch('/prozesse')).text();
    assert.match(html, /Mitzeichnung durch mehrere Ämter/);
    assert.match(html, /Eingangsrechnungen prüfen/);
    // "Skontofristen" stands in the pitfalls of rechnungseingang; the stemmer finds the singular
    html = await (await c.fetch('/prozesse?q=Skontofrist')).text();
    assert.match(html, /Eingangsrechnungen prüfen/);
    assert.doesNotMatch(html, /Mitzeichnung durch/);
    assert.match(html, /<mark>/);
    html = await (await c.fetch('/prozesse?status=erfasst')).text();
    assert.match(html, /Ratssitzung vorbereiten/);
    assert.doesNotMatch(html, /Posteingang scannen/);
  });

  test('Leitung creates a process of its own office; other offices are refused', async () => {
    const lead = await srv.login('leitung32', srv.demoPassword);
    let res = await lead.fetch('/prozesse', {
      method: 'POST',
      form: { _csrf: await token(lead), key: 'anwohnerbeschwerde', name: 'Anwohnerbeschwerde Lärm', amt: '32', status: 'erfasst', beschreibung: 'Beschwerden über nächtlichen Lärm prüfen.', stolpersteine: 'Ruhezeiten der Lärmschutzverordnung beachten.', checkliste: 'Ort erfassen\nZeugen notieren' },
    });
    assert.equal(res.status, 303);
    let html = await (await lead.fetch('/prozesse/anwohnerbeschwerde')).text();
    assert.match(html, /Anwohnerbeschwerde Lärm/);
    assert.match(html, /<li>Zeugen notieren<\/li>/);
    res = await lead.fetch('/prozesse', {
      method: 'POST',
      form: { _csrf: await token(lead), key: 'fremd', name: 'Fremder Prozess', amt: '20', status: 'erfasst' },
    });
    assert.equal(res.status, 403);
    // a caseworker may read but not create
    const cw = await srv.login('amt32', srv.demoPassword);
    assert.equal((await cw.fetch('/prozesse/neu')).status, 403);
    res = await cw.fetch('/prozesse/anwohnerbeschwerde', {
      method: 'POST',
      form: { _csrf: await token(cw), name: 'geändert', amt: '32', status: 'erfasst' },
    });
    assert.equal(res.status, 403);
    // bad input: German message, nothing stored
    res = await lead.fetch('/prozesse', {
      method: 'POST',
      form: { _csrf: await token(lead), key: 'Ungültig Kürzel', name: '', amt: '32', status: 'erfasst' },
    });
    assert.equal(res.status, 400);
    html = await res.text();
    assert.match(html, /Kürzel besteht aus/);
    assert.equal(journal('proc.create') >= 1, true);
  });

  test('models: upload, broken XML refused with line, download byte for byte', async () => {
    const lead = await srv.login('leitung32', srv.demoPassword);
    let res = await upload(lead, '/prozesse/anwohnerbeschwerde/modelle', MITZEICHNUNG, 'm.bpmn', { kommentar: 'erste Fassung' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/prozesse/anwohnerbeschwerde/modelle/1');
    res = await upload(lead, '/prozesse/anwohnerbeschwerde/modelle', Buffer.from('<bpmn:definitions xmlns:bpmn="x">\n<oops'), 'kaputt.bpmn');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Zeile 2/);
    res = await lead.fetch('/prozesse/anwohnerbeschwerde/modelle/1/datei');
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), MITZEICHNUNG);
    const html = await (await lead.fetch('/prozesse/anwohnerbeschwerde/modelle/1')).text();
    assert.match(html, /Ablauf in Textform/);
    assert.match(html, /bpmn-navigated-viewer\.production\.min\.js/);
    assert.equal((await lead.fetch('/prozesse/anwohnerbeschwerde/modelle/9')).status, 404);
    // status moved from erfasst to modelliert with the first model
    assert.match(await (await lead.fetch('/prozesse/anwohnerbeschwerde')).text(), /modelliert/);
  });

  test('deploy goes through the workflow validation (Admin only)', async () => {
    const admin = await srv.login('admin', srv.adminPassword);
    const lead = await srv.login('leitung32', srv.demoPassword);
    // no service linked yet
    let res = await admin.fetch('/prozesse/anwohnerbeschwerde/modelle/1/bereitstellen', { method: 'POST', form: { _csrf: await token(admin) } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /mit keiner Leistung verknüpft/);
    res = await lead.fetch('/prozesse/anwohnerbeschwerde', {
      method: 'POST',
      form: { _csrf: await token(lead), name: 'Anwohnerbeschwerde Lärm', amt: '32', status: 'modelliert', leistung: 'laermbeschwerde' },
    });
    assert.equal(res.status, 303);
    assert.equal((await lead.fetch('/prozesse/anwohnerbeschwerde/modelle/1/bereitstellen', { method: 'POST', form: { _csrf: await token(lead) } })).status, 403);
    res = await admin.fetch('/prozesse/anwohnerbeschwerde/modelle/1/bereitstellen', { method: 'POST', form: { _csrf: await token(admin) } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /bereitgestellt/);
    assert.equal(journal('wf.deploy') >= 2, true);
    // an unsupported element is refused with its id, nothing deployed
    const bad = MITZEICHNUNG.toString().replace(/<bpmn:userTask /, '<bpmn:complexGateway id="Komplex_1"/><bpmn:userTask ');
    res = await upload(lead, '/prozesse/anwohnerbeschwerde/modelle', Buffer.from(bad), 'v2.bpmn');
    assert.equal(res.status, 303);
    const before = journal('wf.deploy');
    res = await admin.fetch('/prozesse/anwohnerbeschwerde/modelle/2/bereitstellen', { method: 'POST', form: { _csrf: await token(admin) } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Komplex_1/);
    assert.equal(journal('wf.deploy'), before);
  });

  test('attachments: a text note is kept, a program is refused with 415', async () => {
    const lead = await srv.login('leitung32', srv.demoPassword);
    let res = await upload(lead, '/prozesse/anwohnerbeschwerde/anlagen', Buffer.from('Telefonliste der Ansprechstellen\n'), 'kontakte.txt');
    assert.equal(res.status, 303);
    const html = await (await lead.fetch('/prozesse/anwohnerbeschwerde')).text();
    const m = /href="(\/prozesse\/anwohnerbeschwerde\/anlagen\/\d+)"/.exec(html);
    assert.ok(m, 'attachment link');
    res = await lead.fetch(m[1]);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Telefonliste der Ansprechstellen\n');
    res = await upload(lead, '/prozesse/anwohnerbeschwerde/anlagen', Buffer.from('#!/bin/sh\nrm -rf /\n'), 'x.sh');
    assert.equal(res.status, 415);
    assert.equal(journal('proc.attach'), 1);
  });
});
