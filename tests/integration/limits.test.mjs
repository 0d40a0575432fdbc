// Size limits: 413 for a file above 25 MiB and for a Content-Length above
// 100 MiB (refused before the body is sent); the logo's own limits (1 MiB,
// PNG/JPEG only, sniffed from the bytes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG_1x1, startServer } from '../lib/server.mjs';

let srv, admin;
before(async () => {
  srv = await startServer();
  admin = await srv.login('admin', srv.adminPassword);
});
after(async () => {
  await srv?.cleanup();
});

function settingsForm(city, file, name = 'logo.png', type = 'image/png') {
  const fd = new FormData();
  fd.append('_csrf', admin.csrf);
  fd.append('city', city);
  if (file) fd.append('logo', new Blob([file], { type }), name);
  return fd;
}

async function healthy() {
  const r = await srv.fetch('/healthz');
  const j = await r.json();
  assert.equal(r.status, 200);
  assert.equal(j.status, 'ok');
}

/**
 * Sends only the request head over a raw socket and resolves with the
 * response head, or rejects if none arrives within ms.
 */
function headOnly(head, ms = 5000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer within ${ms} ms without the body; got: ${JSON.stringify(got)}`));
    }, ms);
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) {
        clearTimeout(timer);
        sock.destroy();
        resolve(got.slice(0, end));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      if (got) resolve(got);
      else reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (got) resolve(got);
      else reject(new Error('connection closed without an answer'));
    });
    sock.write(head);
  });
}

describe('request size limits', () => {
  test('a multipart upload with a 26 MiB file → 413, and the server keeps answering', async () => {
    const big = Buffer.alloc(26 * 1024 * 1024, 0x41);
    const r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: settingsForm('Stadt Groß', big, 'gross.png') });
    const html = await r.text();
    assert.equal(r.status, 413, html.slice(0, 500));
    assert.match(html, /Die Anfrage ist zu groß/, 'not the message of the request limit');
    assert.doesNotMatch(html, /höchstens 1 MB/, 'refused by the logo check, not by the 25 MiB file limit');
    await healthy();
    // the partial upload is not left behind in DIR/tmp
    const tmp = path.join(srv.dir, 'tmp');
    let left = [];
    for (let i = 0; i < 40; i++) {
      left = fs.readdirSync(tmp);
      if (left.length === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(left, [], `upload temp files left in ${tmp}`);
    const s = await admin.fetch('/verwaltung');
    assert.equal(s.status, 200, 'the session did not survive the refused upload');
    assert.doesNotMatch(await s.text(), /Stadt Groß/, 'the refused form was saved anyway');
  });

  test('a Content-Length above 100 MiB → 413 before the body is sent', async () => {
    const head =
      'POST /verwaltung/einstellungen HTTP/1.1\r\n' +
      `Host: 127.0.0.1:${srv.port}\r\n` +
      `Cookie: ${admin.jar.header()}\r\n` +
      'Content-Type: multipart/form-data; boundary=XyZ\r\n' +
      `Content-Length: ${101 * 1024 * 1024}\r\n\r\n`;
    const resp = await headOnly(head);
    assert.match(resp, /^HTTP\/1\.[01] 413 /, resp);
    assert.match(resp, /content-security-policy:/i);
    await healthy();
  });

  test('the same for a JSON API request: 413 JSON before the body', async () => {
    const head =
      'POST /api/v1/units HTTP/1.1\r\n' +
      `Host: 127.0.0.1:${srv.port}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${200 * 1024 * 1024}\r\n\r\n`;
    const resp = await headOnly(head);
    assert.match(resp, /^HTTP\/1\.[01] 413 /, resp);
    assert.match(resp, /content-type: application\/json/i);
    await healthy();
  });

  test('a urlencoded body above 4 MiB → 413', async () => {
    const r = await admin.fetch('/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${admin.csrf}&x=${'a'.repeat(5 * 1024 * 1024)}`,
    });
    assert.equal(r.status, 413);
    await r.arrayBuffer();
    assert.equal((await admin.fetch('/api/v1/session')).status, 200, 'the refused logout was carried out');
  });

  test('multipart to a route that takes no uploads → 415', async () => {
    const fd = new FormData();
    fd.append('_csrf', admin.csrf);
    const r = await admin.fetch('/logout', { method: 'POST', body: fd });
    assert.equal(r.status, 415);
    await r.arrayBuffer();
  });
});

describe('logo upload', () => {
  test('a PNG of 1×1 pixel is stored, and /logo serves it', async () => {
    const r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: settingsForm('Stadt Logoheim', PNG_1x1) });
    assert.equal(r.status, 303, await r.text());
    assert.equal(r.headers.get('location'), '/verwaltung?gespeichert=1');
    const page = await admin.fetch('/verwaltung?gespeichert=1');
    assert.match(await page.text(), /Die Einstellungen wurden gespeichert/);
    const logo = await srv.fetch('/logo');
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG_1x1);
    const home = await (await srv.fetch('/')).text();
    assert.match(home, /Stadt Logoheim/, 'the new city name is not shown');
  });

  test('a text file named .png → 415, nothing changed', async () => {
    const r = await admin.fetch('/verwaltung/einstellungen', {
      method: 'POST',
      body: settingsForm('Stadt Textheim', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>\n'), 'logo.png', 'image/png'),
    });
    assert.equal(r.status, 415);
    const html = await r.text();
    assert.match(html, /PNG- oder JPEG-Datei/);
    assert.match(html, /role="alert"/);
    const logo = await srv.fetch('/logo');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG_1x1, 'the refused file replaced the logo');
    assert.doesNotMatch(await (await srv.fetch('/')).text(), /Stadt Textheim/);
  });

  test('a PNG above 1 MiB → 413 with a German message', async () => {
    const big = Buffer.concat([PNG_1x1, Buffer.alloc(1024 * 1024 + 1 - PNG_1x1.length + 10)]);
    const r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: settingsForm('Stadt Großlogo', big) });
    assert.equal(r.status, 413);
    assert.match(await r.text(), /höchstens 1 MB/);
  });

  test('without a file only the city changes', async () => {
    const r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: settingsForm('Stadt Ohnelogo', null) });
    assert.equal(r.status, 303);
    const logo = await srv.fetch('/logo');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG_1x1);
  });

  test('an empty city → 400 with a German message', async () => {
    const r = await admin.fetch('/verwaltung/einstellungen', { method: 'POST', body: settingsForm('', null) });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /Namen der Kommune/);
  });
});
