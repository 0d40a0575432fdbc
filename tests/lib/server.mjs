// Test helper: a rathaus server in a temporary data directory.
//
//   const srv = await startServer();          // init --demo, serve, wait for /healthz
//   const admin = await srv.login('admin', srv.adminPassword);
//   const r = await admin.fetch('/api/v1/units', { method: 'POST', json: { nr: 123, name: 'x' } });
//   await srv.kill9(); await srv.restart(); await srv.stop(); await srv.cleanup();
//
// The binary comes from RATHAUS_BIN (default build/rathaus, relative to the
// repository root). `rathaus init --demo` costs a few seconds (one argon2id
// hash per demo account), so its result is kept as a template per binary
// (path, size, mtime, inode) in the temp directory and copied for every
// server; set RATHAUS_TEST_NO_TEMPLATE=1 to run init for each server.
// RATHAUS_TEST_KEEP=1 keeps the data directories; RATHAUS_TEST_VERBOSE=1
// echoes the server's output.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binEnv = process.env.RATHAUS_BIN || 'build/rathaus';
export const BIN = path.isAbsolute(binEnv) ? binEnv : path.resolve(ROOT, binEnv);

const VERBOSE = !!process.env.RATHAUS_TEST_VERBOSE;
const KEEP = !!process.env.RATHAUS_TEST_KEEP;

/** Sanitizer reports in a process's output (ASan, UBSan, LSan). */
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer/;

export function sanitizerReport(text) {
  const m = SANITIZER_RE.exec(text);
  if (!m) return null;
  return text.slice(Math.max(0, m.index - 200), m.index + 4000);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `rathaus ARGS…`; resolves {code, signal, stdout, stderr} (never rejects on exit code). */
export function runCli(args, { input, env, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const san = sanitizerReport(stderr);
      if (san) {
        reject(new Error(`sanitizer report from rathaus ${args.join(' ')}:\n${san}`));
        return;
      }
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the command may exit before reading stdin
    child.stdin.end(input ?? '');
  });
}

/** Parses the output of `rathaus init --demo`. */
export function parseInitOutput(stdout) {
  const admin = /Konto „admin“ \(Amt 16\), Passwort: (\S+)/.exec(stdout);
  const demo = /Demo-Konten: .*Passwort: (\S+)/.exec(stdout);
  if (!admin) throw new Error(`no admin password in init output:\n${stdout}`);
  return { adminPassword: admin[1], demoPassword: demo ? demo[1] : null };
}

async function initDir(dir, demo) {
  const args = ['init', '--data', dir];
  if (demo) args.push('--demo');
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`rathaus init failed (${r.code}):\n${r.stdout}${r.stderr}`);
  const parsed = parseInitOutput(r.stdout);
  if (demo && !parsed.demoPassword) throw new Error(`no demo password in init output:\n${r.stdout}`);
  if (demo) {
    const txt = fs.readFileSync(path.join(dir, 'demo-zugang.txt'), 'utf8');
    if (!txt.includes(parsed.demoPassword) || !txt.includes(parsed.adminPassword))
      throw new Error(`demo-zugang.txt does not hold the passwords:\n${txt}`);
  }
  return { ...parsed, stdout: r.stdout };
}

/** A data directory of `init --demo`, made once per binary and copied. */
async function templateDir() {
  const st = fs.statSync(BIN);
  const real = fs.realpathSync(BIN);
  const h = (x) => createHash('sha256').update(x).digest('hex').slice(0, 12);
  // rathaus-test-template-<binary path>-<binary version (size, mtime, inode)>
  const prefix = `rathaus-test-template-${h(real)}-`;
  const key = h(`${st.size}\0${st.mtimeMs}\0${st.ino}`);
  const final = path.join(os.tmpdir(), prefix + key);
  const info = path.join(final, 'init.json');
  if (fs.existsSync(info)) return { dir: path.join(final, 'data'), ...JSON.parse(fs.readFileSync(info, 'utf8')) };
  // forget the templates of older builds of this binary, and any older than a day
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith('rathaus-test-template-') || name === prefix + key) continue;
    const p = path.join(os.tmpdir(), name);
    try {
      if (name.startsWith(prefix) || Date.now() - fs.statSync(p).mtimeMs > 24 * 3600 * 1000)
        fs.rmSync(p, { recursive: true, force: true });
    } catch { /* another run may be removing it */ }
  }
  const staging = await fsp.mkdtemp(path.join(os.tmpdir(), 'rathaus-test-staging-'));
  try {
    const parsed = await initDir(path.join(staging, 'data'), true);
    fs.writeFileSync(path.join(staging, 'init.json'), JSON.stringify(parsed));
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  try {
    fs.renameSync(staging, final);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another test file was faster
  }
  return { dir: path.join(final, 'data'), ...JSON.parse(fs.readFileSync(info, 'utf8')) };
}

