import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { FirehoseInvalidStreamNameError } from '../../errors/invalid-stream-name.error.js';
import { isValidStreamName, streamNameProblem } from '../../protocol/stream-name.js';

/** The constraint's name in class-validator's errors. */
export const IS_FIREHOSE_STREAM_NAME = 'isFirehoseStreamName';

/**
 * A usable stream name (protocol/stream-name.ts: a non-empty string of at most 255 UTF-8 bytes,
 * without control characters or a lone surrogate). With `{ each: true }`, every item of an array.
 * The message is the library's own, naming the first bad name and what is wrong with it.
 *
 * @publicApi
 */
export function IsFirehoseStreamName(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: IS_FIREHOSE_STREAM_NAME,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => isValidStreamName(value),
        defaultMessage: (args?: ValidationArguments) => streamNameMessage(args?.value),
      },
    });
}

/** The message of the first invalid name in `value` (a name, or a list of them). */
export function streamNameMessage(value: unknown): string {
  const bad = Array.isArray(value) ? value.find((item) => !isValidStreamName(item)) : value;
  return new FirehoseInvalidStreamNameError(bad, streamNameProblem(bad) ?? 'invalid').message;
}
