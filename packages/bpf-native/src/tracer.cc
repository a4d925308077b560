#include "tracer.h"

#include <malloc.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "arguments.h"
#include "errors.h"
#include "held-processes.h"
#include "object-maps.h"
#include "object-names.h"

namespace httpwatcher {

Napi::Function Tracer::Define(Napi::Env env) {
  return DefineClass(env, "Tracer",
                     {
                         InstanceMethod<&Tracer::SetTraced>("setTraced"),
                         InstanceMethod<&Tracer::DeleteTraced>("deleteTraced"),
                         InstanceMethod<&Tracer::UpdateElem>("updateElem"),
                         InstanceMethod<&Tracer::DeleteElem>("deleteElem"),
                         InstanceMethod<&Tracer::CountElems>("countElems"),
                         InstanceMethod<&Tracer::HeldMapFd>("heldMapFd"),
                         InstanceMethod<&Tracer::ResumeHeld>("resumeHeld"),
                         InstanceMethod<&Tracer::ResumeAllHeld>("resumeAllHeld"),
                         InstanceMethod<&Tracer::WatchGuardian>("watchGuardian"),
                         InstanceMethod<&Tracer::AttachUprobe>("attachUprobe"),
                         InstanceMethod<&Tracer::Detach>("detach"),
                         InstanceMethod<&Tracer::Start>("start"),
                         InstanceMethod<&Tracer::Flush>("flush"),
                         InstanceMethod<&Tracer::Counters>("counters"),
                         InstanceMethod<&Tracer::LinkCount>("linkCount"),
                         InstanceMethod<&Tracer::DetachesInFlight>("detachesInFlight"),
                         InstanceMethod<&Tracer::Ref>("ref"),
                         InstanceMethod<&Tracer::Unref>("unref"),
                         InstanceMethod<&Tracer::ReleaseFreeMemory>("releaseFreeMemory"),
                         InstanceMethod<&Tracer::SpillPeakBytes>("spillPeakBytes"),
                         InstanceMethod<&Tracer::Close>("close"),
                     });
}

// new Tracer(objectPath, { ringBytes, wakeupBytes, spillBytes, maxProcesses, maxBinaries, maxUntraceable,
//   flushIntervalMs })
Tracer::Tracer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tracer>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  std::string path = ToString(info[0], "objectPath");
  Napi::Object options = ToObject(info[1], "options");
  ObjectSizes sizes{};
  sizes.ring_bytes = ToU32(options.Get("ringBytes"), "ringBytes");
  sizes.wakeup_bytes = ToU32(options.Get("wakeupBytes"), "wakeupBytes");
  sizes.max_processes = ToU32(options.Get("maxProcesses"), "maxProcesses");
  sizes.max_binaries = ToU32(options.Get("maxBinaries"), "maxBinaries");
  sizes.max_untraceable = ToU32(options.Get("maxUntraceable"), "maxUntraceable");
  uint32_t spill_bytes = ToU32(options.Get("spillBytes"), "spillBytes");
  uint32_t flush_interval_ms = ToU32(options.Get("flushIntervalMs"), "flushIntervalMs");

  object_ = std::make_unique<LoadedObject>(env, path, sizes);
  pump_ = std::make_unique<RingPump>(env, bpf_map__fd(object_->Map(kEventsMap)), sizes.ring_bytes, spill_bytes,
                                     flush_interval_ms);
  napi_add_env_cleanup_hook(env, &Tracer::OnEnvCleanup, this);
}

Tracer::~Tracer() { CloseAndUnhook(); }

void Tracer::CheckOpen(Napi::Env env) const {
  if (closed_) throw ClosedError(env, "the tracer is closed");
}

// setTraced(pid, traced): a struct hw_traced for a host PID into the `traced_procs` map.
Napi::Value Tracer::SetTraced(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t pid = ToU32(info[0], "pid");
  bpf_map* traced_procs = object_->Map(kTracedProcsMap);
  auto traced = ToSizedBuffer(info[1], bpf_map__value_size(traced_procs), "traced");
  httpwatcher::UpdateElem(env, traced_procs, &pid, traced.Data(),
                          "the traced_procs map for pid " + std::to_string(pid));
  return env.Undefined();
}

Napi::Value Tracer::DeleteTraced(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t pid = ToU32(info[0], "pid");
  return Napi::Boolean::New(env, httpwatcher::DeleteElem(object_->Map(kTracedProcsMap), &pid));
}

// updateElem(map, key, value): sizes checked against the map.
Napi::Value Tracer::UpdateElem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  bpf_map* map = SharedMap(*object_, info[0]);
  auto key = ToSizedBuffer(info[1], bpf_map__key_size(map), "key");
  auto value = ToSizedBuffer(info[2], bpf_map__value_size(map), "value");
  httpwatcher::UpdateElem(env, map, key.Data(), value.Data(), std::string("the ") + bpf_map__name(map) + " map");
  return env.Undefined();
}

// deleteElem(map, key) -> false when the key was not there.
Napi::Value Tracer::DeleteElem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  bpf_map* map = SharedMap(*object_, info[0]);
  auto key = ToSizedBuffer(info[1], bpf_map__key_size(map), "key");
  return Napi::Boolean::New(env, httpwatcher::DeleteElem(map, key.Data()));
}

Napi::Value Tracer::CountElems(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  return Napi::Number::New(env, httpwatcher::CountElems(SharedMap(*object_, info[0])));
}

