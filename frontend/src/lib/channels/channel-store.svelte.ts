import { api, ApiError } from '../api/client.ts';
import type { Channel, Message, MessagePage } from '../api/types.ts';
import { m } from '../i18n/i18n.ts';
import { connection } from '../realtime/connection.svelte.ts';

/** How many messages a page of history holds, and how many a catch-up asks for at once (the server's maximum). */
const PAGE = 50;
const CATCH_UP_PAGE = 200;
/** Further behind than this, a catch-up starts again from the newest page (older ones load on scrolling up). */
const RESTART_BEHIND = 1000;
/** A send without an answer after this long is treated as lost in transit (the same key makes a retry safe). */
const SEND_TIMEOUT_MS = 15_000;
/** How long "… is typing" stays up after the last signal (the server relays one every 2 s at most). */
const TYPING_SHOWN_MS = 5_000;

export type PendingState = 'queued' | 'sending' | 'failed';

/** A message written here that the server has not acknowledged yet. */
export interface PendingMessage {
  /** The idempotency key: the same for every try, so the server stores it at most once. */
  key: string;
  text: string;
  parentSeq: number | null;
  mentions: string[];
  state: PendingState;
  error: string | null;
  /**
   * The room's copy of it arrived before our acknowledgement (the server broadcasts first): it is on
   * screen already, so this stays out of sight unless the send turns out to have failed.
   */
  echoed: boolean;
}

export interface Typist {
  memberId: string;
  name: string;
}

