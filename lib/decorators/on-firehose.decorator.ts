import { SetMetadata } from '@nestjs/common';
import { ON_FIREHOSE_METADATA } from '../firehose.constants.js';
import { normalizeStreamNames } from '../publish/stream-name.js';

export interface OnFirehoseMetadata {
  streams: string[];
}

/**
 * Calls the decorated provider method with each event (`FirehoseEvent`) of the given streams, in
 * every process, in order. A handler that throws or rejects is logged; the listener and the
 * other handlers carry on. Stackable.
 *
 * @publicApi
 */
export function OnFirehose(streams: string | string[]): MethodDecorator {
  const metadata: OnFirehoseMetadata = { streams: normalizeStreamNames(streams) };
  return (target, key, descriptor) => {
    const previous: OnFirehoseMetadata[] = Reflect.getMetadata(ON_FIREHOSE_METADATA, descriptor.value as object) ?? [];
    SetMetadata(ON_FIREHOSE_METADATA, [...previous, metadata])(target, key, descriptor);
    return descriptor;
  };
}
