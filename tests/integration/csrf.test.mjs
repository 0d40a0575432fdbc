// CSRF protection of forms (hidden _csrf) and of the JSON API (X-CSRF-Token).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv, admin, other;
before(async () => {
  srv = await startServer();
  admin = await srv.login('admin', srv.adminPassword);
  other = await srv.login('amt32', srv.demoPassword);
});
after(async () => {
  await srv?.cleanup();
});

const WRONG = 'A'.repeat(43); // right shape, wrong value

async function units(c) {
  const r = await c.fetch('/api/v1/units');
  assert.equal(r.status, 200);
  return (await r.json()).map((u) => u.nr);
}

async function stillLoggedIn(c) {
  const r = await c.fetch('/api/v1/session');
  await r.arrayBuffer();
  return r.status === 200;
}

describe('POST /logout', () => {
  test('without a token → 403, and the session stays', async () => {
    const r = await admin.fetch('/logout', { method: 'POST', form: {} });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /Sicherheitsmerkmal/);
    assert.ok(await stillLoggedIn(admin), 'logout without token ended the session');
  });

  test('with a wrong token → 403', async () => {
    for (const tok of [WRONG, 'kurz', '', admin.csrf.slice(0, -1) + (admin.csrf.endsWith('A') ? 'B' : 'A')]) {
      const r = await admin.fetch('/logout', { method: 'POST', form: { _csrf: tok } });
      assert.equal(r.status, 403, `token ${JSON.stringify(tok)}`);
      await r.arrayBuffer();
    }
    assert.ok(await stillLoggedIn(admin));
  });

  test("with another session's token → 403 (tokens are bound to the session)", async () => {
    const r = await admin.fetch('/logout', { method: 'POST', form: { _csrf: other.csrf } });
    assert.equal(r.status, 403);
    await r.arrayBuffer();
    assert.ok(await stillLoggedIn(admin));
  });

  test('with the token of the anonymous form (before login) → 403', async () => {
    const c = srv.client();
    const anonToken = await c.loginFormToken();
    await c.login('amt10', srv.demoPassword);
    assert.notEqual(c.csrf, anonToken, 'the token did not change with the login');
    const r = await c.fetch('/logout', { method: 'POST', form: { _csrf: anonToken } });
    assert.equal(r.status, 403);
    await r.arrayBuffer();
    assert.ok(await stillLoggedIn(c));
  });

  test('with the right token → 303 and logged out', async () => {
    const c = await srv.login('amt01', srv.demoPassword);
    const r = await c.fetch('/logout', { method: 'POST', form: { _csrf: c.csrf } });
    assert.equal(r.status, 303);
    assert.equal(await stillLoggedIn(c), false);
  });
});

describe('POST /login', () => {
  test('without a token → 403, even with the right password', async () => {
    const c = srv.client();
    await c.loginFormToken();
    const r = await c.fetch('/login', { method: 'POST', form: { login: 'admin', passwort: srv.adminPassword } });
    assert.equal(r.status, 403);
    assert.equal(c.jar.get('rathaus_sid'), undefined);
  });

  test('with a token but without the matching anonymous cookie → 403', async () => {
    const c = srv.client();
    const token = await c.loginFormToken();
    const d = srv.client(); // no cookies at all
    const r = await d.fetch('/login', { method: 'POST', form: { _csrf: token, login: 'admin', passwort: srv.adminPassword } });
    assert.equal(r.status, 403);
  });
});

describe('POST /api/v1/units', () => {
  test('without X-CSRF-Token → 403 JSON, nothing created', async () => {
    const r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr: 801, name: 'Ohne Token' }, csrf: false });
    assert.equal(r.status, 403);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const j = await r.json();
    assert.equal(j.status, 403);
    assert.ok(!(await units(admin)).includes(801));
  });

  test('with a wrong X-CSRF-Token → 403, nothing created', async () => {
    for (const tok of [WRONG, other.csrf]) {
      const r = await admin.fetch('/api/v1/units', {
        method: 'POST',
        json: { nr: 802, name: 'Falsches Token' },
        headers: { 'X-CSRF-Token': tok },
      });
      assert.equal(r.status, 403);
      await r.arrayBuffer();
    }
    assert.ok(!(await units(admin)).includes(802));
  });

  test('with the right X-CSRF-Token → 201 and listed', async () => {
    const r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr: 803, name: 'Mit Token' } });
    assert.equal(r.status, 201, await r.clone().text());
    assert.deepEqual(await r.json(), { nr: 803, name: 'Mit Token' });
    const list = await (await admin.fetch('/api/v1/units')).json();
    assert.deepEqual(list.find((u) => u.nr === 803), { nr: 803, label: '803', name: 'Mit Token' });
  });

  test('the same number again → 409; invalid input → 400', async () => {
    let r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr: 803, name: 'Doppelt' } });
    assert.equal(r.status, 409);
    await r.arrayBuffer();
    const bad = [
      { nr: 0, name: 'Null' },
      { nr: 10000, name: 'Zu groß' },
      { nr: 804, name: '' },
      { nr: 805, name: 'x'.repeat(201) },
      { nr: '806', name: 'Text' },
      { nr: 807.5, name: 'Bruch' },
      { name: 'ohne Nummer' },
      { nr: 808 },
      // 2^32 + 1000 and 2^32 + 16: must not wrap around to 1000 or 16
      { nr: 4294968296, name: 'Überlauf' },
      { nr: 4294967312, name: 'Überlauf 16' },
      { nr: -4294966296, name: 'Unterlauf' },
    ];
    for (const body of bad) {
      r = await admin.fetch('/api/v1/units', { method: 'POST', json: body });
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      await r.arrayBuffer();
    }
    const list = await (await admin.fetch('/api/v1/units')).json();
    assert.ok(!list.some((u) => u.nr === 1000 || u.nr >= 804 && u.nr <= 808), `created from invalid input: ${JSON.stringify(list.filter((u) => u.nr === 1000 || u.nr >= 804))}`);
    assert.equal(list.find((u) => u.nr === 16).name, 'Amt für IT-Services und Mediengestaltung');
    r = await admin.fetch('/api/v1/units', {
      method: 'POST',
      body: '{"nr": 806, "name": ',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': admin.csrf },
    });
    assert.equal(r.status, 400, 'broken JSON');
    await r.arrayBuffer();
  });
});

describe('output escaping', () => {
  test('an office name with markup is shown escaped on /verwaltung', async () => {
    const r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr: 809, name: '<img src=x onerror=alert(1)>&"' } });
    assert.equal(r.status, 201);
    const html = await (await admin.fetch('/verwaltung')).text();
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&amp;'), 'name not escaped');
    assert.ok(!html.includes('<img src=x'), 'raw markup on the page');
  });
});
