/** Allocations of this size or more are mapped on their own and unmapped when freed. */
const mmapThresholdBytes = 1 << 20;
/**
 * Free memory each malloc arena may keep at its top before returning it to the kernel. At 2 MiB the
 * CLI's threads' arenas kept 1.5-2 MB each at idle (idle RSS 58.1-61.2 MB); at 128 KiB, 56.7-56.9 MB,
 * with no difference in CPU per request at a client's full rate (6 alternated runs of 1,000,000).
 */
const trimThresholdBytes = 128 << 10;

/**
 * For applications, not libraries: fixes glibc's malloc thresholds for the whole process. glibc
 * raises them as large blocks are freed, and an arena then keeps up to that much freed memory
 * resident, also after its thread has exited: the binary analysis worker left 0 to 8 MB behind in
 * the CLI, by chance (BENCHMARKS.md, "Idle memory"). Resolves false where the C library is not
 * glibc or the native addon is missing.
 */
export async function limitMallocRetention(): Promise<boolean> {
  try {
    const native = await import('@httpwatcher/bpf-native');
    return native.loadAddon().limitMallocRetention(mmapThresholdBytes, trimThresholdBytes);
  } catch {
    return false;
  }
}