/** 32 random characters from [0-9a-f]; the server accepts 8–64 of [A-Za-z0-9_-]. */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * One channel as this tab knows it: its messages by number, what it is still sending, who is typing
 * and who is here.
 *
 * The invariant that keeps messages from being lost or doubled: messages live in a map keyed by
 * their number, and `cursor` is the highest number up to which every message from the oldest loaded
 * one is present. Anything the server says exists beyond the cursor (a join's `lastSeq`, a live
 * message that skips a number, a page's `lastSeq`) starts a catch-up from the cursor over HTTP, and
 * whatever arrives, live or fetched, twice or out of order, lands on its number.
 */
export class ChannelStore {
  readonly id: string;
  /** Who is signed in (asked each time: the store may be made while the session is still loading). */
  readonly #self: () => string | null;
  #channel = $state<Channel | null>(null);
  /**
   * Messages by number, and the same in order for showing. Plain fields rather than `$derived`:
   * a store outlives the page that made it, and a derived made inside a page stops updating when
   * that page goes.
   */
  #bySeq = new Map<number, Message>();
  #list = $state.raw<Message[]>([]);
  #cursor = $state(0);
  #knownLast = $state(0);
  #oldest = $state(1);
  #status = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  #error = $state<string | null>(null);
  #loadingOlder = $state(false);
  #pending = $state<PendingMessage[]>([]);
  #typists = $state<(Typist & { until: number })[]>([]);
  #online = $state<string[]>([]);
  #pins = $state<Message[] | null>(null);
  #catchingUp: Promise<void> | null = null;
  #flushing = false;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;
  #lastTypingSent = 0;

  constructor(id: string, self: () => string | null) {
    this.id = id;
    this.#self = self;
  }

  get channel(): Channel | null {
    return this.#channel;
  }

  /** A `channel.updated` event: moderators changed read-only, slow mode or the notice. */
  receiveControls(controls: { readOnly: boolean; slowModeSeconds: number; noticeHtml: string | null }): void {
    if (this.#channel) this.#channel = { ...this.#channel, ...controls };
  }

  /** Every loaded message, oldest first. */
  get messages(): Message[] {
    return this.#list;
  }

  /** What is still on its way, in the order written (without those whose copy is already shown). */
  get pending(): PendingMessage[] {
    return this.#pending.filter((pending) => !pending.echoed);
  }

  get unsent(): number {
    return this.#pending.length;
  }

  get ready(): boolean {
    return this.#status === 'ready';
  }

  get loading(): boolean {
    return this.#status === 'loading' || this.#status === 'idle';
  }

  get error(): string | null {
    return this.#error;
  }

  get hasOlder(): boolean {
    return this.#oldest > 1;
  }

  get loadingOlder(): boolean {
    return this.#loadingOlder;
  }

  /** The newest number present without a gap before it. */
  get cursor(): number {
    return this.#cursor;
  }

  get typists(): Typist[] {
    return this.#typists;
  }

  get online(): string[] {
    return this.#online;
  }

  get pins(): Message[] | null {
    return this.#pins;
  }

  message(seq: number): Message | undefined {
    void this.#list; // so that whoever asks hears when it arrives or changes
    return this.#bySeq.get(seq);
  }

  /** First visit: the channel and its newest page. Later visits: catch up with what happened meanwhile. */
  async open(): Promise<void> {
    if (this.#status === 'ready') {
      await this.#refreshChannel();
      await this.catchUp();
      return;
    }
    if (this.#status === 'loading') return;
    this.#status = 'loading';
    this.#error = null;
    try {
      const [channel, page] = await Promise.all([
        api.get<Channel>(`/api/channels/${encodeURIComponent(this.id)}`),
        api.get<MessagePage>(`/api/channels/${encodeURIComponent(this.id)}/messages?limit=${PAGE}`),
      ]);
      this.#channel = channel;
      // The newest page runs without a gap from its first message to the channel's last number.
      this.#oldest = page.messages[0]?.seq ?? page.lastSeq + 1;
      this.#cursor = Math.max(this.#cursor, page.lastSeq);
      this.#knownLast = Math.max(this.#knownLast, page.lastSeq, channel.lastSeq);
      this.#merge(page.messages);
      this.#status = 'ready';
    } catch (error) {
      this.#status = 'failed';
      this.#error = error instanceof ApiError && error.status === 404 ? 'not_found' : (error as Error).message;
      return;
    }
    await this.catchUp();
    void this.flush();
  }

  /** After a (re)connect and a fresh `channel.join`: fetch what was missed, then send what waited. */
  async resync(lastSeq: number): Promise<void> {
    this.noteLast(lastSeq);
    // The first load failed while we were away: try it again now.
    if (this.#status === 'failed' && this.#error !== 'not_found') {
      await this.open();
      if (this.ready) void this.refreshPresence();
      return;
    }
    if (this.#status !== 'ready') return;
    await this.catchUp();
    // Edits, deletions and reactions made while we were away are not in a catch-up: refresh the newest page.
    try {
      const page = await api.get<MessagePage>(`/api/channels/${encodeURIComponent(this.id)}/messages?limit=${PAGE}`);
      this.#merge(page.messages.filter((message) => message.seq >= this.#oldest));
    } catch {
      // The next reconnect tries again; new messages are already in.
    }
    if (this.#pins) void this.loadPins();
    void this.refreshPresence();
    await this.flush();
  }

  /** The server says the channel has reached `lastSeq`. */
  noteLast(lastSeq: number): void {
    this.#knownLast = Math.max(this.#knownLast, lastSeq);
  }

  /** A `message.created` event for this channel. */
  receive(message: Message): void {
    this.noteLast(message.seq);
    this.#typists = this.#typists.filter((typist) => typist.memberId !== message.authorId);
    if (message.authorId === this.#self()) {
      const echo = this.#pending.find((pending) => pending.state === 'sending' && !pending.echoed && pending.text === message.source && pending.parentSeq === message.parentSeq);
      if (echo) echo.echoed = true;
    }
    if (this.#status !== 'ready') return; // the first load or the catch-up after it fetches it
    this.#merge([message]);
    if (this.#knownLast > this.#cursor) void this.catchUp();
  }

  /**
   * A `message.updated` event: the whole new view. Broadcasts are rendered for no one in particular,
   * so their `mine` flags are always false; ours come from our own answers and are kept.
   */
  receiveUpdate(message: Message): void {
    const previous = this.#bySeq.get(message.seq);
    if (previous) {
      const mine = new Set(previous.reactions.filter((reaction) => reaction.mine).map((reaction) => reaction.emoji));
      this.#put({ ...message, reactions: message.reactions.map((reaction) => ({ ...reaction, mine: reaction.mine || mine.has(reaction.emoji) })) });
    } else if (this.#status === 'ready' && message.seq > this.#cursor) {
      this.noteLast(message.seq);
      void this.catchUp();
    }
    this.#updatePins(message);
  }

  /** Fetches everything after the cursor until the cursor reaches the newest number known. */
  catchUp(): Promise<void> {
    if (this.#status !== 'ready') return Promise.resolve();
    this.#catchingUp ??= (async () => {
      try {
        if (this.#knownLast - this.#cursor > RESTART_BEHIND) await this.#restart();
        while (this.#knownLast > this.#cursor) {
          const before = this.#cursor;
          const page = await api.get<MessagePage>(`/api/channels/${encodeURIComponent(this.id)}/messages?after=${before}&limit=${CATCH_UP_PAGE}`);
          this.noteLast(page.lastSeq);
          this.#merge(page.messages);
          if (this.#cursor === before) break; // nothing new came back: stop rather than spin
        }
      } catch (error) {
        // Offline: the next reconnect or live message starts another catch-up. Refused: forget it.
        if (error instanceof ApiError && error.status === 404) this.revoke();
      } finally {
        this.#catchingUp = null;
      }
    })();
    return this.#catchingUp;
  }

  /** One page older than the oldest loaded; resolves with how many arrived. */
  async loadOlder(): Promise<number> {
    if (!this.hasOlder || this.#loadingOlder || this.#status !== 'ready') return 0;
    this.#loadingOlder = true;
    try {
      const page = await api.get<MessagePage>(`/api/channels/${encodeURIComponent(this.id)}/messages?before=${this.#oldest}&limit=${PAGE}`);
      this.#merge(page.messages);
      this.#oldest = page.messages[0]?.seq ?? 1;
      return page.messages.length;
    } finally {
      this.#loadingOlder = false;
    }
  }

  // ---- Sending ----

  /** Queues a message and sends it as soon as the connection allows, in the order written. */
  send(text: string, options: { parentSeq?: number | null; mentions?: string[] } = {}): void {
    this.#pending.push({ key: idempotencyKey(), text, parentSeq: options.parentSeq ?? null, mentions: options.mentions ?? [], state: 'queued', error: null, echoed: false });
    void this.flush();
  }

  /** Tries a failed message again, with the key it had: if the first try was stored, this returns it. */
  retry(key: string): void {
    const item = this.#pending.find((pending) => pending.key === key);
    if (!item || item.state !== 'failed') return;
    item.state = 'queued';
    item.error = null;
    void this.flush();
  }

  discard(key: string): void {
    this.#pending = this.#pending.filter((pending) => pending.key !== key || pending.state !== 'failed');
  }

  /** Sends queued messages one after another while connected; stops (to resume on `connect`) when not. */
  async flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (;;) {
        const item = this.#pending.find((pending) => pending.state === 'queued');
        if (!item || !connection.socket.connected) break;
        if (!(await this.#sendOne(item))) break;
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** False when the connection failed under it (the message waits for the next connect). */
  async #sendOne(item: PendingMessage): Promise<boolean> {
    item.state = 'sending';
    let reply;
    try {
      reply = await connection.socket.timeout(SEND_TIMEOUT_MS).emitWithAck('message.send', {
        channelId: this.id,
        text: item.text,
        idempotencyKey: item.key,
        ...(item.parentSeq === null ? {} : { parentSeq: item.parentSeq }),
        mentions: item.mentions,
      });
    } catch {
      // Disconnected or no answer: whether or not it was stored, the same key makes the next try safe.
      item.echoed = false;
      if (connection.socket.connected) {
        item.state = 'failed';
        item.error = m.channel_no_answer();
        return true;
      }
      item.state = 'queued';
      return false;
    }
    if (reply.ok) {
      this.#pending = this.#pending.filter((pending) => pending.key !== item.key);
      this.noteLast(reply.data.message.seq);
      this.#merge([reply.data.message]);
      if (this.#knownLast > this.#cursor) void this.catchUp();
    } else {
      item.state = 'failed';
      item.error = reply.error.message;
      item.echoed = false;
    }
    return true;
  }

  // ---- Changing messages (each answers with the whole message, which replaces ours) ----

  async react(seq: number, emoji: string, on: boolean): Promise<void> {
    this.#put(await api.post<Message>(`${this.#messagePath(seq)}/reactions`, { emoji, on }));
  }

  async edit(seq: number, text: string): Promise<void> {
    this.#put(await api.patch<Message>(this.#messagePath(seq), { text }));
  }

  async remove(seq: number): Promise<void> {
    const message = await api.delete<Message>(this.#messagePath(seq));
    this.#put(message);
    this.#updatePins(message);
  }

  async pin(seq: number, pinned: boolean): Promise<void> {
    const message = await api.post<Message>(`${this.#messagePath(seq)}/pin`, { pinned });
    this.#put(message);
    this.#updatePins(message);
  }

  async loadPins(): Promise<void> {
    const pins = await api.get<Message[]>(`/api/channels/${encodeURIComponent(this.id)}/pins`);
    this.#pins = pins.sort((a, b) => a.seq - b.seq);
  }

  // ---- Typing and presence ----

  /** Tells the room we are typing, at most every 2 s (the server relays no more often). */
  typing(): void {
    const now = Date.now();
    if (now - this.#lastTypingSent < 2000 || !connection.socket.connected) return;
    this.#lastTypingSent = now;
    connection.socket.emit('typing', { channelId: this.id });
  }

  noteTyping(memberId: string, name: string): void {
    if (memberId === this.#self()) return;
    const until = Date.now() + TYPING_SHOWN_MS;
    this.#typists = [...this.#typists.filter((typist) => typist.memberId !== memberId), { memberId, name, until }];
    this.#scheduleTypingExpiry();
  }

  #scheduleTypingExpiry(): void {
    clearTimeout(this.#typingTimer);
    if (this.#typists.length === 0) return;
    const next = Math.min(...this.#typists.map((typist) => typist.until));
    this.#typingTimer = setTimeout(() => {
      const now = Date.now();
      this.#typists = this.#typists.filter((typist) => typist.until > now);
      this.#scheduleTypingExpiry();
    }, Math.max(0, next - Date.now()) + 50);
  }

  /** Someone came or went: ask who is here now (a person may have several tabs, so count nothing ourselves). */
  presenceChanged(): void {
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = setTimeout(() => void this.refreshPresence(), 250);
  }

  async refreshPresence(): Promise<void> {
    if (!connection.socket.connected) return;
    try {
      const reply = await connection.socket.timeout(SEND_TIMEOUT_MS).emitWithAck('channel.presence', { channelId: this.id });
      if (reply.ok) this.#online = reply.data.memberIds;
    } catch {
      // Disconnected: the reconnect asks again.
    }
  }

  /**
   * The server no longer lets us in (a rule or our rights changed): forget everything it showed,
   * so nothing stays on screen that this person may no longer read.
   */
  revoke(): void {
    this.#bySeq.clear();
    this.#list = [];
    this.#pins = null;
    this.#online = [];
    this.#typists = [];
    this.#pending = [];
    this.#channel = null;
    this.#cursor = 0;
    this.#knownLast = 0;
    this.#oldest = 1;
    this.#status = 'failed';
    this.#error = 'not_found';
  }

  /** The page went away: stop timers (messages and the send queue stay). */
  close(): void {
    clearTimeout(this.#typingTimer);
    clearTimeout(this.#presenceTimer);
    this.#typists = [];
  }

  // ---- Internals ----

  #messagePath(seq: number): string {
    return `/api/channels/${encodeURIComponent(this.id)}/messages/${seq}`;
  }

  /** Back after a long time: show the newest page rather than fetch everything in between. */
  async #restart(): Promise<void> {
    const page = await api.get<MessagePage>(`/api/channels/${encodeURIComponent(this.id)}/messages?limit=${PAGE}`);
    this.#bySeq.clear();
    this.#list = [];
    this.#oldest = page.messages[0]?.seq ?? page.lastSeq + 1;
    this.#cursor = page.lastSeq;
    this.noteLast(page.lastSeq);
    this.#merge(page.messages);
  }

  async #refreshChannel(): Promise<void> {
    try {
      const channel = await api.get<Channel>(`/api/channels/${encodeURIComponent(this.id)}`);
      this.#channel = channel;
      this.noteLast(channel.lastSeq);
    } catch {
      // Keep what we have; the catch-up reports nothing either.
    }
  }

  /** Puts messages on their numbers and moves the cursor over every number now present. */
  #merge(messages: Message[]): void {
    const mine = messages.filter((message) => message.channelId === this.id);
    if (mine.length === 0) return;
    for (const message of mine) this.#bySeq.set(message.seq, message);
    this.#list = [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
    let cursor = this.#cursor;
    while (this.#bySeq.has(cursor + 1)) cursor++;
    this.#cursor = cursor;
  }

  /** One message changed (an edit, a reaction): replaced where it is. */
  #put(message: Message): void {
    if (message.channelId !== this.id) return;
    if (!this.#bySeq.has(message.seq)) return this.#merge([message]);
    this.#bySeq.set(message.seq, message);
    this.#list = this.#list.map((known) => (known.seq === message.seq ? message : known));
  }

  #updatePins(message: Message): void {
    if (!this.#pins) return;
    const others = this.#pins.filter((pin) => pin.seq !== message.seq);
    this.#pins = message.pinned && !message.deleted ? [...others, message].sort((a, b) => a.seq - b.seq) : others;
  }
}
