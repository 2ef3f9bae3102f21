import { FirehoseInvalidStreamNameError } from '../errors/invalid-stream-name.error.js';
import { assertValidStreamName } from '../publish/stream-name.js';

/** An entity instance: its class name and id name its stream, `Comment:42`. */
export interface FirehoseEntity {
  /** The entity's primary key. */
  readonly id: string | number | bigint;
}

/** A stream name, or an entity whose stream it is. */
export type FirehoseStreamTarget = string | FirehoseEntity;

/**
 * The stream of a name or an entity: `comment` (a `Comment` with id 42) is `Comment:42`. Use the
 * same function where you broadcast (`firehose.broadcast(firehoseStreamName(comment), …)`) and
 * where you render the page, so both sides always agree on the name.
 */
export function firehoseStreamName(target: FirehoseStreamTarget): string {
  if (typeof target === 'string') {
    assertValidStreamName(target);
    return target;
  }
  if (typeof target !== 'object' || target === null) {
    throw new FirehoseInvalidStreamNameError(target, 'expected a stream name or an entity instance with an id');
  }
  const type = Object.getPrototypeOf(target)?.constructor;
  if (typeof type !== 'function' || type === Object || !type.name) {
    throw new FirehoseInvalidStreamNameError(
      target,
      'a plain object has no class name to name its stream after; pass an entity instance (new Comment(), or one loaded by TypeORM) or the stream name itself',
    );
  }
  const { id } = target;
  if (!((typeof id === 'number' && Number.isFinite(id)) || typeof id === 'bigint' || (typeof id === 'string' && id !== ''))) {
    throw new FirehoseInvalidStreamNameError(
      `${type.name}:${String(id)}`,
      `the ${type.name} has no id yet; save it before naming its stream`,
    );
  }
  const name = `${type.name}:${String(id)}`;
  assertValidStreamName(name);
  return name;
}
