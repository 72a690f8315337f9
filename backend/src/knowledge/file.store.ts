import express, { type Request, type Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import { mongo, type Connection } from 'mongoose';
import type { FileDoc, FileModel } from './knowledge.model.ts';
import { AppError, Invalid } from '../http/errors.ts';
import { m, msg } from '../http/locale.ts';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const CHUNK_BYTES = 1024 * 1024;

/** Reads the raw request body, at most 20 MB (413 in the common error shape beyond). Used by upload operations only. */
const rawBody = express.raw({ type: () => true, limit: MAX_UPLOAD_BYTES });

export async function readUpload(req: Request, res: Response): Promise<Buffer> {
  if (!req.is('application/pdf')) throw new AppError(415, 'unsupported_media_type', msg(m.error_file_pdf_only));
  await new Promise<void>((resolve, reject) => rawBody(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  const body = req.body as unknown;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new Invalid(msg(m.error_file_empty), undefined, 'empty_file');
  if (!isPdf(body)) throw new AppError(415, 'not_a_pdf', msg(m.error_file_not_pdf));
  return body;
}

/**
 * A PDF is recognised by its bytes, never by its name or declared type: it starts with `%PDF-`
 * and has `%%EOF` within its last 1 KB (the trailer, allowing trailing whitespace or padding).
 */
export function isPdf(bytes: Buffer): boolean {
  if (bytes.length < 16 || bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return false;
  return bytes.subarray(Math.max(0, bytes.length - 1024)).includes('%%EOF', 0, 'latin1');
}

/** A file name safe inside a quoted Content-Disposition: letters, digits, - and _ only. */
export function safeFileName(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || 'document'}.pdf`;
}

interface ChunkDoc {
  _id: string;
  data: mongo.Binary;
}

/**
 * Files stored in the database engine as chunked documents: each file gets its own collection
 * `files_<id>` of chunks keyed "0", "1", … (≤ 1 MB each), so reading it never scans anything
 * larger than the file; the metadata sits in the small `files` collection. The metadata is
 * written last: a file exists once its bytes are all stored.
 */
export class FileStore {
  constructor(
    private readonly connection: Connection,
    private readonly File: FileModel,
  ) {}

  #chunks(fileId: string) {
    return this.connection.db!.collection<ChunkDoc>(`files_${fileId}`);
  }

  async save(bytes: Buffer, meta: Pick<FileDoc, 'uploaderId' | 'channelId' | 'itemId'>): Promise<FileDoc> {
    const id = randomBytes(12).toString('hex');
    const chunks = Math.ceil(bytes.length / CHUNK_BYTES);
    const collection = this.#chunks(id);
    for (let n = 0; n < chunks; n++) {
      await collection.insertOne({ _id: String(n), data: new mongo.Binary(bytes.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES)) });
    }
    const doc: FileDoc = {
      _id: id,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      chunks,
      contentType: 'application/pdf',
      createdAt: new Date(),
      ...meta,
    };
    await this.File.create(doc);
    return doc;
  }

  async meta(fileId: string): Promise<FileDoc | null> {
    return this.File.findById(fileId).lean<FileDoc>();
  }

  /** Sends the file as a download. Precondition: the caller checked the reader may read its channel. */
  async send(res: Response, file: FileDoc, name: string): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', `attachment; filename="${safeFileName(name)}"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    const collection = this.#chunks(file._id);
    for (let n = 0; n < file.chunks; n++) {
      const chunk = await collection.findOne({ _id: String(n) });
      if (!chunk) throw new Error(`file ${file._id} lacks chunk ${n}`);
      if (res.destroyed) return; // the reader went away
      if (!res.write(Buffer.from(chunk.data.buffer))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
    }
    res.end();
  }

  async remove(fileId: string): Promise<void> {
    await this.File.deleteOne({ _id: fileId });
    await this.connection.db!.dropCollection(`files_${fileId}`).catch(() => undefined);
  }
}
