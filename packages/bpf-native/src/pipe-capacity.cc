#include "pipe-capacity.h"

#include <fcntl.h>

#include <cerrno>

#include "arguments.h"
#include "errors.h"

namespace httpwatcher {

Napi::Value GrowPipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t fd = ToU32(info[0], "fd");
  const uint32_t bytes = ToU32(info[1], "bytes");
  if (bytes > 1u << 30) throw OutOfRange(env, "bytes must be at most 1 GiB");
  const int current = fcntl(static_cast<int>(fd), F_GETPIPE_SZ);
  if (current < 0) throw NativeError(env, "fcntl(F_GETPIPE_SZ)", errno);
  if (static_cast<uint32_t>(current) >= bytes) return Napi::Number::New(env, current);
  const int grown = fcntl(static_cast<int>(fd), F_SETPIPE_SZ, static_cast<int>(bytes));
  if (grown < 0) throw NativeError(env, "fcntl(F_SETPIPE_SZ)", errno);
  return Napi::Number::New(env, grown);
}

}  // namespace httpwatcher
