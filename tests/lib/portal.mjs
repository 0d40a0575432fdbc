// Helpers for the portal's tests: reads the service definitions of
// data/services/, generates valid Antragsdaten from a form definition by
// walking it (docs/formulare.md), and sends a whole application in one
// request (/leistungen/<slug>/antrag/direkt) or step by step.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, formToken } from './server.mjs';

/** Every service definition of data/services/, ordered by slug. */
export function services() {
  const dir = path.join(ROOT, 'data/services');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')));
}

/** A minimal but well-formed PDF (libmagic: application/pdf) of about size bytes. */
export function samplePdf(label = 'Nachweis', size = 0) {
  let body = `%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\n`;
  if (size > body.length) body += `% ${'x'.repeat(size - body.length - 20)}\n`;
  return Buffer.from(`${body}trailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** A 1×1 PNG. */
export function samplePng() {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}

const TEXT_CANDIDATES = [
  'Beispiel', 'Musterweg', '12', '12a', 'AB-CD 123', 'AB 123', 'DE', 'Herr', 'Nord',
  '1234', '123456', 'A1', 'ABC', 'Dorsten', 'X', 'Beispiel GmbH', '01',
];

function isoDay(offsetDays) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return d.toISOString().slice(0, 10);
}

function dateBound(v) {
  if (v === 'today') return isoDay(0);
  return typeof v === 'string' ? v : null;
}

/**
 * A string matching a simple regular expression (POSIX ERE as the form
 * definitions use it): literals, classes, groups with alternation and the
 * quantifiers ? * + {m,n}; each part is taken the fewest times allowed (at
 * least once for +), the first alternative and the first character of a class.
 */
export function sampleFor(pattern) {
  let i = 0;
  const p = pattern;
  function cls() {
    // at p[i] === '['
    i++;
    let neg = false;
    if (p[i] === '^') { neg = true; i++; }
    const chars = [];
    let first = true;
    while (i < p.length && (p[i] !== ']' || first)) {
      first = false;
      let c = p[i++];
      if (c === '\\') c = p[i++];
      if (p[i] === '-' && p[i + 1] !== ']' && i + 1 < p.length) {
        i++;
        let e = p[i++];
        if (e === '\\') e = p[i++];
        chars.push(c);
        void e;
      } else chars.push(c);
    }
    i++; // ]
    if (neg) return ['a', 'b', 'x', '1', ' '].find((c) => !chars.includes(c)) || 'q';
    return chars[0] === ' ' && chars.length > 1 ? chars[1] : chars[0];
  }
  function atom() {
    const c = p[i];
    if (c === '(') {
      i++;
      const alts = [seq()];
      while (p[i] === '|') { i++; alts.push(seq()); }
      i++; // )
      return alts[0];
    }
    if (c === '[') return cls();
    if (c === '\\') {
      i += 2;
      const e = p[i - 1];
      return e === 'd' ? '1' : e === 'w' ? 'a' : e === 's' ? ' ' : e;
    }
    if (c === '.') { i++; return 'a'; }
    i++;
    return c;
  }
  function seq() {
    let out = '';
    while (i < p.length && p[i] !== '|' && p[i] !== ')') {
      if (p[i] === '^' || p[i] === '$') { i++; continue; }
      const a = atom();
      let n = 1;
      if (p[i] === '?' || p[i] === '*') { n = 0; i++; }
      else if (p[i] === '+') { n = 1; i++; }
      else if (p[i] === '{') {
        const end = p.indexOf('}', i);
        n = Number(p.slice(i + 1, end).split(',')[0]);
        i = end + 1;
      }
      out += a.repeat(n);
    }
    return out;
  }
  const alts = [seq()];
  while (p[i] === '|') { i++; alts.push(seq()); }
  return alts[0];
}

/** A valid text for a text/textarea field (pattern, min, max). */
function textFor(f) {
  const min = f.min ?? 0;
  const max = f.max ?? 1000;
  const ok = (s) => s.length >= min && s.length <= max && (!f.pattern || new RegExp(f.pattern, 'u').test(s));
  const cands = f.type === 'textarea' ? ['Beispieltext für den Antrag.', ...TEXT_CANDIDATES] : TEXT_CANDIDATES;
  for (const c of cands) if (ok(c)) return c;
  if (f.pattern) {
    const g = sampleFor(f.pattern);
    if (ok(g)) return g;
  }
  const filler = 'a'.repeat(Math.max(min, 1));
  if (ok(filler)) return filler;
  throw new Error(`no valid sample for field ${f.id} (pattern ${f.pattern})`);
}

function dateFor(f, index) {
  const lo = dateBound(f.min);
  const hi = dateBound(f.max);
  if (hi && hi <= isoDay(0)) {
    // in the past (a birth date): an adult's
    const d = `19${80 + (index % 15)}-0${1 + (index % 9)}-1${index % 9}`;
    return lo && d < lo ? lo : d;
  }
  const d = isoDay(10 + index);
  if (lo && d < lo) return lo;
  if (hi && d > hi) return hi;
  return d;
}

function numberFor(f) {
  const lo = f.min ?? 1;
  const hi = f.max ?? lo + 10;
  let v = Math.max(lo, Math.min(hi, 1));
  if (f.step === 1 || f.step === undefined) v = Math.ceil(v);
  return String(v);
}

/** The sample value of one field as form entries [[name, value | {file}]]. */
function entriesFor(f, name, index) {
  switch (f.type) {
    case 'text':
    case 'textarea':
      return [[name, textFor(f)]];
    case 'number':
      return [[name, numberFor(f)]];
    case 'date':
      return [[name, dateFor(f, index)]];
    case 'email':
      return [[name, 'antrag@example.org']];
    case 'phone':
      return [[name, '02362 12345']];
    case 'iban':
      return [[name, 'DE89 3704 0044 0532 0130 00']];
    case 'postcode':
      return [[name, '46282']];
    case 'select':
    case 'radio':
      return [[name, f.options[0].value]];
    case 'checkbox':
      return f.options ? [[name, f.options[0].value]] : [[name, 'ja']];
    case 'yesno':
      return [[name, 'ja']];
    case 'file': {
      const accept = f.accept || ['application/pdf'];
      if (accept.includes('application/pdf') || !accept.includes('image/png'))
        return [[name, { file: samplePdf(f.label), filename: `${f.id}.pdf`, type: 'application/pdf' }]];
      return [[name, { file: samplePng(), filename: `${f.id}.png`, type: 'image/png' }]];
    }
    default:
      throw new Error(`unknown field type ${f.type}`);
  }
}

/**
 * Valid form entries for a whole form definition: a list of [name, value]
 * where value is a string or {file, filename, type}. Repeatable groups get
 * max(min, 1) entries. Date rules (before, not_after) are satisfied by
 * putting the two dates in order.
 */
export function validEntries(form, { steps = null } = {}) {
  const out = [];
  let index = 0;
  form.steps.forEach((st, si) => {
    if (steps && !steps.includes(si)) return;
    for (const g of st.groups) {
      const n = g.repeat ? Math.max(g.repeat.min ?? 1, 1) : 1;
      for (let k = 0; k < n; k++) {
        for (const f of g.fields) {
          const name = g.repeat ? `${g.id}.${k}.${f.id}` : f.id;
          out.push(...entriesFor(f, name, index++));
        }
      }
    }
  });
  const byName = new Map(out.map((e, i) => [e[0], i]));
  for (const r of form.rules || []) {
    if (r.type !== 'before' && r.type !== 'not_after') continue;
    const ia = byName.get(r.a);
    const ib = byName.get(r.b);
    if (ia === undefined || ib === undefined) continue;
    const [a, b] = [out[ia][1], out[ib][1]];
    if (typeof a !== 'string' || typeof b !== 'string') continue;
    const num = /^-?[0-9.]+$/.test(a) && /^-?[0-9.]+$/.test(b);
    const less = num ? Number(a) < Number(b) : a < b;
    if (!less) {
      out[ia][1] = b;
      out[ib][1] = a;
    }
    if (out[ia][1] === out[ib][1]) {
      if (num) out[ib][1] = String(Number(out[ib][1]) + 1);
      else out[ib][1] = isoDay(400);
    }
  }
  return out;
}

/** Builds a FormData from entries plus extra text fields. */
export function formData(entries, extra = {}) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  for (const [name, v] of entries) {
    if (typeof v === 'string') fd.append(name, v);
    else fd.append(name, new Blob([v.file], { type: v.type }), v.filename);
  }
  return fd;
}

/** The CSRF token of the service's form page (sets the anonymous cookie of c). */
export async function csrfOf(c, slug) {
  const res = await c.fetch(`/leistungen/${slug}/antrag`);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`GET /leistungen/${slug}/antrag: ${res.status}\n${html.slice(0, 500)}`);
  return formToken(html);
}

/** Sends a whole application; returns the response. */
export async function submitDirect(c, svc, entries, { idem, extra = {} } = {}) {
  const csrf = await csrfOf(c, svc.slug);
  const fields = { _csrf: csrf, ...extra };
  if (idem) fields._idem = idem;
  return c.fetch(`/leistungen/${svc.slug}/antrag/direkt`, { method: 'POST', body: formData(entries, fields) });
}

/** The status token of a receipt redirect (Location /status/<token>/eingang). */
export function statusToken(res) {
  const m = /\/status\/([A-Za-z0-9_-]+)\/eingang$/.exec(res.headers.get('location') || '');
  return m ? m[1] : null;
}
