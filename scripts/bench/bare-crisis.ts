import express from 'express';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { serveBaseline } from './bare-lifecycle.ts';
import { REALTIME_PATH, Rooms } from '../../backend/src/shared/realtime-events.ts';

/**
 * The crisis baseline for `npm run bench`: Express and socket.io alone. Each socket says who it is
 * (`?member=<id>`) and joins its own `user:<id>` room, as in the app; `POST /publish` emits the
 * alert event the app sent, room by room, as the app does; `GET` answers each path with the bytes the
 * app answered (argv[2]: `{ "<path>": "<body>", "event": "<payload>" }`). No session, no database.
 */
const bodies = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, string>;
const app = express();
app.disable('x-powered-by');
const http = createServer(app);
const io = new Server(http, { path: REALTIME_PATH, serveClient: false, maxHttpBufferSize: 64 * 1024 });
const members: string[] = [];
io.on('connection', (socket) => {
  const member = String(socket.handshake.query.member ?? '');
  members.push(member);
  void socket.join(Rooms.user(member));
  socket.emit('session.ready', { serverTime: new Date().toISOString(), memberId: member });
});
app.post('/publish', (_req, res) => {
  const payload = JSON.parse(bodies.event!) as unknown;
  for (const member of members) io.to(Rooms.user(member)).emit('alert.created', payload as never);
  res.status(201).json({ ok: true });
});
app.use((req, res) => {
  const body = bodies[req.originalUrl];
  if (body === undefined) return void res.status(404).json({ error: { code: 'not_found' } });
  res.setHeader('Cache-Control', 'no-store');
  res.type('application/json').send(body);
});
serveBaseline(http, io);
