#include "tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "errors.h"
#include "libbpf-log.h"

namespace httpwatcher {

struct Tracer::Handles {
  uv_poll_t poll;
  uv_timer_t timer;
  bool poll_started = false;
  bool timer_started = false;
  int open_handles = 0;
  Tracer* owner = nullptr;
};

namespace {

// The verifier gives up with EAGAIN when a signal is pending, and libbpf retries only a few times:
// a host process under a sampling profiler (SIGPROF every millisecond) could never load. Signals
// that arrive meanwhile are delivered when the mask is restored.
int LoadWithSignalsBlocked(bpf_object* object) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  int err = bpf_object__load(object);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return err;
}

constexpr size_t kRecordAlign = 8;
constexpr uint32_t kCounterSlots = 4;  // enum hw_counter in bpf/httpwatcher.h
constexpr int kStopDrain = -1;         // OnRecord: the batch is full; not an error
// Maps JavaScript may read and write by name (bpf/httpwatcher.bpf.c).
const char* const kSharedMaps[] = {"targets", "watched", "configs", "ignored", "exec_policy"};
// Tracepoints attached for the Tracer's whole life: program name, raw tracepoint.
const char* const kTracepoints[][2] = {{"process_exec", "sched_process_exec"}, {"process_exit", "sched_process_exit"}};

uint32_t ToU32(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 4294967295.0 || d != static_cast<uint32_t>(d))
    throw Napi::RangeError::New(v.Env(), std::string(what) + " must be an unsigned 32-bit integer");
  return static_cast<uint32_t>(d);
}

}  // namespace

Napi::Function Tracer::Define(Napi::Env env) {
  return DefineClass(env, "Tracer",
                     {
                         InstanceMethod<&Tracer::SetTarget>("setTarget"),
                         InstanceMethod<&Tracer::DeleteTarget>("deleteTarget"),
                         InstanceMethod<&Tracer::UpdateElem>("updateElem"),
                         InstanceMethod<&Tracer::DeleteElem>("deleteElem"),
                         InstanceMethod<&Tracer::CountElems>("countElems"),
                         InstanceMethod<&Tracer::AttachUprobe>("attachUprobe"),
                         InstanceMethod<&Tracer::Detach>("detach"),
                         InstanceMethod<&Tracer::Start>("start"),
                         InstanceMethod<&Tracer::Flush>("flush"),
                         InstanceMethod<&Tracer::Counters>("counters"),
                         InstanceMethod<&Tracer::LinkCount>("linkCount"),
                         InstanceMethod<&Tracer::DetachesInFlight>("detachesInFlight"),
                         InstanceMethod<&Tracer::Ref>("ref"),
                         InstanceMethod<&Tracer::Unref>("unref"),
                         InstanceMethod<&Tracer::Close>("close"),
                     });
}

