/* The hold guardian leaves the tracer's cgroup (cgroup v2) for a dedicated one, so that killing
 * the tracer's cgroup (cgroup.kill, or systemd's final SIGKILL of a unit, which reaches every
 * process of the unit's cgroup) cannot kill the guardian too: it then sees its pipe close and
 * resumes every held process (docs/hold.md, "Killed with its cgroup"). */
#ifndef HW_GUARDIAN_CGROUP_H
#define HW_GUARDIAN_CGROUP_H

#include <stddef.h>

/* Below the cgroup v2 mount; shared by every guardian, left in place (an empty cgroup costs nothing). */
#define HW_GUARDIAN_CGROUP "httpwatcher-hold-guardian"

enum hw_cgroup_escape {
  HW_CGROUP_MOVED = 0, /* now in /HW_GUARDIAN_CGROUP, outside the tracer's cgroup */
  HW_CGROUP_AT_ROOT,   /* in the root of the hierarchy (or of its cgroup namespace): nothing to leave */
  HW_CGROUP_NO_V2,     /* no cgroup v2 hierarchy (cgroup v1 only): not moved */
  HW_CGROUP_FAILED,    /* the move failed (errno): not moved */
};

/* Moves the calling process into HW_GUARDIAN_CGROUP, unless it is at the root already. */
enum hw_cgroup_escape hw_leave_tracer_cgroup(void);

/* The word the guardian reports for `escape` on its ready line (hold-guardian.ts reads it). */
const char* hw_cgroup_escape_name(enum hw_cgroup_escape escape);

#endif
