import { OFFSET_PATTERN } from './durable-streams.constants.js';

/** The offset of a byte position: fixed width, so lexicographic order is position order. */
export function formatOffset(position: number): string {
  return `0000000000000000_${String(position).padStart(16, '0')}`;
}

/** The byte position of an offset this server minted, or undefined when it is not one. */
export function parseOffset(offset: string): number | undefined {
  const match = OFFSET_PATTERN.exec(offset);
  if (!match) return undefined;
  const position = Number(match[2]);
  return Number.isSafeInteger(position) ? position : undefined;
}
