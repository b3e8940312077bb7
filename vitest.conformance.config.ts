import { defineConfig } from 'vitest/config';

// Runs the parsers over every real capture in ../shared/fixtures (or $FIXTURES_DIR).
// Not part of `npm test`: the project must stand alone without ../shared.
export default defineConfig({
  test: {
    include: ['tests/conformance/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
