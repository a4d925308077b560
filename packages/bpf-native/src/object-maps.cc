#include "object-maps.h"

#include <bpf/bpf.h>

#include <cerrno>

#include "arguments.h"
#include "errors.h"
#include "object-names.h"

namespace httpwatcher {

bpf_map* SharedMap(const LoadedObject& object, const Napi::Value& name) {
  return object.Map(ToName(name, kSharedMaps, "map").c_str());
}

void UpdateElem(Napi::Env env, bpf_map* map, const void* key, const void* value, const std::string& what) {
  if (bpf_map_update_elem(bpf_map__fd(map), key, value, BPF_ANY)) {
    int e = errno;
    throw NativeError(env, "updating " + what, e);
  }
}

bool DeleteElem(bpf_map* map, const void* key) { return bpf_map_delete_elem(bpf_map__fd(map), key) == 0; }

uint32_t CountElems(bpf_map* map) {
  std::vector<uint8_t> key(bpf_map__key_size(map)), next(bpf_map__key_size(map));
  uint32_t n = 0;
  const void* at = nullptr;
  while (bpf_map_get_next_key(bpf_map__fd(map), at, next.data()) == 0) {
    n++;
    key.swap(next);
    at = key.data();
  }
  return n;
}

std::vector<uint64_t> SumCounters(Napi::Env env, const LoadedObject& object) {
  int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) throw NativeError(env, "libbpf_num_possible_cpus", -ncpus);
  int fd = bpf_map__fd(object.Map(kCountersMap));
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpus));
  std::vector<uint64_t> sums(kCounterCount);
  for (uint32_t key = 0; key < kCounterCount; key++) {
    if (bpf_map_lookup_elem(fd, &key, per_cpu.data())) {
      int e = errno;
      throw NativeError(env, "reading counters", e);
    }
    for (uint64_t v : per_cpu) sums[key] += v;
  }
  return sums;
}

}  // namespace httpwatcher
