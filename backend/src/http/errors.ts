import type { ErrorRequestHandler } from 'express';
import mongoose from 'mongoose';
import type { Logger } from './logger.ts';

/** One error shape for every API error: `{"error":{"code","message","details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error a client can act on. Its code is machine-readable; its message is for people. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Invalid extends AppError {
  constructor(message: string, details?: unknown, code = 'invalid_request') {
    super(400, code, message, details);
  }
}
export class Unauthorized extends AppError {
  constructor(message = 'Sign in to continue.') {
    super(401, 'unauthorized', message);
  }
}
export class Forbidden extends AppError {
  constructor(message = 'You are not allowed to do this.') {
    super(403, 'forbidden', message);
  }
}
/** Also what a person gets for something that exists but that they may not see. */
export class NotFound extends AppError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}
export class Conflict extends AppError {
  constructor(message = 'This conflicts with something that already exists.', details?: unknown, code = 'conflict') {
    super(409, code, message, details);
  }
}
export class PayloadTooLarge extends AppError {
  constructor(message = 'The request body is too large.') {
    super(413, 'payload_too_large', message);
  }
}
export class RateLimited extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests. Try again later.',
  ) {
    super(429, 'rate_limited', message, { retryAfterSeconds });
  }
}
export class Unavailable extends AppError {
  constructor(message = 'The service is not available right now.') {
    super(503, 'unavailable', message);
  }
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
      return new Invalid('The request body is not valid JSON.', undefined, 'malformed_json');
    case 'entity.too.large':
      return new PayloadTooLarge();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', 'The request body must be UTF-8 JSON.');
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'The request was aborted.');
  }
  if (isDuplicateKey(error)) {
    // Name the fields, never echo their values: they can be someone else's e-mail address.
    const fields = Object.keys(error.keyPattern ?? error.keyValue ?? {});
    return new Conflict('Something with the same value already exists.', { fields }, 'duplicate');
  }
  if (error instanceof mongoose.Error.ValidationError) {
    const fields = Object.values(error.errors).map((item) => ({ path: item.path, message: item.message }));
    return new Invalid('Some values are not valid.', { fields });
  }
  if (error instanceof mongoose.Error.CastError) {
    return new Invalid(`"${error.path}" has the wrong type.`, { fields: [{ path: error.path, message: 'wrong type' }] });
  }
  // Other http-errors from Express middleware (a missing static file is a 404 that must not
  // expose its path): keep the status, never the message.
  if (typeof parser?.status === 'number' && parser.status >= 400 && parser.status < 500) {
    return parser.status === 404 ? new NotFound() : new AppError(parser.status, 'bad_request', 'The request could not be read.');
  }
  return new AppError(500, 'internal', 'Something went wrong on our side. It has been logged.');
}

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
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
    res.status(appError.status).json(errorBody(appError));
  };
}
