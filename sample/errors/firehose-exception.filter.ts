import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  FirehoseError,
  FirehosePayloadTooLargeError,
  FirehoseQueueClosedError,
  FirehoseQueueTimeoutError,
  FirehoseUnserializableDataError,
  FirehoseInvalidCursorError,
  FirehoseInvalidStreamNameError,
} from '../../lib/index.js';

type ErrorClass = abstract new (...args: never[]) => FirehoseError;

// The library's errors say what was wrong with the input; the client should see that message.
const STATUS_BY_ERROR: Array<[ErrorClass, HttpStatus]> = [
  [FirehoseInvalidStreamNameError, HttpStatus.BAD_REQUEST],
  [FirehoseInvalidCursorError, HttpStatus.BAD_REQUEST],
  [FirehosePayloadTooLargeError, HttpStatus.BAD_REQUEST],
  [FirehoseUnserializableDataError, HttpStatus.BAD_REQUEST],
  [FirehoseQueueTimeoutError, HttpStatus.REQUEST_TIMEOUT],
  // A pop still waiting when the app shuts down.
  [FirehoseQueueClosedError, HttpStatus.SERVICE_UNAVAILABLE],
];

/** Maps FirehoseError subclasses to HTTP answers; any other one is a server fault (500, logged). */
@Catch(FirehoseError)
export class FirehoseExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(FirehoseExceptionFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: FirehoseError, host: ArgumentsHost): void {
    const status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? HttpStatus.INTERNAL_SERVER_ERROR;
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) this.logger.error(error.message, error.stack);
    const body = { statusCode: status, error: error.name, message: error.message };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }
}
