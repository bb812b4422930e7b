import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { type IdleTimer, PermanentError } from '../http.js';

/** The response body as a Node stream that keeps the attempt's idle timer alive while bytes flow. */
export function bodyStream(response: Response, timer: IdleTimer): Readable {
  if (!response.body) throw new PermanentError('the response had no body');
  const stream = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  stream.on('data', timer.touch);
  return stream;
}

export async function bodyText(response: Response, timer: IdleTimer): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyStream(response, timer)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `base` + `/` + `path`, whatever slashes either side already has. */
export function joinUrl(base: string, relative: string): string {
  return `${base.replace(/\/+$/, '')}/${relative.replace(/^\/+/, '')}`;
}
