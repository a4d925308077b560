#include "loaded-object.h"

#include <bpf/btf.h>
#include <signal.h>

#include <cerrno>
#include <cstring>

#include "errors.h"
#include "libbpf-log.h"
#include "object-names.h"

namespace httpwatcher {
namespace {

// The verifier gives up with EAGAIN when a signal is pending, and libbpf retries only a few times:
// a host process under a sampling profiler (SIGPROF every millisecond) could never load. Signals
// that arrive meanwhile are delivered when the mask is restored.
int LoadWithSignalsBlocked(bpf_object* object) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  int err = bpf_object__load(object);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return err;
}

// Sets the 8-byte `const volatile` called `name` in .rodata, found through the object's BTF (the
// variable's offset in the section); false when the object has no such variable.
bool SetRodataU64(bpf_object* object, const char* name, uint64_t value) {
  bpf_map* rodata = bpf_object__find_map_by_name(object, ".rodata");
  const btf* types = bpf_object__btf(object);
  size_t size = 0;
  char* data = rodata ? static_cast<char*>(bpf_map__initial_value(rodata, &size)) : nullptr;
  int section = types ? btf__find_by_name_kind(types, ".rodata", BTF_KIND_DATASEC) : -1;
  if (!data || section < 0) return false;
  const btf_type* datasec = btf__type_by_id(types, section);
  const btf_var_secinfo* vars = btf_var_secinfos(datasec);
  for (int i = 0; i < btf_vlen(datasec); i++) {
    const btf_type* var = btf__type_by_id(types, vars[i].type);
    if (std::strcmp(btf__name_by_offset(types, var->name_off), name) != 0) continue;
    if (vars[i].size != sizeof(value) || vars[i].offset + sizeof(value) > size) return false;
    std::memcpy(data + vars[i].offset, &value, sizeof(value));
    return true;
  }
  return false;
}

// The first name of the object-names.h lists the object lacks, or nullptr.
const char* MissingName(bpf_object* object) {
  for (const char* name : kMaps)
    if (!bpf_object__find_map_by_name(object, name)) return name;
  for (const char* name : kUprobePrograms)
    if (!bpf_object__find_program_by_name(object, name)) return name;
  for (const char* name : kLifecyclePrograms)
    if (!bpf_object__find_program_by_name(object, name)) return name;
  return nullptr;
}

}  // namespace

LoadedObject::LoadedObject(Napi::Env env, const std::string& path, const ObjectSizes& sizes) {
  ClearLibbpfLog();
  object_.reset(bpf_object__open_file(path.c_str(), nullptr));
  if (!object_) {
    int e = errno;
    throw NativeError(env, "bpf_object__open_file(" + path + ")", e);
  }
  if (const char* missing = MissingName(object_.get()))
    throw NativeError(env, "loading " + path, EINVAL, std::string("the BPF object lacks ") + missing);
  int err = bpf_map__set_max_entries(Map(kEventsMap), sizes.ring_bytes);
  if (!err) err = bpf_map__set_max_entries(Map(kTracedProcsMap), sizes.max_processes);
  if (!err) err = bpf_map__set_max_entries(Map(kWatchedMap), sizes.max_binaries);
  if (!err) err = bpf_map__set_max_entries(Map(kProbeConfigsMap), sizes.max_binaries);
  if (!err) err = bpf_map__set_max_entries(Map(kIgnoredMap), sizes.max_untraceable);
  if (!err) err = bpf_map__set_max_entries(Map(kProbeSitesMap), sizes.max_binaries * HW_MAX_SITES_PER_BINARY);
  if (err) throw NativeError(env, "configuring maps", -err);
  if (!SetRodataU64(object_.get(), kWakeupBytesConst, sizes.wakeup_bytes))
    throw NativeError(env, "loading " + path, EINVAL, std::string("the BPF object lacks ") + kWakeupBytesConst);
  err = LoadWithSignalsBlocked(object_.get());
  if (err)
    throw NativeError(env, "bpf_object__load", -err,
                      "the kernel refused the BPF program (tracing needs root or CAP_BPF + CAP_PERFMON)");
  for (const char* name : kLifecyclePrograms) {
    ClearLibbpfLog();
    // The program's section (raw_tp/<tracepoint>) tells libbpf where to attach it.
    bpf_program* program = Program(name);
    LinkPtr link(bpf_program__attach(program));
    if (!link) {
      int e = errno;
      throw NativeError(env, std::string("attaching ") + bpf_program__section_name(program), e,
                        "tracing needs root or CAP_BPF + CAP_PERFMON");
    }
    lifecycle_links_.push_back(std::move(link));
  }
}

}  // namespace httpwatcher
