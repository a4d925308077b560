// What the running kernel offers of what the BPF program needs, probed with libbpf's probing API
// (each probe loads a tiny program or creates a small map) and sysfs, so that a kernel that cannot
// run the program is refused by name instead of with a verifier log.
#pragma once
#include <napi.h>

namespace httpwatcher {

// kernelFeatures(): { release, features: { <name>: true | false | null } }. null: the probe itself
// failed (no privileges, say), so the kernel's answer is unknown.
Napi::Value KernelFeatures(const Napi::CallbackInfo& info);

}  // namespace httpwatcher
