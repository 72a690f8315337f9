import { api } from '../api/client.ts';
import { connection } from '../realtime/connection.svelte.ts';
import { session } from '../session/session.svelte.ts';
import type { AlertSummary } from './types.ts';

/**
 * Critical active alerts that the member's organisation has not acknowledged: shown as a banner in
 * the shell until someone from the organisation answers. Reloaded whenever the server says an
 * alert changed or was acknowledged, and after a reconnect of the same member.
 */
export class CriticalBanner {
  #alerts = $state<AlertSummary[]>([]);
  #owner: string | null = null;
  /** Whether the list was loaded for the current owner (a reconnect before that needs no reload). */
  #loaded = false;
  #running: Promise<void> | null = null;
  #again = false;

  constructor() {
    const reload = () => void this.refresh();
    connection.socket.on('alert.created', (alert) => alert.severity === 'critical' && reload());
    connection.socket.on('alert.updated', reload);
    connection.socket.on('alert.acknowledged', reload);
    // Only when the server still knows the socket as our member: a session that ended meanwhile
    // (suspension) must not be asked for member data.
    connection.socket.on('session.ready', ({ memberId }) => this.#loaded && memberId !== null && memberId === this.#owner && reload());
  }

  get alerts(): AlertSummary[] {
    return this.#alerts;
  }

  async switchTo(memberId: string | null): Promise<void> {
    if (memberId === this.#owner) return;
    this.#owner = memberId;
    this.#alerts = [];
    this.#loaded = false;
    if (memberId) await this.refresh();
  }

  /** Loads the list; calls while a load runs are folded into one more load after it. */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        const owner = this.#owner;
        if (!owner || !session.isMember) return;
        try {
          const alerts = await api.get<AlertSummary[]>('/api/alerts/banner');
          if (owner === this.#owner) {
            this.#alerts = alerts;
            this.#loaded = true;
          }
        } catch {
          // The banner is a reminder: a failed reload keeps the last list.
        }
      } while (this.#again);
    })().finally(() => (this.#running = null));
    return this.#running;
  }
}

export const criticalBanner = new CriticalBanner();
