import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { serveBaseline } from './bare-lifecycle.ts';
import { REALTIME_PATH, Rooms, type Ack, type MessagePayload } from '../../backend/src/shared/realtime-events.ts';

/**
 * The realtime baseline for `npm run bench`: socket.io alone, configured like the app's server, with
 * the same rooms and the same two events, and nothing else (no session, no database, no checks).
 * `channel.join` joins the room; `message.send` numbers the message in memory and broadcasts a
 * payload shaped (and sized) like the app's `message.created` to the room. Run as a child process;
 * prints `{"msg":"listening","port":…}` on stdout.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const http = createServer();
const io = new Server(http, { path: REALTIME_PATH, serveClient: false, maxHttpBufferSize: 64 * 1024 });
const lastSeq = new Map<string, number>();

io.on('connection', (socket) => {
  // Stands in for the member id the app puts in every message: same length.
  const authorId = randomBytes(12).toString('hex');
  socket.on('channel.join', (payload: { channelId: string }, ack: Ack<{ lastSeq: number }>) => {
    void socket.join(Rooms.channel(payload.channelId));
    ack({ ok: true, data: { lastSeq: lastSeq.get(payload.channelId) ?? 0 } });
  });
  socket.on('message.send', (payload: { channelId: string; text: string }, ack: Ack<{ message: MessagePayload; created: boolean }>) => {
    const { channelId, text } = payload;
    const seq = (lastSeq.get(channelId) ?? 0) + 1;
    lastSeq.set(channelId, seq);
    const message: MessagePayload = {
      id: `${channelId}:${seq}`,
      channelId,
      seq,
      authorId,
      html: `<p>${escapeHtml(text)}</p>`,
      source: text,
      parentSeq: null,
      createdAt: new Date().toISOString(),
      editedAt: null,
      edits: 0,
      deleted: false,
      reactions: [],
      pinned: false,
      moderation: null,
    };
    io.to(Rooms.channel(channelId)).emit('message.created', message);
    ack({ ok: true, data: { message, created: true } });
  });
});

serveBaseline(http, io);
