// Roles: only admins reach /verwaltung and create offices; anonymous API calls get 401 JSON.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv, amt32, leitung;
before(async () => {
  srv = await startServer();
  amt32 = await srv.login('amt32', srv.demoPassword);
  leitung = await srv.login('leitung32', srv.demoPassword);
});
after(async () => {
  await srv?.cleanup();
});

describe('a caseworker (amt32)', () => {
  test('has a session for office 32', () => {
    assert.equal(amt32.session.login, 'amt32');
    assert.equal(amt32.session.office, 32);
  });

  test('gets 403 on /verwaltung with a German page', async () => {
    for (const p of ['/verwaltung', '/verwaltung/einstellungen']) {
      const r = await amt32.fetch(p);
      assert.equal(r.status, 403, p);
      const html = await r.text();
      assert.match(html, /<html[^>]*lang="de"/);
      assert.match(html, /Berechtigung/, `${p}: no German reason`);
      assert.doesNotMatch(html, /Benutzerkonten/, `${p}: the admin page leaked into the 403`);
    }
  });

  test('gets 403 JSON on POST /api/v1/units (with a valid CSRF token), nothing created', async () => {
    const r = await amt32.fetch('/api/v1/units', { method: 'POST', json: { nr: 901, name: 'Unerlaubt' } });
    assert.equal(r.status, 403);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal((await r.json()).status, 403);
    const list = await (await amt32.fetch('/api/v1/units')).json();
    assert.ok(!list.some((u) => u.nr === 901), 'the office was created anyway');
  });

  test('gets 403 on POST /verwaltung/einstellungen, the city stays', async () => {
    const fd = new FormData();
    fd.append('_csrf', amt32.csrf);
    fd.append('city', 'Stadt Übernommen');
    const r = await amt32.fetch('/verwaltung/einstellungen', { method: 'POST', body: fd });
    assert.equal(r.status, 403);
    await r.arrayBuffer();
    assert.doesNotMatch(await (await srv.fetch('/')).text(), /Stadt Übernommen/);
  });

  test('does not see the "Verwaltung" navigation entry', async () => {
    const html = await (await amt32.fetch('/')).text();
    assert.match(html, /Guten Tag, Sachbearbeitung Amt 32/);
    assert.doesNotMatch(html, /href="\/verwaltung"/);
  });
});

describe('a head of office (leitung32)', () => {
  test('is no admin either: 403 on /verwaltung and POST /api/v1/units', async () => {
    let r = await leitung.fetch('/verwaltung');
    assert.equal(r.status, 403);
    await r.arrayBuffer();
    r = await leitung.fetch('/api/v1/units', { method: 'POST', json: { nr: 902, name: 'Unerlaubt' } });
    assert.equal(r.status, 403);
    await r.arrayBuffer();
  });
});

describe('anonymous', () => {
  test('API calls → 401 JSON', async () => {
    for (const [method, p] of [['GET', '/api/v1/units'], ['GET', '/api/v1/session'], ['POST', '/api/v1/units']]) {
      const r = await srv.fetch(p, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'POST' ? '{"nr":903,"name":"x"}' : undefined });
      assert.equal(r.status, 401, `${method} ${p}`);
      assert.match(r.headers.get('content-type'), /^application\/json/, `${method} ${p}`);
      const j = await r.json();
      assert.equal(j.status, 401);
      assert.equal(typeof j.error, 'string');
    }
  });

  test('HTML pages behind the login redirect to /login?weiter=…', async () => {
    for (const p of ['/verwaltung', '/verwaltung/einstellungen']) {
      const r = await srv.fetch(p);
      assert.equal(r.status, 303, p);
      assert.equal(r.headers.get('location'), `/login?weiter=${p}`);
    }
  });

  test('the public pages answer 200', async () => {
    for (const p of ['/', '/login', '/impressum', '/datenschutz', '/barrierefreiheit']) {
      const r = await srv.fetch(p);
      assert.equal(r.status, 200, p);
      await r.arrayBuffer();
    }
  });
});

describe('admin', () => {
  test('reaches /verwaltung with every account listed', async () => {
    const admin = await srv.login('admin', srv.adminPassword);
    const r = await admin.fetch('/verwaltung');
    assert.equal(r.status, 200);
    const html = await r.text();
    for (const l of ['admin', 'amt01', 'amt10', 'amt32', 'leitung32']) assert.match(html, new RegExp(`<td>${l}</td>`), l);
  });
});
