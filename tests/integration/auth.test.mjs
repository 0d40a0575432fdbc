// Login, logout, session cookies and the throttling of failed logins.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

/** The Set-Cookie header for name among the headers of res. */
function setCookie(res, name) {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

describe('login and logout', () => {
  test('the login form has a CSRF token and sets the anonymous cookie HttpOnly, SameSite=Strict', async () => {
    const res = await srv.fetch('/login');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<input[^>]*name="_csrf"[^>]*value="[A-Za-z0-9_-]{43}"/);
    assert.match(html, /<input[^>]*name="passwort"[^>]*type="password"/);
    const anon = setCookie(res, 'rathaus_anon');
    assert.ok(anon, `no rathaus_anon cookie: ${res.headers.getSetCookie()}`);
    assert.match(anon, /;\s*HttpOnly/i);
    assert.match(anon, /;\s*SameSite=Strict/i);
    assert.match(anon, /;\s*Path=\//);
  });

  test('a wrong password answers 401 with a German message and sets no session', async () => {
    const c = srv.client();
    const res = await c.attemptLogin('admin', 'ganz-falsches-passwort');
    assert.equal(res.status, 401);
    const html = await res.text();
    assert.match(html, /Anmeldename oder Passwort ist falsch/);
    assert.match(html, /role="alert"/, 'the error is not announced (role="alert")');
    assert.match(html, /aria-invalid="true"/, 'the fields are not marked invalid');
    assert.match(html, /value="admin"/, 'the login name is not kept in the form');
    assert.equal(setCookie(res, 'rathaus_sid'), undefined, 'a failed login set a session cookie');
    assert.equal((await c.fetch('/api/v1/session')).status, 401);
  });

  test('an unknown login answers the same 401 as a wrong password', async () => {
    const res = await srv.client().attemptLogin('niemand', 'irgendein-passwort');
    assert.equal(res.status, 401);
    assert.match(await res.text(), /Anmeldename oder Passwort ist falsch/);
  });

  test('an empty password answers 400 with a German message', async () => {
    const res = await srv.client().attemptLogin('admin', '');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Bitte geben Sie Anmeldename und Passwort ein/);
  });

  let admin;
  test('the right password answers 303 with a session cookie; / greets the user', async () => {
    const c = srv.client();
    const res = await c.attemptLogin('admin', srv.adminPassword);
    assert.equal(res.status, 303, await res.text());
    assert.equal(res.headers.get('location'), '/');
    const sid = setCookie(res, 'rathaus_sid');
    assert.ok(sid, 'no rathaus_sid cookie');
    assert.match(sid, /^rathaus_sid=[A-Za-z0-9_-]{43};/);
    assert.match(sid, /;\s*HttpOnly/i, `session cookie not HttpOnly: ${sid}`);
    assert.match(sid, /;\s*SameSite=Strict/i, `session cookie not SameSite=Strict: ${sid}`);
    assert.match(sid, /;\s*Path=\//);
    assert.doesNotMatch(sid, /Max-Age|Expires/i, 'the session cookie should end with the browser session');
    const home = await c.fetch('/');
    assert.equal(home.status, 200);
    const html = await home.text();
    assert.match(html, /Guten Tag, Administration/);
    assert.match(html, /Abmelden/);
    const s = await c.loadSession();
    assert.equal(s.login, 'admin');
    assert.equal(s.name, 'Administration');
    assert.equal(s.office, 16);
    assert.match(s.csrf, /^[A-Za-z0-9_-]{43}$/);
    admin = c;
  });

  test('weiter= sends the user on to a local page, but never off-site', async () => {
    const c = srv.client();
    let res = await c.attemptLogin('admin', srv.adminPassword, { weiter: '/verwaltung' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/verwaltung');
    for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const d = srv.client();
      res = await d.attemptLogin('admin', srv.adminPassword, { weiter: evil });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/', `weiter=${evil} led to ${res.headers.get('location')}`);
    }
  });

  test('a 404 page still shows who is logged in (and the logout button)', async () => {
    const res = await admin.fetch('/gibt-es-nicht');
    assert.equal(res.status, 404);
    const html = await res.text();
    assert.match(html, /<span class="name">Administration<\/span>/, 'the 404 page looks logged out');
    assert.match(html, /action="\/logout"/);
    assert.doesNotMatch(html, /href="\/login">Anmelden/);
  });

  test('a logged-in admin reaches /verwaltung', async () => {
    const res = await admin.fetch('/verwaltung');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<h1>Verwaltung<\/h1>/);
  });

  test('logout clears the cookie, ends the session, and /verwaltung redirects to /login', async () => {
    const oldSid = admin.jar.get('rathaus_sid');
    const res = await admin.fetch('/logout', { method: 'POST', form: { _csrf: admin.csrf } });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login?abgemeldet=1');
    const sid = setCookie(res, 'rathaus_sid');
    assert.ok(sid, 'logout did not touch the session cookie');
    assert.match(sid, /^rathaus_sid=;/, `cookie not emptied: ${sid}`);
    assert.match(sid, /Max-Age=0/i, `cookie not expired: ${sid}`);
    assert.equal(admin.jar.get('rathaus_sid'), undefined);
    let r = await admin.fetch('/verwaltung');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login?weiter=/verwaltung');
    // the old cookie is dead on the server, not only in the browser
    const replay = srv.client();
    replay.jar.set('rathaus_sid', oldSid);
    r = await replay.fetch('/verwaltung');
    assert.equal(r.status, 303, 'the session survived logout');
    assert.equal((await replay.fetch('/api/v1/session')).status, 401);
    const page = await admin.fetch('/login?abgemeldet=1');
    assert.match(await page.text(), /Sie haben sich abgemeldet/);
  });

  test('a made-up session cookie is ignored', async () => {
    const c = srv.client();
    c.jar.set('rathaus_sid', 'A'.repeat(43));
    const r = await c.fetch('/api/v1/session');
    assert.equal(r.status, 401);
    assert.match(r.headers.get('content-type'), /^application\/json/);
  });
});

describe('throttling', () => {
  test('after 5 wrong passwords the 6th attempt is refused with 429, even with the right password', async () => {
    const login = 'amt10';
    for (let i = 1; i <= 5; i++) {
      const r = await srv.client().attemptLogin(login, `falsch-${i}-xxxxxx`);
      assert.equal(r.status, 401, `attempt ${i}`);
      await r.arrayBuffer();
    }
    const c = srv.client();
    const r = await c.attemptLogin(login, srv.demoPassword);
    const html = await r.text();
    assert.equal(r.status, 429, `6th attempt: ${r.status}`);
    assert.match(html, /Zu viele Fehlversuche/);
    assert.match(html, /<html[^>]*lang="de"/);
    assert.equal(c.jar.get('rathaus_sid'), undefined, 'a throttled login got a session');
  });

  test('the lock lives in memory: after a restart the right password works again', async () => {
    await srv.restart();
    const c = await srv.login('amt10', srv.demoPassword);
    assert.equal(c.session.login, 'amt10');
  });
});
