// The Durable Streams conformance suite runs on vitest (it is written for it); everything else is jest.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/durable-streams/conformance.test.ts'],
    globalSetup: ['test/durable-streams/conformance.global-setup.mjs'],
    testTimeout: 15_000,
    server: { deps: { inline: ['@durable-streams/server-conformance-tests'] } },
  },
});
