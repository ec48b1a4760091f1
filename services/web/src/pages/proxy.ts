import type { Response } from 'express';
import type { BinaryAnswer } from '../backend/backend.client';

/** A file from a service, passed through with its type and, when the service named it, its file name. */
export function sendBinary(response: Response, file: BinaryAnswer, fallbackName: string): void {
  response
    .status(200)
    .setHeader('Content-Type', file.contentType)
    .setHeader('Content-Disposition', file.contentDisposition ?? `attachment; filename="${fallbackName}"`)
    .setHeader('Cache-Control', 'no-store')
    .send(file.body);
}
