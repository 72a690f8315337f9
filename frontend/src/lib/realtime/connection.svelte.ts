import { io, type Socket } from 'socket.io-client';
import { REALTIME_PATH, type ClientToServerEvents, type ServerToClientEvents } from '$shared/realtime-events.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What people read for each state, in the header and on the status page alike. */
export const connectionLabels: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/**
 * The one live connection to the server, on the page's own origin. Its state is reactive so the
 * header can show it; socket.io reconnects by itself with backoff.
 */
export class Connection {
  #state = $state<ConnectionState>('connecting');
  #serverTime = $state<string | null>(null);
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  constructor() {
    this.socket = io({ path: REALTIME_PATH, autoConnect: false, withCredentials: true });
    this.socket.on('connect', () => (this.#state = 'connected'));
    this.socket.on('disconnect', () => (this.#state = navigator.onLine ? 'reconnecting' : 'offline'));
    this.socket.on('connect_error', () => (this.#state = navigator.onLine ? 'reconnecting' : 'offline'));
    this.socket.on('session.ready', ({ serverTime }) => (this.#serverTime = serverTime));
    window.addEventListener('offline', () => {
      if (!this.socket.connected) this.#state = 'offline';
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

  /** Round trip through the server; resolves with the server's time or rejects after `timeoutMs`. */
  async ping(timeoutMs = 5000): Promise<string> {
    const reply = await this.socket.timeout(timeoutMs).emitWithAck('system.ping', {});
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.data.serverTime;
  }
}

export const connection = new Connection();
