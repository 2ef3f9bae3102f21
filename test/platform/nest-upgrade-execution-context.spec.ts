import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createUpgradeExecutionContext } from '../../lib/platform/nest-upgrade-execution-context.js';

class SomeGateway {}
function handler() {}

describe('platform/nest-upgrade-execution-context: the twin of Nest’s ExecutionContextHost', () => {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  const ours = createUpgradeExecutionContext(request, response, SomeGateway, handler);
  const nest = new ExecutionContextHost([request, response, undefined], SomeGateway, handler);
  nest.setType('http');

  it('has every method Nest’s context has', () => {
    const methods = (object: object) =>
      Object.getOwnPropertyNames(Object.getPrototypeOf(object)).filter((name) => name !== 'constructor' && !name.startsWith('set'));
    for (const name of methods(nest)) expect(typeof (ours as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  it('answers as Nest’s does for an HTTP request', () => {
    expect(ours.getType()).toBe(nest.getType());
    expect(ours.getClass()).toBe(nest.getClass());
    expect(ours.getHandler()).toBe(nest.getHandler());
    expect(ours.getArgs()).toEqual(nest.getArgs());
    expect(ours.getArgByIndex(0)).toBe(nest.getArgByIndex(0));
    expect(ours.switchToHttp().getRequest()).toBe(nest.switchToHttp().getRequest());
    expect(ours.switchToHttp().getResponse()).toBe(nest.switchToHttp().getResponse());
  });
});
