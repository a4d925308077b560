#include "ring-drain.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace httpwatcher {
namespace {

// When the spill refused a record (full: JavaScript is behind): how long to wait before reading
// the ring again.
constexpr int kRetryMs = 1;

}  // namespace

RingDrain::RingDrain(RingReader& ring, SpillQueue& spill, uint32_t interval_ms, void (*notify)(void*), void* notify_arg)
    : ring_(ring),
      spill_(spill),
      interval_ms_(static_cast<int>(std::min<uint32_t>(interval_ms, INT32_MAX))),
      notify_(notify),
      notify_arg_(notify_arg) {}

int RingDrain::Start() {
  if (thread_.joinable()) return 0;
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  int err = stop_fd_ < 0 || epoll_fd_ < 0 ? errno : 0;
  epoll_event stop{EPOLLIN, {}}, ring{EPOLLIN | EPOLLET, {}};
  stop.data.fd = stop_fd_;
  ring.data.fd = ring_.fd();
  if (!err && (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &stop) < 0 ||
               epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, ring_.fd(), &ring) < 0))
    err = errno;
  if (!err) {
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error& error) {
      err = error.code().value();
    }
  }
  if (err) CloseDescriptors();
  return err;
}

void RingDrain::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    // an eventfd write fails only past its counter's maximum: the thread was told already
  }
  thread_.join();
  CloseDescriptors();
}

void RingDrain::CloseDescriptors() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  epoll_fd_ = stop_fd_ = -1;
}

RingDrain::PassResult RingDrain::Pass() {
  PassResult result;
  std::lock_guard<std::mutex> lock(reading_);
  ring_.Consume([&](const RecordPieces& record) {
    RecordTaken taken = spill_.Append(record, SpillQueue::Mode::kDrain);
    result.refused = taken == RecordTaken::kLeft;
    result.batch_full = taken == RecordTaken::kTakenLast;
    return taken;
  });
  result.published = spill_.Publish();
  return result;
}

// The ring's descriptor is watched edge-triggered: the thread wakes when the BPF side forces a
// wakeup (every `wakeup_bytes`) or when the interval passes, and drains what is there. Level-
// triggered, it would wake again for every record written while it drained, and hand JavaScript
// a stream of batches of a few records each.
void RingDrain::Run() {
  int timeout_ms = interval_ms_;
  for (;;) {
    epoll_event events[2];
    const int ready = epoll_wait(epoll_fd_, events, 2, timeout_ms);
    if (ready < 0 && errno != EINTR) return;  // EBADF, EFAULT, EINVAL: not from these arguments
    for (int i = 0; i < ready; i++)
      if (events[i].data.fd == stop_fd_) return;
    const PassResult pass = Pass();
    if (pass.published) notify_(notify_arg_);
    timeout_ms = pass.refused ? kRetryMs : pass.batch_full ? 0 : interval_ms_;
  }
}

void RingDrain::DrainAll(size_t limit_bytes) {
  std::lock_guard<std::mutex> lock(reading_);
  size_t drained = 0;
  ring_.Consume([&](const RecordPieces& record) {
    if (spill_.Append(record, SpillQueue::Mode::kFlush) == RecordTaken::kLeft) return RecordTaken::kLeft;
    drained += SpillBatch::FramedSize(record.size());
    return drained < limit_bytes ? RecordTaken::kTaken : RecordTaken::kTakenLast;
  });
  spill_.Publish();
}

}  // namespace httpwatcher
