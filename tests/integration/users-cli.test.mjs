// `rathaus user add|list|passwd|disable` against the directory of a running
// server, with the German errors for bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeDataDir, parseInitOutput, runCli, startServer } from '../lib/server.mjs';
import fsp from 'node:fs/promises';
import path from 'node:path';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

const PW = 'Sicheres-Passwort-1';
const PW2 = 'Noch-sichereres-Passwort-2';

function add(args, input) {
  return srv.cli(['user', 'add'], args, input === undefined ? {} : { input });
}

describe('user add', () => {
  test('creates an account with a password from stdin; it can log in', async () => {
    const r = await add(['--login', 'mmuster', '--name', 'Maria Muster', '--office', '32', '--role', 'Sachbearbeitung,Leitung', '--password-stdin'], `${PW}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Konto „mmuster“ angelegt/);
    assert.doesNotMatch(r.stdout, new RegExp(PW), 'the password was echoed');
    const c = await srv.login('mmuster', PW);
    assert.deepEqual({ ...c.session, csrf: undefined }, { login: 'mmuster', name: 'Maria Muster', office: 32, csrf: undefined });
  });

  test('without --password-stdin prints a generated password once, which works', async () => {
    const r = await add(['--login', 'generiert', '--name', 'G. Neriert', '--office', '10', '--role', 'caseworker']);
    assert.equal(r.code, 0, r.stderr);
    const m = /Passwort \(wird nur jetzt angezeigt\): (\S+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    await srv.login('generiert', m[1]);
  });

  const bad = [
    ['an unknown office', ['--login', 'x1', '--name', 'X', '--office', '9998', '--role', 'Sachbearbeitung'], /Das Amt 9998 gibt es nicht/],
    ['an office that is no number', ['--login', 'x2', '--name', 'X', '--office', 'Bauamt', '--role', 'Sachbearbeitung'], /--office: „Bauamt“ ist keine Amtsnummer/],
    ['an unknown role', ['--login', 'x3', '--name', 'X', '--office', '32', '--role', 'Chef'], /--role: „Chef“ ist unbekannt/],
    ['a taken login', ['--login', 'amt32', '--name', 'X', '--office', '32', '--role', 'Sachbearbeitung'], /Der Anmeldename „amt32“ ist bereits vergeben/],
    ['a login with capitals', ['--login', 'Gross', '--name', 'X', '--office', '32', '--role', 'Sachbearbeitung'], /Der Anmeldename darf nur/],
    ['missing options', ['--login', 'x4'], /sind nötig/],
  ];
  for (const [what, args, msg] of bad) {
    test(`refuses ${what} with a German message on stderr`, async () => {
      const r = await add([...args, '--password-stdin'], `${PW}\n`);
      assert.notEqual(r.code, 0, `${what}: exit 0\n${r.stdout}`);
      assert.match(r.stderr, /^rathaus user add: /m);
      assert.match(r.stderr, msg);
      assert.doesNotMatch(r.stdout, /angelegt/);
    });
  }

  test('refuses a short password', async () => {
    const r = await add(['--login', 'kurz', '--name', 'K', '--office', '32', '--role', 'Sachbearbeitung', '--password-stdin'], 'kurz\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /mindestens 10 Zeichen/);
  });

  test('nothing of the refused accounts was created', async () => {
    const r = await srv.cli(['user', 'list'], ['--json']);
    const logins = JSON.parse(r.stdout).map((u) => u.login);
    for (const l of ['x1', 'x2', 'x3', 'x4', 'Gross', 'kurz']) assert.ok(!logins.includes(l), l);
  });
});

describe('user list', () => {
  test('--json lists every account with office, roles and status', async () => {
    const r = await srv.cli(['user', 'list'], ['--json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout);
    const m = list.find((u) => u.login === 'mmuster');
    assert.deepEqual(m, { login: 'mmuster', name: 'Maria Muster', office: 32, office_name: 'Ordnungs- und Rechtsamt', roles: 'Sachbearbeitung, Leitung', disabled: false });
    assert.ok(list.some((u) => u.login === 'admin' && u.roles.includes('Admin')));
    assert.ok(list.some((u) => u.login === 'leitung32'));
    const logins = list.map((u) => u.login);
    assert.deepEqual(logins, [...logins].sort(), 'not sorted by login');
  });

  test('the table shows the same accounts', async () => {
    const r = await srv.cli(['user', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Anmeldename\s+Name\s+Amt\s+Rollen\s+Status/m);
    assert.match(r.stdout, /^mmuster\s+Maria Muster\s+32\s+Sachbearbeitung, Leitung\s+aktiv$/m);
  });
});

describe('user passwd', () => {
  test('sets a new password: the old one fails, the new one works, open sessions end', async () => {
    const before0 = await srv.login('mmuster', PW);
    const r = await srv.cli(['user', 'passwd'], ['--login', 'mmuster', '--password-stdin'], { input: `${PW2}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await before0.fetch('/api/v1/session')).status, 401, 'the old session survived the password change');
    const old = await srv.client().attemptLogin('mmuster', PW);
    assert.equal(old.status, 401);
    await srv.login('mmuster', PW2);
  });

  test('refuses an unknown login and a short password', async () => {
    let r = await srv.cli(['user', 'passwd'], ['--login', 'niemand', '--password-stdin'], { input: `${PW2}\n` });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ein Konto „niemand“ gibt es nicht/);
    r = await srv.cli(['user', 'passwd'], ['--login', 'mmuster', '--password-stdin'], { input: 'kurz\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /mindestens 10 Zeichen/);
    await srv.login('mmuster', PW2); // unchanged
  });
});

describe('user disable', () => {
  test('a disabled user is logged out and can no longer log in', async () => {
    const c = await srv.login('mmuster', PW2);
    const r = await srv.cli(['user', 'disable'], ['--login', 'mmuster']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gesperrt/);
    assert.equal((await c.fetch('/api/v1/session')).status, 401, 'the session of the disabled user survived');
    const again = await srv.client().attemptLogin('mmuster', PW2);
    assert.equal(again.status, 401);
    assert.match(await again.text(), /Anmeldename oder Passwort ist falsch/);
    const list = JSON.parse((await srv.cli(['user', 'list'], ['--json'])).stdout);
    assert.equal(list.find((u) => u.login === 'mmuster').disabled, true);
    await srv.login('admin', srv.adminPassword); // resets the address throttle
  });

  test('refuses an unknown login', async () => {
    const r = await srv.cli(['user', 'disable'], ['--login', 'niemand']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ein Konto „niemand“ gibt es nicht/);
  });

  test('every change is in the journal, and verify passes', async () => {
    const v = await srv.cli('verify');
    assert.equal(v.code, 0, v.stderr);
  });
});

describe('init', () => {
  test('init prints the admin password once and refuses an existing directory', async () => {
    const d = await makeDataDir({ demo: false });
    try {
      const again = await runCli(['init', '--data', d.dir]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /enthält bereits eine Datenbank/);
      const fresh = path.join(d.parent, 'neu');
      const r = await runCli(['init', '--data', fresh, '--city', 'Gemeinde Testingen']);
      assert.equal(r.code, 0, r.stderr);
      const { adminPassword } = parseInitOutput(r.stdout);
      assert.match(adminPassword, /^[A-Za-z0-9]{16}$/);
      const list = JSON.parse((await runCli(['user', 'list', '--data', fresh, '--json'])).stdout);
      assert.deepEqual(list.map((u) => u.login), ['admin']);
    } finally {
      await fsp.rm(d.parent, { recursive: true, force: true });
    }
  });
});
