import { api } from '../api/client.ts';
import type { NotificationItem, NotificationList } from '../api/types.ts';
import { connection } from '../realtime/connection.svelte.ts';

/**
 * The signed-in person's notification centre: the list the server keeps, the unread count the
 * header shows, and new ones pushed live over the socket.
 */
export class Notifications {
  #items = $state<NotificationItem[]>([]);
  #unread = $state(0);
  #state = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  #error = $state<string | null>(null);
  #owner: string | null = null;

  constructor() {
    connection.socket.on('notification.created', (item) => {
      if (this.#owner === null || this.#items.some((known) => known.id === item.id)) return;
      this.#items = [item, ...this.#items];
      if (!item.read) this.#unread += 1;
    });
    // Whatever arrived while the socket was down (it is cut when rights change) is fetched again.
    connection.socket.on('connect', () => void this.refresh());
  }

  get items(): NotificationItem[] {
    return this.#items;
  }

  get unread(): number {
    return this.#unread;
  }

  get loading(): boolean {
    return this.#state === 'loading';
  }

  get error(): string | null {
    return this.#error;
  }

  /** Loads the list for `memberId`, or empties it when nobody is signed in. */
  async switchTo(memberId: string | null): Promise<void> {
    this.#owner = memberId;
    this.#items = [];
    this.#unread = 0;
    this.#error = null;
    this.#state = 'idle';
    if (memberId) await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.#owner) return;
    const owner = this.#owner;
    this.#state = 'loading';
    try {
      const list = await api.get<NotificationList>('/api/notifications');
      if (owner !== this.#owner) return;
      this.#items = list.items;
      this.#unread = list.unread;
      this.#state = 'ready';
      this.#error = null;
    } catch (error) {
      if (owner !== this.#owner) return;
      this.#state = 'failed';
      this.#error = (error as Error).message;
    }
  }

  /** Marks the given notifications read, or all of them when no ids are given. */
  async markRead(ids?: string[]): Promise<void> {
    await api.post<void>('/api/notifications/read', ids ? { ids } : {});
    const marked = ids ? new Set(ids) : null;
    const newlyRead = this.#items.filter((item) => !item.read && (!marked || marked.has(item.id))).length;
    this.#items = this.#items.map((item) => (!marked || marked.has(item.id) ? { ...item, read: true } : item));
    // The list may be only the latest page; the count covers everything.
    this.#unread = marked ? Math.max(0, this.#unread - newlyRead) : 0;
  }
}

export const notifications = new Notifications();
