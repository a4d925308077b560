import { defineConfig } from 'tsup';

export default defineConfig({
  // pnpm bench, and pnpm soak (not a figure of the bench: it runs for half an hour).
  entry: { main: 'src/main.ts', 'soak-main': 'src/soak/soak-main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
