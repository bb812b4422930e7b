import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plumbing shared by the fake model servers (fake-openai.ts, fake-anthropic.ts): a node:http server on
 * 127.0.0.1 that records every request and answers through a pluggable handler, with fault injection.
 * Each fake turns its wire format into a `FakeCall` (what the model was asked) and a `FakeReply` back
 * into its wire format, so one handler (for example a table keyed by image hash) serves both.
 */

export interface FakeImage {
  mediaType: string;
  bytes: Buffer;
  sha256: string;
}

/** What the model was asked, independent of the wire format. */
export interface FakeCall {
  model: string;
  system: string | null;
  /** The user turn's text parts, joined with newlines. */
  prompt: string;
  images: FakeImage[];
  /** Absent when the request did not send one. */
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** `Authorization: Bearer …` or `x-api-key` / `api-key`, whichever was sent. */
  credential: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or null when the body was not JSON. */
  body: unknown;
  /** The normalised call, or null when the body was not a request of this API. */
  call: FakeCall | null;
}

export type FakeReply =
  /** A normal answer. Usage defaults to a rough estimate from the request. */
  | { kind: 'text'; text: string; usage?: { input: number; output: number } }
  /** An API error with the provider's error body, e.g. 429 with `{ 'retry-after': '2' }`. */
  | { kind: 'error'; status: number; message?: string; headers?: Record<string, string> }
  /** 200 whose answer text is missing (OpenAI `content: null`, Anthropic `content: []`). */
  | { kind: 'empty' }
  /**
   * 200 stopped by the token limit (OpenAI `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`),
   * with what was written until then (default: nothing, as when thinking used the whole limit).
   */
  | { kind: 'cut'; text?: string }
  /** 200 with `content-type: application/json` and a body that is not JSON. */
  | { kind: 'malformed' }
  /** 200 JSON without the answer fields (no `choices` / no `content`). */
  | { kind: 'no-answer' }
  /** Any status, headers and body, verbatim. */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** Never answers; the client must time out or abort. */
  | { kind: 'hang' }
  /** Destroys the socket without an answer (a connection reset). */
  | { kind: 'drop' };

export type FakeHandler = (call: FakeCall, request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerOptions {
  handler?: FakeHandler;
  /** Added before every answer (not before `hang`/`drop`). */
  latencyMs?: number;
  /** When set, requests whose credential differs get a 401 (whose message echoes the credential sent). */
  apiKey?: string;
}

export interface FakeServer {
  /** The base URL to give the SDK / models file (`baseURL`). */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Replaces the handler for the following requests. */
  setHandler(handler: FakeHandler): void;
  /** Answers the next request with `reply`, then goes back to the handler. Calls queue up. */
  replyOnce(reply: FakeReply): void;
  close(): Promise<void>;
}

/** How one provider's wire format is spoken. */
export interface WireFormat {
  /** `POST` path of the answering endpoint, e.g. `/v1/chat/completions`. */
  path: string;
  /** Suffix of the origin to hand out as `url` (`/v1` for OpenAI, '' for Anthropic). */
  baseSuffix: string;
  toCall(body: unknown, headers: IncomingHttpHeaders): FakeCall | null;
  answerBody(
    call: FakeCall,
    text: string | null,
    usage: { input: number; output: number },
    stop?: 'end' | 'limit',
  ): unknown;
  noAnswerBody(call: FakeCall): unknown;
  errorBody(status: number, message: string, param?: string): unknown;
  /** Rejects a request the real API would reject (after authentication), or returns null. */
  validate?(
    body: unknown,
    headers: IncomingHttpHeaders,
  ): { status: number; message: string; param?: string } | null;
}

/** Replies "A" to everything: the default handler. */
export const alwaysA: FakeHandler = () => ({ kind: 'text', text: 'A' });

/**
 * A handler answering from fixed tables: first by the sha256 of the request's image, then by prompt;
 * otherwise `fallback` (default "A").
 */
export function tableHandler(tables: {
  byImageSha256?: Record<string, string>;
  byPrompt?: Record<string, string>;
  fallback?: string;
}): FakeHandler {
  return (call) => {
    for (const image of call.images) {
      const text = tables.byImageSha256?.[image.sha256];
      if (text !== undefined) return { kind: 'text', text };
    }
    const byPrompt = tables.byPrompt?.[call.prompt];
    return { kind: 'text', text: byPrompt ?? tables.fallback ?? 'A' };
  };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Decodes `data:<type>;base64,<data>`; null for anything else. */
export function decodeDataUrl(url: string): FakeImage | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match?.[1] || match[2] === undefined) return null;
  const bytes = Buffer.from(match[2], 'base64');
  return { mediaType: match[1], bytes, sha256: sha256Hex(bytes) };
}

