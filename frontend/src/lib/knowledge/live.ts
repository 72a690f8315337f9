import type { KnowledgeChangedPayload } from '$shared/realtime-events.ts';
import { ApiError } from '../api/client.ts';
import { connection } from '../realtime/connection.svelte.ts';
import { formatLocale, m } from '../i18n/i18n.ts';

/**
 * Calls `refresh` when something changes in the channel (the server's `knowledge.changed` hint,
 * which carries no content) and after every reconnect (events may have been missed). The channel
 * list joins every channel's room, so nothing else is needed. Returns the unsubscribe function.
 */
export function onKnowledgeChanged(channelId: string, refresh: (payload: KnowledgeChangedPayload | null) => void): () => void {
  const changed = (payload: KnowledgeChangedPayload) => {
    if (payload.channelId === channelId) refresh(payload);
  };
  const reconnected = () => refresh(null);
  connection.socket.on('knowledge.changed', changed);
  connection.socket.on('connect', reconnected);
  return () => {
    connection.socket.off('knowledge.changed', changed);
    connection.socket.off('connect', reconnected);
  };
}

/** Comma- or space-separated tags as the server takes them (Arabic and CJK commas too). */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,،、，]+/).map((tag) => tag.trim().replace(/^#/, '').toLowerCase()).filter(Boolean))];
}

const sizeFormats = {
  byte: new Intl.NumberFormat(formatLocale, { style: 'unit', unit: 'byte', unitDisplay: 'long' }),
  kilobyte: new Intl.NumberFormat(formatLocale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }),
  megabyte: new Intl.NumberFormat(formatLocale, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }),
};

/** "512 bytes", "34 KB", "1.5 MB" — units and digits in the reader's language ("1,5 Mo", "1,5 МБ"). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return sizeFormats.byte.format(bytes);
  if (bytes < 1024 * 1024) return sizeFormats.kilobyte.format(Math.round(bytes / 1024));
  return sizeFormats.megabyte.format(bytes / (1024 * 1024));
}

export const MAX_PDF_BYTES = 20 * 1024 * 1024;

/**
 * Sends a PDF's raw bytes. Refuses early what the server would refuse (not a PDF by its first
 * bytes, over 20 MB) so the person hears why at once; the server checks again by the bytes.
 */
export async function uploadPdf<T>(path: string, file: File): Promise<T> {
  if (file.size === 0) throw new ApiError(400, 'empty_file', m.knowledge_file_empty());
  if (file.size > MAX_PDF_BYTES) throw new ApiError(413, 'payload_too_large', m.knowledge_file_too_large({ size: formatSize(file.size), limit: formatSize(MAX_PDF_BYTES) }));
  const head = new TextDecoder('latin1').decode(await file.slice(0, 5).arrayBuffer());
  if (head !== '%PDF-') throw new ApiError(415, 'not_a_pdf', m.knowledge_not_pdf());
  let response: Response;
  try {
    response = await fetch(path, { method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/pdf', 'X-Convene-CSRF': '1', Accept: 'application/json' }, body: file });
  } catch {
    throw new ApiError(0, 'network_error', m.knowledge_network_error());
  }
  const data = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!response.ok) {
    if (response.status === 413) throw new ApiError(413, 'payload_too_large', m.knowledge_file_over_limit({ limit: formatSize(MAX_PDF_BYTES) }));
    throw new ApiError(response.status, data?.error?.code ?? `http_${response.status}`, data?.error?.message ?? m.knowledge_upload_failed());
  }
  return data as T;
}
