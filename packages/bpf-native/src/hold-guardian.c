/*
 * hold-guardian: resumes the processes attachAll({ hold }) stopped at exec, whatever happens to
 * the tracer that stopped them. The tracer starts it in a session of its own (a terminal's ^C or
 * the tracer's process group being killed does not reach it), and it moves itself out of the
 * tracer's cgroup (guardian-cgroup.h: a kill of that cgroup does not reach it either). Given:
 *   argv[1]  the hold timeout in milliseconds (1 .. 60000)
 *   fd 0     a pipe from the tracer: end of file means the tracer closed or died (even SIGKILL)
 *   fd 1     receives "ready <cgroup move>\n" once fd 3 is checked and the cgroup left, then is closed
 *   fd 3     the `held` map (struct hw_held by host tgid, bpf/httpwatcher.h)
 * Every process held longer than the timeout is resumed; once the tracer is gone, or on SIGTERM,
 * SIGINT or SIGHUP, every held process is, and the guardian exits. A process is resumed only if
 * its start time is still the one recorded at exec (held-processes.h).
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guardian-cgroup.h"
#include "held-processes.h"
#include "httpwatcher.h"

#define HELD_MAP_FD 3
#define GRACE_SWEEPS 4 /* after the tracer is gone, for an exec tracepoint still running */
#define GRACE_INTERVAL_MS 25

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static uint64_t monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

/* fd 3 is the tracer's `held` map, not some other descriptor. */
static int is_held_map(int fd) {
  struct bpf_map_info info;
  uint32_t size = sizeof(info);
  memset(&info, 0, sizeof(info));
  if (bpf_obj_get_info_by_fd(fd, &info, &size) != 0) return 0;
  return info.type == BPF_MAP_TYPE_HASH && info.key_size == sizeof(uint32_t) &&
         info.value_size == sizeof(struct hw_held) && strcmp(info.name, "held") == 0;
}

/* Best effort: the kernel's OOM killer should pick anything but the process that resumes others. */
static void avoid_oom_killer(void) {
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (write(fd, "-1000", 5) < 0) {
    /* without CAP_SYS_RESOURCE: keep the inherited score */
  }
  close(fd);
}

/* False once the tracer's end of the pipe is closed. */
static int tracer_alive(int timeout_ms) {
  struct pollfd tracer = {.fd = STDIN_FILENO, .events = POLLIN};
  int n = poll(&tracer, 1, timeout_ms);
  if (n <= 0) return n == 0 || errno == EINTR;
  char buf[64];
  ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
  return got > 0 || (got < 0 && (errno == EINTR || errno == EAGAIN));
}

int main(int argc, char** argv) {
  char* end = NULL;
  long timeout_ms = argc == 2 ? strtol(argv[1], &end, 10) : 0;
  if (argc != 2 || *end != '\0' || timeout_ms < 1 || timeout_ms > 60000) return 2;
  if (!is_held_map(HELD_MAP_FD)) return 3;
  struct sigaction stop;
  memset(&stop, 0, sizeof(stop));
  stop.sa_handler = on_stop_signal; /* no SA_RESTART: poll returns at once */
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  sigaction(SIGHUP, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);
  avoid_oom_killer();
  /* Before "ready": the tracer holds nothing until the guardian is out of its cgroup. */
  if (dprintf(STDOUT_FILENO, "ready %s\n", hw_cgroup_escape_name(hw_leave_tracer_cgroup())) < 0) return 4;
  close(STDOUT_FILENO);

  /* Sweeping every tenth of the timeout (10 .. 50 ms) and resuming what would pass its deadline
   * before the next sweep: no process stays stopped longer than the timeout. */
  long interval_ms = timeout_ms / 10 < 10 ? 10 : timeout_ms / 10 > 50 ? 50 : timeout_ms / 10;
  uint64_t resume_after_ns = (uint64_t)(timeout_ms > interval_ms ? timeout_ms - interval_ms : 0) * 1000000ull;
  while (!stop_requested && tracer_alive((int)interval_ms)) {
    uint64_t now = monotonic_ns();
    hw_sweep_held(HELD_MAP_FD, now > resume_after_ns ? now - resume_after_ns : 0);
  }
  for (int i = 0; i < GRACE_SWEEPS; i++) {
    hw_sweep_held(HELD_MAP_FD, UINT64_MAX);
    struct timespec pause = {.tv_sec = 0, .tv_nsec = GRACE_INTERVAL_MS * 1000000L};
    nanosleep(&pause, NULL);
  }
  hw_sweep_held(HELD_MAP_FD, UINT64_MAX);
  return 0;
}
