#include "batch-buffers.h"

#include <sys/mman.h>

#include <cstring>
#include <mutex>
#include <vector>

namespace httpwatcher {

struct BatchBuffers::Pool {
  Pool(size_t block_bytes, size_t max_spares) : block_bytes(block_bytes), max_spares(max_spares) {}
  ~Pool() {
    for (uint8_t* block : spares) Unmap(block);
  }
  // Mapped, not malloc'd: a block freed amid the heap would stay resident.
  uint8_t* Map() const {
    void* block = mmap(nullptr, block_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return block == MAP_FAILED ? nullptr : static_cast<uint8_t*>(block);
  }
  void Unmap(uint8_t* block) const { munmap(block, block_bytes); }

  const size_t block_bytes;
  const size_t max_spares;
  // Node runs a Buffer's finalizer on the JavaScript thread, but nothing here depends on it.
  std::mutex mutex;
  std::vector<uint8_t*> spares;
  bool idle = false;
};

BatchBuffers::BatchBuffers(size_t block_bytes, size_t max_spares)
    : pool_(std::make_shared<Pool>(block_bytes, max_spares)) {}

Napi::Buffer<uint8_t> BatchBuffers::CopyOf(Napi::Env env, const uint8_t* data, size_t size) {
  if (size > pool_->block_bytes || size == 0) return Napi::Buffer<uint8_t>::Copy(env, data, size);
  uint8_t* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(pool_->mutex);
    pool_->idle = false;
    if (!pool_->spares.empty()) {
      block = pool_->spares.back();
      pool_->spares.pop_back();
    }
  }
  if (!block) block = pool_->Map();
  if (!block) return Napi::Buffer<uint8_t>::Copy(env, data, size);
  std::memcpy(block, data, size);
  auto* hint = new std::shared_ptr<Pool>(pool_);
  // Where external buffers are not allowed, NewOrCopy copies and finalizes the block at once.
  try {
    return Napi::Buffer<uint8_t>::NewOrCopy(env, block, size, &BatchBuffers::Finalize, hint);
  } catch (...) {
    delete hint;
    pool_->Unmap(block);
    throw;
  }
}

void BatchBuffers::Finalize(Napi::Env, uint8_t* data, std::shared_ptr<Pool>* hint) {
  std::unique_ptr<std::shared_ptr<Pool>> owner(hint);
  Pool& pool = **owner;
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (!pool.idle && pool.spares.size() < pool.max_spares) {
      pool.spares.push_back(data);
      return;
    }
  }
  pool.Unmap(data);
}

void BatchBuffers::ReleaseSpares() {
  std::vector<uint8_t*> released;
  {
    std::lock_guard<std::mutex> lock(pool_->mutex);
    pool_->idle = true;
    released.swap(pool_->spares);
  }
  for (uint8_t* block : released) pool_->Unmap(block);
}

}  // namespace httpwatcher
