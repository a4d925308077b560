/** Documented in --help and the README. A second SIGINT/SIGTERM ends the process by the signal (130/143). */
export const ExitCode = { ok: 0, failed: 1, usage: 2, noPermission: 77 } as const;
