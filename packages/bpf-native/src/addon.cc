// Entry point of the httpwatcher native addon: exposes the Tracer class and build facts.
#include <bpf/libbpf.h>
#include <napi.h>

#include "libbpf-log.h"
#include "tracer.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  httpwatcher::InstallLibbpfLogCapture();
  exports.Set("Tracer", httpwatcher::Tracer::Define(env));
  exports.Set("libbpfVersion", Napi::String::New(env, libbpf_version_string()));
  return exports;
}

}  // namespace

NODE_API_MODULE(httpwatcher_native, Init)
