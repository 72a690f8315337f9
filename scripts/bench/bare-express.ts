import express from 'express';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/**
 * The REST baseline for `npm run bench`: Express alone answering each path with the bytes the app
 * answered it with (read from the JSON file named by argv[2]: `{ "<path>": "<body>" }`), from
 * memory, with the same JSON content type, no session, no database. Prints
 * `{"msg":"listening","port":…}` on stdout.
 */
const bodies = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, string>;
const app = express();
app.disable('x-powered-by');
app.use((req, res) => {
  const body = bodies[req.originalUrl];
  if (body === undefined) return void res.status(404).json({ error: { code: 'not_found' } });
  res.setHeader('Cache-Control', 'no-store');
  res.type('application/json').send(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
