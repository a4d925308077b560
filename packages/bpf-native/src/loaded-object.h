// The BPF object loaded into the kernel: opened from its file, sized from the options, checked for
// every name bpf/httpwatcher.h promises, loaded, and its lifecycle tracepoints (exec, exit)
// attached for its whole life.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "libbpf-handles.h"

namespace httpwatcher {

struct ObjectSizes {
  uint32_t ring_bytes;       // the `events` ring buffer
  uint32_t wakeup_bytes;     // pending bytes that force a reader wakeup
  uint32_t max_processes;    // capacity of the `traced_procs` map
  uint32_t max_binaries;     // capacity of the `watched` and `probe_configs` maps
  uint32_t max_untraceable;  // capacity of the `ignored` LRU map
};

class LoadedObject {
 public:
  // Throws NativeError (EINVAL when the object lacks a name; the kernel's errno otherwise).
  LoadedObject(Napi::Env env, const std::string& path, const ObjectSizes& sizes);
  LoadedObject(const LoadedObject&) = delete;
  LoadedObject& operator=(const LoadedObject&) = delete;

  // Names come from object-names.h; each was found when the object was opened.
  bpf_map* Map(const char* name) const { return bpf_object__find_map_by_name(object_.get(), name); }
  bpf_program* Program(const char* name) const { return bpf_object__find_program_by_name(object_.get(), name); }
  // Detaches exec and exit first on teardown: an exec tracepoint left running while the rest is
  // torn down could hold a process whose record nobody reads.
  void DetachLifecycle() { lifecycle_links_.clear(); }

 private:
  ObjectPtr object_;
  std::vector<LinkPtr> lifecycle_links_;  // destroyed before object_ (declared after it)
};

}  // namespace httpwatcher
