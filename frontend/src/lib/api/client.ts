/**
 * Typed access to the HTTP API. Every failure becomes an `ApiError` carrying the server's
 * machine-readable code and a sentence a person can read, whatever went wrong underneath.
 */
import { m } from '../i18n/i18n.ts';

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface FieldIssue {
  location: string;
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation problems by field path, for showing each message next to its field. */
  get fieldIssues(): FieldIssue[] {
    const issues = (this.details as { issues?: FieldIssue[] } | undefined)?.issues;
    return Array.isArray(issues) ? issues : [];
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  const error = (value as ApiErrorBody | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}

/** When the answer is not Convene's error shape (a proxy's page, say), in the reader's language. */
const FALLBACK: Record<number, () => string> = {
  401: m.api_error_401,
  403: m.api_error_403,
  404: m.api_error_404,
  413: m.api_error_413,
  429: m.api_error_429,
  502: m.api_error_502,
  503: m.api_error_503,
  504: m.api_error_504,
};

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        // Every state-changing request carries it; the server refuses those without (CSRF defence).
        ...(method === 'GET' ? {} : { 'X-Convene-CSRF': '1' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', m.api_error_network());
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    if (isErrorBody(data)) throw new ApiError(response.status, data.error.code, data.error.message, data.error.details);
    throw new ApiError(response.status, `http_${response.status}`, FALLBACK[response.status]?.() ?? m.api_error_unexpected({ status: String(response.status) }));
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

/** `?a=1&b=x` from the given values, leaving out empty ones; '' when nothing is left. */
export function queryString(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
