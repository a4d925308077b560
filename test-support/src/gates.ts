/**
 * Under CI=true a test never skips for want of a prerequisite (root, BPF, a fixture, a
 * toolchain): it runs and fails, so that a CI run that lost one cannot pass by testing nothing.
 */
export const inCi = process.env.CI === 'true';

/** Whether tests that load BPF programs run: as root, and always under CI=true. */
export const runBpfTests = inCi || process.getuid?.() === 0;