// new Tracer(objectPath, { ringBytes, wakeupBytes, maxTargets, flushIntervalMs })
Tracer::Tracer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tracer>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "new Tracer(objectPath: string, options: object)");
  std::string path = info[0].As<Napi::String>();
  Napi::Object options = info[1].As<Napi::Object>();
  uint32_t ring_bytes = ToU32(options.Get("ringBytes"), "ringBytes");
  uint32_t wakeup_bytes = ToU32(options.Get("wakeupBytes"), "wakeupBytes");
  uint32_t max_targets = ToU32(options.Get("maxTargets"), "maxTargets");
  flush_interval_ms_ = ToU32(options.Get("flushIntervalMs"), "flushIntervalMs");

  ClearLibbpfLog();
  object_ = bpf_object__open_file(path.c_str(), nullptr);
  if (!object_) {
    int e = errno;
    object_ = nullptr;
    throw NativeError(env, "bpf_object__open_file(" + path + ")", e);
  }
  bpf_map* events = bpf_object__find_map_by_name(object_, "events");
  bpf_map* targets = bpf_object__find_map_by_name(object_, "targets");
  bpf_map* counters = bpf_object__find_map_by_name(object_, "counters");
  bpf_map* rodata = bpf_object__find_map_by_name(object_, ".rodata");
  program_ = bpf_object__find_program_by_name(object_, "client_do");
  bool complete = events && targets && counters && rodata && program_;
  for (const char* name : kSharedMaps) complete = complete && bpf_object__find_map_by_name(object_, name);
  for (const auto& tp : kTracepoints) complete = complete && bpf_object__find_program_by_name(object_, tp[0]);
  if (!complete) {
    CloseAll();
    throw NativeError(env, "loading " + path, EINVAL, "the BPF object lacks expected maps or programs");
  }
  ring_bytes_ = ring_bytes;
  int err = bpf_map__set_max_entries(events, ring_bytes);
  if (!err) err = bpf_map__set_max_entries(targets, max_targets);
  size_t rodata_size = 0;
  void* rodata_bytes = bpf_map__initial_value(rodata, &rodata_size);
  if (!err && rodata_bytes && rodata_size >= sizeof(uint64_t)) {
    // .rodata holds only `wakeup_bytes` (const volatile __u64) in bpf/httpwatcher.bpf.c.
    uint64_t v = wakeup_bytes;
    std::memcpy(rodata_bytes, &v, sizeof(v));
  }
  if (err) {
    CloseAll();
    throw NativeError(env, "configuring maps", -err);
  }
  err = LoadWithSignalsBlocked(object_);
  if (err) {
    CloseAll();
    throw NativeError(env, "bpf_object__load", -err,
                      "the kernel refused the BPF program (tracing needs root or CAP_BPF + CAP_PERFMON)");
  }
  targets_fd_ = bpf_map__fd(targets);
  counters_fd_ = bpf_map__fd(counters);
  for (const auto& tp : kTracepoints) {
    ClearLibbpfLog();
    bpf_link* link = bpf_program__attach_raw_tracepoint(bpf_object__find_program_by_name(object_, tp[0]), tp[1]);
    if (!link) {
      int e = errno;
      CloseAll();
      throw NativeError(env, std::string("attaching the ") + tp[1] + " tracepoint", e,
                        "tracing needs root or CAP_BPF + CAP_PERFMON");
    }
    tracepoint_links_.push_back(link);
  }
  ring_ = ring_buffer__new(bpf_map__fd(events), &Tracer::OnRecord, this, nullptr);
  if (!ring_) {
    int e = errno;
    CloseAll();
    throw NativeError(env, "ring_buffer__new", e);
  }
  napi_add_env_cleanup_hook(env, &Tracer::OnEnvCleanup, this);
}

Tracer::~Tracer() {
  if (!closed_) {
    napi_remove_env_cleanup_hook(env_, &Tracer::OnEnvCleanup, this);
    CloseAll();
  }
}

void Tracer::CheckOpen(Napi::Env env) const {
  if (closed_) {
    Napi::Error e = Napi::Error::New(env, "the tracer is closed");
    e.Set("code", Napi::String::New(env, "ERR_CLOSED"));
    throw e;
  }
}

Napi::Value Tracer::SetTarget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t pid = ToU32(info[0], "pid");
  if (!info[1].IsBuffer()) throw Napi::TypeError::New(env, "config must be a Buffer");
  auto config = info[1].As<Napi::Buffer<uint8_t>>();
  bpf_map* targets = bpf_object__find_map_by_name(object_, "targets");
  if (config.Length() != bpf_map__value_size(targets))
    throw Napi::RangeError::New(env, "config is " + std::to_string(config.Length()) +
                                         " bytes; the BPF object expects " +
                                         std::to_string(bpf_map__value_size(targets)));
  if (bpf_map_update_elem(targets_fd_, &pid, config.Data(), BPF_ANY))
    throw NativeError(env, "updating the targets map for pid " + std::to_string(pid), errno);
  return env.Undefined();
}

Napi::Value Tracer::DeleteTarget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t pid = ToU32(info[0], "pid");
  bool existed = bpf_map_delete_elem(targets_fd_, &pid) == 0;
  return Napi::Boolean::New(env, existed);
}

bpf_map* Tracer::SharedMap(Napi::Env env, const Napi::Value& name) const {
  if (!name.IsString()) throw Napi::TypeError::New(env, "map name must be a string");
  std::string wanted = name.As<Napi::String>();
  for (const char* shared : kSharedMaps)
    if (wanted == shared) return bpf_object__find_map_by_name(object_, shared);
  throw Napi::RangeError::New(env, "no shared map named " + wanted);
}

