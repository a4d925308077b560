/* Resuming processes the exec tracepoint stopped (attachAll({ hold })), shared by the addon and
 * the hold-guardian executable. Whoever deletes a process's `held` entry resumes it, so a process
 * is resumed once however the tracer and its guardian race; and only after its start time, read
 * through a pidfd opened first, proves that the PID still names the process that was stopped. */
#ifndef HW_HELD_PROCESSES_H
#define HW_HELD_PROCESSES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hw_resume_result {
  HW_RESUMED = 0,     /* SIGCONT sent to the process that was stopped */
  HW_RESUME_NOT_HELD, /* no `held` entry: resumed (or found gone) by someone else already */
  HW_RESUME_GONE,     /* exited, or its PID now names another process: nothing sent */
  HW_RESUME_FAILED,   /* the signal failed (errno): nothing sent */
};

/* Field 22 of /proc/<pid>/stat (start time in clock ticks); -1 with errno when unreadable. */
int hw_read_start_ticks(uint32_t pid, uint64_t* start_ticks);

/* SIGCONT to `pid` only if it is still the process that started at `start_ticks`. */
enum hw_resume_result hw_resume_if_same(uint32_t pid, uint64_t start_ticks);

/* Takes `pid`'s entry out of the `held` map at `map_fd`, then resumes it (hw_resume_if_same). */
enum hw_resume_result hw_resume_held(int map_fd, uint32_t pid);

struct hw_sweep_counts {
  uint32_t resumed; /* HW_RESUMED */
  uint32_t gone;    /* HW_RESUME_GONE and HW_RESUME_FAILED: entries dropped without a signal */
};

/* Resumes every held process stopped at or before `stopped_before_ns` (CLOCK_MONOTONIC, as
 * bpf_ktime_get_ns); UINT64_MAX for all of them. Bounded: at most the map's 4096 entries. */
struct hw_sweep_counts hw_sweep_held(int map_fd, uint64_t stopped_before_ns);

#ifdef __cplusplus
}
#endif

#endif
