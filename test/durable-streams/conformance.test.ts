// The official Durable Streams conformance suite (pinned) against DurableStreamsModule,
// run through its library entry point: its CLI cannot find its tests from a consumer project
// (a known limitation of the suite's package). The app is booted by conformance.global-setup.mjs.
import { runConformanceTests } from '@durable-streams/server-conformance-tests';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    durableStreamsUrl: string;
  }
}

runConformanceTests({ baseUrl: inject('durableStreamsUrl'), longPollTimeoutMs: 500 });
