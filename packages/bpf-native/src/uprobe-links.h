// The uprobe links a tracer holds, by id, and the attaches still running on libuv's thread pool.
#pragma once
#include <napi.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "libbpf-handles.h"
#include "link-reaper.h"

namespace httpwatcher {

struct UprobeSite {
  std::string binary;  // path of the file to probe
  uint64_t offset;     // file offset of the instruction
  int32_t pid;         // -1: every process mapping the file
  uint64_t cookie;     // what the program reads with bpf_get_attach_cookie
};

class UprobeLinks {
 public:
  UprobeLinks() = default;
  UprobeLinks(const UprobeLinks&) = delete;
  UprobeLinks& operator=(const UprobeLinks&) = delete;

  // Registers `program` at `site` on libuv's thread pool (AttachWorker); the promise resolves to a
  // link id. `receiver` (the JavaScript Tracer) stays alive until it settles.
  Napi::Promise Attach(Napi::Object receiver, bpf_program* program, UprobeSite site);
  // The link stops firing at once; its kernel objects are freed by the reaper. False for an unknown id.
  bool Detach(uint32_t id);
  size_t Count() const { return links_.size(); }
  size_t DetachesInFlight() const { return reaper_.Pending(); }
  // Detaches every link and returns once no attach still runs (they use the object's programs) and
  // every link is destroyed. Attaches that finish later reject with ERR_CLOSED.
  void Close();
  bool Closed() const { return closed_; }

  // For AttachWorker.
  void AttachFinished();       // on the thread pool, once the kernel call returned
  uint32_t Add(LinkPtr link);  // on the JavaScript thread
  void Discard(LinkPtr link) { reaper_.Destroy(std::move(link)); }

 private:
  std::map<uint32_t, LinkPtr> links_;
  LinkReaper reaper_;
  std::mutex mutex_;
  std::condition_variable idle_;
  int in_flight_ = 0;
  uint32_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace httpwatcher
