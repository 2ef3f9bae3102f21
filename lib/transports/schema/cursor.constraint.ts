import { registerDecorator, type ValidationOptions } from 'class-validator';
import { CURSOR_EXPECTED, parseCursor } from '../../protocol/cursor.js';

/** The constraint's name in class-validator's errors. */
export const IS_FIREHOSE_CURSOR = 'isFirehoseCursor';

/**
 * A resume cursor (protocol/cursor.ts): a non-negative safe integer, or its decimal digits as a
 * string (a header, a query parameter, a client that kept the id as text).
 *
 * @publicApi
 */
export function IsFirehoseCursor(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: IS_FIREHOSE_CURSOR,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => parseCursor(value) !== undefined,
        defaultMessage: () => `$property: ${CURSOR_EXPECTED}`,
      },
    });
}
