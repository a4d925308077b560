// growPipe(fd, bytes): a larger kernel buffer for the pipe `fd` is an end of. A writer at a high
// rate into the default 64 KiB pipe blocks, and is woken, many times per megabyte: each is a thread
// switch on both sides (BENCHMARKS.md, "Output to a pipe").
#pragma once
#include <napi.h>

namespace httpwatcher {

// Returns the pipe's capacity afterwards: at least `bytes` (the kernel rounds up to a power of two
// pages), or the capacity it already had when that was not smaller. Never shrinks a pipe. Throws the
// errno error of fcntl (EBADF: not a pipe; EPERM: over the user's pipe page limit).
Napi::Value GrowPipe(const Napi::CallbackInfo& info);

}  // namespace httpwatcher