// heldMapFd() -> the `held` map's descriptor, for the hold guardian to inherit (it stays owned here).
Napi::Value Tracer::HeldMapFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  return Napi::Number::New(env, bpf_map__fd(object_->Map(kHeldMap)));
}

// resumeHeld(pid) -> 'resumed' | 'not-held' | 'gone': takes the pid's `held` entry, then resumes
// the process if its start time is still the recorded one.
Napi::Value Tracer::ResumeHeld(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t pid = ToU32(info[0], "pid");
  switch (hw_resume_held(bpf_map__fd(object_->Map(kHeldMap)), pid)) {
    case HW_RESUMED:
      return Napi::String::New(env, "resumed");
    case HW_RESUME_NOT_HELD:
      return Napi::String::New(env, "not-held");
    case HW_RESUME_GONE:
      return Napi::String::New(env, "gone");
    case HW_RESUME_FAILED:
      break;
  }
  int e = errno;
  throw NativeError(env, "resuming held pid " + std::to_string(pid), e);
}

// resumeAllHeld() -> how many held processes were resumed (each checked as resumeHeld does).
Napi::Value Tracer::ResumeAllHeld(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  hw_sweep_counts counts = hw_sweep_held(bpf_map__fd(object_->Map(kHeldMap)), UINT64_MAX);
  return Napi::Number::New(env, counts.resumed);
}

// watchGuardian(pid): if the hold guardian `pid` exits before close(), holding stops and every held
// process is resumed from the addon's own thread (guardian-watch.h).
Napi::Value Tracer::WatchGuardian(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t pid = ToU32(info[0], "pid");
  int e = guardian_watch_.Watch(static_cast<int>(pid), bpf_map__fd(object_->Map(kHeldMap)),
                                bpf_map__fd(object_->Map(kExecPolicyMap)));
  if (e != 0) throw NativeError(env, "watching the hold guardian, pid " + std::to_string(pid), e);
  return env.Undefined();
}

// attachUprobe(binaryPath, fileOffset, pid, cookie?, program?) -> Promise<link id>. pid -1 traces
// every process of the file.
Napi::Value Tracer::AttachUprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  UprobeSite site;
  site.binary = ToString(info[0], "binaryPath");
  site.offset = ToFileOffset(info[1], "fileOffset");
  site.pid = ToPid(info[2], "pid");
  site.cookie = info[3].IsUndefined() ? 0 : ToU32(info[3], "cookie");
  // The entry probe (default) or the one placed on each return instruction.
  std::string program = info[4].IsUndefined() ? kEntryProgram : ToName(info[4], kUprobePrograms, "program");
  return links_.Attach(info.This().As<Napi::Object>(), object_->Program(program.c_str()), std::move(site));
}

Napi::Value Tracer::Detach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  return Napi::Boolean::New(env, links_.Detach(ToU32(info[0], "linkId")));
}

Napi::Value Tracer::LinkCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(links_.Count()));
}

Napi::Value Tracer::DetachesInFlight(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(links_.DetachesInFlight()));
}

// start(onBatch): records arrive as one Buffer per drain: [u32 size][u32 shape id][record][pad to 8] ...
Napi::Value Tracer::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  pump_->Start(ToFunction(info[0], "onBatch"));
  return env.Undefined();
}

Napi::Value Tracer::Flush(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  return pump_->Flush();
}

Napi::Value Tracer::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  std::vector<uint64_t> sums = SumCounters(env, *object_);
  Napi::Array result = Napi::Array::New(env, sums.size());
  for (uint32_t i = 0; i < sums.size(); i++) result.Set(i, Napi::Number::New(env, static_cast<double>(sums[i])));
  return result;
}

Napi::Value Tracer::Ref(const Napi::CallbackInfo& info) {
  if (!closed_) pump_->SetReferenced(true);
  return info.Env().Undefined();
}

Napi::Value Tracer::Unref(const Napi::CallbackInfo& info) {
  if (!closed_) pump_->SetReferenced(false);
  return info.Env().Undefined();
}

// glibc keeps what a thread freed in that thread's arena, resident, after the thread has exited;
// malloc_trim(0) returns the free pages of every arena (glibc 2.8 and later). Other C libraries
// have no such call.
Napi::Value Tracer::ReleaseFreeMemory(const Napi::CallbackInfo& info) {
#ifdef __GLIBC__
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Value Tracer::SpillPeakBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(closed_ ? spill_peak_at_close_ : pump_->SpillPeakBytes()));
}

Napi::Value Tracer::Close(const Napi::CallbackInfo& info) {
  CloseAndUnhook();
  return info.Env().Undefined();
}

// Closing before the environment goes away: its cleanup hook must not run on a freed Tracer.
void Tracer::CloseAndUnhook() {
  if (closed_) return;
  napi_remove_env_cleanup_hook(env_, &Tracer::OnEnvCleanup, this);
  CloseAll();
}

// The environment is going away with the tracer open: the hook is removed by running.
void Tracer::OnEnvCleanup(void* arg) { static_cast<Tracer*>(arg)->CloseAll(); }

// Teardown order: end the guardian watch, detach the exec/exit tracepoints, stop delivery and free
// the ring, detach every uprobe (waiting for attaches in flight), then close the object.
void Tracer::CloseAll() {
  if (closed_) return;
  closed_ = true;
  guardian_watch_.Stop();  // the guardian's exit from now on is the stop close() asks for
  object_->DetachLifecycle();
  spill_peak_at_close_ = pump_->SpillPeakBytes();
  pump_->Stop();
  links_.Close();
  object_.reset();
}

}  // namespace httpwatcher
