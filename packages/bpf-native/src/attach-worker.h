// attachUprobe's kernel work, on libuv's thread pool. The kernel's uprobe registration can wait for
// an earlier unregistration of the same file offset to finish its RCU grace period (seen: 90-440
// ms), which on the JavaScript thread would stall event delivery that long.
#pragma once
#include <napi.h>

#include "libbpf-handles.h"
#include "uprobe-links.h"

namespace httpwatcher {

class AttachWorker : public Napi::AsyncWorker {
 public:
  AttachWorker(Napi::Object receiver, UprobeLinks* links, bpf_program* program, UprobeSite site);

  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override;

 private:
  Napi::ObjectReference receiver_;  // the JavaScript Tracer: keeps `links_` alive until OnOK
  Napi::Promise::Deferred deferred_;
  UprobeLinks* links_;
  bpf_program* program_;
  UprobeSite site_;
  LinkPtr link_;
  int error_ = 0;
};

}  // namespace httpwatcher
