#include "ring-pump.h"

#include <cstring>
#include <exception>

#include "errors.h"

namespace httpwatcher {
namespace {

constexpr size_t kRecordAlign = 8;

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
  uv_poll_t poll;
  uv_timer_t timer;
  bool poll_open = false;
  bool timer_open = false;
  int closing = 0;  // close callbacks still to come
  RingPump* owner = nullptr;
};

// uv_close is asynchronous: the handles' memory must outlive both close callbacks, and the pump
// may be gone by then, so the last callback frees it.
void RingPump::HandlesCloser::operator()(Handles* handles) const {
  handles->owner = nullptr;
  handles->closing = handles->poll_open + handles->timer_open;
  if (handles->closing == 0) {
    delete handles;
    return;
  }
  auto on_closed = [](uv_handle_t* handle) {
    auto* hs = static_cast<Handles*>(handle->data);
    if (--hs->closing == 0) delete hs;
  };
  if (handles->poll_open) uv_close(reinterpret_cast<uv_handle_t*>(&handles->poll), on_closed);
  if (handles->timer_open) uv_close(reinterpret_cast<uv_handle_t*>(&handles->timer), on_closed);
}

RingPump::RingPump(Napi::Env env, int ring_fd, size_t ring_bytes, uint32_t flush_interval_ms)
    : env_(env), ring_bytes_(ring_bytes), flush_interval_ms_(flush_interval_ms) {
  ring_ = std::make_unique<RingReader>(env, ring_fd, ring_bytes);
}

void RingPump::Start(Napi::Function on_batch) {
  if (handles_) throw Napi::Error::New(env_, "start() was already called");
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env_, &loop);
  std::unique_ptr<Handles, HandlesCloser> handles(new Handles());
  handles->owner = this;
  uv_timer_init(loop, &handles->timer);
  handles->timer.data = handles.get();
  handles->timer_open = true;
  int err = uv_poll_init(loop, &handles->poll, ring_->fd());
  if (err) throw NativeError(env_, "uv_poll_init", -err);
  handles->poll.data = handles.get();
  handles->poll_open = true;

  on_batch_ = Napi::Persistent(on_batch);
  async_context_ = std::make_unique<Napi::AsyncContext>(env_, "httpwatcher:ring");
  // The ring's fd is level-triggered: whatever a drain leaves behind wakes the poll again.
  uv_poll_start(&handles->poll, UV_READABLE,
                [](uv_poll_t* poll, int status, int events) { Pump(static_cast<Handles*>(poll->data)); });
  // The ring is written without wakeups below `wakeup_bytes`; this timer bounds latency.
  uv_timer_start(
      &handles->timer, [](uv_timer_t* timer) { Pump(static_cast<Handles*>(timer->data)); }, flush_interval_ms_,
      flush_interval_ms_);
  handles_ = std::move(handles);
  ApplyReferenced();
}

// The one handler of the poll and the timer. Nothing thrown here may leave it (see ReportUncaught):
// an exception from onBatch is reported, and delivery goes on with the next batch.
void RingPump::Pump(Handles* handles) {
  RingPump* self = handles->owner;
  if (!self) return;
  napi_env env = self->env_;
  Napi::HandleScope scope(self->env_);
  try {
    self->Drain(kMaxBatchBytes);
    self->Deliver();
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  } catch (const std::exception& error) {
    ReportUncaught(env, error.what());
  }
}

bool RingPump::OnRecord(const RecordPieces& record) {
  uint32_t size32 = static_cast<uint32_t>(record.size());
  size_t start = batch_.size();
  size_t padded = (sizeof(size32) + record.size() + kRecordAlign - 1) & ~(kRecordAlign - 1);
  batch_.resize(start + padded);
  uint8_t* out = batch_.data() + start;
  std::memcpy(out, &size32, sizeof(size32));
  std::memcpy(out + sizeof(size32), record.first, record.first_size);
  if (record.second_size) std::memcpy(out + sizeof(size32) + record.first_size, record.second, record.second_size);
  return batch_.size() < batch_limit_;  // a full batch stops the drain after this record
}

void RingPump::Drain(size_t limit_bytes) {
  if (!ring_) return;
  batch_limit_ = limit_bytes;
  ring_->Consume([this](const RecordPieces& record) { return OnRecord(record); });
}

void RingPump::Deliver() {
  if (batch_.empty() || on_batch_.IsEmpty() || delivering_) return;
  delivering_ = true;
  struct Delivering {
    bool& flag;
    ~Delivering() { flag = false; }  // also when onBatch throws
  } delivering{delivering_};
  Napi::Buffer<uint8_t> buffer = TakeBatch();
  on_batch_.MakeCallback(env_.Global(), {buffer}, *async_context_);
}

Napi::Buffer<uint8_t> RingPump::TakeBatch() {
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(env_, batch_.data(), batch_.size());
  batch_.clear();
  return buffer;
}

Napi::Value RingPump::Flush() {
  // Everything already in the ring, and no more than a ring's worth if the producers keep writing.
  Drain(ring_bytes_ + kMaxBatchBytes);
  if (batch_.empty()) return env_.Null();
  return TakeBatch();  // handed to the caller instead of the callback, so flush() is synchronous
}

void RingPump::SetReferenced(bool referenced) {
  referenced_ = referenced;
  ApplyReferenced();
}

void RingPump::ApplyReferenced() {
  if (!handles_) return;
  for (auto* handle :
       {reinterpret_cast<uv_handle_t*>(&handles_->poll), reinterpret_cast<uv_handle_t*>(&handles_->timer)}) {
    if (referenced_)
      uv_ref(handle);
    else
      uv_unref(handle);
  }
}

void RingPump::Stop() {
  handles_.reset();
  ring_.reset();
  async_context_.reset();
  if (!on_batch_.IsEmpty()) on_batch_.Reset();
  batch_.clear();
  batch_.shrink_to_fit();
}

}  // namespace httpwatcher
