import type { Socket } from 'socket.io-client';
import { REALTIME_PATH, type ClientToServerEvents, type ServerToClientEvents } from '$shared/realtime-events.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** What the app uses of a socket.io socket; the rest is not offered until it is needed. */
export type LiveSocket = Pick<ClientSocket, 'on' | 'off' | 'emit' | 'timeout' | 'connect' | 'disconnect' | 'connected' | 'active'>;

type Listener = (...args: never[]) => void;
const RETRY_MS = 3000;

/**
 * A socket.io socket whose client library (about 13 KiB gzipped) is fetched after the first page has
 * rendered, not before: listeners added early are kept and attached when it arrives, `connect()`
 * fetches it, and until then the socket reads as not connected. If the fetch fails (offline, or a
 * deploy replaced the chunk) it is tried again while a connection is wanted.
 */
class DeferredSocket {
  #socket: ClientSocket | null = null;
  #loading: Promise<ClientSocket> | null = null;
  #queued: [string, Listener][] = [];
  #wanted = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  readonly #onLoadFailed: () => void;

  constructor(onLoadFailed: () => void) {
    this.#onLoadFailed = onLoadFailed;
  }

  get connected(): boolean {
    return this.#socket?.connected ?? false;
  }

  get active(): boolean {
    return this.#socket?.active ?? false;
  }

  on(event: string, listener: Listener): this {
    if (this.#socket) this.#socket.on(event as never, listener as never);
    else this.#queued.push([event, listener]);
    return this;
  }

  off(event: string, listener: Listener): this {
    if (this.#socket) this.#socket.off(event as never, listener as never);
    else this.#queued = this.#queued.filter(([e, l]) => e !== event || l !== listener);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    // Like a disconnected socket.io socket would buffer it, but nothing is connected yet to receive it:
    // callers send only while `connected`.
    (this.#socket?.emit as ((event: string, ...args: unknown[]) => unknown) | undefined)?.call(this.#socket, event, ...args);
    return this;
  }

  timeout(ms: number): { emitWithAck: (event: string, ...args: unknown[]) => Promise<unknown> } {
    return {
      emitWithAck: async (event, ...args) => {
        const socket = await this.#load();
        return (socket.timeout(ms).emitWithAck as (event: string, ...args: unknown[]) => Promise<unknown>)(event, ...args);
      },
    };
  }

  connect(): this {
    this.#wanted = true;
    clearTimeout(this.#retry);
    if (this.#socket) this.#socket.connect();
    else
      void this.#load().then(
        (socket) => this.#wanted && socket.connect(),
        () => {
          this.#onLoadFailed();
          if (this.#wanted) this.#retry = setTimeout(() => this.#wanted && this.connect(), RETRY_MS);
        },
      );
    return this;
  }

  disconnect(): this {
    this.#wanted = false;
    clearTimeout(this.#retry);
    this.#socket?.disconnect();
    return this;
  }

  #load(): Promise<ClientSocket> {
    if (this.#socket) return Promise.resolve(this.#socket);
    this.#loading ??= import('socket.io-client').then(
      ({ io }) => {
        const socket: ClientSocket = io({ path: REALTIME_PATH, autoConnect: false, withCredentials: true });
        for (const [event, listener] of this.#queued) socket.on(event as never, listener as never);
        this.#queued = [];
        this.#socket = socket;
        return socket;
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }
}

/** The app's one socket, typed as socket.io's own; the library arrives with the first `connect()`. */
export function deferredSocket(onLoadFailed: () => void): LiveSocket {
  return new DeferredSocket(onLoadFailed) as unknown as LiveSocket;
}
