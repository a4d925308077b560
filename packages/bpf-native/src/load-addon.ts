import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseNativeFile } from './native-files.js';
import type { NativeAddon } from './native-surface.js';

/** The package root: dist/ sits one level below it, like src/ during tests. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let cached: NativeAddon | undefined;

export class NativeLoadError extends Error {
  readonly code = 'NATIVE_ADDON_MISSING';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NativeLoadError';
  }
}

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new NativeLoadError(`httpwatcher traces Linux processes; this is ${process.platform}.`);
  }
  const require = createRequire(import.meta.url);
  const override = process.env.HTTPWATCHER_NATIVE_PATH;
  if (override && existsSync(override)) {
    cached = require(override) as NativeAddon;
    return cached;
  }
  const { path, tried } = chooseNativeFile(packageRoot, 'httpwatcher_native.node', process.arch);
  if (path) {
    cached = require(path) as NativeAddon;
    return cached;
  }
  if (override) tried.unshift(`${override} (HTTPWATCHER_NATIVE_PATH, missing)`);
  throw new NativeLoadError(
    `the native addon was not found for linux-${process.arch}; looked in:\n  ${tried.join('\n  ')}\n` +
      'Build it with `pnpm --filter @httpwatcher/bpf-native build`, or set HTTPWATCHER_NATIVE_PATH.',
  );
}
