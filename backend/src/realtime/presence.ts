import type { Namespace } from 'socket.io';
import { Rooms } from '../shared/realtime-events.ts';

/** At most one presence announcement per channel in this window (the web app's own debounce). */
export const PRESENCE_WINDOW_MS = 250;

type AnyNamespace = Namespace<any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Channel {
  /** When this channel's room was last told. */
  lastAt: number;
  /** Changes waiting for the end of the window: member id → online. */
  pending: Map<string, boolean>;
  timer: NodeJS.Timeout | null;
}

/**
 * Joins and leaves are announced to a channel's room as `presence.changed`, coalesced per channel:
 * the first change after a quiet window goes out at once, the ones that follow within the window
 * go out together at its end (a member's last state wins). Announcing each join to everyone
 * already in the room costs n²/2 packets when n members (re)connect at once, after a deploy:
 * 500,000 for a channel of 1,000. Coalesced, it is a few per second per channel. The receivers
 * ask `channel.presence` for the room as it stands, so what they show is never a sum of deltas.
 * The event goes to the whole room, the member who changed included (who may ignore it).
 */
export class PresenceAnnouncer {
  readonly #channels = new Map<string, Channel>();

  constructor(
    private readonly nsp: AnyNamespace,
    private readonly windowMs = PRESENCE_WINDOW_MS,
    private readonly now = () => Date.now(),
  ) {}

  changed(channelId: string, memberId: string, online: boolean): void {
    const channel = this.#channels.get(channelId) ?? { lastAt: -Infinity, pending: new Map(), timer: null };
    this.#channels.set(channelId, channel);
    const now = this.now();
    if (!channel.timer && now - channel.lastAt >= this.windowMs) {
      channel.lastAt = now;
      this.#emit(channelId, new Map([[memberId, online]]));
      this.#forgetLater(channelId, channel);
      return;
    }
    channel.pending.set(memberId, online);
    if (channel.timer) return;
    channel.timer = setTimeout(() => this.#flush(channelId, channel), Math.max(0, channel.lastAt + this.windowMs - now));
    channel.timer.unref();
  }

  #flush(channelId: string, channel: Channel): void {
    channel.timer = null;
    if (channel.pending.size === 0) return;
    const changes = channel.pending;
    channel.pending = new Map();
    channel.lastAt = this.now();
    this.#emit(channelId, changes);
    this.#forgetLater(channelId, channel);
  }

  /** A channel with nothing pending is forgotten after its window, so the map holds only busy channels. */
  #forgetLater(channelId: string, channel: Channel): void {
    const timer = setTimeout(() => {
      if (!channel.timer && channel.pending.size === 0 && this.#channels.get(channelId) === channel && this.now() - channel.lastAt >= this.windowMs) this.#channels.delete(channelId);
    }, this.windowMs);
    timer.unref();
  }

  #emit(channelId: string, changes: Map<string, boolean>): void {
    const online: string[] = [];
    const offline: string[] = [];
    for (const [memberId, isOnline] of changes) (isOnline ? online : offline).push(memberId);
    this.nsp.to(Rooms.channel(channelId)).emit('presence.changed', { channelId, online, offline });
  }
}

const announcers = new WeakMap<AnyNamespace, PresenceAnnouncer>();

/** The announcer of a namespace (one per socket.io server). */
export function presenceOf(nsp: AnyNamespace): PresenceAnnouncer {
  let announcer = announcers.get(nsp);
  if (!announcer) announcers.set(nsp, (announcer = new PresenceAnnouncer(nsp)));
  return announcer;
}
