// Entry point of the httpwatcher native addon: exposes the Tracer class and build facts.
#include <bpf/libbpf.h>
#include <malloc.h>
#include <napi.h>

#include <cstddef>

#include "arguments.h"
#include "kernel-features.h"
#include "libbpf-log.h"
#include "object-names.h"
#include "pipe-capacity.h"
#include "tracer.h"

namespace {

template <size_t N>
Napi::Array Strings(Napi::Env env, const char* const (&names)[N]) {
  Napi::Array array = Napi::Array::New(env, N);
  for (size_t i = 0; i < N; i++) array.Set(static_cast<uint32_t>(i), Napi::String::New(env, names[i]));
  return array;
}

// The names the addon looks up in the BPF object (bpf/httpwatcher.h), for tests that compare them
// with the object and with the TypeScript side.
Napi::Object ObjectNames(Napi::Env env) {
  using namespace httpwatcher;
  Napi::Object names = Napi::Object::New(env);
  names.Set("maps", Strings(env, kMaps));
  names.Set("sharedMaps", Strings(env, kSharedMaps));
  names.Set("uprobePrograms", Strings(env, kUprobePrograms));
  names.Set("lifecyclePrograms", Strings(env, kLifecyclePrograms));
  names.Set("entryProgram", Napi::String::New(env, kEntryProgram));
  names.Set("counterCount", Napi::Number::New(env, kCounterCount));
  return names;
}

// limitMallocRetention(mmapThresholdBytes, trimThresholdBytes): glibc raises both thresholds as
// large blocks are freed (up to 32 and 64 MiB), after which a thread's arena keeps that much freed
// memory resident; the binary analysis worker left 0-8 MB behind, by chance. Fixed values stop that
// for the whole process. False without glibc.
Napi::Value LimitMallocRetention(const Napi::CallbackInfo& info) {
  uint32_t mmap_threshold = httpwatcher::ToU32(info[0], "mmapThresholdBytes");
  uint32_t trim_threshold = httpwatcher::ToU32(info[1], "trimThresholdBytes");
#ifdef __GLIBC__
  bool set = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) == 1 &&
             mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold)) == 1;
  return Napi::Boolean::New(info.Env(), set);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  httpwatcher::InstallLibbpfLogCapture();
  exports.Set("Tracer", httpwatcher::Tracer::Define(env));
  exports.Set("libbpfVersion", Napi::String::New(env, libbpf_version_string()));
  exports.Set("objectNames", ObjectNames(env));
  exports.Set("kernelFeatures", Napi::Function::New(env, httpwatcher::KernelFeatures, "kernelFeatures"));
  exports.Set("growPipe", Napi::Function::New(env, httpwatcher::GrowPipe, "growPipe"));
  exports.Set("limitMallocRetention", Napi::Function::New(env, LimitMallocRetention, "limitMallocRetention"));
  return exports;
}

}  // namespace

NODE_API_MODULE(httpwatcher_native, Init)
