#include "kernel-features.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libbpf-log.h"

namespace httpwatcher {
namespace {

Napi::Value Answer(Napi::Env env, int probe) {
  if (probe < 0) return env.Null();
  return Napi::Boolean::New(env, probe > 0);
}

// The kernel's own BTF, which libbpf relocates the program's kernel field reads (CO-RE) against:
// /sys/kernel/btf/vmlinux holding a BTF header whose sections span the file. Only the header is
// read (parsing the whole file would cost tens of milliseconds); libbpf checks the rest at load.
bool HasKernelBtf() {
  int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  btf_header header{};
  struct stat st{};
  bool ok =
      read(fd, &header, sizeof(header)) == static_cast<ssize_t>(sizeof(header)) && fstat(fd, &st) == 0 &&
      header.magic == BTF_MAGIC && header.hdr_len >= sizeof(header) &&
      static_cast<uint64_t>(header.hdr_len) + header.str_off + header.str_len <= static_cast<uint64_t>(st.st_size) &&
      header.type_len > 0 && header.str_len > 0;
  close(fd);
  return ok;
}

struct HelperFeature {
  const char* name;
  bpf_func_id id;
};

// Helpers the uprobe programs call (the tracepoint programs use a subset of them).
constexpr HelperFeature kHelpers[] = {
    {"bpf_probe_read_user", BPF_FUNC_probe_read_user},     {"bpf_ringbuf_output", BPF_FUNC_ringbuf_output},
    {"bpf_ringbuf_query", BPF_FUNC_ringbuf_query},         {"bpf_get_current_task_btf", BPF_FUNC_get_current_task_btf},
    {"bpf_get_attach_cookie", BPF_FUNC_get_attach_cookie}, {"bpf_loop", BPF_FUNC_loop},
};

}  // namespace

Napi::Value KernelFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  utsname names{};
  result.Set("release", Napi::String::New(env, uname(&names) == 0 ? names.release : "unknown"));

  Napi::Object features = Napi::Object::New(env);
  features.Set("btf", Napi::Boolean::New(env, HasKernelBtf()));
  features.Set("uprobes", Napi::Boolean::New(env, access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0));
  features.Set("ringbuf", Answer(env, libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr)));
  for (const HelperFeature& helper : kHelpers)
    features.Set(helper.name, Answer(env, libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, helper.id, nullptr)));
  result.Set("features", features);
  // The probes' refusals are expected answers, not errors for the next failure's message.
  ClearLibbpfLog();
  return result;
}

}  // namespace httpwatcher
