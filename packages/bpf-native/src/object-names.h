// The names the addon looks up in the BPF object, all taken from bpf/httpwatcher.h (where the BPF
// build checks that each is defined): no map, program or constant name is written out here.
#pragma once
#include <linux/types.h>

#include <cstdint>

#include "httpwatcher.h"

namespace httpwatcher {

#define HW_NAME_STRING(name) #name
#define HW_NAME(name) HW_NAME_STRING(name)
#define HW_NAME_ITEM(name) #name,

inline constexpr const char* kTracedProcsMap = HW_NAME(HW_TRACED_PROCS_MAP);
inline constexpr const char* kEventsMap = HW_NAME(HW_EVENTS_MAP);
inline constexpr const char* kCountersMap = HW_NAME(HW_COUNTERS_MAP);
inline constexpr const char* kHeldMap = HW_NAME(HW_HELD_MAP);
inline constexpr const char* kExecPolicyMap = HW_NAME(HW_EXEC_POLICY_MAP);
inline constexpr const char* kWatchedMap = HW_NAME(HW_WATCHED_MAP);
inline constexpr const char* kProbeConfigsMap = HW_NAME(HW_PROBE_CONFIGS_MAP);
inline constexpr const char* kIgnoredMap = HW_NAME(HW_IGNORED_MAP);
inline constexpr const char* kProbeSitesMap = HW_NAME(HW_PROBE_SITES_MAP);
inline constexpr const char* kEntryProgram = HW_NAME(HW_ENTRY_PROGRAM);
inline constexpr const char* kWakeupBytesConst = HW_NAME(HW_WAKEUP_BYTES_CONST);
inline constexpr const char* kMaps[] = {HW_MAPS(HW_NAME_ITEM)};
inline constexpr const char* kSharedMaps[] = {HW_SHARED_MAPS(HW_NAME_ITEM)};
inline constexpr const char* kUprobePrograms[] = {HW_UPROBE_PROGRAMS(HW_NAME_ITEM)};
inline constexpr const char* kLifecyclePrograms[] = {HW_LIFECYCLE_PROGRAMS(HW_NAME_ITEM)};
// Slots of the per-CPU `counters` array: enum hw_counter.
inline constexpr uint32_t kCounterCount = HW_NCOUNTERS;

}  // namespace httpwatcher
