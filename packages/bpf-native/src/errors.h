// Errors thrown to JavaScript. Kernel and libbpf failures carry `code` (errno name such as EPERM),
// `errno`, `operation` and libbpf's own explanation when it gave one; bad arguments and a closed
// tracer carry Node's codes, so callers tell them apart without reading messages.
#pragma once
#include <napi.h>

#include <string>

namespace httpwatcher {

Napi::Error NativeError(Napi::Env env, const std::string& operation, int error_number, const std::string& detail = "");

// An argument of the wrong JavaScript type: TypeError, code ERR_INVALID_ARG_TYPE.
Napi::Error InvalidArgType(Napi::Env env, const std::string& message);
// A number out of range, NaN or not an integer: RangeError, code ERR_OUT_OF_RANGE.
Napi::Error OutOfRange(Napi::Env env, const std::string& message);
// A name or size the BPF object does not have: RangeError, code ERR_INVALID_ARG_VALUE.
Napi::Error InvalidArgValue(Napi::Env env, const std::string& message);
// The tracer is closed, or was closed while the call was pending: Error, code ERR_CLOSED.
Napi::Error ClosedError(Napi::Env env, const std::string& message);

}  // namespace httpwatcher
