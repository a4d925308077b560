#include "attach-worker.h"

#include <cerrno>

#include "errors.h"

namespace httpwatcher {

AttachWorker::AttachWorker(Napi::Object receiver, UprobeLinks* links, bpf_program* program, UprobeSite site)
    : Napi::AsyncWorker(receiver.Env()),
      receiver_(Napi::Persistent(receiver)),
      deferred_(Napi::Promise::Deferred::New(receiver.Env())),
      links_(links),
      program_(program),
      site_(std::move(site)) {}

void AttachWorker::Execute() {
  // Never a uretprobe: Go moves goroutine stacks, and a rewritten return address kills the program.
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = site_.cookie, .retprobe = false);
  link_.reset(bpf_program__attach_uprobe_opts(program_, site_.pid, site_.binary.c_str(), site_.offset, &opts));
  if (!link_) error_ = errno;
  links_->AttachFinished();
}

void AttachWorker::OnOK() {
  Napi::Env env = Env();
  if (links_->Closed()) {
    if (link_) links_->Discard(std::move(link_));
    deferred_.Reject(ClosedError(env, "the tracer was closed while attaching").Value());
    return;
  }
  if (!link_) {
    deferred_.Reject(NativeError(env, "attaching a uprobe to " + site_.binary, error_).Value());
    return;
  }
  deferred_.Resolve(Napi::Number::New(env, links_->Add(std::move(link_))));
}

}  // namespace httpwatcher
