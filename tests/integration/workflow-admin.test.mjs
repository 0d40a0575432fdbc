// /admin/prozesse: Admins see the deployed services and upload a BPMN model
// for a service key (multipart, with CSRF); a model outside the executable
// subset or unreadable XML is refused with every element id and a German
// reason, and nothing is stored. Other roles get 403.
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, formToken, startServer } from '../lib/server.mjs';

let srv, admin;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin', srv.adminPassword);
});

after(async () => {
  await srv?.cleanup();
});

async function upload(c, key, name, xml, { csrf = true } = {}) {
  const page = await (await c.fetch('/admin/prozesse')).text();
  const fd = new FormData();
  if (csrf) fd.append('_csrf', formToken(page));
  fd.append('leistung', key);
  fd.append('modell', new Blob([xml], { type: 'application/octet-stream' }), name);
  return c.fetch('/admin/prozesse', { method: 'POST', body: fd });
}

const BAD = `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="urn:t">
  <bpmn:process id="Schlecht" isExecutable="true">
    <bpmn:startEvent id="S"/><bpmn:task id="T1"/><bpmn:sendTask id="T2"/><bpmn:endEvent id="E"/>
    <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T1"/><bpmn:sequenceFlow id="f2" sourceRef="T1" targetRef="T2"/>
    <bpmn:sequenceFlow id="f3" sourceRef="T2" targetRef="E"/>
  </bpmn:process>
</bpmn:definitions>`;

describe('/admin/prozesse', () => {
  test('lists the deployed services; Admin only, in the navigation', async () => {
    const res = await admin.fetch('/admin/prozesse');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<td>demo-mitzeichnung<\/td><td>Mitzeichnung durch zwei Ämter<\/td><td>Mitzeichnung<\/td><td class="zahl">1<\/td>/);
    assert.match(html, /<a href="\/admin\/prozesse" aria-current="page">Abläufe<\/a>/);
    const staff = await srv.login('amt32', srv.demoPassword);
    assert.equal((await staff.fetch('/admin/prozesse')).status, 403);
    assert.doesNotMatch(await (await staff.fetch('/')).text(), /\/admin\/prozesse/);
  });

  test('an upload deploys the next version for the service key', async () => {
    const xml = await fsp.readFile(path.join(ROOT, 'data', 'bpmn', 'mitzeichnung.bpmn'));
    const res = await upload(admin, 'test.mitzeichnung', 'mitzeichnung.bpmn', xml);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin/prozesse?bereitgestellt=1');
    const html = await (await admin.fetch(res.headers.get('location'))).text();
    assert.match(html, /Das Modell wurde bereitgestellt/);
    assert.match(html, /<td>test.mitzeichnung<\/td><td>Mitzeichnung durch zwei Ämter<\/td><td>Mitzeichnung<\/td><td class="zahl">2<\/td>/);
  });

  test('without CSRF token the upload is refused', async () => {
    const res = await upload(admin, 'x', 'x.bpmn', BAD, { csrf: false });
    assert.equal(res.status, 403);
  });

  test('a model outside the subset is refused with ids and reasons, nothing stored', async () => {
    const res = await upload(admin, 'test.schlecht', 'schlecht.bpmn', BAD);
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /<title>Fehler: Abläufe/);
    assert.match(html, /nichts wurde gespeichert/);
    assert.match(html, /<td><code>T1<\/code><\/td><td>Elementtyp task wird nicht ausgeführt<\/td>/);
    assert.match(html, /<td><code>T2<\/code><\/td><td>Elementtyp sendTask wird nicht ausgeführt<\/td>/);
    assert.match(html, /value="test.schlecht"/, 'the service key is kept');
    assert.doesNotMatch(html, /<td>test.schlecht<\/td>/);
  });

  test('unreadable XML is refused with line and column; a missing key or file too', async () => {
    let res = await upload(admin, 'test.kaputt', 'kaputt.bpmn', '<bpmn:definitions><oops></bpmn:definitions>');
    assert.equal(res.status, 422);
    assert.match(await res.text(), /kaputt\.bpmn.*Zeile \d+/);
    res = await upload(admin, '', 'x.bpmn', BAD);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Bitte einen Leistungsschlüssel angeben/);
  });
});
