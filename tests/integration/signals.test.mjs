// Shutdown: SIGTERM and SIGINT end the server cleanly (exit 0) within seconds.
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

test('SIGTERM → exit 0 within a few seconds, and the port is closed', async (t) => {
  await srv.login('admin', srv.adminPassword); // some state in the process
  const r = await srv.stop({ signal: 'SIGTERM', timeoutMs: 20000 });
  t.diagnostic(`exit after ${r.ms} ms`);
  assert.equal(r.signal, null, `killed by ${r.signal} (did not exit on its own within 20 s)`);
  assert.equal(r.code, 0, srv.lastRunOutput);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  await assert.rejects(fetch(srv.url('/healthz')), 'still answering after exit');
});

test('SIGTERM while a request is being sent: it is still answered, then exit 0', async () => {
  await srv.start();
  const admin = await srv.login('admin', srv.adminPassword);
  const body = JSON.stringify({ nr: 4711, name: 'Amt im Abschied' });
  const sock = net.connect(srv.port, '127.0.0.1');
  await new Promise((res, rej) => sock.once('connect', res).once('error', rej));
  let answer = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => (answer += d));
  const closed = new Promise((res) => sock.on('close', res));
  sock.on('error', () => {});
  sock.write(
    'POST /api/v1/units HTTP/1.1\r\n' +
      `Host: 127.0.0.1:${srv.port}\r\n` +
      `Cookie: ${admin.jar.header()}\r\n` +
      `X-CSRF-Token: ${admin.csrf}\r\n` +
      'Content-Type: application/json\r\n' +
      'Connection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, 10),
  );
  await sleep(500); // the server has the head and part of the body
  const stopping = srv.stop({ signal: 'SIGTERM', timeoutMs: 20000 });
  await sleep(300);
  assert.ok(srv.running, 'the server exited with a request half received');
  sock.end(body.slice(10));
  await closed;
  const r = await stopping;
  assert.match(answer, /^HTTP\/1\.1 201 /, `answer during shutdown: ${JSON.stringify(answer.slice(0, 300))}`);
  assert.equal(r.code, 0);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  // and it is durable
  await srv.start();
  const units = await (await admin.fetch('/api/v1/units')).json();
  assert.ok(units.some((u) => u.nr === 4711), 'the office created during shutdown is missing');
  await srv.stop();
});

test('SIGINT → exit 0 as well; the data directory still verifies', async () => {
  await srv.start();
  const r = await srv.stop({ signal: 'SIGINT', timeoutMs: 20000 });
  assert.equal(r.code, 0);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  const v = await srv.cli('verify');
  assert.equal(v.code, 0, v.stderr);
});
