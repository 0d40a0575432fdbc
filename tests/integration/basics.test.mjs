// /healthz, security headers on every kind of response, and the German 404 page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli, startServer } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

function assertSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy header`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP without frame-ancestors 'none': ${csp}`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP without default-src 'self': ${csp}`);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, `${what}: CSP allows unsafe code: ${csp}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const rp = res.headers.get('referrer-policy');
  assert.ok(rp, `${what}: no Referrer-Policy header`);
  assert.match(rp, /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/, `${what}: weak Referrer-Policy ${rp}`);
}

describe('healthz', () => {
  test('GET /healthz answers JSON with status, version and database state', async () => {
    const res = await srv.fetch('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const j = await res.json();
    assert.equal(j.status, 'ok', JSON.stringify(j));
    assert.equal(typeof j.version, 'string');
    assert.match(j.version, /^\d+\.\d+\.\d+/, `version ${j.version}`);
    assert.equal(j.database?.state, 'ok', JSON.stringify(j));
    assert.ok(Number.isInteger(j.database.schema) && j.database.schema > 0, `schema ${j.database.schema}`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('the version is the one `rathaus --version` prints', async () => {
    const j = await (await srv.fetch('/healthz')).json();
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `rathaus ${j.version}`);
  });
});

describe('security headers', () => {
  for (const [what, p] of [
    ['start page', '/'],
    ['login page', '/login'],
    ['healthz JSON', '/healthz'],
    ['404 page', '/gibt-es-nicht'],
    ['static CSS', '/static/css/rathaus.css'],
    ['API 401', '/api/v1/units'],
  ]) {
    test(`${what} (${p}) carries CSP, nosniff and Referrer-Policy`, async () => {
      const res = await srv.fetch(p);
      await res.arrayBuffer();
      assertSecurityHeaders(res, `${what} ${p} (${res.status})`);
    });
  }

  test('a redirect carries the security headers too', async () => {
    const res = await srv.fetch('/verwaltung');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login?weiter=/verwaltung');
    assertSecurityHeaders(res, 'redirect /verwaltung');
  });

  test('an oversized request (413, answered before the body) carries them too', async () => {
    const res = await srv.fetch('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    assert.equal(res.status, 413);
    assertSecurityHeaders(res, '413');
  });
});

describe('404 page', () => {
  test('an unknown path answers 404 with a German HTML page', async () => {
    const res = await srv.fetch('/diese/seite/gibt/es/nicht');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const html = await res.text();
    assert.match(html, /<html[^>]*\blang="de"/, 'html lang="de" missing');
    assert.match(html, /nicht gefunden/i, 'no "nicht gefunden" on the 404 page');
    assert.match(html, /<title>[^<]+<\/title>/);
    assert.match(html, /href="\/"/, 'no link back to the start page');
  });

  test('an unknown static file answers the German 404 page as well', async () => {
    const res = await srv.fetch('/static/gibt-es-nicht.css');
    assert.equal(res.status, 404);
    const html = await res.text();
    assert.match(html, /<html[^>]*\blang="de"/);
    assert.match(html, /nicht gefunden/i);
  });

  test('an unknown API path answers 404 as JSON, not HTML', async () => {
    const res = await srv.fetch('/api/v1/gibt-es-nicht');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const j = await res.json();
    assert.equal(j.status, 404);
  });

  test('the wrong method answers 405 with an Allow header', async () => {
    const res = await srv.fetch('/healthz', { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.ok(res.headers.get('allow'), 'no Allow header');
    await res.arrayBuffer();
  });
});
