// Owners of libbpf objects: each is freed exactly once, by whoever holds it last, on every path
// (a constructor that throws halfway included).
#pragma once
#include <bpf/libbpf.h>

#include <memory>

namespace httpwatcher {

struct ObjectCloser {
  void operator()(bpf_object* object) const { bpf_object__close(object); }
};
struct LinkDestroyer {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};

using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;  // also owns its maps' and programs' fds
using LinkPtr = std::unique_ptr<bpf_link, LinkDestroyer>;

}  // namespace httpwatcher
