import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { originAllowed } from '../../backend/src/realtime/realtime.ts';

const config = { publicUrl: 'https://convene.example', allowedOrigins: ['http://localhost:5173'] };

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('socket handshake origin check', function () {
  it('allows the public origin, configured origins and the same host', function () {
    expect(originAllowed(req({ origin: 'https://convene.example', host: 'internal:3000' }), config)).to.equal(true);
    expect(originAllowed(req({ origin: 'http://localhost:5173', host: 'localhost:3000' }), config)).to.equal(true);
    expect(originAllowed(req({ origin: 'http://127.0.0.1:4000', host: '127.0.0.1:4000' }), config)).to.equal(true);
  });

  it('allows a request without Origin (browsers send it on every cross-site and WebSocket request)', function () {
    expect(originAllowed(req({ host: 'convene.example' }), config)).to.equal(true);
  });

  it('refuses a foreign or malformed origin', function () {
    expect(originAllowed(req({ origin: 'https://evil.example', host: 'convene.example' }), config)).to.equal(false);
    expect(originAllowed(req({ origin: 'https://convene.example.evil.example', host: 'convene.example' }), config)).to.equal(false);
    expect(originAllowed(req({ origin: 'null', host: 'convene.example' }), config)).to.equal(false);
  });
});
