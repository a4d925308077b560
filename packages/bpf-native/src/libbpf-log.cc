#include "libbpf-log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace httpwatcher {
namespace {

std::mutex log_mutex;
std::string log_text;
constexpr size_t kMaxLogBytes = 64 * 1024;

int OnLibbpfPrint(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = vsnprintf(line, sizeof(line), format, args);
  if (n <= 0) return 0;
  std::lock_guard<std::mutex> lock(log_mutex);
  if (log_text.size() < kMaxLogBytes) log_text.append(line);
  return 0;
}

}  // namespace

void InstallLibbpfLogCapture() { libbpf_set_print(OnLibbpfPrint); }

void ClearLibbpfLog() {
  std::lock_guard<std::mutex> lock(log_mutex);
  log_text.clear();
}

std::string TakeLibbpfLog() {
  std::lock_guard<std::mutex> lock(log_mutex);
  std::string out;
  out.swap(log_text);
  return out;
}

}  // namespace httpwatcher
