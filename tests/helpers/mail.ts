import { once } from 'node:events';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { RunningServer } from '../../backend/src/server.ts';

interface MailpitSummary {
  ID: string;
  MessageID: string;
  To: { Address: string }[];
  Created: string;
}

/** What Mailpit (the real SMTP server the test server started) holds for an address, parsed from the raw MIME. */
export async function deliveredTo(server: RunningServer, address: string): Promise<ParsedMail[]> {
  const web = server.localMail!.webUrl;
  const res = await fetch(`${web}/api/v1/search?limit=200&query=${encodeURIComponent(`to:"${address}"`)}`);
  if (!res.ok) throw new Error(`mailpit search: ${res.status}`);
  const { messages } = (await res.json()) as { messages: MailpitSummary[] };
  const wanted = messages
    .filter((message) => message.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()))
    // Oldest first, by when Mailpit received them (the Date header counts whole seconds).
    .sort((a, b) => a.Created.localeCompare(b.Created));
  return Promise.all(wanted.map(async (message) => simpleParser(Buffer.from(await (await fetch(`${web}/api/v1/message/${message.ID}/raw`)).arrayBuffer()))));
}

/**
 * Waits until `count` mails to `address` have been delivered: after each mail the outbox
 * reports sent, Mailpit is asked again (no polling on a timer).
 */
export async function waitForMail(server: RunningServer, address: string, count = 1): Promise<ParsedMail[]> {
  for (;;) {
    const next = once(server.ctx.outbox, 'sent');
    const found = await deliveredTo(server, address);
    if (found.length >= count) return found;
    await next;
  }
}

/** Like deliveredTo, with each mail's raw MIME source too (to prove something appears in no part and no header). */
export async function deliveredRawTo(server: RunningServer, address: string): Promise<{ raw: string; mail: ParsedMail }[]> {
  const web = server.localMail!.webUrl;
  const res = await fetch(`${web}/api/v1/search?limit=200&query=${encodeURIComponent(`to:"${address}"`)}`);
  if (!res.ok) throw new Error(`mailpit search: ${res.status}`);
  const { messages } = (await res.json()) as { messages: MailpitSummary[] };
  const wanted = messages.filter((message) => message.To.some((to) => to.Address.toLowerCase() === address.toLowerCase())).sort((a, b) => a.Created.localeCompare(b.Created));
  return Promise.all(
    wanted.map(async (message) => {
      const raw = Buffer.from(await (await fetch(`${web}/api/v1/message/${message.ID}/raw`)).arrayBuffer());
      return { raw: raw.toString('utf8'), mail: await simpleParser(raw) };
    }),
  );
}

/** The token in a mail's link fragment (`…#token=…`). */
export function linkToken(mail: ParsedMail): { url: string; token: string } {
  const match = /(https?:\/\/\S+)#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  if (!match) throw new Error('no token link in the mail');
  return { url: match[1]!, token: match[2]! };
}
