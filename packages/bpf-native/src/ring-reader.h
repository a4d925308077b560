// Reads a BPF ring buffer map through one mapping of its data pages.
//
// libbpf's ring_buffer maps the data pages twice in a row, as the kernel does, so that a record
// crossing the end reads as one piece. Every page of a ring's mapping is resident from mmap on
// (the kernel inserts them all: ringbuf_map_mmap, remap_vmalloc_range), so the double mapping made
// the process's RSS count an 8 MiB ring as 16 MiB. Here the data is mapped once, and a record that
// crosses the end comes in two pieces for the caller to copy.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace httpwatcher {

// A record's bytes: `first`, then `second` when it crossed the end of the ring (else second_size 0).
struct RecordPieces {
  const uint8_t* first;
  size_t first_size;
  const uint8_t* second;
  size_t second_size;
  size_t size() const { return first_size + second_size; }
};

// What a Consume callback did with a record.
enum class RecordTaken {
  kTaken,      // consumed; go on
  kTakenLast,  // consumed; stop after it
  kLeft,       // not consumed (stays in the ring); stop
};

class RingReader {
 public:
  // Maps the ring of `map_fd` (`ring_bytes`: its max_entries). Throws NativeError when mmap fails.
  RingReader(Napi::Env env, int map_fd, size_t ring_bytes);
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;
  ~RingReader();

  // The map's descriptor: readable while records are pending (level-triggered, ringbuf_map_poll).
  int fd() const { return map_fd_; }

  // Hands each committed record to `on_record(const RecordPieces&) -> RecordTaken` in the ring's
  // order, releasing the space of each it took before the next; stops at a record still being
  // written, or as on_record says. Discarded records are skipped. Returns how many were taken.
  template <typename OnRecord>
  size_t Consume(OnRecord&& on_record);

 private:
  RecordPieces Pieces(uint64_t record_pos, uint32_t size) const;

  int map_fd_;
  size_t ring_bytes_;
  size_t page_bytes_;
  void* consumer_page_ = nullptr;  // read-write: consumer_pos
  void* producer_map_ = nullptr;   // read-only: producer_pos, then the data pages once
  uint64_t* consumer_pos_ = nullptr;
  const uint64_t* producer_pos_ = nullptr;
  const uint8_t* data_ = nullptr;
};

// The record header is 8 bytes ({u32 len; u32 page offset}), at a multiple of 8, so it never
// crosses the end of the ring; the kernel sets the top two bits of len while a record is reserved
// (busy) and when it was discarded (BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT in linux/bpf.h).
template <typename OnRecord>
size_t RingReader::Consume(OnRecord&& on_record) {
  constexpr uint32_t kBusyBit = 1u << 31, kDiscardBit = 1u << 30, kHeaderBytes = 8;
  const uint64_t mask = ring_bytes_ - 1;
  uint64_t consumer = __atomic_load_n(consumer_pos_, __ATOMIC_ACQUIRE);
  size_t handed = 0;
  for (;;) {
    uint64_t producer = __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE);
    if (consumer >= producer) return handed;
    while (consumer < producer) {
      const uint32_t len =
          __atomic_load_n(reinterpret_cast<const uint32_t*>(data_ + (consumer & mask)), __ATOMIC_ACQUIRE);
      if (len & kBusyBit) return handed;
      const uint32_t size = len & ~(kBusyBit | kDiscardBit);
      const uint64_t record_pos = consumer + kHeaderBytes;
      RecordTaken taken = RecordTaken::kTaken;
      if (!(len & kDiscardBit)) {
        taken = on_record(Pieces(record_pos, size));
        if (taken == RecordTaken::kLeft) return handed;
        handed++;
      }
      consumer += (kHeaderBytes + size + 7) & ~uint64_t{7};
      __atomic_store_n(consumer_pos_, consumer, __ATOMIC_RELEASE);
      if (taken == RecordTaken::kTakenLast) return handed;
    }
  }
}

}  // namespace httpwatcher
