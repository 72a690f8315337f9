import type { ErrorRequestHandler } from 'express';
import mongoose from 'mongoose';
import type { Logger } from './logger.ts';
import { m, msg, requestLocale, type Localized } from './locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';

/** One error shape for every API error: `{"error":{"code","message","details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * An error a client can act on. Its code is machine-readable and the same in every language; its
 * message is for people, in the reader's language when it is given as a `Localized` (see
 * `msg` in locale.ts); `message` itself is the English text, for logs.
 */
export class AppError extends Error {
  readonly localized: Localized | null;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string | Localized,
    readonly details?: unknown,
  ) {
    super(typeof message === 'function' ? message('en') : message);
    this.localized = typeof message === 'function' ? message : null;
    this.name = new.target.name;
  }

  /** The message in a language (English where this error's text is not translated). */
  messageIn(locale: Locale): string {
    return this.localized ? this.localized(locale) : this.message;
  }
}

export class Invalid extends AppError {
  constructor(message: string | Localized, details?: unknown, code = 'invalid_request') {
    super(400, code, message, details);
  }
}
export class Unauthorized extends AppError {
  constructor(message: string | Localized = msg(m.error_unauthorized)) {
    super(401, 'unauthorized', message);
  }
}
export class Forbidden extends AppError {
  constructor(message: string | Localized = msg(m.error_forbidden)) {
    super(403, 'forbidden', message);
  }
}
/** Also what a person gets for something that exists but that they may not see. */
export class NotFound extends AppError {
  constructor(message: string | Localized = msg(m.error_not_found)) {
    super(404, 'not_found', message);
  }
}
export class Conflict extends AppError {
  constructor(message: string | Localized = msg(m.error_conflict), details?: unknown, code = 'conflict') {
    super(409, code, message, details);
  }
}
export class PayloadTooLarge extends AppError {
  constructor(message: string | Localized = msg(m.error_payload_too_large)) {
    super(413, 'payload_too_large', message);
  }
}
export class RateLimited extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string | Localized = msg(m.error_rate_limited),
  ) {
    super(429, 'rate_limited', message, { retryAfterSeconds });
  }
}
export class Unavailable extends AppError {
  constructor(message: string | Localized = msg(m.error_unavailable)) {
    super(503, 'unavailable', message);
  }
}

/** A problem with one input field, as the validator reports it in `details.issues`. */
export interface FieldIssue {
  location: 'params' | 'query' | 'body';
  /** Dotted path inside the location (`recipients.memberIds.0`); empty for the whole of it. */
  path: string;
  message: string | Localized;
}

/**
 * A 400 about input fields that the schemas could not check (they need the database or the
 * actor), worded like the validator's: `body.password: must be at least 12 characters`, in the
 * reader's language. The first issue makes the message; all of them go in `details.issues`.
 */
export function fieldInvalid(issues: FieldIssue[], code = 'invalid_request', extra: Record<string, unknown> = {}): Invalid {
  const first = issues[0];
  const message: Localized = (locale) => {
    if (!first) return m.error_invalid_request({}, { locale });
    const where = first.path ? `${first.location}.${first.path}` : first.location;
    const problem = typeof first.message === 'function' ? first.message(locale) : first.message;
    return m.error_validation({ where, problem }, { locale });
  };
  return new Invalid(message, { issues, ...extra }, code);
}

/** Details with `Localized` values in them (field issues' messages) worded in one language. */
function detailsIn(details: unknown, locale: Locale): unknown {
  if (typeof details === 'function') return (details as Localized)(locale);
  if (Array.isArray(details)) return details.map((item) => detailsIn(item, locale));
  if (details && typeof details === 'object' && Object.getPrototypeOf(details) === Object.prototype) {
    return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, detailsIn(value, locale)]));
  }
  return details;
}

/** Errors raised by body-parser carry `type` and `status`. */
interface ParserError {
  type?: string;
  status?: number;
}

/**
 * A unique index refused the write. MongoDB says so with code 11000 on every write; FerretDB 1.24
 * (SQLite) does for inserts, but an update that would break a unique index comes back as its
 * backend's message ("UNIQUE constraint failed: index …") without the code.
 */
export function isDuplicateKey(error: unknown): error is { code?: 11000; keyValue?: Record<string, unknown>; keyPattern?: Record<string, unknown> } {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  return code === 11000 || (name === 'MongoServerError' && typeof message === 'string' && message.includes('UNIQUE constraint failed: index'));
}

/** Maps anything thrown to the one error shape. Unknown errors are a 500 and are logged; nothing else is. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const parser = error as ParserError;
  switch (parser?.type) {
    case 'entity.parse.failed':
      return new Invalid(msg(m.error_malformed_json), undefined, 'malformed_json');
    case 'entity.too.large':
      return new PayloadTooLarge();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', msg(m.error_unsupported_encoding));
    case 'request.aborted':
      return new AppError(400, 'request_aborted', msg(m.error_request_aborted));
  }
  if (isDuplicateKey(error)) {
    // Name the fields, never echo their values: they can be someone else's e-mail address.
    const fields = Object.keys(error.keyPattern ?? error.keyValue ?? {});
    return new Conflict(msg(m.error_duplicate), { fields }, 'duplicate');
  }
  if (error instanceof mongoose.Error.ValidationError) {
    const fields = Object.values(error.errors).map((item) => ({ path: item.path, message: item.message }));
    return new Invalid(msg(m.error_invalid_values), { fields });
  }
  if (error instanceof mongoose.Error.CastError) {
    return new Invalid(msg(m.error_wrong_type, { path: error.path }), { fields: [{ path: error.path, message: 'wrong type' }] });
  }
  // Other http-errors from Express middleware (a missing static file is a 404 that must not
  // expose its path): keep the status, never the message.
  if (typeof parser?.status === 'number' && parser.status >= 400 && parser.status < 500) {
    return parser.status === 404 ? new NotFound() : new AppError(parser.status, 'bad_request', msg(m.error_bad_request));
  }
  return new AppError(500, 'internal', msg(m.error_internal));
}

export function errorBody(error: AppError, locale: Locale = 'en'): ErrorBody {
  return { error: { code: error.code, message: error.messageIn(locale), ...(error.details === undefined ? {} : { details: detailsIn(error.details, locale) }) } };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const appError = toAppError(error);
    if (appError.status >= 500) {
      const log = (req as { log?: Logger }).log ?? logger;
      log.error({ err: error }, 'request failed');
    }
    if (appError instanceof RateLimited) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    res.status(appError.status).json(errorBody(appError, requestLocale(req)));
  };
}
