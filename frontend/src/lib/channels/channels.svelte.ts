import { api } from '../api/client.ts';
import type { Channel, Message, MessagePage, Space } from '../api/types.ts';
import { session } from '../session/session.svelte.ts';
import { connection } from '../realtime/connection.svelte.ts';
import { ChannelStore } from './channel-store.svelte.ts';

/**
 * The spaces and channels the signed-in member may enter, with unread counts kept live.
 *
 * At start and after every (re)connect it reloads the list (rights may have changed), joins the room
 * of every channel (so `message.created` moves the counts even for channels not on screen), and
 * lets each open channel catch up from its cursor and send what waited. It also owns one
 * `ChannelStore` per channel visited, so a queue of unsent messages survives moving between pages.
 */
export class Channels {
  #spaces = $state<Space[]>([]);
  #status = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  #owner: string | null = null;
  #stores = new Map<string, ChannelStore>();
  #resyncing: Promise<void> | null = null;
  #again = false;

  constructor() {
    const socket = connection.socket;
    socket.on('connect', () => void this.#resync());
    socket.on('message.created', (message) => {
      const channel = this.channel(message.channelId);
      if (channel) channel.lastSeq = Math.max(channel.lastSeq, message.seq);
      this.#stores.get(message.channelId)?.receive(message);
    });
    socket.on('message.updated', (message) => {
      this.#stores.get(message.channelId)?.receiveUpdate(message);
      // Broadcasts carry the member view; a moderator fetches what was written, over HTTP.
      if (message.moderation && session.isModerator && this.#stores.has(message.channelId)) void this.#original(message);
    });
    socket.on('channel.updated', ({ channelId, ...controls }) => {
      const channel = this.channel(channelId);
      if (channel) Object.assign(channel, controls);
      this.#stores.get(channelId)?.receiveControls(controls);
    });
    socket.on('typing', ({ channelId, memberId, name }) => this.#stores.get(channelId)?.noteTyping(memberId, name));
    socket.on('presence.changed', ({ channelId }) => this.#stores.get(channelId)?.presenceChanged());
    // Closing the tab with messages still waiting to be sent would lose them: ask first.
    window.addEventListener('beforeunload', (event) => {
      if (this.unsent > 0) event.preventDefault();
    });
  }

  get spaces(): Space[] {
    return this.#spaces;
  }

  get ready(): boolean {
    return this.#status === 'ready';
  }

  get failed(): boolean {
    return this.#status === 'failed';
  }

  async #original(message: Message): Promise<void> {
    try {
      const page = await api.get<MessagePage>(`/api/channels/${encodeURIComponent(message.channelId)}/messages?after=${message.seq - 1}&limit=1`);
      const original = page.messages.find((item) => item.seq === message.seq);
      if (original) this.#stores.get(message.channelId)?.receiveUpdate(original);
    } catch {
      // The member view stays; a reload shows the original.
    }
  }

  channel(id: string): Channel | undefined {
    for (const space of this.#spaces) {
      const found = space.channels.find((channel) => channel.id === id);
      if (found) return found;
    }
    return undefined;
  }

  spaceOf(channelId: string): Space | undefined {
    return this.#spaces.find((space) => space.channels.some((channel) => channel.id === channelId));
  }

  unread(channel: Channel): number {
    return Math.max(0, channel.lastSeq - (channel.readSeq ?? 0));
  }

  /** Messages written in any channel and not yet acknowledged by the server. */
  get unsent(): number {
    let count = 0;
    for (const store of this.#stores.values()) count += store.unsent;
    return count;
  }

  /** The store for a channel page; made on first visit and kept while the member stays signed in. */
  store(channelId: string): ChannelStore {
    let store = this.#stores.get(channelId);
    if (!store) {
      store = new ChannelStore(channelId, () => this.#owner);
      this.#stores.set(channelId, store);
    }
    return store;
  }

  /** A channel page opens: load (or catch up) its store; a channel newer than the list gets its room joined. */
  async open(channelId: string): Promise<void> {
    const store = this.store(channelId);
    if (this.ready && !this.channel(channelId)) void this.#join(channelId);
    await store.open();
  }

  /** Loads the list for `memberId`, or forgets everything when nobody is signed in. */
  switchTo(memberId: string | null): void {
    if (memberId === this.#owner) return;
    // A page may have made its store while the session was loading: that one is kept for the first
    // person. Another person starts from nothing (to get here, the first one signed out).
    if (this.#owner !== null) {
      for (const store of this.#stores.values()) store.revoke();
      this.#stores.clear();
    }
    this.#owner = memberId;
    this.#spaces = [];
    this.#status = 'idle';
    if (memberId) void this.#resync();
  }

  /** Moves the read position forward (never back); the badge drops at once. */
  async markRead(channelId: string, seq: number): Promise<void> {
    const channel = this.channel(channelId);
    const previous = channel?.readSeq ?? 0;
    if (!channel || seq <= previous) return;
    channel.readSeq = seq;
    try {
      await api.post<void>(`/api/channels/${encodeURIComponent(channelId)}/read`, { seq });
    } catch {
      // Not saved: show it unread again, so the next look saves it.
      if (channel.readSeq === seq) channel.readSeq = previous;
    }
  }

  /** One resync at a time; a request during one runs another after it (the connection may have changed). */
  #resync(): Promise<void> {
    if (this.#resyncing) {
      this.#again = true;
      return this.#resyncing;
    }
    this.#resyncing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#resyncOnce();
        } while (this.#again);
      } finally {
        this.#resyncing = null;
      }
    })();
    return this.#resyncing;
  }

  async #resyncOnce(): Promise<void> {
    const owner = this.#owner;
    if (!owner) return;
    if (this.#status !== 'ready') this.#status = 'loading';
    try {
      const spaces = await api.get<Space[]>('/api/spaces');
      if (owner !== this.#owner) return;
      this.#spaces = spaces;
      this.#status = 'ready';
    } catch {
      if (owner !== this.#owner) return;
      if (this.#status !== 'ready') this.#status = 'failed';
    }
    if (!connection.socket.connected) return; // the `connect` event brings us back here
    const ids = new Set([...this.#spaces.flatMap((space) => space.channels.map((channel) => channel.id)), ...this.#stores.keys()]);
    await Promise.all([...ids].map((id) => this.#join(id)));
  }

  /** Joins a channel's room; then its store (if any) catches up from its cursor and sends what waited. */
  async #join(channelId: string): Promise<void> {
    if (!connection.socket.connected) return;
    let lastSeq: number;
    try {
      const reply = await connection.socket.timeout(15_000).emitWithAck('channel.join', { channelId });
      if (!reply.ok) {
        // Refused: what we hold of it goes (unsent messages too: they could not be sent there).
        if (reply.error.code === 'not_found') this.#stores.get(channelId)?.revoke();
        return;
      }
      lastSeq = reply.data.lastSeq;
    } catch {
      return; // disconnected meanwhile: the next `connect` joins again
    }
    const channel = this.channel(channelId);
    if (channel) channel.lastSeq = Math.max(channel.lastSeq, lastSeq);
    await this.#stores.get(channelId)?.resync(lastSeq);
  }
}

export const channels = new Channels();
