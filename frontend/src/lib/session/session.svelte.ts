import { locale, m, switchLocale } from '../i18n/i18n.ts';
import { api, ApiError } from '../api/client.ts';
import type { Provider, Self, SessionInfo } from '../api/types.ts';
import { connection } from '../realtime/connection.svelte.ts';
import type { Access } from '../router/router.svelte.ts';

export type SessionEndReason = 'signed_out' | 'suspended' | 'access_changed';

/** What the sign-in page says when someone lands there because their session ended. */
const ENDED_NOTICES: Record<Exclude<SessionEndReason, 'access_changed'>, () => string> = {
  suspended: m.session_ended_suspended,
  signed_out: m.session_ended_signed_out,
};

/**
 * Who is using the app: loaded once at start from `GET /api/session`, replaced on sign-in, sign-up
 * and sign-out. The server decides everything; this only tells the app what to show. Whenever the
 * person changes, the live connection is restarted so the socket carries the new identity.
 */
export class Session {
  #member = $state<Self | null>(null);
  #providers = $state<Provider[]>([]);
  #state = $state<'loading' | 'ready' | 'failed'>('loading');
  #loadError = $state<string | null>(null);
  #notice = $state<string | null>(null);
  /** While this tab signs out, the server's "signed out" event is our own echo. */
  #signingOut = false;

  get member(): Self | null {
    return this.#member;
  }

  get providers(): Provider[] {
    return this.#providers;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  get failed(): boolean {
    return this.#state === 'failed';
  }

  get loadError(): string | null {
    return this.#loadError;
  }

  /** A message for the sign-in page: why the person was signed out. */
  get notice(): string | null {
    return this.#notice;
  }

  get isVisitor(): boolean {
    return this.#member === null;
  }

  get isApplicant(): boolean {
    return this.#member?.status === 'applicant';
  }

  get isMember(): boolean {
    return this.#member?.status === 'member';
  }

  /** A member whose yearly re-verification ran out: only the profile (to confirm) until then. */
  get isLapsed(): boolean {
    return this.#member?.status === 'lapsed';
  }

  /** Admins hold every moderator right too (as the server's policy says). */
  get isModerator(): boolean {
    return this.isMember && (this.#member!.roles.includes('moderator') || this.#member!.roles.includes('admin'));
  }

  get isAdmin(): boolean {
    return this.isMember && this.#member!.roles.includes('admin');
  }

  /** Where a person starts: their application while they are vetted, else the home page. */
  get homePath(): string {
    return this.isApplicant ? '/application' : '/';
  }

  may(access: Access): boolean {
    switch (access) {
      case 'anyone':
        return true;
      case 'visitor':
        return this.isVisitor;
      case 'signed-in':
        return this.isApplicant || this.isMember || this.isLapsed;
      case 'applicant':
        return this.isApplicant;
      case 'member':
        return this.isMember;
      case 'moderator':
        return this.isModerator;
      case 'admin':
        return this.isAdmin;
    }
  }

  async load(): Promise<void> {
    try {
      const info = await api.get<SessionInfo>('/api/session');
      this.#member = info.member;
      this.#providers = info.providers;
      this.#state = 'ready';
      this.#loadError = null;
    } catch (error) {
      // A reload after the first one keeps showing what we had; only the first one can fail the app.
      if (this.#state !== 'ready') {
        this.#state = 'failed';
        this.#loadError = error instanceof ApiError ? error.message : m.session_unreachable();
      }
    }
  }

  async signIn(email: string, password: string): Promise<Self> {
    const self = await api.post<Self>('/api/auth/sign-in', { email, password });
    this.#become(self);
    return self;
  }

  async signUp(input: { email: string; password: string; name: string }): Promise<Self> {
    const self = await api.post<Self>('/api/auth/sign-up', input);
    this.#become(self);
    return self;
  }

  async signOut(): Promise<void> {
    this.#signingOut = true;
    try {
      await api.post<void>('/api/auth/sign-out');
    } catch (error) {
      // Already signed out on the server (expired, suspended): the outcome is the same.
      if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) throw error;
    } finally {
      this.#signingOut = false;
    }
    this.#become(null);
    this.#notice = m.session_signed_out();
  }

  /** After something that signs in (first-admin setup) or changes the person (profile edit). */
  update(self: Self | null): void {
    const changedPerson = self?.id !== this.#member?.id || self?.status !== this.#member?.status;
    if (changedPerson) this.#become(self);
    else this.#member = self;
  }

  /**
   * The server ended this session (suspended, or signed out elsewhere): forget the person and keep
   * a notice for the sign-in page, where the caller sends them (when this returns true).
   */
  end(reason: Exclude<SessionEndReason, 'access_changed'>): boolean {
    if (this.isVisitor || (reason === 'signed_out' && this.#signingOut)) return false;
    this.#become(null);
    this.#notice = ENDED_NOTICES[reason]();
    return true;
  }

  /** The server changed what this person may do (approved, role granted): reload, then reconnect. */
  async accessChanged(): Promise<void> {
    await this.load();
    connection.restart();
  }

  clearNotice(): void {
    this.#notice = null;
  }

  #become(self: Self | null): void {
    // A member's language follows them to any browser: the page reloads once in it.
    if (self?.locale && self.locale !== locale) switchLocale(self.locale);
    this.#member = self;
    this.#notice = null;
    this.#state = 'ready';
    connection.restart();
  }
}

export const session = new Session();
