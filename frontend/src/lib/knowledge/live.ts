import type { KnowledgeChangedPayload } from '$shared/realtime-events.ts';
import { ApiError } from '../api/client.ts';
import { connection } from '../realtime/connection.svelte.ts';

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

/** Comma- or space-separated tags as the server takes them. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((tag) => tag.trim().replace(/^#/, '').toLowerCase()).filter(Boolean))];
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export const MAX_PDF_BYTES = 20 * 1024 * 1024;

/**
 * Sends a PDF's raw bytes. Refuses early what the server would refuse (not a PDF by its first
 * bytes, over 20 MB) so the person hears why at once; the server checks again by the bytes.
 */
export async function uploadPdf<T>(path: string, file: File): Promise<T> {
  if (file.size === 0) throw new ApiError(400, 'empty_file', 'This file is empty.');
  if (file.size > MAX_PDF_BYTES) throw new ApiError(413, 'payload_too_large', `This file is ${formatSize(file.size)}; the limit is 20 MB.`);
  const head = new TextDecoder('latin1').decode(await file.slice(0, 5).arrayBuffer());
  if (head !== '%PDF-') throw new ApiError(415, 'not_a_pdf', 'This file is not a PDF. Choose a PDF document.');
  let response: Response;
  try {
    response = await fetch(path, { method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/pdf', 'X-Convene-CSRF': '1', Accept: 'application/json' }, body: file });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach Convene. Check your connection and try again.');
  }
  const data = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!response.ok) {
    if (response.status === 413) throw new ApiError(413, 'payload_too_large', 'This file is larger than 20 MB.');
    throw new ApiError(response.status, data?.error?.code ?? `http_${response.status}`, data?.error?.message ?? 'The upload failed.');
  }
  return data as T;
}
