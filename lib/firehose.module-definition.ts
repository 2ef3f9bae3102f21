import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  DEFAULT_PATH,
  FIREHOSE_AUTHORIZER,
  DEFAULT_MAX_FRAME_BYTES,
  FIREHOSE_DATA_SOURCE,
  FIREHOSE_GATEWAY_OPTIONS,
  FIREHOSE_MODULE_OPTIONS,
} from './firehose.constants.js';
import { validateFirehoseExtras } from './firehose-options.js';
import { createFirehoseClientAssetController } from './client-asset/create-firehose-client-asset-controller.js';
import { FIREHOSE_PROVIDERS, FIREHOSE_FEATURE_SEAMS } from './firehose.providers.js';
import { FirehoseService } from './firehose.service.js';
import { createFirehoseGateway } from './transports/ws/create-firehose-gateway.js';
import { WsAdapterCheck } from './transports/ws/ws-adapter-check.js';
import { FirehoseGateway, type FirehoseGatewayOptions } from './transports/ws/firehose.gateway.js';
import type { FirehoseModuleExtras, FirehoseModuleOptions } from './interfaces/firehose-module-options.interface.js';
import { createFirehoseSseController } from './transports/sse/create-firehose-sse-controller.js';

/**
 * `forRoot` / `forRootAsync`. The extras shape the module graph (routes, guards, providers), so
 * they are plain values even in `forRootAsync`; everything else may come from the async factory.
 * Every extra needs a key in the defaults below, even when undefined: the builder only keeps keys
 * it knows out of the runtime options.
 */
export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<FirehoseModuleOptions>({
  optionsInjectionToken: FIREHOSE_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createFirehoseOptions')
  .setExtras<FirehoseModuleExtras>(
    {
      isGlobal: true,
      dataSource: undefined,
      path: DEFAULT_PATH,
      authorizer: undefined,
      guards: undefined,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      allowedOrigins: undefined,
      serveClient: true,
    },
    (definition, extras) => {
      const { path, guards, maxFrameBytes, allowedOrigins, authorizer, serveClient } = validateFirehoseExtras(extras);
      const gatewayOptions: FirehoseGatewayOptions = { guards, allowedOrigins };
      const authorizerProvider: Provider[] = authorizer ? [{ provide: FIREHOSE_AUTHORIZER, useClass: authorizer }] : [];
      return {
        ...definition,
        global: extras.isGlobal,
        controllers: [
          createFirehoseSseController({ path, guards }),
          // GET {path}/client.js: the browser client, served like socket.io serves its own.
          ...(serveClient ? [createFirehoseClientAssetController({ path, allowedOrigins })] : []),
        ],
        providers: [
          ...(definition.providers ?? []),
          { provide: FIREHOSE_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSource) },
          ...authorizerProvider,
          ...FIREHOSE_PROVIDERS,
          { provide: FIREHOSE_GATEWAY_OPTIONS, useValue: gatewayOptions },
          { provide: FirehoseGateway, useClass: createFirehoseGateway({ path, maxFrameBytes }) },
          WsAdapterCheck,
        ],
        // Feature modules (Durable Streams, change feeds, Fluxbase) build on the core's seams; apps use
        // FirehoseService. The authorizer is exported only when there is one: a transport of a
        // feature module then decides with the same one, and without it refuses every stream.
        exports: [FirehoseService, ...FIREHOSE_FEATURE_SEAMS, ...(authorizer ? [FIREHOSE_AUTHORIZER] : [])],
      };
    },
  )
  .build();
