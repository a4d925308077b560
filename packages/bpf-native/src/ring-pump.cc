#include "ring-pump.h"

#include <cstring>
#include <exception>
#include <utility>
#include <vector>

#include "errors.h"

namespace httpwatcher {
namespace {

// Sends an exception to process 'uncaughtException', as Node does for one thrown by any callback
// the event loop runs: without a listener Node prints it and exits with code 1. Letting it unwind
// through libuv instead would call std::terminate (an abort, a core dump, no message).
void ReportUncaught(napi_env env, const char* message) {
  napi_value text = nullptr, error = nullptr;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text) == napi_ok &&
      napi_create_error(env, nullptr, text, &error) == napi_ok)
    napi_fatal_exception(env, error);
}

}  // namespace

struct RingPump::Handles {
  uv_async_t async;
  uv_timer_t idle_timer;  // frees the spare batch buffers once delivery is idle; never keeps the loop alive
  int open = 0;
  RingPump* owner = nullptr;
};

// uv_close is asynchronous: the handles' memory must outlive their close callbacks, and the pump
// may be gone by then, so the last callback frees it.
void RingPump::HandlesCloser::operator()(Handles* handles) const {
  handles->owner = nullptr;
  if (handles->open == 0) {
    delete handles;
    return;
  }
  auto closed = [](uv_handle_t* handle) {
    auto* owner = static_cast<Handles*>(handle->data);
    if (--owner->open == 0) delete owner;
  };
  if (handles->idle_timer.data) uv_close(reinterpret_cast<uv_handle_t*>(&handles->idle_timer), closed);
  if (handles->async.data) uv_close(reinterpret_cast<uv_handle_t*>(&handles->async), closed);
}

RingPump::RingPump(Napi::Env env, int ring_fd, size_t ring_bytes, size_t spill_bytes, uint32_t flush_interval_ms)
    : env_(env), buffers_(kMaxBatchBytes + SpillQueue::kBatchSlackBytes, kMaxSpareBuffers), ring_bytes_(ring_bytes) {
  ring_ = std::make_unique<RingReader>(env, ring_fd, ring_bytes);
  spill_ = std::make_unique<SpillQueue>(spill_bytes, kMaxBatchBytes);
  drain_ = std::make_unique<RingDrain>(*ring_, *spill_, flush_interval_ms, &RingPump::Notify, this);
}

void RingPump::Start(Napi::Function on_batch) {
  if (handles_ || !drain_) throw Napi::Error::New(env_, "start() was already called");
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env_, &loop);
  std::unique_ptr<Handles, HandlesCloser> handles(new Handles());
  handles->owner = this;
  int err = uv_async_init(loop, &handles->async, [](uv_async_t* async) { Pump(static_cast<Handles*>(async->data)); });
  if (err) throw NativeError(env_, "uv_async_init", -err);
  handles->async.data = handles.get();
  handles->open++;
  err = uv_timer_init(loop, &handles->idle_timer);
  if (err) throw NativeError(env_, "uv_timer_init", -err);
  handles->idle_timer.data = handles.get();
  handles->open++;
  uv_unref(reinterpret_cast<uv_handle_t*>(&handles->idle_timer));

  on_batch_ = Napi::Persistent(on_batch);
  async_context_ = std::make_unique<Napi::AsyncContext>(env_, "httpwatcher:ring");
  handles_ = std::move(handles);
  ApplyReferenced();
  err = drain_->Start();
  if (err) throw NativeError(env_, "starting the ring's drain thread", err);
}

// On the drain thread, which runs only while handles_ is open (Start, Stop): uv_async_send is the
// one libuv call that is thread-safe.
void RingPump::Notify(void* pump) { uv_async_send(&static_cast<RingPump*>(pump)->handles_->async); }

// The async handle's callback. Nothing thrown here may leave it (see ReportUncaught): an exception
// from onBatch is reported, and delivery goes on with the next batch.
void RingPump::Pump(Handles* handles) {
  RingPump* self = handles->owner;
  if (!self) return;
  napi_env env = self->env_;
  Napi::HandleScope scope(self->env_);
  try {
    self->Deliver(handles);
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  } catch (const std::exception& error) {
    ReportUncaught(env, error.what());
  }
}

void RingPump::Deliver(Handles* handles) {
  if (!spill_ || on_batch_.IsEmpty()) return;
  SpillBatch batch = spill_->Take();
  if (!batch.mapped()) return;
  Napi::Buffer<uint8_t> buffer = buffers_.CopyOf(env_, batch.data(), batch.size());
  spill_->Recycle(std::move(batch));
  // One batch per turn of the event loop: the rest comes on the next.
  if (spill_->HasPublished()) uv_async_send(&handles->async);
  uv_timer_start(
      &handles->idle_timer,
      [](uv_timer_t* timer) {
        RingPump* self = static_cast<Handles*>(timer->data)->owner;
        if (self) self->buffers_.ReleaseSpares();
      },
      kIdleReleaseMs, 0);
  on_batch_.MakeCallback(env_.Global(), {buffer}, *async_context_);
}

Napi::Value RingPump::Flush() {
  if (!drain_) return env_.Null();
  // Everything already in the ring, and no more than a ring's worth if the producers keep writing.
  drain_->DrainAll(ring_bytes_ + kMaxBatchBytes);
  std::vector<SpillBatch> batches = spill_->TakeAll();
  size_t total = 0;
  for (const auto& batch : batches) total += batch.size();
  if (total == 0) return env_.Null();
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env_, total);
  size_t at = 0;
  for (auto& batch : batches) {
    std::memcpy(buffer.Data() + at, batch.data(), batch.size());
    at += batch.size();
    spill_->Recycle(std::move(batch));
  }
  return buffer;  // handed to the caller instead of the callback, so flush() is synchronous
}

void RingPump::SetReferenced(bool referenced) {
  referenced_ = referenced;
  ApplyReferenced();
}

void RingPump::ApplyReferenced() {
  if (!handles_) return;
  auto* handle = reinterpret_cast<uv_handle_t*>(&handles_->async);
  if (referenced_)
    uv_ref(handle);
  else
    uv_unref(handle);
}

void RingPump::Stop() {
  if (drain_) drain_->Stop();  // joins the thread before the handle it signals is closed
  handles_.reset();
  drain_.reset();
  async_context_.reset();
  if (!on_batch_.IsEmpty()) on_batch_.Reset();
  spill_.reset();
  ring_.reset();
}

}  // namespace httpwatcher
