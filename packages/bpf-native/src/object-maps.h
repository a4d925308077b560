// Reading and writing the object's maps from JavaScript: the shared maps by name, with key and
// value sizes checked against the map, and the per-CPU counters summed.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "loaded-object.h"

namespace httpwatcher {

// The map `name` names when it is one of HW_SHARED_MAPS; RangeError (ERR_INVALID_ARG_VALUE) otherwise.
bpf_map* SharedMap(const LoadedObject& object, const Napi::Value& name);
// bpf_map_update_elem(BPF_ANY) with a key and value of the map's sizes; `what` names the entry in
// the error ("the traced_procs map for pid 7").
void UpdateElem(Napi::Env env, bpf_map* map, const void* key, const void* value, const std::string& what);
// False when the key was not there.
bool DeleteElem(bpf_map* map, const void* key);
// Live entries of a hash map (walks its keys); max_entries for an array.
uint32_t CountElems(bpf_map* map);
// Each slot of the per-CPU `counters` array (enum hw_counter), summed over the CPUs.
std::vector<uint64_t> SumCounters(Napi::Env env, const LoadedObject& object);

}  // namespace httpwatcher
