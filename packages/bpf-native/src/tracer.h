// One loaded BPF object: the `targets` map user space fills per traced process, the lifecycle maps
// (watched binaries, their layouts, ignored binaries, exec policy), the uprobe links it owns, the
// exec/exit tracepoint links, and the ring buffer it drains into JavaScript in batches.
#pragma once
#include <napi.h>
#include <uv.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "link-reaper.h"

struct bpf_object;
struct bpf_map;
struct bpf_program;
struct bpf_link;
struct ring_buffer;

namespace httpwatcher {

class Tracer : public Napi::ObjectWrap<Tracer> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Tracer(const Napi::CallbackInfo& info);
  ~Tracer() override;

 private:
  struct Handles;  // libuv handles; outlive this object until their close callbacks run

  Napi::Value SetTarget(const Napi::CallbackInfo& info);
  Napi::Value DeleteTarget(const Napi::CallbackInfo& info);
  Napi::Value UpdateElem(const Napi::CallbackInfo& info);
  Napi::Value DeleteElem(const Napi::CallbackInfo& info);
  Napi::Value CountElems(const Napi::CallbackInfo& info);
  Napi::Value AttachUprobe(const Napi::CallbackInfo& info);
  class AttachWorker;  // attachUprobe's kernel work, on libuv's thread pool
  Napi::Value Detach(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value LinkCount(const Napi::CallbackInfo& info);
  Napi::Value DetachesInFlight(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void CheckOpen(Napi::Env env) const;
  void ApplyReferenced();
  bpf_map* SharedMap(Napi::Env env, const Napi::Value& name) const;
  void Drain(size_t limit_bytes);
  void Deliver(Napi::Env env);
  void CloseAll();
  static int OnRecord(void* ctx, void* data, size_t size);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnTimer(uv_timer_t* handle);
  static void OnEnvCleanup(void* arg);

  Napi::Env env_;
  bpf_object* object_ = nullptr;
  bpf_program* program_ = nullptr;
  int targets_fd_ = -1;
  int counters_fd_ = -1;
  ring_buffer* ring_ = nullptr;
  std::map<uint32_t, bpf_link*> links_;
  std::vector<bpf_link*> tracepoint_links_;  // exec and exit, for the Tracer's whole life
  LinkReaper reaper_;
  // Attaches running on the thread pool: the object must outlive them (CloseAll waits).
  std::mutex attach_mutex_;
  std::condition_variable attach_idle_;
  int attaches_in_flight_ = 0;
  uint32_t next_link_id_ = 1;
  Handles* handles_ = nullptr;
  Napi::FunctionReference on_batch_;
  Napi::AsyncContext* async_context_ = nullptr;
  std::vector<uint8_t> batch_;
  // A drain stops at this many bytes: one callback decodes a bounded batch, and the event loop
  // turns between batches (the ring's fd stays readable, so the rest comes on the next turn).
  static constexpr size_t kMaxBatchBytes = 256 << 10;
  size_t batch_limit_ = kMaxBatchBytes;
  size_t ring_bytes_ = 0;
  uint32_t flush_interval_ms_ = 50;
  bool closed_ = false;
  bool delivering_ = false;
  bool referenced_ = true;
};

}  // namespace httpwatcher
