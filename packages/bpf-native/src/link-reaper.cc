#include "link-reaper.h"

#include <bpf/libbpf.h>

#include <thread>

namespace httpwatcher {

void LinkReaper::Destroy(bpf_link* link) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_++;
  }
  std::thread([this, link] {
    bpf_link__destroy(link);
    std::lock_guard<std::mutex> lock(mutex_);
    if (--pending_ == 0) idle_.notify_all();
  }).detach();
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
