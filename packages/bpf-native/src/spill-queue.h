// Records taken out of the kernel ring that JavaScript has not taken yet, as batches in the
// framing onBatch receives ([u32 size][u32 shape id][record][pad to 8] ...; shape-ids.h). The drain thread
// (ring-drain.h) writes them while the JavaScript thread is busy, so that the kernel ring, whose pages are resident for
// the tracer's whole life, can stay small: this memory is taken only while JavaScript is behind, and each batch is its
// own anonymous mapping, so a freed one goes back to the kernel at once instead of staying in a malloc arena.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "ring-reader.h"
#include "shape-ids.h"

namespace httpwatcher {

class SpillBatch {
 public:
  SpillBatch() = default;
  SpillBatch(SpillBatch&& other) noexcept { *this = std::move(other); }
  SpillBatch& operator=(SpillBatch&& other) noexcept;
  SpillBatch(const SpillBatch&) = delete;
  SpillBatch& operator=(const SpillBatch&) = delete;
  ~SpillBatch();

  // An empty batch with room for `capacity` bytes; empty() on failure (mmap's errno in errno).
  static SpillBatch Map(size_t capacity);

  const uint8_t* data() const { return data_; }
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool mapped() const { return data_ != nullptr; }
  bool empty() const { return size_ == 0; }
  // Appends one framed record, with its shape id from `shapes`; the caller has checked that
  // FramedSize(record) bytes fit.
  void Append(const RecordPieces& record, ShapeIds& shapes);
  void Clear() { size_ = 0; }
  // Replaces the contents with a copy of [bytes, bytes + size); size <= capacity().
  void CopyFrom(const uint8_t* bytes, size_t size) {
    std::memcpy(data_, bytes, size);
    size_ = size;
  }

  static constexpr size_t kFrameBytes = 2 * sizeof(uint32_t);
  static size_t FramedSize(size_t record_bytes) { return (kFrameBytes + record_bytes + 7) & ~size_t{7}; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

class SpillQueue {
 public:
  // How Append treats the queue's limit and the batch size.
  enum class Mode {
    kDrain,  // the drain thread: refuse past `limit_bytes`; stop once the open batch is complete
    kFlush,  // flush(): take everything, batch after batch
  };

  // Room past batch_bytes, so that the record that completes a batch fits in it: a batch is at most
  // batch_bytes + kBatchSlackBytes unless one record is larger.
  static constexpr size_t kBatchSlackBytes = 64 << 10;

  // Holds at most `limit_bytes` of records (and always at least one record); batches of about
  // `batch_bytes` each.
  SpillQueue(size_t limit_bytes, size_t batch_bytes);
  SpillQueue(const SpillQueue&) = delete;
  SpillQueue& operator=(const SpillQueue&) = delete;

  // Writer side: one writer at a time (RingDrain serialises them). kLeft when the queue is full or
  // no memory could be mapped: the record stays in the ring, and the kernel counts what the full
  // ring then refuses.
  RecordTaken Append(const RecordPieces& record, Mode mode);
  // Hands the open batch to the reader side. Returns whether there was one.
  bool Publish();

  // Reader side (the JavaScript thread). The oldest published batch, or an unmapped one when none.
  SpillBatch Take();
  // Every published batch, oldest first.
  std::vector<SpillBatch> TakeAll();
  // Gives back a batch Take or TakeAll returned, once its bytes are copied.
  void Recycle(SpillBatch batch);
  bool HasPublished();

  // The most the drain thread has held at once (not counting what flush() moved through).
  size_t PeakBytes() const { return peak_bytes_.load(std::memory_order_relaxed); }

 private:
  // Batches kept mapped for reuse: at a steady rate two take turns, and no page is faulted in anew.
  static constexpr size_t kKeptFree = 2;

  bool OpenBatchFor(size_t framed);

  const size_t limit_bytes_;
  const size_t batch_bytes_;
  SpillBatch open_;  // the writer's
  ShapeIds shapes_;  // the writer's
  std::mutex mutex_;
  std::deque<SpillBatch> published_;  // guarded by mutex_
  std::vector<SpillBatch> free_;      // guarded by mutex_
  std::atomic<size_t> held_bytes_{0};
  std::atomic<size_t> peak_bytes_{0};
};

}  // namespace httpwatcher
