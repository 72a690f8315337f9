import { api } from '../api/client.ts';
import { connection } from '../realtime/connection.svelte.ts';
import type { AlertSummary } from './types.ts';

/**
 * Critical active alerts that the member's organisation has not acknowledged: shown as a banner in
 * the shell until someone from the organisation answers. Reloaded whenever the server says an
 * alert changed or was acknowledged, and after every reconnect.
 */
export class CriticalBanner {
  #alerts = $state<AlertSummary[]>([]);
  #owner: string | null = null;

  constructor() {
    const reload = () => void this.refresh();
    connection.socket.on('alert.created', (alert) => alert.severity === 'critical' && reload());
    connection.socket.on('alert.updated', reload);
    connection.socket.on('alert.acknowledged', reload);
    connection.socket.on('connect', reload);
  }

  get alerts(): AlertSummary[] {
    return this.#alerts;
  }

  async switchTo(memberId: string | null): Promise<void> {
    this.#owner = memberId;
    this.#alerts = [];
    if (memberId) await this.refresh();
  }

  async refresh(): Promise<void> {
    const owner = this.#owner;
    if (!owner) return;
    try {
      const alerts = await api.get<AlertSummary[]>('/api/alerts/banner');
      if (owner === this.#owner) this.#alerts = alerts;
    } catch {
      // The banner is a reminder: a failed reload keeps the last list.
    }
  }
}

export const criticalBanner = new CriticalBanner();
