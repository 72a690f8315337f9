import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pinoHttp } from 'pino-http';
import { SESSION_COOKIE } from '../../backend/src/auth/auth.ts';
import { responseCompression } from '../../backend/src/http/compression.ts';
import { createLogger } from '../../backend/src/http/logger.ts';
import { securityHeaders } from '../../backend/src/http/security.ts';

/**
 * The "same stack" REST baseline for `npm run bench`: the app's own middleware in the app's order
 * (request log at info to stdout, security headers, compression, JSON body parser, express-session
 * with a rolling cookie, passport's session), with the sessions and members held in memory
 * (express-session's MemoryStore, a Map), answering each path with the bytes the app answered it
 * with. What the app costs beyond it is its handlers, its session store and its authorization.
 * argv[2]: `{ "<path>": "<body>" }`; argv[3]: `{ "sessions": { "<sid>": "<data json>" } }`;
 * SESSION_SECRET in the environment; STACK_WITHOUT=log,headers,compression,session (comma-separated)
 * leaves layers out, to see what each costs.
 */
const bodies = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, string>;
const { sessions } = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as { sessions: Record<string, string> };
const logger = createLogger({ logLevel: 'info' });
const store = new session.MemoryStore();
for (const [sid, data] of Object.entries(sessions)) store.set(sid, JSON.parse(data) as session.SessionData);
const authenticator = new passport.Passport();
authenticator.deserializeUser<{ id: string }>((ref, done) => done(null, { id: ref.id, status: 'member' } as unknown as Express.User));

const without = new Set((process.env.STACK_WITHOUT ?? '').split(','));
const skip: express.RequestHandler = (_req, _res, next) => next();
const app = express();
app.disable('x-powered-by');
app.use(without.has('log') ? skip : pinoHttp({ logger, serializers: { req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }) } }));
app.use(without.has('headers') ? skip : securityHeaders({ https: false }));
app.use(without.has('compression') ? skip : responseCompression());
app.use('/api', (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
});
app.use('/api', express.json({ limit: '100kb', strict: true }));
app.use(
  '/api',
  without.has('session') ? skip : session({
    name: SESSION_COOKIE,
    secret: process.env.SESSION_SECRET!,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: 12 * 3600 * 1000, path: '/' },
  }),
  without.has('session') ? skip : authenticator.initialize(),
  without.has('session') ? skip : authenticator.session(),
);
app.use((req, res) => {
  const body = bodies[req.originalUrl];
  if (body === undefined || (!req.user && !without.has('session'))) return void res.status(404).json({ error: { code: 'not_found' } });
  res.type('application/json').send(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
