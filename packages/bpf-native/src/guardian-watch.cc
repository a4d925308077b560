#include "guardian-watch.h"

#include <bpf/bpf.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "held-processes.h"
#include "httpwatcher.h"

namespace httpwatcher {
namespace {

// As the guardian does once its tracer is gone (hold-guardian.c): an exec tracepoint that read the
// hold policy just before it changed may still stop a process, so sweep a few more times.
constexpr int kGraceSweeps = 4;
constexpr int kGraceIntervalMs = 25;

// True when `stop_fd` was written within `timeout_ms` (-1: wait for either).
bool WaitForStop(int stop_fd, int pidfd, int timeout_ms) {
  pollfd fds[2] = {{stop_fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
  while (poll(fds, pidfd < 0 ? 1 : 2, timeout_ms) < 0)
    if (errno != EINTR) return true;
  return (fds[0].revents & POLLIN) != 0;
}

void OnGuardianLost(int stop_fd, int held_map_fd, int exec_policy_map_fd) {
  uint32_t slot = HW_EXEC_POLICY_SLOT_MODE, mode = 0;
  if (bpf_map_lookup_elem(exec_policy_map_fd, &slot, &mode) == 0 && mode == HW_EXEC_HOLD_UNKNOWN) {
    uint32_t report = HW_EXEC_REPORT_UNKNOWN;  // what ExecWatcher.onGuardianLost() sets too
    bpf_map_update_elem(exec_policy_map_fd, &slot, &report, BPF_ANY);
  }
  hw_sweep_held(held_map_fd, UINT64_MAX);
  for (int i = 0; i < kGraceSweeps && !WaitForStop(stop_fd, -1, kGraceIntervalMs); i++)
    hw_sweep_held(held_map_fd, UINT64_MAX);
}

}  // namespace

int GuardianWatch::Watch(int guardian_pid, int held_map_fd, int exec_policy_map_fd) {
  Stop();
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, guardian_pid, 0));
  if (pidfd < 0) return errno;
  int stop_fd = eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    int e = errno;
    close(pidfd);
    return e;
  }
  try {
    thread_ = std::thread([=] {
      if (!WaitForStop(stop_fd, pidfd, -1)) OnGuardianLost(stop_fd, held_map_fd, exec_policy_map_fd);
      close(pidfd);
    });
  } catch (const std::system_error& error) {
    close(pidfd);
    close(stop_fd);
    return error.code().value();
  }
  stop_fd_ = stop_fd;
  return 0;
}

void GuardianWatch::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    // an eventfd write fails only past its counter's maximum: the thread was told already
  }
  thread_.join();
  close(stop_fd_);
  stop_fd_ = -1;
}

}  // namespace httpwatcher
