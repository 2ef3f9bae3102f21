import {
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  NotFoundException,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { DURABLE_STREAMS_AUTHORIZER } from '../durable-streams.constants.js';
import type {
  DurableStreamsAccessContext,
  DurableStreamsAuthorizer,
  DurableStreamsOperation,
} from '../durable-streams-authorizer.interface.js';
import type { StreamRequestError } from '../errors/stream-request.error.js';
import { forkSourcePath } from './stream-path.js';
import { streamTargetOf, type StreamTarget } from './stream-target.js';

export const NO_DURABLE_STREAMS_AUTHORIZER_MESSAGE =
  'Durable Streams refuses every request: no DurableStreamsAuthorizer is configured. ' +
  'Pass `authorizer` to DurableStreamsModule.forRoot() (AllowAllDurableStreamsAuthorizer for demos and trusted networks).';

/**
 * Runs after the app's guards on every Durable Streams request: asks the authorizer whether this
 * request may do its operation on its stream (for a fork, also whether it may read the source).
 * Deny by default: without an authorizer, every request that touches a stream gets 403.
 */
@Injectable()
export class DurableStreamsAccessGuard implements CanActivate {
  constructor(@Optional() @Inject(DURABLE_STREAMS_AUTHORIZER) private readonly authorizer?: DurableStreamsAuthorizer) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.check(context.switchToHttp().getRequest<IncomingMessage>());
  }

  /**
   * The guard's verdict on `request`, for the route and for the gate when it dispatches directly:
   * true, or a refusal thrown (or rejected) as an HttpException.
   */
  check(request: IncomingMessage): boolean | Promise<boolean> {
    const target = streamTargetOf(request);
    // Express matches routes case-insensitively, and the app may mount the route where the gate
    // does not look: such a request reached the route with its body possibly parsed already.
    if (!target) throw new NotFoundException('Stream not found: Durable Streams paths are case-sensitive, below the configured path');
    const operation = operationOf(request);
    // OPTIONS and unknown methods touch no stream: the handler answers 204 or 405.
    if (operation === undefined) return true;
    if (!this.authorizer) throw new ForbiddenException(NO_DURABLE_STREAMS_AUTHORIZER_MESSAGE);
    const stream = target.path.slice(target.baseLength + 1);
    if (operation !== 'fork') return this.ask({ operation, stream, path: target.path, request });
    const base = target.path.slice(0, target.baseLength);
    const source = this.resolveSource(request, target, base);
    const name = source.slice(base.length + 1);
    return Promise.all([
      this.ask({ operation, stream, path: target.path, source: name, request }),
      this.ask({ operation: 'read', stream: name, path: source, request }),
    ]).then(([fork, read]) => fork && read);
  }

  private ask(context: DurableStreamsAccessContext): boolean | Promise<boolean> {
    const verdict = this.authorizer!.authorize(context);
    if (verdict === true) return true;
    if (verdict === false) throw refusal(context);
    return Promise.resolve(verdict).then((allowed) => {
      if (allowed !== true) throw refusal(context);
      return true;
    });
  }

  private resolveSource(request: IncomingMessage, target: StreamTarget, base: string): string {
    try {
      target.sourcePath = forkSourcePath(request.headers['stream-forked-from'] as string, base);
      return target.sourcePath;
    } catch (error) {
      const { status, message } = error as StreamRequestError;
      throw new HttpException(message, status);
    }
  }
}

function operationOf(request: IncomingMessage): DurableStreamsOperation | undefined {
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'POST':
      return 'append';
    case 'PUT':
      return request.headers['stream-forked-from'] === undefined ? 'create' : 'fork';
    case 'DELETE':
      return 'delete';
    default:
      return undefined;
  }
}

function refusal(context: DurableStreamsAccessContext): ForbiddenException {
  return new ForbiddenException(`This request may not ${context.operation} the stream ${JSON.stringify(context.stream)}.`);
}
