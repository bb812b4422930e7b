/**
 * discord.js REST errors carry the whole request body, uploads included, as enumerable properties,
 * so logging one as-is would write every image's bytes into the log line. This keeps the error (type,
 * message, stack, status, code, URL) and reduces each upload to its name and size.
 */
export function loggableError(err: unknown): unknown {
  if (!(err instanceof Error) || !('requestBody' in err)) return err;
  const body = err.requestBody;
  if (typeof body !== 'object' || body === null || !('files' in body) || !Array.isArray(body.files))
    return err;
  const files = body.files.map((file: unknown) => {
    const f = (typeof file === 'object' && file !== null ? file : {}) as { name?: unknown; data?: unknown };
    const size =
      f.data instanceof Uint8Array ? f.data.byteLength : typeof f.data === 'string' ? f.data.length : null;
    return { name: f.name, bytes: size };
  });
  const copy = Object.create(Object.getPrototypeOf(err)) as Error;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(err));
  Object.defineProperty(copy, 'requestBody', { value: { ...body, files }, enumerable: true });
  return copy;
}
