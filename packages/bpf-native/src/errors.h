// Errors thrown to JavaScript carry `code` (errno name such as EPERM, or an httpwatcher code),
// `errno`, `syscall`-like `operation`, and libbpf's own explanation when it gave one.
#pragma once
#include <napi.h>

#include <string>

namespace httpwatcher {

Napi::Error NativeError(Napi::Env env, const std::string& operation, int error_number, const std::string& detail = "");

}  // namespace httpwatcher
