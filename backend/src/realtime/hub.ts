import { Rooms, type ServerToClientEvents } from '../shared/realtime-events.ts';
import type { RealtimeServer } from './realtime.ts';

/**
 * What actions need from the realtime layer, available before the socket.io server exists (the
 * app is built first, the server attaches to it). With the Redis adapter these reach sockets on
 * every process.
 */
export class RealtimeHub {
  #io: RealtimeServer | undefined;

  attach(io: RealtimeServer): void {
    this.#io = io;
  }

  toRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...payload: Parameters<ServerToClientEvents[E]>): void {
    this.#io?.to(room).emit(event, ...payload);
  }

  /** To a room but not to the sockets in `except` (people who may not see this). */
  toRoomExcept<E extends keyof ServerToClientEvents>(room: string, except: string[], event: E, ...payload: Parameters<ServerToClientEvents[E]>): void {
    this.#io?.to(room).except(except).emit(event, ...payload);
  }

  toMember<E extends keyof ServerToClientEvents>(memberId: string, event: E, ...payload: Parameters<ServerToClientEvents[E]>): void {
    this.#io?.to(Rooms.user(memberId)).emit(event, ...payload);
  }

  /** Has the member a live socket (on any process, with the Redis adapter)? */
  async isOnline(memberId: string): Promise<boolean> {
    if (!this.#io) return false;
    return (await this.#io.in(Rooms.user(memberId)).fetchSockets()).length > 0;
  }

  /** Cuts the live sockets opened with one session (sign-out on one device). */
  disconnectSession(sessionId: string): void {
    if (!this.#io) return;
    this.#io.to(Rooms.session(sessionId)).emit('session.ended', { reason: 'signed_out' });
    this.#io.in(Rooms.session(sessionId)).disconnectSockets(true);
  }

  /** Cuts every socket in these rooms (a space's rule changed): they reconnect and rejoin under the new rule. */
  disconnectRooms(rooms: string[]): void {
    if (!this.#io || rooms.length === 0) return;
    this.#io.to(rooms).emit('session.ended', { reason: 'access_changed' });
    this.#io.in(rooms).disconnectSockets(true);
  }

  /** Cuts every live socket of a person at once (suspension, role change). */
  disconnectMember(memberId: string, reason: 'signed_out' | 'suspended' | 'access_changed'): void {
    if (!this.#io) return;
    this.#io.to(Rooms.user(memberId)).emit('session.ended', { reason });
    this.#io.in(Rooms.user(memberId)).disconnectSockets(true);
  }
}