/** Makes a fresh data directory with `init --demo`; returns {dir, adminPassword, demoPassword}. */
export async function makeDataDir({ demo = true } = {}) {
  const parent = await fsp.mkdtemp(path.join(os.tmpdir(), 'rathaus-test-'));
  const dir = path.join(parent, 'data');
  let init;
  if (demo && !process.env.RATHAUS_TEST_NO_TEMPLATE) {
    const t = await templateDir();
    await fsp.cp(t.dir, dir, { recursive: true });
    init = t;
  } else {
    init = await initDir(dir, demo);
  }
  return { parent, dir, adminPassword: init.adminPassword, demoPassword: init.demoPassword };
}

/** A free TCP port on 127.0.0.1 (listen on 0, close, reuse). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Cookies of one client, fed from Set-Cookie headers. */
export class CookieJar {
  constructor() {
    this.cookies = new Map();
    this.raw = []; // every Set-Cookie header seen, in order
  }

  update(headers) {
    for (const sc of headers.getSetCookie()) {
      this.raw.push(sc);
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      if (value === '' || (maxAge && Number(maxAge.split('=')[1]) <= 0)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name) {
    return this.cookies.get(name);
  }

  set(name, value) {
    this.cookies.set(name, value);
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** An HTTP client with its own cookies (and CSRF token once known). */
export class Client {
  constructor(server) {
    this.server = server;
    this.jar = new CookieJar();
    this.csrf = null;
    this.session = null;
  }

  /**
   * fetch(path, {method, headers, body, json, form, csrf}) with the jar's
   * cookies and redirect: 'manual'. json: sends JSON (with X-CSRF-Token for
   * unsafe methods unless csrf === false); form: urlencoded object.
   */
  async fetch(p, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
      const method = (opts.method || 'GET').toUpperCase();
      if (!['GET', 'HEAD'].includes(method) && opts.csrf !== false && this.csrf && !('X-CSRF-Token' in headers))
        headers['X-CSRF-Token'] = this.csrf;
    }
    if (opts.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const res = await fetch(this.server.url(p), {
      method: opts.method || 'GET',
      headers,
      body,
      redirect: 'manual',
      signal: opts.signal,
    });
    this.jar.update(res.headers);
    return res;
  }

  /** GET /login and returns the form's CSRF token (sets the anonymous cookie). */
  async loginFormToken() {
    const res = await this.fetch('/login');
    const html = await res.text();
    if (res.status !== 200) throw new Error(`GET /login: ${res.status}`);
    const token = formToken(html);
    if (!token) throw new Error(`no _csrf in the login form:\n${html}`);
    if (!this.jar.get('rathaus_anon')) throw new Error('GET /login set no rathaus_anon cookie');
    return token;
  }

  /** POSTs the login form; returns the response (whatever its status). */
  async attemptLogin(login, password, { weiter = '/' } = {}) {
    const token = await this.loginFormToken();
    return this.fetch('/login', {
      method: 'POST',
      form: { _csrf: token, login, passwort: password, weiter },
    });
  }

  /** Logs in (throws unless 303 + rathaus_sid) and loads /api/v1/session. */
  async login(login, password) {
    const res = await this.attemptLogin(login, password);
    const body = await res.text();
    if (res.status !== 303 || !this.jar.get('rathaus_sid'))
      throw new Error(`login ${login} failed: ${res.status}\n${body.slice(0, 2000)}`);
    await this.loadSession();
    return this;
  }

  async loadSession() {
    const s = await this.fetch('/api/v1/session');
    if (s.status !== 200) throw new Error(`GET /api/v1/session: ${s.status} ${await s.text()}`);
    this.session = await s.json();
    this.csrf = this.session.csrf;
    return this.session;
  }
}

/** The value of the hidden _csrf input of an HTML page, or null. */
export function formToken(html) {
  const m = /<input[^>]*name="_csrf"[^>]*value="([^"]*)"/.exec(html) ||
    /<input[^>]*value="([^"]*)"[^>]*name="_csrf"/.exec(html);
  return m ? m[1] : null;
}

