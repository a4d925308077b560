// Entry point of the httpwatcher native addon: exposes the Tracer class and build facts.
#include <bpf/libbpf.h>
#include <napi.h>

#include <cstddef>

#include "kernel-features.h"
#include "libbpf-log.h"
#include "object-names.h"
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  httpwatcher::InstallLibbpfLogCapture();
  exports.Set("Tracer", httpwatcher::Tracer::Define(env));
  exports.Set("libbpfVersion", Napi::String::New(env, libbpf_version_string()));
  exports.Set("objectNames", ObjectNames(env));
  exports.Set("kernelFeatures", Napi::Function::New(env, httpwatcher::KernelFeatures, "kernelFeatures"));
  return exports;
}

}  // namespace

NODE_API_MODULE(httpwatcher_native, Init)
