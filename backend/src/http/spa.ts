import express, { type Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Serves the built single-page app. Hashed files under /assets are cached for a year; index.html is
 * never cached, so a deploy takes effect on the next load. Any other GET that asks for HTML gets
 * index.html (history fallback) and the client router takes over. /api and /socket.io never fall
 * through to the SPA.
 */
export function spaRouter(distDir: string): Router {
  const router = express.Router();
  const indexFile = join(distDir, 'index.html');
  router.use(
    '/assets',
    express.static(join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  router.use(express.static(distDir, { index: false, maxAge: '1h', dotfiles: 'ignore' }));
  router.get(/^\/(?!api(?:\/|$)|socket\.io(?:\/|$)).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The web app is not built. Run `npm run setup` (or `npm start`, which does it).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
