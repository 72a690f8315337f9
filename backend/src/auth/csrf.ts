import type { Request, RequestHandler } from 'express';
import { AppError } from '../http/errors.ts';
import { m, msg, type Localized } from '../http/locale.ts';

const refused = (message: Localized) => new AppError(403, 'csrf_failed', message);

/** The header every state-changing API request must carry; the web app's client always sends it. */
export const CSRF_HEADER = 'x-convene-csrf';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * POSTs that act on a signed token in their URL and never on the session cookie, so a forged
 * cross-site request can do nothing the token's holder could not: RFC 8058 one-click unsubscribe,
 * which mail providers POST from their own servers, without our header and from another site.
 */
const TOKEN_ONLY_POSTS = new Set(['/api/email/unsubscribe']);

/**
 * CSRF defence for cookie sessions, in two layers:
 * 1. Every POST, PUT, PATCH and DELETE under /api must carry `X-Convene-CSRF: 1`. A page on another
 *    site cannot add a custom header to a cross-site request without a CORS preflight, and this
 *    server answers no preflight, so such a request never carries it. (Bodies must also be JSON.)
 * 2. If the browser says where the request comes from (`Sec-Fetch-Site`, or `Origin`), it must be
 *    this site.
 * The session cookie is also `SameSite=Lax`. Nothing changes state on GET.
 */
export function csrfProtection(originAllowed: (req: Request) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (SAFE.has(req.method)) return next();
    if (req.method === 'POST' && TOKEN_ONLY_POSTS.has(req.originalUrl.split('?')[0]!)) return next();
    if (req.get(CSRF_HEADER) !== '1') return next(refused(msg(m.error_csrf_header_missing)));
    const site = req.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return next(refused(msg(m.error_csrf_cross_site)));
    if (!originAllowed(req)) return next(refused(msg(m.error_csrf_cross_site)));
    next();
  };
}
