#include "link-reaper.h"

#include <system_error>
#include <thread>

namespace httpwatcher {

void LinkReaper::Destroy(LinkPtr link) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_++;
  }
  bpf_link* raw = link.get();
  std::thread thread;
  try {
    thread = std::thread([this, raw] {
      LinkPtr(raw).reset();
      Done();
    });
  } catch (const std::system_error&) {
    link.reset();
    Done();
    return;
  }
  link.release();  // the thread owns it now
  thread.detach();
}

void LinkReaper::Done() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--pending_ == 0) idle_.notify_all();
}

void LinkReaper::Wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return pending_ == 0; });
}

size_t LinkReaper::Pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_;
}

}  // namespace httpwatcher
