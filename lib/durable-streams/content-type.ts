/**
 * A `Content-Type` header as a stream stores and serves it: `type/subtype` lower-cased, plus its
 * `charset` when it gives one, and nothing else. The stored value is echoed on every read, so it is
 * rebuilt from the parsed parts instead of being copied from the request: no arbitrary parameters,
 * no odd spacing. The grammar is RFC 9110's media type (tokens, parameters whose value is a token or
 * a quoted string); a regex per part is the whole parser, so no library is needed for it.
 */
export type ParsedContentType = { ok: true; value: string; mediaType: string } | { ok: false; reason: string };

/** Longest Content-Type header accepted; real ones are far shorter. */
export const MAX_CONTENT_TYPE_LENGTH = 255;

const MEDIA_TYPE = /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*/;
// `;` then optional whitespace and an optional name=value; sticky, so the parameters are read in a row.
const PARAMETER =
  /;[ \t]*(?:([!#$%&'*+.^_`|~0-9A-Za-z-]+)=([!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t\x20\x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t\x20-\x7e\x80-\xff])*")[ \t]*)?/y;
const CHARSET = /^[a-z0-9][a-z0-9!#$%&'+^_`{}~.:-]{0,39}$/;

const invalid = (reason: string): ParsedContentType => ({ ok: false, reason });

export function parseContentType(header: string): ParsedContentType {
  if (header.length > MAX_CONTENT_TYPE_LENGTH) return invalid(`Content-Type is longer than ${MAX_CONTENT_TYPE_LENGTH} characters`);
  const type = MEDIA_TYPE.exec(header);
  if (!type) return invalid('Content-Type must be a media type such as text/plain or application/json');
  const mediaType = `${type[1]}/${type[2]}`.toLowerCase();
  let charset: string | undefined;
  PARAMETER.lastIndex = type[0].length;
  while (PARAMETER.lastIndex < header.length) {
    const parameter = PARAMETER.exec(header);
    if (!parameter) return invalid('Content-Type has a malformed parameter: give `type/subtype` and at most `; charset=…`');
    if (parameter[1]?.toLowerCase() !== 'charset') continue;
    const value = parameter[2].startsWith('"') ? parameter[2].slice(1, -1).replace(/\\(.)/g, '$1') : parameter[2];
    charset = value.toLowerCase();
    if (!CHARSET.test(charset)) return invalid('The charset of Content-Type is not a character set name such as utf-8');
  }
  return { ok: true, mediaType, value: charset === undefined ? mediaType : `${mediaType}; charset=${charset}` };
}
