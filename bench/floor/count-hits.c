// count-hits <binary> <file-offset>[,<file-offset>...] <pid>: attaches count-hits.bpf.o at each
// file offset of the binary for one process, prints "attached" once every probe is live, and on a
// line or EOF on stdin prints {"hits":N} (all sites together) and exits. Built by build.sh with
// the vendored libbpf.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A Go function has at most a few dozen return instructions; more offsets than this is a mistake. */
#define MAX_SITES 64

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <binary> <file-offset>[,<file-offset>...] <pid>\n", argv[0]);
    return 2;
  }
  char object_path[4096];
  snprintf(object_path, sizeof object_path, "%s.bpf.o", argv[0]);
  struct bpf_object *obj = bpf_object__open_file(object_path, NULL);
  if (!obj) return fail("bpf_object__open_file");
  if (bpf_object__load(obj)) return fail("bpf_object__load");
  struct bpf_program *prog = bpf_object__find_program_by_name(obj, "count_hit");
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = false);
  struct bpf_link *links[MAX_SITES];
  int nlinks = 0;
  for (char *next = argv[2]; *next;) {
    if (nlinks == MAX_SITES) {
      fprintf(stderr, "more than %d offsets\n", MAX_SITES);
      return 2;
    }
    char *end;
    unsigned long offset = strtoul(next, &end, 0);
    if (end == next || (*end && *end != ',')) {
      fprintf(stderr, "not a file offset: %s\n", next);
      return 2;
    }
    links[nlinks] = bpf_program__attach_uprobe_opts(prog, atoi(argv[3]), argv[1], offset, &opts);
    if (!links[nlinks]) return fail("bpf_program__attach_uprobe_opts");
    nlinks++;
    next = *end ? end + 1 : end;
  }
  printf("attached\n");
  fflush(stdout);

  char line[64];
  (void)!fgets(line, sizeof line, stdin);
  int fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "hits"));
  int ncpus = libbpf_num_possible_cpus();
  unsigned long long *values = calloc(ncpus, sizeof *values), total = 0;
  unsigned int zero = 0;
  if (!values || bpf_map_lookup_elem(fd, &zero, values)) return fail("reading hits");
  for (int i = 0; i < ncpus; i++) total += values[i];
  printf("{\"hits\":%llu}\n", total);
  for (int i = 0; i < nlinks; i++) bpf_link__destroy(links[i]);
  bpf_object__close(obj);
  free(values);
  return 0;
}
