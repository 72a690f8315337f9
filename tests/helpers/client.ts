import type { JsonResponse } from './http.ts';

/**
 * A browser-like API client: keeps the session cookie, sends the CSRF header on state-changing
 * requests (as the web app does), and returns status, headers and parsed body.
 */
export class ApiClient {
  cookie: string | null = null;

  constructor(
    readonly baseUrl: string,
    readonly options: { csrf?: boolean } = {},
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method !== 'GET' && this.options.csrf !== false ? { 'x-convene-csrf': '1' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.getSetCookie().find((value) => value.startsWith('convene.sid='));
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = /convene\.sid=;|Expires=Thu, 01 Jan 1970/i.test(setCookie) ? null : pair;
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** The session id inside the cookie (to check it changes at sign-in). */
  get sessionId(): string | null {
    return this.cookie ? decodeURIComponent(this.cookie.split('=')[1]!).split('.')[0]!.replace(/^s:/, '') : null;
  }
}
