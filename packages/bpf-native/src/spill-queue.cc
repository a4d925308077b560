#include "spill-queue.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace httpwatcher {

SpillBatch& SpillBatch::operator=(SpillBatch&& other) noexcept {
  if (this == &other) return *this;
  if (data_) munmap(data_, capacity_);
  data_ = other.data_;
  size_ = other.size_;
  capacity_ = other.capacity_;
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
  return *this;
}

SpillBatch::~SpillBatch() {
  if (data_) munmap(data_, capacity_);
}

SpillBatch SpillBatch::Map(size_t capacity) {
  SpillBatch batch;
  void* data = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) return batch;
  batch.data_ = static_cast<uint8_t*>(data);
  batch.capacity_ = capacity;
  return batch;
}

void SpillBatch::Append(const RecordPieces& record, ShapeIds& shapes) {
  const uint32_t size32 = static_cast<uint32_t>(record.size());
  const size_t framed = FramedSize(record.size());
  uint8_t* out = data_ + size_;
  uint8_t* copy = out + kFrameBytes;
  std::memcpy(copy, record.first, record.first_size);
  if (record.second_size) std::memcpy(copy + record.first_size, record.second, record.second_size);
  std::memset(copy + record.size(), 0, framed - kFrameBytes - record.size());
  // From the copy: a record that crossed the end of the ring is in one piece there.
  const uint32_t shape_id = shapes.IdOf(copy, record.size());
  std::memcpy(out, &size32, sizeof(size32));
  std::memcpy(out + sizeof(size32), &shape_id, sizeof(shape_id));
  size_ += framed;
}

SpillQueue::SpillQueue(size_t limit_bytes, size_t batch_bytes) : limit_bytes_(limit_bytes), batch_bytes_(batch_bytes) {}

bool SpillQueue::OpenBatchFor(size_t framed) {
  if (open_.mapped() && open_.capacity() - open_.size() >= framed) return true;
  Publish();
  const size_t capacity = std::max(batch_bytes_ + kBatchSlackBytes, framed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty() && free_.back().capacity() >= capacity) {
      open_ = std::move(free_.back());
      free_.pop_back();
      return true;
    }
  }
  open_ = SpillBatch::Map(capacity);
  return open_.mapped();
}

RecordTaken SpillQueue::Append(const RecordPieces& record, Mode mode) {
  const size_t framed = SpillBatch::FramedSize(record.size());
  const size_t held = held_bytes_.load(std::memory_order_relaxed);
  if (mode == Mode::kDrain && held > 0 && held + framed > limit_bytes_) return RecordTaken::kLeft;
  if (!OpenBatchFor(framed)) return RecordTaken::kLeft;
  open_.Append(record, shapes_);
  const size_t now = held_bytes_.fetch_add(framed, std::memory_order_relaxed) + framed;
  // What flush() moves through is taken at once: the peak is what waited for JavaScript.
  if (mode == Mode::kDrain && now > peak_bytes_.load(std::memory_order_relaxed))
    peak_bytes_.store(now, std::memory_order_relaxed);
  if (open_.size() < batch_bytes_) return RecordTaken::kTaken;
  if (mode == Mode::kFlush) {
    Publish();
    return RecordTaken::kTaken;
  }
  return RecordTaken::kTakenLast;
}

bool SpillQueue::Publish() {
  if (!open_.mapped() || open_.empty()) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  published_.push_back(std::move(open_));
  return true;
}

SpillBatch SpillQueue::Take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (published_.empty()) return SpillBatch();
  SpillBatch batch = std::move(published_.front());
  published_.pop_front();
  return batch;
}

std::vector<SpillBatch> SpillQueue::TakeAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SpillBatch> batches;
  batches.reserve(published_.size());
  for (auto& batch : published_) batches.push_back(std::move(batch));
  published_.clear();
  return batches;
}

void SpillQueue::Recycle(SpillBatch batch) {
  held_bytes_.fetch_sub(batch.size(), std::memory_order_relaxed);
  batch.Clear();
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < kKeptFree && batch.capacity() == batch_bytes_ + kBatchSlackBytes)
    free_.push_back(std::move(batch));
}

bool SpillQueue::HasPublished() {
  std::lock_guard<std::mutex> lock(mutex_);
  return !published_.empty();
}

}  // namespace httpwatcher
