/**
 * Rows of a `COPY … TO STDOUT (FORMAT binary)` whose columns are one int8 and one bytea, as
 * `[int8, bytes][]` (PostgreSQL's binary COPY file format: a header, then per row an int16 field
 * count and per field an int32 length and the value; a field count of -1 ends the data).
 * The bytes are views into `buffer`.
 */
export function parseInt8ByteaRows(buffer: Buffer): Array<[number, Buffer]> {
  // Header: 11-byte signature, int32 flags, int32 length of the header extension.
  let at = 11 + 4;
  at += 4 + buffer.readInt32BE(at);
  const rows: Array<[number, Buffer]> = [];
  for (;;) {
    const fields = buffer.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    at += 4; // int8 length, always 8
    const n = Number(buffer.readBigInt64BE(at));
    at += 8;
    const length = buffer.readInt32BE(at);
    at += 4;
    rows.push([n, buffer.subarray(at, at + length)]);
    at += length;
  }
}
