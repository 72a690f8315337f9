import { deferredSocket, type LiveSocket } from './live-socket.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/**
 * The one live connection to the server, on the page's own origin. Its state is reactive so the
 * header can show it; socket.io reconnects by itself with backoff.
 */
export class Connection {
  #state = $state<ConnectionState>('connecting');
  #serverTime = $state<string | null>(null);
  #comeBack: ReturnType<typeof setTimeout> | undefined;
  readonly socket: LiveSocket;

  constructor() {
    // The client library is fetched by the first connect(), after the first page has rendered.
    this.socket = deferredSocket(() => (this.#state = navigator.onLine ? 'reconnecting' : 'offline'));
    this.socket.on('connect', () => (this.#state = 'connected'));
    this.socket.on('disconnect', (reason) => {
      this.#state = navigator.onLine ? 'reconnecting' : 'offline';
      // socket.io does not reconnect after the server cut the socket. The server does that when a
      // session ends or its rights change, and whoever handles `session.ended` restarts the
      // connection with the new identity; if nobody does, come back by ourselves.
      if (reason === 'io server disconnect') this.#comeBack = setTimeout(() => this.socket.connect(), 3000);
    });
    this.socket.on('connect_error', () => (this.#state = navigator.onLine ? 'reconnecting' : 'offline'));
    this.socket.on('session.ready', ({ serverTime }) => (this.#serverTime = serverTime));
    // The browser knows the network is gone before the socket does (a socket can stay half-open for
    // a long time): close it, so everything that waits for `connect` catches up once we are back.
    // engine.io-client drops its transport on `offline` too, but it arrives after this app has rendered,
    // so its listener comes after this one: close ours in the next task, once the transport is gone;
    // closing first would queue a goodbye packet that an offline network never drains.
    window.addEventListener('offline', () => {
      clearTimeout(this.#comeBack);
      this.#state = 'offline';
      setTimeout(() => {
        if (!navigator.onLine && (this.socket.connected || this.socket.active)) this.socket.disconnect();
      }, 0);
    });
    window.addEventListener('online', () => {
      if (!this.socket.connected) {
        this.#state = 'reconnecting';
        this.socket.connect();
      }
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get serverTime(): string | null {
    return this.#serverTime;
  }

  start(): void {
    this.socket.connect();
  }

  /**
   * Reconnects, so the server sees the session cookie as it is now (after sign-in, sign-out, or a
   * change of rights). Events the server sent to the old socket are not replayed.
   */
  restart(): void {
    clearTimeout(this.#comeBack);
    if (this.socket.connected || this.socket.active) this.socket.disconnect();
    this.#state = 'connecting';
    this.socket.connect();
  }

  /** Round trip through the server; resolves with the server's time or rejects after `timeoutMs`. */
  async ping(timeoutMs = 5000): Promise<string> {
    const reply = await this.socket.timeout(timeoutMs).emitWithAck('system.ping', {});
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.data.serverTime;
  }
}

export const connection = new Connection();
