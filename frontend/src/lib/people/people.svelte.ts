import { api } from '../api/client.ts';
import type { DirectoryEntry } from '../api/types.ts';

/** How long to wait before asking the directory again because of a name we do not know. */
const UNKNOWN_RETRY_MS = 30_000;

/**
 * The member directory as the channels need it: names for author ids and the list for @mention
 * suggestions. Loaded once per signed-in member and again, at most every 30 s, when a message
 * comes from someone it does not know yet (a member approved since).
 */
export class People {
  #byId = $state.raw(new Map<string, DirectoryEntry>());
  #owner: string | null = null;
  #loading: Promise<void> | null = null;
  #loadedAt = 0;

  get all(): DirectoryEntry[] {
    return [...this.#byId.values()];
  }

  /** A display name; null while the person is not known (yet). */
  name(id: string): string | null {
    return this.#byId.get(id)?.name ?? null;
  }

  get(id: string): DirectoryEntry | undefined {
    return this.#byId.get(id);
  }

  /** Loads the directory for `memberId`, or forgets it when nobody is signed in. */
  switchTo(memberId: string | null): void {
    if (memberId === this.#owner) return;
    this.#owner = memberId;
    this.#byId = new Map();
    this.#loadedAt = 0;
    this.#loading = null;
    if (memberId) void this.load();
  }

  /** Someone wrote whom we do not know: reload, unless we did so recently. */
  noteUnknown(id: string): void {
    if (!this.#owner || this.#byId.has(id) || this.#loading || Date.now() - this.#loadedAt < UNKNOWN_RETRY_MS) return;
    void this.load();
  }

  load(): Promise<void> {
    const owner = this.#owner;
    if (!owner) return Promise.resolve();
    this.#loading ??= (async () => {
      try {
        const entries = await api.get<DirectoryEntry[]>('/api/members');
        if (owner !== this.#owner) return;
        this.#byId = new Map(entries.map((entry) => [entry.id, entry]));
      } catch {
        // Names are a nicety: messages still show, with "Unknown member"; the next unknown name retries.
      } finally {
        if (owner === this.#owner) {
          this.#loadedAt = Date.now();
          this.#loading = null;
        }
      }
    })();
    return this.#loading;
  }
}

export const people = new People();
