#include "uprobe-links.h"

#include "attach-worker.h"
#include "libbpf-log.h"

namespace httpwatcher {

Napi::Promise UprobeLinks::Attach(Napi::Object receiver, bpf_program* program, UprobeSite site) {
  ClearLibbpfLog();
  auto* worker = new AttachWorker(receiver, this, program, std::move(site));
  Napi::Promise promise = worker->Promise();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    in_flight_++;
  }
  try {
    worker->Queue();  // the worker deletes itself once it has reported
  } catch (...) {
    AttachFinished();
    delete worker;
    throw;
  }
  return promise;
}

void UprobeLinks::AttachFinished() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--in_flight_ == 0) idle_.notify_all();
}

uint32_t UprobeLinks::Add(LinkPtr link) {
  uint32_t id = next_id_++;
  links_[id] = std::move(link);
  return id;
}

bool UprobeLinks::Detach(uint32_t id) {
  auto it = links_.find(id);
  if (it == links_.end()) return false;
  reaper_.Destroy(std::move(it->second));
  links_.erase(it);
  return true;
}

void UprobeLinks::Close() {
  closed_ = true;
  for (auto& [id, link] : links_) reaper_.Destroy(std::move(link));
  links_.clear();
  {
    // An attach on the thread pool still uses the object's program; its link is freed when it reports.
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return in_flight_ == 0; });
  }
  reaper_.Wait();  // in parallel: one grace period for all, not one each
}

}  // namespace httpwatcher