namespace {

Napi::Buffer<uint8_t> SizedBuffer(const Napi::Value& v, size_t size, const char* what) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a Buffer");
  auto buffer = v.As<Napi::Buffer<uint8_t>>();
  if (buffer.Length() != size)
    throw Napi::RangeError::New(v.Env(), std::string(what) + " is " + std::to_string(buffer.Length()) +
                                             " bytes; the BPF map expects " + std::to_string(size));
  return buffer;
}

}  // namespace

// updateElem(map, key, value): bpf_map_update_elem(BPF_ANY) with sizes checked against the map.
Napi::Value Tracer::UpdateElem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  bpf_map* map = SharedMap(env, info[0]);
  auto key = SizedBuffer(info[1], bpf_map__key_size(map), "key");
  auto value = SizedBuffer(info[2], bpf_map__value_size(map), "value");
  if (bpf_map_update_elem(bpf_map__fd(map), key.Data(), value.Data(), BPF_ANY))
    throw NativeError(env, std::string("updating the ") + bpf_map__name(map) + " map", errno);
  return env.Undefined();
}

// deleteElem(map, key) -> false when the key was not there.
Napi::Value Tracer::DeleteElem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  bpf_map* map = SharedMap(env, info[0]);
  auto key = SizedBuffer(info[1], bpf_map__key_size(map), "key");
  return Napi::Boolean::New(env, bpf_map_delete_elem(bpf_map__fd(map), key.Data()) == 0);
}

// countElems(map): live entries of a hash map (walks its keys), or max_entries for an array.
Napi::Value Tracer::CountElems(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  bpf_map* map = SharedMap(env, info[0]);
  std::vector<uint8_t> key(bpf_map__key_size(map)), next(bpf_map__key_size(map));
  uint32_t n = 0;
  const void* at = nullptr;
  while (bpf_map_get_next_key(bpf_map__fd(map), at, next.data()) == 0) {
    n++;
    key.swap(next);
    at = key.data();
  }
  return Napi::Number::New(env, n);
}

// attachUprobe(binaryPath, fileOffset, pid, cookie, program?) -> Promise<link id>. pid -1 traces
// every process of the file. The kernel's uprobe registration runs on libuv's thread pool: it can
// wait for an earlier unregistration of the same file offset to finish its RCU grace period
// (seen: 90-440 ms), which on the JavaScript thread would stall event delivery that long.
class Tracer::AttachWorker : public Napi::AsyncWorker {
 public:
  AttachWorker(Napi::Object receiver, Tracer* tracer, bpf_program* program, std::string binary, size_t offset, int pid,
               uint64_t cookie)
      : Napi::AsyncWorker(receiver.Env()),
        receiver_(Napi::Persistent(receiver)),
        deferred_(Napi::Promise::Deferred::New(receiver.Env())),
        tracer_(tracer),
        program_(program),
        binary_(std::move(binary)),
        offset_(offset),
        pid_(pid),
        cookie_(cookie) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    // Never a uretprobe: Go moves goroutine stacks, and a rewritten return address kills the program.
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = cookie_, .retprobe = false);
    link_ = bpf_program__attach_uprobe_opts(program_, pid_, binary_.c_str(), offset_, &opts);
    if (!link_) error_ = errno;
    std::lock_guard<std::mutex> lock(tracer_->attach_mutex_);
    if (--tracer_->attaches_in_flight_ == 0) tracer_->attach_idle_.notify_all();
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (tracer_->closed_) {
      if (link_) tracer_->reaper_.Destroy(link_);
      Napi::Error e = Napi::Error::New(env, "the tracer was closed while attaching");
      e.Set("code", Napi::String::New(env, "ERR_CLOSED"));
      deferred_.Reject(e.Value());
      return;
    }
    if (!link_) {
      deferred_.Reject(NativeError(env, "attaching a uprobe to " + binary_, error_).Value());
      return;
    }
    uint32_t id = tracer_->next_link_id_++;
    tracer_->links_[id] = link_;
    deferred_.Resolve(Napi::Number::New(env, id));
  }

 private:
  Napi::ObjectReference receiver_;  // the JavaScript Tracer: keeps tracer_ alive until OnOK
  Napi::Promise::Deferred deferred_;
  Tracer* tracer_;
  bpf_program* program_;
  std::string binary_;
  size_t offset_;
  int pid_;
  uint64_t cookie_;
  bpf_link* link_ = nullptr;
  int error_ = 0;
};

