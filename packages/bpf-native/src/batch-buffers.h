// The Buffers onBatch receives. Each batch is copied into a block this pool keeps for a later batch
// once JavaScript has collected the Buffer. A fresh allocation for each batch faulted its pages in
// every time: glibc gives freed batches back to the kernel, many at once after a collection, and in
// a VM a page fault is dear (BENCHMARKS.md, "The CLI at a client's full rate").
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace httpwatcher {

class BatchBuffers {
 public:
  // Blocks of `block_bytes`; at most `max_spares` collected ones are kept.
  BatchBuffers(size_t block_bytes, size_t max_spares);
  BatchBuffers(const BatchBuffers&) = delete;
  BatchBuffers& operator=(const BatchBuffers&) = delete;

  // A Buffer holding a copy of [data, data + size); a plain copy when size is above block_bytes.
  Napi::Buffer<uint8_t> CopyOf(Napi::Env env, const uint8_t* data, size_t size);
  // Frees the spare blocks, and every block collected from now until the next CopyOf: delivery is idle.
  void ReleaseSpares();

 private:
  struct Pool;   // shared with the finalizers of the Buffers still alive, which may outlive this object
  struct Lease;  // a block lent to one Buffer: its finalizer's hint
  static void Finalize(Napi::Env env, uint8_t* data, Lease* lease);
  std::shared_ptr<Pool> pool_;
};

}  // namespace httpwatcher
