// Contract: Nest guards see only the ExecutionContext interface, which this mirrors from @nestjs/core's unexported ExecutionContextHost (verified with @nestjs/core 12.5.1; peer range ^12.3).
import type { ExecutionContext, Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The ExecutionContext the app's guards see at a WebSocket upgrade: an HTTP one, since guards
 * written for HTTP (JWT, session) read `switchToHttp().getRequest()`. Nest's own
 * ExecutionContextHost is not exported from @nestjs/core's public entry, hence this small twin.
 * The response is a detached ServerResponse: a guard may set headers on it, but nothing it writes
 * reaches the client, who gets the upgrade's 101 or the gateway's 401/403.
 */
export function createUpgradeExecutionContext(
  request: IncomingMessage,
  response: ServerResponse,
  gatewayClass: Type,
  handler: Function,
): ExecutionContext {
  const args = [request, response, undefined];
  const http = {
    getRequest: <T = unknown>() => request as T,
    getResponse: <T = unknown>() => response as T,
    getNext: <T = unknown>() => undefined as T,
  };
  const unsupported = (kind: string) => () => {
    throw new Error(`A Firehose WebSocket upgrade is an HTTP request; switchTo${kind}() is not available to guards there.`);
  };
  return {
    getClass: <T = unknown>() => gatewayClass as Type<T>,
    getHandler: () => handler,
    getArgs: <T extends unknown[] = unknown[]>() => args as T,
    getArgByIndex: <T = unknown>(index: number) => args[index] as T,
    getType: <T extends string = string>() => 'http' as T,
    switchToHttp: () => http,
    switchToRpc: unsupported('Rpc') as never,
    switchToWs: unsupported('Ws') as never,
  };
}
