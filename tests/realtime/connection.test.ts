import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('realtime connection', function () {
  let server: TestServer;
  const sockets: ClientSocket[] = [];

  function open(options: Parameters<typeof connect>[1] = {}): ClientSocket {
    const socket: ClientSocket = connect(server.url, { path: '/socket.io', reconnection: false, forceNew: true, ...options });
    sockets.push(socket);
    return socket;
  }

  before(async function () {
    server = await startTestServer();
  });

  afterEach(function () {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  after(async function () {
    await server.close();
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`connects over ${transport} on the app's own origin and answers a ping`, async function () {
      const socket = open({ transports: [transport], extraHeaders: { origin: server.url } });
      const ready = await new Promise<{ serverTime: string }>((resolve, reject) => {
        socket.once('session.ready', resolve);
        socket.once('connect_error', reject);
      });
      expect(Date.parse(ready.serverTime)).to.be.a('number').and.not.NaN;
      const reply = await socket.timeout(5000).emitWithAck('system.ping', {});
      expect(reply.ok).to.equal(true);
    });
  }

  it('refuses a handshake from a foreign origin (cross-site WebSocket hijacking)', async function () {
    const socket = open({ transports: ['websocket'], extraHeaders: { origin: 'https://evil.example' } });
    const error = await new Promise<Error>((resolve) => {
      socket.once('connect_error', resolve);
      socket.once('connect', () => resolve(new Error('connected, but should not have')));
    });
    expect(error.message).not.to.equal('connected, but should not have');
    expect(socket.connected).to.equal(false);
  });

  it('answers a malformed event payload with an error acknowledgement, and stays connected', async function () {
    const socket = open({ transports: ['websocket'] });
    await new Promise((resolve) => socket.once('session.ready', resolve));
    const reply = await socket.timeout(5000).emitWithAck('system.ping', { $where: 'x' } as unknown as Record<string, never>);
    expect(reply).to.deep.equal({ ok: false, error: { code: 'invalid_request', message: 'system.ping takes an empty object.' } });
    expect(socket.connected).to.equal(true);
  });

  it('disconnects every socket when the server shuts down', async function () {
    const other = await startTestServer();
    try {
      const socket: ClientSocket = connect(other.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      await new Promise((resolve) => socket.once('session.ready', resolve));
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      await other.server.close();
      expect(await disconnected).to.be.a('string');
    } finally {
      await other.close();
    }
  });
});
