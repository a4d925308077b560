// Delivers the `events` ring buffer to JavaScript. A drain copies records into one batch, framed
// as [u32 size][record][pad to 8], and hands it to onBatch. Two libuv handles run the same
// handler: a poll on the ring map's fd (the BPF side forces a wakeup every `wakeup_bytes`), and
// a timer that bounds latency below that.
#pragma once
#include <napi.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ring-reader.h"

namespace httpwatcher {

class RingPump {
 public:
  // Throws NativeError when libbpf cannot set up the ring.
  RingPump(Napi::Env env, int ring_fd, size_t ring_bytes, uint32_t flush_interval_ms);
  RingPump(const RingPump&) = delete;
  RingPump& operator=(const RingPump&) = delete;
  ~RingPump() { Stop(); }

  void Start(Napi::Function on_batch);
  // Drains what the ring holds now and returns it instead of calling onBatch; null when empty.
  Napi::Value Flush();
  // Whether the poll and timer keep the Node.js process alive.
  void SetReferenced(bool referenced);
  // Stops delivery and frees the ring; idempotent. Safe inside onBatch.
  void Stop();

 private:
  struct Handles;
  struct HandlesCloser {
    void operator()(Handles* handles) const;
  };

  bool OnRecord(const RecordPieces& record);
  static void Pump(Handles* handles);
  void Drain(size_t limit_bytes);
  void Deliver();
  Napi::Buffer<uint8_t> TakeBatch();
  void ApplyReferenced();

  // A drain stops at this many bytes: one callback decodes a bounded batch, and the event loop
  // turns between batches (the ring's fd stays readable, so the rest comes on the next turn).
  static constexpr size_t kMaxBatchBytes = 256 << 10;

  Napi::Env env_;
  std::unique_ptr<RingReader> ring_;
  std::unique_ptr<Handles, HandlesCloser> handles_;  // libuv frees them after this object, see HandlesCloser
  Napi::FunctionReference on_batch_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  std::vector<uint8_t> batch_;
  size_t batch_limit_ = kMaxBatchBytes;
  size_t ring_bytes_;
  uint32_t flush_interval_ms_;
  bool delivering_ = false;
  bool referenced_ = true;
};

}  // namespace httpwatcher
