import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ON_FIREHOSE_METADATA } from '../firehose.constants.js';
import type { OnFirehoseMetadata } from '../decorators/on-firehose.decorator.js';
import { FirehoseHub } from '../delivery/firehose-hub.js';
import { isFirehoseReset } from '../protocol/firehose-event.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** Finds `@OnFirehose` methods at bootstrap and subscribes each to the hub, contained in try/catch. */
@Injectable()
export class FirehoseExplorer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly hub: FirehoseHub,
  ) {}

  onApplicationBootstrap(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const { instance } = wrapper;
      // Aliases (useExisting) point at an instance already scanned: skip them or handlers run twice.
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const metadata = this.reflector.get<OnFirehoseMetadata[] | undefined>(ON_FIREHOSE_METADATA, prototype[method]);
        if (!metadata) continue;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(
            `Cannot register @OnFirehose "${wrapper.name}.${method}": it is on a request-scoped provider. Move it to a singleton provider.`,
          );
          continue;
        }
        for (const { streams } of metadata) this.register(wrapper, instance, method, streams);
      }
    }
  }

  onApplicationShutdown(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  private register(
    wrapper: InstanceWrapper,
    instance: Record<string, (...args: unknown[]) => unknown>,
    method: string,
    streams: string[],
  ): void {
    const name = `${String(wrapper.name)}.${method}`;
    const fail = (error: unknown) =>
      this.logger.error(`@OnFirehose handler ${name} failed: ${(error as Error)?.message ?? String(error)}`, (error as Error)?.stack);
    this.unsubscribers.push(
      this.hub.subscribe(streams, {
        next: (item) => {
          if (isFirehoseReset(item)) {
            this.logger.warn(`@OnFirehose handler ${name} missed events of "${item.stream}": they were cleaned up before delivery`);
            return;
          }
          try {
            const result = instance[method](item);
            if (result instanceof Promise) result.catch(fail);
          } catch (error) {
            fail(error);
          }
        },
      }),
    );
    this.logger.log(`@OnFirehose ${name} ← ${streams.join(', ')}`);
  }
}
