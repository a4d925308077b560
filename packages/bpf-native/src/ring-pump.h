// Delivers the `events` ring buffer to JavaScript. A drain thread (ring-drain.h) moves records
// into a SpillQueue as batches framed [u32 size][u32 shape id][record][pad to 8]; an async handle on the event
// loop hands each batch to onBatch, one per turn of the loop.
#pragma once
#include <napi.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "batch-buffers.h"
#include "ring-drain.h"
#include "ring-reader.h"
#include "spill-queue.h"

namespace httpwatcher {

class RingPump {
 public:
  // `spill_bytes`: how much the drain thread may hold for JavaScript beyond the ring (spill-queue.h).
  // Throws NativeError when the ring cannot be mapped.
  RingPump(Napi::Env env, int ring_fd, size_t ring_bytes, size_t spill_bytes, uint32_t flush_interval_ms);
  RingPump(const RingPump&) = delete;
  RingPump& operator=(const RingPump&) = delete;
  ~RingPump() { Stop(); }

  // Throws NativeError when the drain thread cannot start.
  void Start(Napi::Function on_batch);
  // Drains what the ring and the spill hold now and returns it instead of calling onBatch; null
  // when empty.
  Napi::Value Flush();
  // Whether delivery keeps the Node.js process alive.
  void SetReferenced(bool referenced);
  // Stops delivery and frees the ring; idempotent. Safe inside onBatch.
  void Stop();
  // The most the spill has held at once, in bytes.
  size_t SpillPeakBytes() const { return spill_ ? spill_->PeakBytes() : 0; }

 private:
  struct Handles;
  struct HandlesCloser {
    void operator()(Handles* handles) const;
  };

  static void Pump(Handles* handles);
  static void Notify(void* pump);
  void Deliver(Handles* handles);
  void ApplyReferenced();

  // A batch is about this many bytes: one callback decodes a bounded batch, and the event loop
  // turns between batches.
  static constexpr size_t kMaxBatchBytes = 256 << 10;
  // Enough for the batches one minor collection frees at a client's full rate, and a bound on what
  // the pool keeps; all are freed after kIdleReleaseMs without a batch.
  static constexpr size_t kMaxSpareBuffers = 64;
  static constexpr uint64_t kIdleReleaseMs = 1000;

  Napi::Env env_;
  std::unique_ptr<RingReader> ring_;
  std::unique_ptr<SpillQueue> spill_;
  std::unique_ptr<RingDrain> drain_;                 // its thread runs from Start to Stop and signals handles_
  std::unique_ptr<Handles, HandlesCloser> handles_;  // libuv frees them after this object, see HandlesCloser
  Napi::FunctionReference on_batch_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  BatchBuffers buffers_;
  size_t ring_bytes_;
  bool referenced_ = true;
};

}  // namespace httpwatcher