export function imageFromBase64(mediaType: string, data: string): FakeImage {
  const bytes = Buffer.from(data, 'base64');
  return { mediaType, bytes, sha256: sha256Hex(bytes) };
}

/** The credential a request carried, from whichever auth header the client used. */
export function credentialOf(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') return auth.replace(/^Bearer\s+/i, '');
  for (const name of ['x-api-key', 'api-key']) {
    const value = headers[name];
    if (typeof value === 'string') return value;
  }
  return null;
}

/** A rough token count so that usage is present and plausible; not a tokenizer. */
export function estimateUsage(call: FakeCall, text: string): { input: number; output: number } {
  const chars = call.prompt.length + (call.system?.length ?? 0);
  return {
    input: Math.ceil(chars / 4) + 85 * call.images.length,
    output: Math.max(1, Math.ceil(text.length / 4)),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function startFakeServer(
  wire: WireFormat,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  let handler = options.handler ?? alwaysA;
  const queued: FakeReply[] = [];
  const requests: RecordedRequest[] = [];

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A model's latency runs from the request's arrival: the fake's own parsing and checks (one thread
    // for every request, unlike a real API) are part of it rather than added to it.
    const arrived = performance.now();
    const raw = await readBody(req);
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = null;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const call = req.method === 'POST' && path === wire.path ? wire.toCall(body, req.headers) : null;
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      call,
    };
    requests.push(recorded);

    if (!call) {
      sendJson(res, 404, wire.errorBody(404, `No route for ${req.method} ${path}`));
      return;
    }
    if (options.apiKey !== undefined && call.credential !== options.apiKey) {
      // Deliberately careless, like some servers: echoes what was sent, so tests can check scrubbing.
      sendJson(res, 401, wire.errorBody(401, `Incorrect API key provided: ${call.credential ?? '(none)'}`));
      return;
    }
    const invalid = wire.validate?.(body, req.headers) ?? null;
    if (invalid) {
      sendJson(res, invalid.status, wire.errorBody(invalid.status, invalid.message, invalid.param));
      return;
    }
    const reply = queued.shift() ?? (await handler(call, recorded));
    if (reply.kind === 'hang') return;
    if (reply.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (options.latencyMs) await sleep(options.latencyMs - (performance.now() - arrived));
    switch (reply.kind) {
      case 'text':
        sendJson(res, 200, wire.answerBody(call, reply.text, reply.usage ?? estimateUsage(call, reply.text)));
        return;
      case 'empty':
        sendJson(res, 200, wire.answerBody(call, null, estimateUsage(call, '')));
        return;
      case 'cut': {
        const usage = { input: estimateUsage(call, '').input, output: call.maxTokens ?? 32 };
        sendJson(res, 200, wire.answerBody(call, reply.text ?? '', usage, 'limit'));
        return;
      }
      case 'no-answer':
        sendJson(res, 200, wire.noAnswerBody(call));
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "broken", "choices": [');
        return;
      case 'error':
        sendJson(
          res,
          reply.status,
          wire.errorBody(reply.status, reply.message ?? `Fake error ${reply.status}`),
          reply.headers,
        );
        return;
      case 'raw':
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body);
        return;
    }
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, wire.errorBody(500, `Fake server failure: ${String(err)}`));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${wire.baseSuffix}`,
    origin,
    requests,
    setHandler(next) {
      handler = next;
    },
    replyOnce(reply) {
      queued.push(reply);
    },
    close() {
      // Hanging requests would keep close() waiting forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
