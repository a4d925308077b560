// Destroys uprobe links off the JavaScript thread. Unregistering a uprobe waits for an RCU grace
// period (about 100 ms on Linux 6.18, measured), so a synchronous detach would stall the event
// loop that long each time, and closing N links one after the other would take N times as long.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "libbpf-handles.h"

namespace httpwatcher {

class LinkReaper {
 public:
  LinkReaper() = default;
  LinkReaper(const LinkReaper&) = delete;
  LinkReaper& operator=(const LinkReaper&) = delete;
  ~LinkReaper() { Wait(); }

  // Takes ownership: the link is destroyed on its own thread, in parallel with the others. When no
  // thread can be created (a pids limit, memory), it is destroyed here, on the caller's thread:
  // slower, never lost, never fatal.
  void Destroy(LinkPtr link);
  // Returns once every link handed over so far is destroyed.
  void Wait();
  size_t Pending() const;

 private:
  void Done();

  mutable std::mutex mutex_;
  std::condition_variable idle_;
  size_t pending_ = 0;
};

}  // namespace httpwatcher
