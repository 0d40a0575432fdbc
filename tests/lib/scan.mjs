// Test helpers for search and scan import: German text rendered to a PNG
// (pango-view, from pango1.0-tools, with the DejaVu fonts), a PNG wrapped
// into a PDF that has no text layer (what a scanner produces), and polling
// the search API until extraction has caught up.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Renders text (lines separated by \n) as a 300 dpi PNG; returns its bytes. */
export function renderPng(text, { size = 14 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rathaus-png-'));
  try {
    const out = path.join(dir, 'text.png');
    execFileSync('pango-view', ['-q', `--font=DejaVu Sans ${size}`, '--dpi=300', '--margin=120',
      '--background=white', '-o', out, `--text=${text}`]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Decodes an 8-bit non-interlaced PNG into {width, height, grey} (one byte per pixel). */
export function decodePng(buf) {
  let pos = 8;
  let width, height, depth, type;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      type = data[9];
      if (depth !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs');
    } else if (kind === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[type];
  if (!channels) throw new Error(`PNG colour type ${type} not supported`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const cur = Buffer.alloc(stride);
  const prev = Buffer.alloc(stride);
  const grey = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = x * channels;
      grey[y * width + x] = channels >= 3 ? Math.round((cur[o] + cur[o + 1] + cur[o + 2]) / 3) : cur[o];
    }
    cur.copy(prev);
  }
  return { width, height, grey };
}

/** A one-page PDF showing a PNG at 300 dpi, without any text layer (a scan). */
export function pngToScanPdf(png) {
  const { width, height, grey } = decodePng(png);
  const img = zlib.deflateSync(grey);
  const w = (width * 72) / 300, h = (height * 72) / 300;
  const content = `q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} 0 0 cm /Im1 Do Q`;
  const objs = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>', 'latin1'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>', 'latin1'),
    Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w.toFixed(2)} ${h.toFixed(2)}] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>`, 'latin1'),
    Buffer.from(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`, 'latin1'),
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${img.length} >>\nstream\n`, 'latin1'),
      img,
      Buffer.from('\nendstream', 'latin1'),
    ]),
  ];
  const parts = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let len = parts[0].length;
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(len);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), o, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(b);
    len += b.length;
  });
  let tail = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) tail += `${String(off).padStart(10, '0')} 00000 n \n`;
  tail += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${len}\n%%EOF\n`;
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
}

/** GET /api/v1/search with params; resolves {status, body}. */
export async function search(client, params) {
  const r = await client.fetch(`/api/v1/search?${new URLSearchParams(params)}`);
  const text = await r.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, body };
}

/**
 * Repeats a search until pred(body) holds (extraction runs in the
 * background) or timeoutMs passes; resolves the last body.
 */
export async function searchUntil(client, params, pred, { timeoutMs = 90000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await search(client, params);
    if (status !== 200) throw new Error(`search ${JSON.stringify(params)}: ${status} ${JSON.stringify(body)}`);
    if (pred(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`search ${JSON.stringify(params)} did not satisfy the condition within ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}
