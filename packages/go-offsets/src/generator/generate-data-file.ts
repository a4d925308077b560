import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GoArch } from '../layout.js';
import { layoutFromStructs } from '../layout-from-structs.js';
import { mapKindFor } from '../map-kind.js';
import { parseGoVersion } from '../go-version.js';
import type { StructLayout } from '../struct-layouts.js';
import { wantedTypes } from '../struct-layouts.js';
import type { OffsetsDataEntry, OffsetsDataFile } from '../table/data-file.js';
import { goBuild, goroot, runHelper } from './go-toolchain.js';
import { paths } from './package-paths.js';

interface ProbeVariant {
  readonly arch: GoArch;
  readonly goexperiment: string;
}

/** What the probe is built as: both arches, plus the bucket-map builds 1.24 and 1.25 still offer. */
export function probeVariants(minor: number): ProbeVariant[] {
  const experiments = minor === 24 || minor === 25 ? ['', 'noswissmap'] : [''];
  return (['amd64', 'arm64'] as const).flatMap((arch) => experiments.map((goexperiment) => ({ arch, goexperiment })));
}

interface HelperOutput {
  toolchain: string;
  structs: Record<string, StructLayout>;
}

/** Limits concurrent `go build`s: two keep a 2-CPU runner busy without thrashing. */
function limiter(concurrency: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((wake) => queue.push(wake));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

export const sharedBuildSlots = limiter(2);

/**
 * Builds the probe for every variant with Go `1.NN`, reads its struct layouts with the dwarf-layouts helper
 * (built by the same toolchain, so debug/dwarf matches the DWARF version) and returns the data file contents.
 */
export async function generateDataFile(minorVersion: string, slots = sharedBuildSlots): Promise<OffsetsDataFile> {
  const root = await goroot(minorVersion);
  const minor = Number(minorVersion.split('.')[1]);
  const work = await mkdtemp(join(tmpdir(), `go-offsets-${minorVersion}-`));
  try {
    const host = { goroot: root, minor: minorVersion, goarch: 'amd64', goexperiment: '' };
    const helper = join(work, 'dwarf-layouts');
    const helperBuilt = slots(() => goBuild(host, paths.dwarfHelperDir(), helper));
    const results = await Promise.all(
      probeVariants(minor).map(async (variant) => {
        const probe = join(work, `probe-${variant.arch}-${variant.goexperiment || 'default'}`);
        await slots(() =>
          goBuild({ ...host, goarch: variant.arch, goexperiment: variant.goexperiment }, paths.probeDir(), probe),
        );
        await helperBuilt;
        const output = JSON.parse(await runHelper(helper, [probe, ...wantedTypes])) as HelperOutput;
        return { variant, output };
      }),
    );
    const toolchain = results[0]!.output.toolchain;
    const entries: OffsetsDataEntry[] = results.map(({ variant, output }) => {
      const version = parseGoVersion(output.toolchain);
      const experiments = variant.goexperiment ? [variant.goexperiment] : [];
      const layout = layoutFromStructs(
        new Map(Object.entries(output.structs)),
        variant.arch,
        version,
        experiments,
        output.toolchain,
      );
      const maps = mapKindFor(version, experiments);
      if (layout.headerMap.kind !== maps) {
        throw new Error(
          `${output.toolchain} ${variant.arch} ${variant.goexperiment}: expected a ${maps} map, the probe's DWARF has ${layout.headerMap.kind}`,
        );
      }
      return { arch: variant.arch, maps, goexperiment: variant.goexperiment, layout };
    });
    return { minor: `go${minorVersion}`, toolchains: [toolchain], entries };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
