// Empties the kernel ring into a SpillQueue from a thread of the addon, so that the ring keeps
// room while the JavaScript thread is busy (a long batch, a garbage collection, a write to a slow
// pipe): without it, a ring small enough to keep the tracer's idle memory low filled and the kernel
// dropped requests at a client's full rate. The thread sleeps on the ring's descriptor (woken by
// the BPF side every `wakeup_bytes`) and on a timer that bounds latency below that; it
// never calls into JavaScript, and only tells the event loop that a batch is ready.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "ring-reader.h"
#include "spill-queue.h"

namespace httpwatcher {

class RingDrain {
 public:
  // `notify(arg)` runs on the drain thread after it published a batch; it must be thread-safe.
  RingDrain(RingReader& ring, SpillQueue& spill, uint32_t interval_ms, void (*notify)(void*), void* notify_arg);
  RingDrain(const RingDrain&) = delete;
  RingDrain& operator=(const RingDrain&) = delete;
  ~RingDrain() { Stop(); }

  // Starts the thread. Returns 0, or the errno of what failed.
  int Start();
  // Ends the thread and waits for it; idempotent.
  void Stop();
  // Moves what the ring holds now into the spill, past the spill's limit, up to `limit_bytes` (the
  // producers may keep writing); from any thread, in turn with the drain thread.
  void DrainAll(size_t limit_bytes);

 private:
  void Run();
  struct PassResult {
    bool published = false;   // a batch is ready for JavaScript
    bool refused = false;     // the spill is full: a record was left in the ring
    bool batch_full = false;  // stopped at a complete batch: more may be waiting
  };
  // One pass: at most one batch.
  PassResult Pass();
  void CloseDescriptors();

  RingReader& ring_;
  SpillQueue& spill_;
  const int interval_ms_;
  void (*const notify_)(void*);
  void* const notify_arg_;
  std::mutex reading_;  // one reader of the ring at a time: its consumer position is ours alone
  std::thread thread_;
  int stop_fd_ = -1;   // an eventfd: written by Stop()
  int epoll_fd_ = -1;  // the ring's descriptor and stop_fd_
};

}  // namespace httpwatcher
