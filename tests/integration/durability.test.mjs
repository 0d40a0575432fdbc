// Durability: 200 concurrent POST /api/v1/units, kill -9 in the middle; after
// a restart every office that was acknowledged with 201 is there, and the
// journal chain is intact.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

const FIRST = 1000;
const COUNT = 200;
const KILL_AFTER = 50; // responses

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

test('every acknowledged office survives kill -9; verify passes', async (t) => {
  const admin = await srv.login('admin', srv.adminPassword);
  const before0 = await (await admin.fetch('/api/v1/units')).json();
  const acked = [];
  const other = []; // statuses other than 201 (should be none before the kill)
  const early = []; // connection errors before the kill
  let answered = 0;
  let killing = null;
  const reqs = [];
  for (let i = 0; i < COUNT; i++) {
    const nr = FIRST + i;
    reqs.push(
      admin
        .fetch('/api/v1/units', { method: 'POST', json: { nr, name: `Prüfamt ${nr}` } })
        .then(async (r) => {
          await r.arrayBuffer().catch(() => {});
          if (r.status === 201) acked.push(nr);
          else other.push([nr, r.status]);
        })
        .catch((e) => {
          // after the kill: connection reset, expected; before it: a bug
          if (!killing) early.push([nr, e.cause?.code || e.message]);
        })
        .finally(() => {
          answered++;
          if (answered === KILL_AFTER) killing = srv.kill9();
        }),
    );
  }
  await Promise.all(reqs);
  if (!killing) killing = srv.kill9();
  const exit = await killing;
  assert.equal(exit.signal, 'SIGKILL', `the server was not killed: ${JSON.stringify(exit)}`);
  assert.deepEqual(other, [], 'requests failed before the kill');
  assert.deepEqual(early, [], 'connection errors before the kill');
  assert.ok(acked.length >= KILL_AFTER - 5, `only ${acked.length} acknowledged before the kill`);
  assert.ok(acked.length < COUNT, 'all requests finished before the kill; the test proves nothing');

  await srv.start();
  // the session is in the database, so it survives the crash as well
  const after0 = await (await admin.fetch('/api/v1/units')).json();
  assert.ok(Array.isArray(after0), JSON.stringify(after0));
  const have = new Set(after0.map((u) => u.nr));
  const lost = acked.filter((nr) => !have.has(nr));
  assert.deepEqual(lost, [], `acknowledged with 201 but lost after kill -9: ${lost.join(', ')}`);
  for (const u of after0.filter((x) => x.nr >= FIRST && x.nr < FIRST + COUNT))
    assert.equal(u.name, `Prüfamt ${u.nr}`);
  for (const u of before0) assert.ok(have.has(u.nr), `office ${u.nr} vanished`);
  const created = after0.length - before0.length;
  assert.ok(created >= acked.length);

  const stop = await srv.stop();
  assert.equal(stop.code, 0);
  const v = await srv.cli('verify');
  assert.equal(v.code, 0, `verify failed after the crash:\n${v.stdout}${v.stderr}`);
  const m = /^OK: (\d+) journal entries, (\d+) blobs$/m.exec(v.stdout);
  assert.ok(m, v.stdout);
  // one unit.create entry per created office, plus the login
  const journaled = Number(
    execFileSync('sqlite3', [
      `${srv.dir}/rathaus.db`,
      "SELECT count(*) FROM journal WHERE action = 'unit.create' AND object GLOB 'unit:1[01][0-9][0-9]'",
    ]).toString().trim(),
  );
  assert.equal(journaled, created, 'journal entries and offices differ');
  t.diagnostic(`${acked.length} acknowledged before kill -9, ${created} created, ${m[1]} journal entries`);
});
