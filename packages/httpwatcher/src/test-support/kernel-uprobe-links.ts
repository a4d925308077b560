import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

/** A BPF link the kernel holds for a uprobe, as BPF_OBJ_GET_INFO_BY_FD reports it (Linux ≥ 6.6). */
export interface KernelUprobeLink {
  id: number;
  progName: string;
  /** `uretprobe` for return probes, whether perf-event based or uprobe_multi with the return flag. */
  kind: 'uprobe' | 'uretprobe';
  file: string;
  offset: number;
  cookie: number;
}

// bpftool 7.1 (Debian 12) prints perf_event links without their probe; the kernel has the details.
const source = `
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
static long sys_bpf(int cmd, union bpf_attr *a) { return syscall(__NR_bpf, cmd, a, sizeof(*a)); }
static int info_of(int fd, void *info, __u32 len) {
  union bpf_attr a; memset(&a, 0, sizeof(a));
  a.info.bpf_fd = fd; a.info.info_len = len; a.info.info = (__u64)(unsigned long)info;
  return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}
int main(void) {
  __u32 id = 0;
  for (;;) {
    union bpf_attr a; memset(&a, 0, sizeof(a));
    a.start_id = id;
    if (sys_bpf(BPF_LINK_GET_NEXT_ID, &a)) break;
    id = a.next_id;
    memset(&a, 0, sizeof(a)); a.link_id = id;
    int fd = sys_bpf(BPF_LINK_GET_FD_BY_ID, &a);
    if (fd < 0) continue;
    struct bpf_link_info li; char file[4096] = "";
    memset(&li, 0, sizeof(li));
    if (info_of(fd, &li, sizeof(li)) == 0 && li.type == BPF_LINK_TYPE_PERF_EVENT) {
      memset(&li, 0, sizeof(li));
      li.perf_event.uprobe.file_name = (__u64)(unsigned long)file; li.perf_event.uprobe.name_len = sizeof(file);
      info_of(fd, &li, sizeof(li));
    }
    int is_uprobe = li.type == BPF_LINK_TYPE_PERF_EVENT &&
      (li.perf_event.type == BPF_PERF_EVENT_UPROBE || li.perf_event.type == BPF_PERF_EVENT_URETPROBE);
    if (is_uprobe) {
      struct bpf_prog_info pi; memset(&pi, 0, sizeof(pi));
      memset(&a, 0, sizeof(a)); a.prog_id = li.prog_id;
      int pfd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
      if (pfd >= 0) { info_of(pfd, &pi, sizeof(pi)); close(pfd); }
      printf("{\\"id\\":%u,\\"progName\\":\\"%s\\",\\"kind\\":\\"%s\\",\\"file\\":\\"%s\\",\\"offset\\":%u,\\"cookie\\":%llu}\\n", id, pi.name,
             li.perf_event.type == BPF_PERF_EVENT_URETPROBE ? "uretprobe" : "uprobe", file, li.perf_event.uprobe.offset,
             (unsigned long long)li.perf_event.uprobe.cookie);
    } else if (li.type == BPF_LINK_TYPE_UPROBE_MULTI) {
      printf("{\\"id\\":%u,\\"progName\\":\\"\\",\\"kind\\":\\"%s\\",\\"file\\":\\"\\",\\"offset\\":-1,\\"cookie\\":0}\\n", id,
             (li.uprobe_multi.flags & BPF_F_UPROBE_MULTI_RETURN) ? "uretprobe" : "uprobe");
    }
    close(fd);
  }
  return 0;
}
`;

let lister: string | undefined;

/** Every uprobe link in the kernel (all processes'), compiled once per test run against libbpf's UAPI header. */
export function kernelUprobeLinks(): KernelUprobeLink[] {
  if (!lister) {
    const dir = mkdtempSync(join(tmpdir(), 'hw-uprobe-links-'));
    writeFileSync(join(dir, 'links.c'), source);
    const uapi = join(repoRoot, 'packages', 'bpf-native', 'deps', 'libbpf', 'include', 'uapi');
    execFileSync('cc', ['-I', uapi, '-o', join(dir, 'links'), join(dir, 'links.c')]);
    lister = join(dir, 'links');
  }
  return execFileSync(lister, { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as KernelUprobeLink);
}

/**
 * The file a link's probe is in: the kernel keeps the name it was attached through, which for ours
 * is this process's descriptor of the file, open while the probe exists. Undefined once it is not.
 */
export function inodeOfLink(link: KernelUprobeLink): { dev: bigint; ino: bigint } | undefined {
  try {
    const s = statSync(link.file, { bigint: true });
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

/** The uprobe links this process attached whose file is `path`'s inode. */
export function ourLinksTo(path: string): KernelUprobeLink[] {
  const target = statSync(path, { bigint: true });
  return kernelUprobeLinks().filter((l) => {
    if (!l.file.startsWith(`/proc/${process.pid}/fd/`)) return false;
    const inode = inodeOfLink(l);
    return inode !== undefined && inode.dev === target.dev && inode.ino === target.ino;
  });
}

/** Every uprobe link this process attached (by the name it attaches through). */
export function ourLinks(): KernelUprobeLink[] {
  return kernelUprobeLinks().filter((l) => l.file.startsWith(`/proc/${process.pid}/fd/`));
}
