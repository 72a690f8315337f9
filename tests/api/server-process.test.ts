import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../backend/src/db/database.ts';
import { engineUri, uniqueDatabaseName } from '../helpers/engine.ts';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The real entry point (`npm start` runs it), in its own process with its own embedded FerretDB. */
describe('server process', function () {
  this.timeout(60_000);
  let dataDir: string;
  let running: ServerProcess | undefined;

  beforeEach(function () {
    dataDir = mkdtempSync(join(tmpdir(), 'convene-proc-'));
  });

  afterEach(async function () {
    // A graceful stop, so the server takes its FerretDB down with it; anything left is killed.
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    running = undefined;
    const pidFile = join(dataDir, 'ferretdb.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}) {
    running = spawnServer({ DATA_DIR: dataDir, ...env });
    const listening = await running.waitForLog((line) => line.msg === 'listening');
    return { proc: running, port: listening.port as number };
  }

  it('starts its own FerretDB in the data folder, reachable only by its owner, and serves /readyz', async function () {
    const { port } = await start();
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).to.equal(200);
    await ready.text();
    expect(statSync(dataDir).mode & 0o777).to.equal(0o700);
    expect(statSync(join(dataDir, 'ferretdb.sock')).mode & 0o777).to.equal(0o600);
    const pid = Number(readFileSync(join(dataDir, 'ferretdb.pid'), 'utf8'));
    expect(alive(pid)).to.equal(true);
  });

  it('on SIGTERM finishes the request in flight, stops FerretDB and exits 0', async function () {
    const { proc, port } = await start();
    const ferretPid = Number(readFileSync(join(dataDir, 'ferretdb.pid'), 'utf8'));

    // A request whose body is still arriving when the signal comes.
    const socket = tcpConnect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    const continued = new Promise<void>((resolve) =>
      socket.on('data', (chunk) => {
        received += chunk.toString();
        if (received.includes('100 Continue')) resolve();
      }),
    );
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Expect: 100-continue makes the server say when it holds the request: then it is in flight.
    socket.write(
      'POST /api/nothing HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Convene-CSRF: 1\r\nContent-Length: 10\r\n' +
        'Expect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    await continued;
    socket.write('{"a":');
    proc.child.kill('SIGTERM');
    await proc.waitForLog((line) => line.msg === 'shutting down');
    socket.write('1234}');
    await closed;

    expect(received).to.match(/HTTP\/1\.1 404 /);
    expect(received).to.contain('"not_found"');
    const { code } = await proc.exited;
    expect(code).to.equal(0);
    expect(alive(ferretPid)).to.equal(false);
    expect(existsSync(join(dataDir, 'ferretdb.pid'))).to.equal(false);
  });

  it('exits non-zero when its FerretDB dies, rather than serving errors', async function () {
    const { proc } = await start();
    const ferretPid = Number(readFileSync(join(dataDir, 'ferretdb.pid'), 'utf8'));
    process.kill(ferretPid, 'SIGKILL');
    const { code } = await proc.exited;
    expect(code).to.equal(1);
    expect(proc.logs.some((line) => line.level === 60)).to.equal(true);
  });

  it('reclaims the data folder from a FerretDB left behind by a killed server', async function () {
    const first = await start();
    const orphan = Number(readFileSync(join(dataDir, 'ferretdb.pid'), 'utf8'));
    first.proc.child.kill('SIGKILL'); // no chance to clean up: its FerretDB keeps running
    await first.proc.exited;
    expect(alive(orphan)).to.equal(true);

    const second = await start();
    expect(alive(orphan)).to.equal(false);
    const ready = await fetch(`http://127.0.0.1:${second.port}/readyz`);
    expect(ready.status).to.equal(200);
    await ready.text();
  });

  it('refuses a second server on a data folder in use, and leaves the first one running', async function () {
    const first = await start();
    const ferretPid = Number(readFileSync(join(dataDir, 'ferretdb.pid'), 'utf8'));
    const second = spawnServer({ DATA_DIR: dataDir });
    const { code } = await second.exited;
    expect(code).to.equal(1);
    expect(second.stderr.join('\n')).to.contain('in use');
    expect(alive(ferretPid)).to.equal(true);
    const ready = await fetch(`http://127.0.0.1:${first.port}/readyz`);
    expect(ready.status).to.equal(200);
    await ready.text();
  });

  it('with MONGODB_URI starts no database process of its own', async function () {
    const name = uniqueDatabaseName('proc');
    const { port } = await start({ MONGODB_URI: await engineUri(), DB_NAME: name });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).to.equal(200);
    await ready.text();
    expect(existsSync(join(dataDir, 'ferretdb.pid'))).to.equal(false);
    expect(running!.logs.some((line) => line.msg === 'embedded database started')).to.equal(false);
    const connection = await connect(await engineUri(), name);
    await connection.dropDatabase();
    await connection.close();
  });

  it('refuses to start with an invalid setting and names the variable', async function () {
    running = spawnServer({ DATA_DIR: dataDir, PORT: 'eighty' });
    const { code } = await running.exited;
    expect(code).to.equal(78);
    expect(running.stderr.join('\n')).to.contain('PORT');
  });
});
