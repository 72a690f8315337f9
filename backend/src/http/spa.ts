import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { textDirection, type Locale } from '../shared/i18n/locale.ts';
import { requestLocale } from './locale.ts';
import { extname, join } from 'node:path';

/** What the build writes beside each text file (`vite.config.ts`, `precompress`), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** A file name the build can have made: no folders, no dot files. */
const BUILT_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * The encoding to send: the one of ours the browser weighs highest (`q`), brotli on a tie (smaller;
 * browsers list gzip first but mean no preference). None when neither is acceptable.
 */
export function preferredEncoding(acceptEncoding: string): (typeof ENCODINGS)[number] | undefined {
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    weights.set(name, q === undefined ? 1 : Number(q) || 0);
  }
  const weight = (name: string) => weights.get(name) ?? weights.get('*') ?? 0;
  let best: (typeof ENCODINGS)[number] | undefined;
  for (const encoding of ENCODINGS) if (weight(encoding.name) > 0 && (!best || weight(encoding.name) > weight(best.name))) best = encoding;
  return best;
}

/**
 * Sends `file` precompressed when the browser accepts an encoding the build wrote for it, and says
 * so (`Vary: Accept-Encoding`, so a shared cache keeps one copy per encoding). Returns false when
 * there is no such copy, for the caller to send the file as it is.
 */
function sendPrecompressed(req: Request, res: Response, file: string, cacheControl: Record<string, unknown>): boolean {
  res.vary('Accept-Encoding');
  const encoding = preferredEncoding(req.get('accept-encoding') ?? '');
  if (!encoding || !existsSync(file + encoding.suffix)) return false;
  res.setHeader('Content-Encoding', encoding.name);
  res.type(extname(file));
  res.sendFile(file + encoding.suffix, { ...cacheControl, dotfiles: 'deny' });
  return true;
}

const indexCache = new Map<string, { mtimeMs: number; html: string }>();

/** A language's index.html with `<html lang dir>`; read again only when a build changes it. */
function localizedIndex(indexFile: string, locale: Locale): string {
  const mtimeMs = statSync(indexFile).mtimeMs;
  const key = `${indexFile}\0${locale}`;
  const cached = indexCache.get(key);
  if (cached && cached.mtimeMs === mtimeMs) return cached.html;
  const html = readFileSync(indexFile, 'utf8').replace(/<html[^>]*>/, `<html lang="${locale}" dir="${textDirection(locale)}">`);
  indexCache.set(key, { mtimeMs, html });
  return html;
}

/**
 * Serves the built single-page app. Hashed files under /assets are cached for a year; index.html is
 * never cached, so a deploy takes effect on the next load, and carries the reader's language. Assets go out precompressed (brotli or
 * gzip, written at build time) to browsers that accept it. Any other GET that asks for HTML gets
 * index.html (history fallback) and the client router takes over. /api and /socket.io never fall
 * through to the SPA.
 */
export function spaRouter(distDir: string): Router {
  const router = express.Router();
  const assetsDir = join(distDir, 'assets');
  const indexFile = join(distDir, 'index.html');
  const assetCaching = { immutable: true, maxAge: '365d' };
  const precompressedAsset: RequestHandler = (req, res, next) => {
    const name = req.path.slice(1);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !BUILT_NAME.test(name)) return next();
    if (!sendPrecompressed(req, res, join(assetsDir, name), assetCaching)) next();
  };
  router.use('/assets', precompressedAsset, express.static(assetsDir, { ...assetCaching, index: false, fallthrough: false }));
  router.use(express.static(distDir, { index: false, maxAge: '1h', dotfiles: 'ignore' }));
  router.get(/^\/(?!api(?:\/|$)|socket\.io(?:\/|$)).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The web app is not built. Run `npm run setup` (or `npm start`, which does it).');
      return;
    }
    // The page opens in the reader's language and direction (no flash of English, no flip after load).
    const locale = requestLocale(req);
    res.setHeader('Cache-Control', 'no-cache');
    res.vary('Accept-Language').vary('Cookie');
    // Each language has its own build (only its messages, `<html lang dir>` written at build time);
    // index.html without a language's file (an older build) gets them written in here.
    const localeIndex = join(distDir, `index.${locale}.html`);
    if (!existsSync(localeIndex)) {
      res.type('html').send(localizedIndex(indexFile, locale));
      return;
    }
    if (!sendPrecompressed(req, res, localeIndex, { cacheControl: false })) res.sendFile(localeIndex, { cacheControl: false });
  });
  return router;
}
