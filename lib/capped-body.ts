/** A body over its size limit, declared up front or found while streaming. */
import 'server-only';
export class BodyTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`Body is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * A request's or response's body, read as it arrives and given up past `maxBytes`, so an oversized one
 * is never held whole; a declared Content-Length over the limit is refused before anything is read.
 */
export async function readCappedBody(message: Request | Response, maxBytes: number): Promise<Buffer> {
  if (Number(message.headers.get('content-length') ?? 0) > maxBytes) {
    await message.body?.cancel().catch(() => {});
    throw new BodyTooLarge(maxBytes);
  }
  if (!message.body) return Buffer.alloc(0);
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
