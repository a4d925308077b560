#include "batch-buffers.h"

#include <mutex>
#include <vector>

#include "spill-queue.h"

namespace httpwatcher {

// Blocks are SpillBatch mappings, not malloc'd: a block freed amid the heap would stay resident.
struct BatchBuffers::Pool {
  Pool(size_t block_bytes, size_t max_spares) : block_bytes(block_bytes), max_spares(max_spares) {}

  const size_t block_bytes;
  const size_t max_spares;
  // Node runs a Buffer's finalizer on the JavaScript thread, but nothing here depends on it.
  std::mutex mutex;
  std::vector<SpillBatch> spares;
  bool idle = false;
};

struct BatchBuffers::Lease {
  std::shared_ptr<Pool> pool;
  SpillBatch block;
};

BatchBuffers::BatchBuffers(size_t block_bytes, size_t max_spares)
    : pool_(std::make_shared<Pool>(block_bytes, max_spares)) {}

Napi::Buffer<uint8_t> BatchBuffers::CopyOf(Napi::Env env, const uint8_t* data, size_t size) {
  if (size > pool_->block_bytes || size == 0) return Napi::Buffer<uint8_t>::Copy(env, data, size);
  auto lease = std::make_unique<Lease>();
  lease->pool = pool_;
  {
    std::lock_guard<std::mutex> lock(pool_->mutex);
    pool_->idle = false;
    if (!pool_->spares.empty()) {
      lease->block = std::move(pool_->spares.back());
      pool_->spares.pop_back();
    }
  }
  if (!lease->block.mapped()) lease->block = SpillBatch::Map(pool_->block_bytes);
  if (!lease->block.mapped()) return Napi::Buffer<uint8_t>::Copy(env, data, size);
  lease->block.CopyFrom(data, size);
  // Where external buffers are not allowed, NewOrCopy copies and finalizes the lease at once.
  auto buffer = Napi::Buffer<uint8_t>::NewOrCopy(env, lease->block.data(), size, &BatchBuffers::Finalize, lease.get());
  lease.release();  // the finalizer owns it now
  return buffer;
}

void BatchBuffers::Finalize(Napi::Env, uint8_t*, Lease* lease) {
  std::unique_ptr<Lease> owned(lease);  // unmaps the block unless the pool keeps it
  Pool& pool = *owned->pool;
  std::lock_guard<std::mutex> lock(pool.mutex);
  if (!pool.idle && pool.spares.size() < pool.max_spares) pool.spares.push_back(std::move(owned->block));
}

void BatchBuffers::ReleaseSpares() {
  std::vector<SpillBatch> released;  // unmapped on return, outside the lock
  std::lock_guard<std::mutex> lock(pool_->mutex);
  pool_->idle = true;
  released.swap(pool_->spares);
}

}  // namespace httpwatcher
