import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';
import { constants } from 'node:zlib';

/**
 * Whether a response may be compressed on the fly. Not when another site made the browser ask
 * (`Sec-Fetch-Site` other than `same-origin` or `none`): a page elsewhere that can send requests
 * carrying the session cookie (top-level navigations, under SameSite=Lax) and watch the encrypted
 * sizes could otherwise guess secrets in the body from how well it compresses with words of its
 * choosing (BREACH). The web app's own requests, and clients that are not browsers, are compressed.
 */
export function mayCompress(req: Request, res: Response): boolean {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  return compression.filter(req, res);
}

/**
 * gzip or brotli for responses of 1 KiB and more whose type compresses (JSON, HTML, Atom…; not
 * PDFs). Files the build precompressed go out as they are (they carry Content-Encoding already).
 * Brotli at quality 4: close to gzip's speed per request, smaller output.
 */
export function responseCompression(): RequestHandler {
  return compression({
    filter: mayCompress,
    threshold: 1024,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
}
