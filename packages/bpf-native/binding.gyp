{
  "targets": [
    {
      "target_name": "httpwatcher_native",
      "sources": [
        "src/addon.cc",
        "src/arguments.cc",
        "src/attach-worker.cc",
        "src/batch-buffers.cc",
        "src/errors.cc",
        "src/guardian-watch.cc",
        "src/held-processes.c",
        "src/kernel-features.cc",
        "src/libbpf-log.cc",
        "src/link-reaper.cc",
        "src/loaded-object.cc",
        "src/object-maps.cc",
        "src/pipe-capacity.cc",
        "src/ring-drain.cc",
        "src/ring-pump.cc",
        "src/ring-reader.cc",
        "src/shape-ids.cc",
        "src/spill-queue.cc",
        "src/tracer.cc",
        "src/uprobe-links.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "deps/libbpf/install/include",
        "../../bpf"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": [
        "<(module_root_dir)/deps/libbpf/build/libbpf.a",
        "-lelf",
        "-lz",
        "-Wl,--exclude-libs,ALL"
      ]
    },
    {
      "target_name": "hold-guardian",
      "type": "executable",
      "sources": ["src/hold-guardian.c", "src/guardian-cgroup.c", "src/held-processes.c"],
      "include_dirs": ["deps/libbpf/install/include", "../../bpf"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "libraries": ["<(module_root_dir)/deps/libbpf/build/libbpf.a", "-lelf", "-lz"]
    }
  ]
}
