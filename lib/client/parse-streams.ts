/**
 * The stream names of a `streams="a,b"` attribute, or of a call's argument: a comma separates names
 * (as in the SSE query), surrounding blanks are ignored, empty names dropped, duplicates merged.
 */
export function parseStreams(streams: string | readonly string[] | null | undefined): string[] {
  if (streams === null || streams === undefined) return [];
  const list = typeof streams === 'string' ? streams.split(',') : streams;
  const names: string[] = [];
  for (const raw of list) {
    const name = String(raw).trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names;
}