Napi::Value Tracer::AttachUprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "binaryPath must be a string");
  std::string binary = info[0].As<Napi::String>();
  double offset = info[1].As<Napi::Number>().DoubleValue();
  int pid = info[2].As<Napi::Number>().Int32Value();
  uint64_t cookie = info.Length() > 3 ? ToU32(info[3], "cookie") : 0;
  if (offset < 0 || offset > 9007199254740991.0) throw Napi::RangeError::New(env, "bad file offset");
  // Optional program: the entry probe (default) or the one placed on each return instruction.
  bpf_program* program = program_;
  if (info.Length() > 4 && !info[4].IsUndefined()) {
    std::string name = info[4].IsString() ? info[4].As<Napi::String>().Utf8Value() : "";
    if (name != "client_do" && name != "client_do_return")
      throw Napi::TypeError::New(env, "program must be \"client_do\" or \"client_do_return\"");
    program = bpf_object__find_program_by_name(object_, name.c_str());
    if (!program) throw NativeError(env, "loading " + name, EINVAL, "the BPF object lacks this program");
  }
  ClearLibbpfLog();
  auto* worker = new AttachWorker(info.This().As<Napi::Object>(), this, program, std::move(binary),
                                  static_cast<size_t>(offset), pid, cookie);
  {
    std::lock_guard<std::mutex> lock(attach_mutex_);
    attaches_in_flight_++;
  }
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Tracer::Detach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t id = ToU32(info[0], "linkId");
  auto it = links_.find(id);
  if (it == links_.end()) return Napi::Boolean::New(env, false);
  reaper_.Destroy(it->second);
  links_.erase(it);
  return Napi::Boolean::New(env, true);
}

Napi::Value Tracer::DetachesInFlight(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(reaper_.Pending()));
}

Napi::Value Tracer::LinkCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(links_.size()));
}

// start(onBatch): records arrive as one Buffer per drain: [u32 size][record][pad to 8] ...
Napi::Value Tracer::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  if (handles_) throw Napi::Error::New(env, "start() was already called");
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "onBatch must be a function");
  on_batch_ = Napi::Persistent(info[0].As<Napi::Function>());
  async_context_ = new Napi::AsyncContext(env, "httpwatcher:ring");

  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  handles_ = new Handles();
  handles_->owner = this;
  uv_poll_init(loop, &handles_->poll, ring_buffer__epoll_fd(ring_));
  handles_->poll.data = handles_;
  handles_->open_handles++;
  uv_timer_init(loop, &handles_->timer);
  handles_->timer.data = handles_;
  handles_->open_handles++;
  uv_poll_start(&handles_->poll, UV_READABLE, &Tracer::OnPoll);
  handles_->poll_started = true;
  // The ring is written without wakeups below `wakeup_bytes`; this timer bounds latency.
  uv_timer_start(&handles_->timer, &Tracer::OnTimer, flush_interval_ms_, flush_interval_ms_);
  handles_->timer_started = true;
  ApplyReferenced();
  return env.Undefined();
}

int Tracer::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<Tracer*>(ctx);
  uint32_t size32 = static_cast<uint32_t>(size);
  size_t start = self->batch_.size();
  size_t padded = (sizeof(size32) + size + kRecordAlign - 1) & ~(kRecordAlign - 1);
  self->batch_.resize(start + padded);
  std::memcpy(self->batch_.data() + start, &size32, sizeof(size32));
  std::memcpy(self->batch_.data() + start + sizeof(size32), data, size);
  // libbpf stops consuming only on a negative return; it has already advanced past this record.
  return self->batch_.size() >= self->batch_limit_ ? kStopDrain : 0;
}

void Tracer::Drain(size_t limit_bytes) {
  if (closed_ || !ring_) return;
  batch_limit_ = limit_bytes;
  ring_buffer__consume(ring_);
}

void Tracer::Deliver(Napi::Env env) {
  if (batch_.empty() || on_batch_.IsEmpty() || delivering_) return;
  delivering_ = true;
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(env, batch_.data(), batch_.size());
  batch_.clear();
  on_batch_.MakeCallback(env.Global(), {buffer}, *async_context_);
  delivering_ = false;
}

void Tracer::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* handles = static_cast<Handles*>(handle->data);
  Tracer* self = handles->owner;
  if (!self || self->closed_) return;
  // The ring's epoll fd is level-triggered: whatever this drain leaves behind wakes us again.
  Napi::HandleScope scope(self->env_);
  self->Drain(kMaxBatchBytes);
  self->Deliver(self->env_);
}

