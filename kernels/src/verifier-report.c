// verifier-report: loads each program of a BPF object on its own, with the verifier's statistics
// log (log level 4), and prints one JSON line per program: the instructions the verifier
// processed, or the kernel's refusal. Runs inside each guest of the kernel matrix, so the counts
// are the running kernel's. The object is loaded as compiled (map sizes, .rodata defaults):
// the figures are the verifier's work on the program text, which user space cannot change.
//
//   verifier-report OBJECT.bpf.o...
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_BYTES (1u << 20)
#define LOG_TAIL_BYTES 1500
#define LOG_LEVEL_STATS 4  // BPF_LOG_STATS: errors and the summary, not every instruction

static char log_buf[LOG_BYTES];
static char libbpf_text[8192];
static size_t libbpf_len;

static int keep_libbpf_warnings(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || libbpf_len >= sizeof(libbpf_text) - 1) return 0;
  int n = vsnprintf(libbpf_text + libbpf_len, sizeof(libbpf_text) - libbpf_len, format, args);
  if (n > 0)
    libbpf_len += (size_t)n < sizeof(libbpf_text) - libbpf_len ? (size_t)n : sizeof(libbpf_text) - 1 - libbpf_len;
  return 0;
}

static void put_json_string(const char* s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c == '\n')
      fputs("\\n", stdout);
    else if (c < 0x20 || c >= 0x7f)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static const char* tail(const char* s, size_t max) {
  size_t n = strlen(s);
  return n > max ? s + n - max : s;
}

// Loads only `wanted` (by index) out of the object at `path`; returns 0 or a negative errno.
static int load_one(const char* path, int wanted, char* name, size_t name_len, long* insns) {
  struct bpf_object* obj = bpf_object__open_file(path, NULL);
  if (!obj) return -errno;
  struct bpf_program* prog;
  int i = 0, err = -ENOENT;
  bpf_object__for_each_program(prog, obj) {
    int mine = i++ == wanted;
    bpf_program__set_autoload(prog, mine);
    if (!mine) continue;
    snprintf(name, name_len, "%s", bpf_program__name(prog));
    bpf_program__set_log_level(prog, LOG_LEVEL_STATS);
    bpf_program__set_log_buf(prog, log_buf, sizeof(log_buf));
    err = 0;
  }
  if (!err) {
    log_buf[0] = 0;
    libbpf_len = 0;
    libbpf_text[0] = 0;
    err = bpf_object__load(obj);
    const char* at = strstr(log_buf, "processed ");
    *insns = at ? strtol(at + strlen("processed "), NULL, 10) : -1;
  }
  bpf_object__close(obj);
  return err;
}

static int count_programs(const char* path) {
  struct bpf_object* obj = bpf_object__open_file(path, NULL);
  if (!obj) return -errno;
  struct bpf_program* prog;
  int n = 0;
  bpf_object__for_each_program(prog, obj) n++;
  bpf_object__close(obj);
  return n;
}

int main(int argc, char** argv) {
  libbpf_set_print(keep_libbpf_warnings);
  int failures = 0;
  for (int a = 1; a < argc; a++) {
    int n = count_programs(argv[a]);
    if (n < 0) {
      printf("{\"object\":");
      put_json_string(argv[a]);
      printf(",\"program\":null,\"ok\":false,\"insns\":null,\"error\":");
      put_json_string(strerror(-n));
      printf("}\n");
      failures++;
      continue;
    }
    for (int i = 0; i < n; i++) {
      char name[128] = "";
      long insns = -1;
      int err = load_one(argv[a], i, name, sizeof(name), &insns);
      printf("{\"object\":");
      put_json_string(argv[a]);
      printf(",\"program\":");
      put_json_string(name);
      printf(",\"ok\":%s,\"insns\":", err ? "false" : "true");
      if (insns >= 0)
        printf("%ld", insns);
      else
        printf("null");
      if (err) {
        printf(",\"error\":");
        put_json_string(strerror(-err));
        printf(",\"verifierLog\":");
        put_json_string(tail(log_buf, LOG_TAIL_BYTES));
        printf(",\"libbpfLog\":");
        put_json_string(tail(libbpf_text, LOG_TAIL_BYTES));
        failures++;
      }
      printf("}\n");
      fflush(stdout);
    }
  }
  return failures ? 1 : 0;
}
