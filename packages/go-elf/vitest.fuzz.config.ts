import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/fuzz.test.ts'],
    pool: 'forks',
    testTimeout: 0,
    env: {
      FUZZ_ITERATIONS: process.env.FUZZ_ITERATIONS ?? '100000',
      FUZZ_HOSTILE_ITERATIONS: process.env.FUZZ_HOSTILE_ITERATIONS ?? '25000',
    },
  },
});
