#include "held-processes.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "httpwatcher.h"

#define HW_HELD_MAX 4096 /* max_entries of the `held` map (bpf/maps.bpf.h) */

int hw_read_start_ticks(uint32_t pid, uint64_t* start_ticks) {
  char path[32], buf[1024];
  snprintf(path, sizeof(path), "/proc/%u/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  int e = errno;
  close(fd);
  if (n <= 0) {
    errno = n < 0 ? e : EIO;
    return -1;
  }
  buf[n] = '\0';
  /* comm (field 2) may hold spaces and parentheses: fields 3 onwards follow its last ')'. */
  char* at = strrchr(buf, ')');
  if (!at) {
    errno = EIO;
    return -1;
  }
  at++;
  for (int field = 3; field < 22; field++) {
    at = strchr(at + 1, ' ');
    if (!at) {
      errno = EIO;
      return -1;
    }
  }
  char* end = NULL;
  errno = 0;
  unsigned long long ticks = strtoull(at + 1, &end, 10);
  if (errno || end == at + 1 || (*end != ' ' && *end != '\0')) {
    errno = EIO;
    return -1;
  }
  *start_ticks = ticks;
  return 0;
}

enum hw_resume_result hw_resume_if_same(uint32_t pid, uint64_t start_ticks) {
  /* The pidfd first: if the start time read after it matches, the pidfd is that process (a
   * PID reused in between would show another start time), and the signal goes through it. */
  int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (pidfd < 0) return errno == ESRCH ? HW_RESUME_GONE : HW_RESUME_FAILED;
  uint64_t now_ticks = 0;
  enum hw_resume_result result = HW_RESUME_GONE;
  if (hw_read_start_ticks(pid, &now_ticks) == 0 && now_ticks == start_ticks) {
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGCONT, NULL, 0) == 0)
      result = HW_RESUMED;
    else
      result = errno == ESRCH ? HW_RESUME_GONE : HW_RESUME_FAILED;
  }
  int e = errno;
  close(pidfd);
  errno = e;
  return result;
}

enum hw_resume_result hw_resume_held(int map_fd, uint32_t pid) {
  struct hw_held entry;
  /* Taking the entry decides who resumes: the tracer or its guardian, never both. */
  if (bpf_map_lookup_and_delete_elem(map_fd, &pid, &entry) != 0) {
    /* Hash maps support it from Linux 5.14; before, a lookup then a delete that must succeed. */
    if (errno == ENOENT || bpf_map_lookup_elem(map_fd, &pid, &entry) != 0 || bpf_map_delete_elem(map_fd, &pid) != 0)
      return HW_RESUME_NOT_HELD;
  }
  return hw_resume_if_same(pid, entry.start_ticks);
}

struct hw_sweep_counts hw_sweep_held(int map_fd, uint64_t stopped_before_ns) {
  uint32_t pids[HW_HELD_MAX];
  struct hw_sweep_counts counts = {0, 0};
  uint32_t n = 0, key = 0;
  const void* at = NULL;
  /* Keys first, then the deletes: deleting while walking a hash map restarts the walk. */
  while (n < HW_HELD_MAX && bpf_map_get_next_key(map_fd, at, &pids[n]) == 0) {
    key = pids[n++];
    at = &key;
  }
  for (uint32_t i = 0; i < n; i++) {
    struct hw_held entry;
    if (bpf_map_lookup_elem(map_fd, &pids[i], &entry) != 0 || entry.held_ktime_ns > stopped_before_ns) continue;
    enum hw_resume_result result = hw_resume_held(map_fd, pids[i]);
    if (result == HW_RESUMED)
      counts.resumed++;
    else if (result != HW_RESUME_NOT_HELD)
      counts.gone++;
  }
  return counts;
}
