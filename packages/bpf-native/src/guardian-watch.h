// Watches the hold guardian from a thread of the addon. When the guardian exits while the tracer
// is open (killed on its own, crashed), this thread at once stops the exec tracepoint from holding
// and resumes every held process, without waiting for the JavaScript thread: that thread may be
// blocked, the very case the guardian exists for (docs/hold.md, "Guardian lost").
#pragma once
#include <thread>

namespace httpwatcher {

class GuardianWatch {
 public:
  GuardianWatch() = default;
  GuardianWatch(const GuardianWatch&) = delete;
  GuardianWatch& operator=(const GuardianWatch&) = delete;
  ~GuardianWatch() { Stop(); }

  // Watches `guardian_pid` through a pidfd (a PID reused later is never mistaken for it), in place
  // of any earlier watch. The map descriptors must outlive the watch: Stop() before closing them.
  // Returns 0, or the errno of what failed (the guardian already reaped: ESRCH).
  int Watch(int guardian_pid, int held_map_fd, int exec_policy_map_fd);
  // Ends the watch (a guardian stopped on purpose after this is not a loss). Idempotent.
  void Stop();

 private:
  std::thread thread_;
  int stop_fd_ = -1;  // an eventfd: written by Stop()
};

}  // namespace httpwatcher
