#include "guardian-cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The cgroup v2 path of this process ("0::<path>" in /proc/self/cgroup); -1 without v2. */
static int own_cgroup_path(char* path, size_t size) {
  FILE* file = fopen("/proc/self/cgroup", "re");
  if (!file) return -1;
  char line[4096];
  int found = -1;
  while (found != 0 && fgets(line, sizeof(line), file)) {
    if (strncmp(line, "0::", 3) != 0) continue;
    line[strcspn(line, "\n")] = '\0';
    found = snprintf(path, size, "%s", line + 3) < (int)size ? 0 : -1;
  }
  fclose(file);
  return found;
}

/* Where the whole cgroup v2 hierarchy (its root "/") is mounted, from /proc/self/mountinfo:
 * "id parent major:minor root mountpoint options [optional...] - fstype source super-options". */
static int cgroup2_mount(char* mountpoint, size_t size) {
  FILE* file = fopen("/proc/self/mountinfo", "re");
  if (!file) return -1;
  char line[4096];
  int found = -1;
  while (found != 0 && fgets(line, sizeof(line), file)) {
    char root[1024], point[1024];
    const char* separator = strstr(line, " - ");
    if (!separator || strncmp(separator + 3, "cgroup2 ", 8) != 0) continue;
    if (sscanf(line, "%*s %*s %*s %1023s %1023s", root, point) != 2 || strcmp(root, "/") != 0) continue;
    found = snprintf(mountpoint, size, "%s", point) < (int)size ? 0 : -1;
  }
  fclose(file);
  return found;
}

enum hw_cgroup_escape hw_leave_tracer_cgroup(void) {
  char own[1024], mountpoint[1024], procs[2200];
  if (own_cgroup_path(own, sizeof(own)) != 0) return HW_CGROUP_NO_V2;
  if (strcmp(own, "/") == 0) return HW_CGROUP_AT_ROOT;
  if (cgroup2_mount(mountpoint, sizeof(mountpoint)) != 0) return HW_CGROUP_NO_V2;
  snprintf(procs, sizeof(procs), "%s/" HW_GUARDIAN_CGROUP, mountpoint);
  if (mkdir(procs, 0755) != 0 && errno != EEXIST) return HW_CGROUP_FAILED;
  strcat(procs, "/cgroup.procs");
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return HW_CGROUP_FAILED;
  /* "0" names the writer itself. */
  ssize_t written = write(fd, "0", 1);
  int e = errno;
  close(fd);
  errno = e;
  return written == 1 ? HW_CGROUP_MOVED : HW_CGROUP_FAILED;
}

const char* hw_cgroup_escape_name(enum hw_cgroup_escape escape) {
  switch (escape) {
    case HW_CGROUP_MOVED:
      return "moved";
    case HW_CGROUP_AT_ROOT:
      return "at-root";
    case HW_CGROUP_NO_V2:
      return "no-cgroup-v2";
    case HW_CGROUP_FAILED:
      break;
  }
  return "failed";
}
