#include "errors.h"

#include <cerrno>
#include <cstring>

#include "libbpf-log.h"

namespace httpwatcher {
namespace {

const char* ErrnoName(int e) {
  switch (e) {
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case ESRCH:
      return "ESRCH";
    case EINTR:
      return "EINTR";
    case EIO:
      return "EIO";
    case E2BIG:
      return "E2BIG";
    case EBADF:
      return "EBADF";
    case EAGAIN:
      return "EAGAIN";
    case ENOMEM:
      return "ENOMEM";
    case EACCES:
      return "EACCES";
    case EFAULT:
      return "EFAULT";
    case EBUSY:
      return "EBUSY";
    case EEXIST:
      return "EEXIST";
    case EINVAL:
      return "EINVAL";
    case ENOSPC:
      return "ENOSPC";
    case ENOSYS:
      return "ENOSYS";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    default:
      return "EUNKNOWN";
  }
}

}  // namespace

Napi::Error NativeError(Napi::Env env, const std::string& operation, int error_number, const std::string& detail) {
  int e = error_number < 0 ? -error_number : error_number;
  std::string message = operation + " failed: " + std::strerror(e) + " (" + ErrnoName(e) + ")";
  if (!detail.empty()) message += ": " + detail;
  std::string log = TakeLibbpfLog();
  if (!log.empty()) message += "\nlibbpf: " + log;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, ErrnoName(e)));
  error.Set("errno", Napi::Number::New(env, e));
  error.Set("operation", Napi::String::New(env, operation));
  if (!log.empty()) error.Set("libbpfLog", Napi::String::New(env, log));
  return error;
}

namespace {

Napi::Error WithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  return error;
}

}  // namespace

Napi::Error InvalidArgType(Napi::Env env, const std::string& message) {
  return WithCode(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

Napi::Error OutOfRange(Napi::Env env, const std::string& message) {
  return WithCode(Napi::RangeError::New(env, message), "ERR_OUT_OF_RANGE");
}

Napi::Error InvalidArgValue(Napi::Env env, const std::string& message) {
  return WithCode(Napi::RangeError::New(env, message), "ERR_INVALID_ARG_VALUE");
}

Napi::Error ClosedError(Napi::Env env, const std::string& message) {
  return WithCode(Napi::Error::New(env, message), "ERR_CLOSED");
}

}  // namespace httpwatcher
