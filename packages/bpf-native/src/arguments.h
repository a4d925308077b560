// Reading JavaScript arguments. Every Tracer method takes its arguments through these: a value of
// the wrong type is a TypeError (ERR_INVALID_ARG_TYPE), a number that is NaN, fractional or out of
// range a RangeError (ERR_OUT_OF_RANGE), a size or name the object does not have a RangeError
// (ERR_INVALID_ARG_VALUE). Nothing is cast: a file offset of 1.5 must never become 1.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace httpwatcher {

uint32_t ToU32(const Napi::Value& value, const char* what);
// A PID for the kernel: -1 (every process) or 0 .. 2^31 - 1.
int32_t ToPid(const Napi::Value& value, const char* what);
// A byte offset into a file: an integer from 0 to 2^53 - 1 (Number.MAX_SAFE_INTEGER).
uint64_t ToFileOffset(const Napi::Value& value, const char* what);
std::string ToString(const Napi::Value& value, const char* what);
Napi::Object ToObject(const Napi::Value& value, const char* what);
Napi::Function ToFunction(const Napi::Value& value, const char* what);
// A Buffer of exactly `size` bytes (a key or value of a BPF map).
Napi::Buffer<uint8_t> ToSizedBuffer(const Napi::Value& value, size_t size, const char* what);
// A string that is one of `names`.
std::string ToName(const Napi::Value& value, const char* const* names, size_t count, const char* what);
template <size_t N>
std::string ToName(const Napi::Value& value, const char* const (&names)[N], const char* what) {
  return ToName(value, names, N, what);
}

}  // namespace httpwatcher
