#include "ring-reader.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "errors.h"

namespace httpwatcher {

RingReader::RingReader(Napi::Env env, int map_fd, size_t ring_bytes)
    : map_fd_(map_fd), ring_bytes_(ring_bytes), page_bytes_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
  // The kernel lays the map out as consumer page, producer page, data pages: the consumer page is
  // the only one user space may write.
  consumer_page_ = mmap(nullptr, page_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
  if (consumer_page_ == MAP_FAILED) {
    consumer_page_ = nullptr;
    throw NativeError(env, "mmap of the ring's consumer page", errno);
  }
  producer_map_ = mmap(nullptr, page_bytes_ + ring_bytes_, PROT_READ, MAP_SHARED, map_fd, page_bytes_);
  if (producer_map_ == MAP_FAILED) {
    int e = errno;
    producer_map_ = nullptr;
    munmap(consumer_page_, page_bytes_);
    consumer_page_ = nullptr;
    throw NativeError(env, "mmap of the ring's data pages", e);
  }
  consumer_pos_ = static_cast<uint64_t*>(consumer_page_);
  producer_pos_ = static_cast<const uint64_t*>(producer_map_);
  data_ = static_cast<const uint8_t*>(producer_map_) + page_bytes_;
}

RingReader::~RingReader() {
  if (producer_map_) munmap(producer_map_, page_bytes_ + ring_bytes_);
  if (consumer_page_) munmap(consumer_page_, page_bytes_);
}

RecordPieces RingReader::Pieces(uint64_t record_pos, uint32_t size) const {
  const size_t offset = record_pos & (ring_bytes_ - 1);
  const size_t first = std::min<size_t>(size, ring_bytes_ - offset);
  return RecordPieces{data_ + offset, first, data_, size - first};
}

}  // namespace httpwatcher
