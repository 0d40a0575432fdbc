// `rathaus bpmn deploy`: the shipped co-signature model deploys as version 1,
// then 2; a reference model with elements outside the executable subset is
// refused with every offending id and a German reason, and nothing is stored;
// a model the city deployed for an online service survives a server start,
// while a shipped model that differs from the binary's is brought up to date.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, Server, makeDataDir, runCli } from '../lib/server.mjs';

const MIWG = path.join(ROOT, '..', 'shared', 'data', 'bpmn-miwg');
const parents = [];
after(async () => {
  for (const p of parents) await fsp.rm(p, { recursive: true, force: true });
});

function sql(dir, statement) {
  return execFileSync('sqlite3', [path.join(dir, 'rathaus.db'), statement]).toString().trim();
}

describe('bpmn deploy', () => {
  test('the co-signature model deploys, and again as a new version', async () => {
    const d = await makeDataDir({ demo: false });
    parents.push(d.parent);
    const model = path.join(ROOT, 'data', 'bpmn', 'mitzeichnung.bpmn');
    let r = await runCli(['bpmn', 'deploy', '--data', d.dir, model, '--service', 'test.mitzeichnung']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Version 1 /);
    r = await runCli(['bpmn', 'deploy', '--data', d.dir, model, '--service', 'test.mitzeichnung']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Version 2 /);
    // init deployed the online services too: count this service's deployments
    assert.equal(sql(d.dir, "SELECT count(*) FROM journal WHERE action = 'wf.deploy' AND details LIKE '%\"test.mitzeichnung\"%'"), '2');
    const v = await runCli(['verify', '--data', d.dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('a model outside the executable subset is refused with ids and reasons', async () => {
    const d = await makeDataDir({ demo: false });
    parents.push(d.parent);
    const models = sql(d.dir, 'SELECT count(*) FROM process_models'); // init deployed the online services
    const r = await runCli(['bpmn', 'deploy', '--data', d.dir, path.join(MIWG, 'A.2.0.bpmn'), '--service', 'x']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /können nicht ausgeführt werden/);
    assert.match(r.stderr, /_5a972b87-735d-454a-b31c-f52fb3afc5c7: Elementtyp task wird nicht ausgeführt/);
    assert.match(r.stderr, /ohne Bedingung/);
    assert.equal(sql(d.dir, 'SELECT count(*) FROM process_models'), models);
    assert.equal(sql(d.dir, "SELECT count(*) FROM deployments WHERE service_key = 'x'"), '0');
  });

  test('a start keeps the city\'s own model of an online service and updates a shipped one', async () => {
    const d = await makeDataDir({ demo: false });
    parents.push(d.parent);
    const current = (svc) => sql(d.dir, `SELECT m.version || ' ' || m.deployed_by FROM deployments d JOIN process_models m ON m.id = d.model_id WHERE d.service_key = '${svc}'`);
    assert.equal(current('fundsache'), '1 system');
    assert.equal(current('hundesteuer-anmeldung'), '1 system');
    // the city's own version of the Fundsache model (another name for the step)
    const own = path.join(d.parent, 'fundsache.bpmn');
    const xml = await fsp.readFile(path.join(ROOT, 'data', 'bpmn', 'services', 'fundsache.bpmn'), 'utf8');
    await fsp.writeFile(own, xml.replace(/name="([^"]*)"/, 'name="$1 (Stadt)"'));
    const r = await runCli(['bpmn', 'deploy', '--data', d.dir, own, '--service', 'fundsache']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(current('fundsache'), '2 cli');
    // a shipped model from an older release: its stored hash differs from the binary's
    sql(d.dir, "UPDATE process_models SET bpmn_sha256 = 'alt' WHERE id = (SELECT model_id FROM deployments WHERE service_key = 'hundesteuer-anmeldung')");
    const srv = new Server(d);
    await srv.start();
    await srv.stop();
    assert.equal(current('fundsache'), '2 cli', 'the city\'s model stays');
    assert.equal(current('hundesteuer-anmeldung'), '2 system', 'the shipped model is deployed anew');
  });
});

