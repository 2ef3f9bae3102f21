import { StreamRequestError } from '../errors/stream-request.error.js';
import type { StreamStore } from '../store/stream.store.js';
import type { StreamRow } from '../store/stream-row.js';

/**
 * The stream at `path` if it exists, is not expired and not deleted; else the matching failure
 * (an expired stream found here is deleted on the way).
 */
export async function existingStream(streams: StreamStore, path: string): Promise<StreamRow> {
  const row = await streams.get(path);
  if (!row) throw new StreamRequestError(404, 'Stream not found');
  if (row.expired) {
    await streams.expire(path);
    if (row.refCount > 0) throw new StreamRequestError(410, 'Stream is gone');
    throw new StreamRequestError(404, 'Stream not found');
  }
  if (row.softDeleted) throw new StreamRequestError(410, 'Stream is gone');
  return row;
}
