import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'socket.io';

/**
 * What every socket.io baseline of `npm run bench` does around its handlers: listen on a free
 * loopback port and say so on stdout (`{"msg":"listening","port":…}`, as children.ts waits for),
 * and close on SIGTERM or SIGINT (within 3 s at most).
 */
export function serveBaseline(http: HttpServer, io: Server): void {
  http.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (http.address() as AddressInfo).port })}\n`);
  });
  const stop = () => {
    void io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
