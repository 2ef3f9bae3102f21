/**
 * JSON mode: a POST body is one message, or one message per element when it is an array (flattened
 * one level). Messages are stored compact, each followed by a comma, so that any run of stored
 * appends concatenates into the inside of a JSON array without parsing.
 */
export type JsonBody = { ok: true; bytes: Buffer } | { ok: false; reason: 'invalid_json' | 'empty_array' | 'json_too_deep' };

export function encodeJsonBody(body: Buffer, allowEmptyArray: boolean): JsonBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: error instanceof RangeError ? 'json_too_deep' : 'invalid_json' };
  }
  if (Array.isArray(parsed) && parsed.length === 0) {
    return allowEmptyArray ? { ok: true, bytes: Buffer.alloc(0) } : { ok: false, reason: 'empty_array' };
  }
  try {
    const text = Array.isArray(parsed) ? parsed.map((item) => JSON.stringify(item)).join(',') : JSON.stringify(parsed);
    return { ok: true, bytes: Buffer.from(text + ',', 'utf8') };
  } catch {
    // JSON.parse reads any depth, but JSON.stringify recurses: a value nested tens of thousands of
    // levels deep (a body of `[[[[…`) overflows the stack. The client's input, so a 400, not a 500.
    return { ok: false, reason: 'json_too_deep' };
  }
}

/** A JSON array of stored messages: their bytes concatenated, the last comma dropped, in brackets. */
export function jsonArray(parts: Buffer[]): Buffer {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  if (total === 0) return Buffer.from('[]');
  const out = Buffer.allocUnsafe(total + 1);
  out[0] = 0x5b; // [
  let at = 1;
  for (const part of parts) at += part.copy(out, at);
  out[total] = 0x5d; // ] replaces the trailing comma
  return out;
}

/** Media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function isJsonType(contentType: string | null | undefined): boolean {
  return mediaType(contentType) === 'application/json';
}