export class Server {
  constructor({ dir, parent, adminPassword, demoPassword, threads = 4 }) {
    this.dir = dir;
    this.parent = parent;
    this.adminPassword = adminPassword;
    this.demoPassword = demoPassword;
    this.threads = threads;
    this.proc = null;
    this.port = null;
    this.output = ''; // stdout + stderr of every run, for diagnostics
    this.exit = null; // {code, signal} of the last run
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  url(p) {
    return this.base + p;
  }

  get running() {
    return this.proc !== null && this.exit === null;
  }

  /** Starts `rathaus serve` and waits until GET /healthz answers 200. */
  async start({ timeoutMs = 20000 } = {}) {
    for (let attempt = 0; ; attempt++) {
      if (this.port === null || attempt > 0) this.port = await freePort();
      try {
        await this.#spawnAndWait(timeoutMs);
        return this;
      } catch (e) {
        // the port may have been taken between freePort() and bind
        if (attempt < 2 && /Port belegt/.test(this.lastRunOutput || '')) continue;
        throw e;
      }
    }
  }

  async #spawnAndWait(timeoutMs) {
    this.exit = null;
    this.lastRunOutput = '';
    const child = spawn(
      BIN,
      ['serve', '--data', this.dir, '--listen', `127.0.0.1:${this.port}`, '--threads', String(this.threads)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = child;
    const onData = (d) => {
      const s = d.toString();
      this.output += s;
      this.lastRunOutput += s;
      if (this.output.length > 4e6) this.output = this.output.slice(-2e6);
      if (VERBOSE) process.stderr.write(`[rathaus:${this.port}] ${s}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    // keep the output pipes draining until they close
    this.closed = new Promise((resolve) => child.on('close', resolve));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`rathaus serve exited (${JSON.stringify(this.exit)}):\n${this.lastRunOutput}`);
      try {
        const r = await fetch(this.url('/healthz'), { signal: AbortSignal.timeout(1000) });
        await r.arrayBuffer();
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    child.kill('SIGKILL');
    throw new Error(`rathaus serve did not answer /healthz within ${timeoutMs} ms:\n${this.lastRunOutput}`);
  }

  /** Sends SIGTERM and waits; resolves {code, signal, ms}. Throws on a sanitizer report. */
  async stop({ timeoutMs = 15000, signal = 'SIGTERM' } = {}) {
    if (!this.running) return this.exit;
    const t0 = Date.now();
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    await this.closed;
    const ms = Date.now() - t0;
    this.checkSanitizer();
    return { ...exit, ms };
  }

  /** kill -9, waits for the process to be gone. */
  async kill9() {
    if (!this.running) return this.exit;
    this.proc.kill('SIGKILL');
    const exit = await this.exited;
    await this.closed;
    this.checkSanitizer();
    return exit;
  }

  /** Stops (if running) and starts again on the same data directory and port. */
  async restart() {
    if (this.running) await this.stop();
    return this.start();
  }

  checkSanitizer() {
    const san = sanitizerReport(this.output);
    if (san) throw new Error(`sanitizer report from rathaus serve:\n${san}`);
  }

  /** A new client without cookies. */
  client() {
    return new Client(this);
  }

  /** A new client logged in as login. */
  async login(login, password) {
    return new Client(this).login(login, password);
  }

  /** Plain fetch against the server (redirect: 'manual'). */
  fetch(p, opts = {}) {
    return fetch(this.url(p), { redirect: 'manual', ...opts });
  }

  /** Runs a CLI subcommand on this data directory: cli('verify') → rathaus verify --data DIR. */
  cli(sub, args = [], opts = {}) {
    const subs = Array.isArray(sub) ? sub : [sub];
    return runCli([...subs, '--data', this.dir, ...args], opts);
  }

  /** Stops the server and removes the data directory. */
  async cleanup() {
    try {
      if (this.running) await this.kill9();
    } finally {
      if (!KEEP && this.parent) await fsp.rm(this.parent, { recursive: true, force: true });
    }
  }
}

/** A server on a fresh `init --demo` data directory, running. */
export async function startServer(opts = {}) {
  const data = await makeDataDir(opts);
  const srv = new Server({ ...data, threads: opts.threads });
  try {
    await srv.start();
  } catch (e) {
    await srv.cleanup();
    throw e;
  }
  return srv;
}

/** A 1×1 PNG. */
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export const sha256hex = (buf) => createHash('sha256').update(buf).digest('hex');
