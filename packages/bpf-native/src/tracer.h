// The JavaScript Tracer: one loaded BPF object (loaded-object.h), its maps (object-maps.h), the
// uprobe links it owns (uprobe-links.h), the ring buffer it delivers to JavaScript in batches
// (ring-pump.h) and the watch on its hold guardian (guardian-watch.h). Its methods read their
// arguments (arguments.h) and delegate.
#pragma once
#include <napi.h>

#include <memory>

#include "guardian-watch.h"
#include "loaded-object.h"
#include "ring-pump.h"
#include "uprobe-links.h"

namespace httpwatcher {

class Tracer : public Napi::ObjectWrap<Tracer> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Tracer(const Napi::CallbackInfo& info);
  ~Tracer() override;

 private:
  Napi::Value SetTraced(const Napi::CallbackInfo& info);
  Napi::Value DeleteTraced(const Napi::CallbackInfo& info);
  Napi::Value UpdateElem(const Napi::CallbackInfo& info);
  Napi::Value DeleteElem(const Napi::CallbackInfo& info);
  Napi::Value CountElems(const Napi::CallbackInfo& info);
  Napi::Value HeldMapFd(const Napi::CallbackInfo& info);
  Napi::Value ResumeHeld(const Napi::CallbackInfo& info);
  Napi::Value ResumeAllHeld(const Napi::CallbackInfo& info);
  Napi::Value WatchGuardian(const Napi::CallbackInfo& info);
  Napi::Value AttachUprobe(const Napi::CallbackInfo& info);
  Napi::Value Detach(const Napi::CallbackInfo& info);
  Napi::Value LinkCount(const Napi::CallbackInfo& info);
  Napi::Value DetachesInFlight(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value ReleaseFreeMemory(const Napi::CallbackInfo& info);
  Napi::Value SpillPeakBytes(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void CheckOpen(Napi::Env env) const;
  void CloseAndUnhook();
  void CloseAll();
  static void OnEnvCleanup(void* arg);

  Napi::Env env_;
  // Declared before what uses it, so that members are destroyed users first (the object last)
  // when the constructor throws halfway; CloseAll orders the teardown of an open tracer.
  std::unique_ptr<LoadedObject> object_;
  UprobeLinks links_;  // lives as long as this object: attaches that settle after close() report to it
  std::unique_ptr<RingPump> pump_;
  size_t spill_peak_at_close_ = 0;
  GuardianWatch guardian_watch_;  // uses the object's maps: stopped first by CloseAll, destroyed before it
  bool closed_ = false;
};

}  // namespace httpwatcher