void Tracer::OnTimer(uv_timer_t* handle) {
  auto* handles = static_cast<Handles*>(handle->data);
  Tracer* self = handles->owner;
  if (!self || self->closed_) return;
  Napi::HandleScope scope(self->env_);
  self->Drain(kMaxBatchBytes);
  self->Deliver(self->env_);
}

Napi::Value Tracer::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  // Everything already in the ring, and no more than a ring's worth if the producers keep writing.
  Drain(ring_bytes_ + kMaxBatchBytes);
  if (batch_.empty()) return env.Null();
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(env, batch_.data(), batch_.size());
  batch_.clear();
  return buffer;  // handed to the caller instead of the callback, so flush() is synchronous
}

Napi::Value Tracer::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) throw NativeError(env, "libbpf_num_possible_cpus", -ncpus);
  std::vector<uint64_t> values(static_cast<size_t>(ncpus));
  Napi::Array result = Napi::Array::New(env, kCounterSlots);
  for (uint32_t key = 0; key < kCounterSlots; key++) {
    if (bpf_map_lookup_elem(counters_fd_, &key, values.data())) throw NativeError(env, "reading counters", errno);
    uint64_t sum = 0;
    for (uint64_t v : values) sum += v;
    result.Set(key, Napi::Number::New(env, static_cast<double>(sum)));
  }
  return result;
}

// Whether the ring's poll and timer handles keep the Node.js process alive.
void Tracer::ApplyReferenced() {
  if (!handles_ || closed_) return;
  for (auto* handle :
       {reinterpret_cast<uv_handle_t*>(&handles_->poll), reinterpret_cast<uv_handle_t*>(&handles_->timer)}) {
    if (referenced_)
      uv_ref(handle);
    else
      uv_unref(handle);
  }
}

Napi::Value Tracer::Ref(const Napi::CallbackInfo& info) {
  referenced_ = true;
  ApplyReferenced();
  return info.Env().Undefined();
}

Napi::Value Tracer::Unref(const Napi::CallbackInfo& info) {
  referenced_ = false;
  ApplyReferenced();
  return info.Env().Undefined();
}

Napi::Value Tracer::Close(const Napi::CallbackInfo& info) {
  if (!closed_) {
    napi_remove_env_cleanup_hook(env_, &Tracer::OnEnvCleanup, this);
    CloseAll();
  }
  return info.Env().Undefined();
}

void Tracer::OnEnvCleanup(void* arg) { static_cast<Tracer*>(arg)->CloseAll(); }

// Teardown order: detach the exec/exit tracepoints first (an exec tracepoint left running while
// the rest is torn down could hold a process whose record nobody reads), stop delivery, free the
// ring, detach every uprobe, close the object.
void Tracer::CloseAll() {
  closed_ = true;
  for (bpf_link* link : tracepoint_links_) bpf_link__destroy(link);
  tracepoint_links_.clear();
  if (handles_) {
    Handles* h = handles_;
    handles_ = nullptr;
    h->owner = nullptr;
    auto on_closed = [](uv_handle_t* handle) {
      auto* hs = static_cast<Handles*>(handle->data);
      if (--hs->open_handles == 0) delete hs;
    };
    if (h->poll_started) uv_poll_stop(&h->poll);
    if (h->timer_started) uv_timer_stop(&h->timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&h->timer), on_closed);
  }
  if (ring_) {
    ring_buffer__free(ring_);
    ring_ = nullptr;
  }
  for (auto& [id, link] : links_) reaper_.Destroy(link);
  links_.clear();
  {
    // An attach on the thread pool still uses the object's program; its link is freed when it reports.
    std::unique_lock<std::mutex> lock(attach_mutex_);
    attach_idle_.wait(lock, [this] { return attaches_in_flight_ == 0; });
  }
  reaper_.Wait();  // in parallel: one grace period for all, not one each
  if (object_) {
    bpf_object__close(object_);
    object_ = nullptr;
  }
  program_ = nullptr;
  targets_fd_ = counters_fd_ = -1;
  if (async_context_) {
    delete async_context_;
    async_context_ = nullptr;
  }
  if (!on_batch_.IsEmpty()) on_batch_.Reset();
  batch_.clear();
  batch_.shrink_to_fit();
}

}  // namespace httpwatcher
