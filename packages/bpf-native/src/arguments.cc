#include "arguments.h"

#include <cmath>
#include <cstring>

#include "errors.h"

namespace httpwatcher {
namespace {

// The number an argument holds, as JavaScript prints it (NaN, 1.5, 1e+21).
std::string Shown(const Napi::Value& value) { return value.ToString().Utf8Value(); }

double ToInteger(const Napi::Value& value, const char* what, double min, double max, const char* range) {
  if (!value.IsNumber()) throw InvalidArgType(value.Env(), std::string(what) + " must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < min || d > max)
    throw OutOfRange(value.Env(), std::string(what) + " must be an integer from " + range + "; got " + Shown(value));
  return d;
}

}  // namespace

uint32_t ToU32(const Napi::Value& value, const char* what) {
  return static_cast<uint32_t>(ToInteger(value, what, 0, 4294967295.0, "0 to 2^32 - 1"));
}

int32_t ToPid(const Napi::Value& value, const char* what) {
  return static_cast<int32_t>(ToInteger(value, what, -1, 2147483647.0, "-1 to 2^31 - 1"));
}

uint64_t ToFileOffset(const Napi::Value& value, const char* what) {
  return static_cast<uint64_t>(ToInteger(value, what, 0, 9007199254740991.0, "0 to 2^53 - 1"));
}

std::string ToString(const Napi::Value& value, const char* what) {
  if (!value.IsString()) throw InvalidArgType(value.Env(), std::string(what) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

Napi::Object ToObject(const Napi::Value& value, const char* what) {
  if (!value.IsObject()) throw InvalidArgType(value.Env(), std::string(what) + " must be an object");
  return value.As<Napi::Object>();
}

Napi::Function ToFunction(const Napi::Value& value, const char* what) {
  if (!value.IsFunction()) throw InvalidArgType(value.Env(), std::string(what) + " must be a function");
  return value.As<Napi::Function>();
}

Napi::Buffer<uint8_t> ToSizedBuffer(const Napi::Value& value, size_t size, const char* what) {
  if (!value.IsBuffer()) throw InvalidArgType(value.Env(), std::string(what) + " must be a Buffer");
  auto buffer = value.As<Napi::Buffer<uint8_t>>();
  if (buffer.Length() != size)
    throw InvalidArgValue(value.Env(), std::string(what) + " is " + std::to_string(buffer.Length()) +
                                           " bytes; the BPF object expects " + std::to_string(size));
  return buffer;
}

std::string ToName(const Napi::Value& value, const char* const* names, size_t count, const char* what) {
  std::string name = ToString(value, what);
  std::string known;
  for (size_t i = 0; i < count; i++) {
    if (name == names[i]) return name;
    known += (i == 0 ? "" : ", ") + std::string(names[i]);
  }
  throw InvalidArgValue(value.Env(), std::string(what) + " must be one of " + known + "; got \"" + name + "\"");
}

}  // namespace httpwatcher
