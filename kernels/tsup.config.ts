import { defineConfig } from 'tsup';

export default defineConfig([
  // The host side: fetches kernels, builds the initramfs, boots each kernel, prints the table.
  {
    entry: { main: 'src/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
  },
  // The guest runner: one CommonJS file, with `httpwatcher` and its native package left to the
  // guest's node_modules (the packed tarballs), so the guest runs the packages as users install them.
  {
    entry: { guest: 'src/guest/guest-main.ts' },
    format: ['cjs'],
    target: 'node20',
    platform: 'node',
    external: ['httpwatcher', '@httpwatcher/bpf-native'],
    outExtension: () => ({ js: '.cjs' }),
  },
]);
