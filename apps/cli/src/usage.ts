export const usage = `Usage:
  httpwatcher [options] -p <pid> [-p <pid> ...]   trace running Go processes
  httpwatcher [options] -- <command> [args...]    run a program and trace it from its first request
  httpwatcher [options] --binary <path>           trace every process of a binary, now and later
  httpwatcher [options] --all                     trace every Go process, now and later
  httpwatcher inspect <pid|path> [--json]         show what httpwatcher sees in a Go binary
  httpwatcher top <targets>                       a live view: request rate, errors, p50/p99 per
                                                  process and host, refreshed every second

Targets (combine freely):
  -p, --pid <pid>         a running process (repeatable); ends when all of them have exited
      --binary <path>     every process running <path> (repeatable), including later ones
      --all               every Go process using net/http's client, including later ones
  -- <command> [args...]  start <command> traced; ends when it exits, with its exit code

Output:
      --json              one JSON object per request (NDJSON; schema in the README)
      --format <format>   text (default), json (as --json), or curl: each request as a curl
                          command line for bash or zsh (headers, no body), quoted safely
  -t, --timestamp         prefix each request with its wall-clock time (ISO 8601)
  -o, --output <file>     write requests to <file> (- is stdout); diagnostics stay on stderr
      --har <file>        also write the requests printed to <file> as an HTTP Archive (HAR 1.2)
                          for browser devtools; with --response, status and timing too; the
                          file is valid JSON after every write, however tracing ends
      --color <when>      auto | always | never (default auto: on for a terminal, off under
                          NO_COLOR, on under FORCE_COLOR)
      --show-secrets      print credentials unmasked; by default the values of credential
                          headers (Authorization, Cookie, X-Api-Key, *-Token, ...) and
                          URL parameters (access_token, code, ...) are masked: "Bearer ****"
      --redact-header <name>  mask this header too (repeatable); case and naming style
                          (X-Api-Key, x_api_key, xApiKey) do not matter, * matches any run
                          of characters: --redact-header 'X-Acme-*'
      --redact-param <name>   mask this URL query or fragment parameter too (repeatable)
      --response          report each request when it returns: status, error, duration
      --transport         also probe http.Transport: one request per redirect hop, as sent,
                          and requests sent without http.Client (reverse proxies); events
                          say via client|transport, the hop, the original URL; with
                          --response each has its own status and duration
  -q, --quiet             print no requests (an agent whose output is --metrics or --otlp)

Agent (docs/exporters.md):
      --metrics <host:port>   serve Prometheus metrics at http://<host:port>/metrics
                          (:9464 listens on every interface); requests by method, host,
                          status (with --response), program; durations; tracer health
      --metrics-max-hosts <n> hosts kept as label values; later ones count as "other"
                          (default 100)
      --metrics-path <pattern>  label requests by the path pattern they match
                          (repeatable, * matches any run: '/v1/users/*'); paths are
                          never labels otherwise
      --otlp <url>        send each request as an OpenTelemetry span, and the metrics, to
                          the collector's OTLP/HTTP endpoint (http://collector:4318);
                          OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* variables apply

Selection and stopping:
      --filter <expr>     keep requests matching <expr>; repeat to require all:
                            method=GET,POST   host=api.*   path=/v1/*   host!=*.internal
  -c, --count <n>         exit after printing <n> requests
  -d, --duration <time>   exit after <time>: 500ms, 10s, 2m, 1h (a bare number is seconds)
      --assume-go <ver>   read memory with this Go version's layout (binary's version unknown)
      --debug             when the kernel refuses the BPF program, print its verifier's log

  -h, --help              this help
  -V, --version           print the version

Examples:
  sudo httpwatcher -p "$(pidof my-service)"
  sudo httpwatcher -p 1234 --json | jq -r .url
  sudo httpwatcher -p 1234 --format curl -c 1 --show-secrets > replay.sh
  sudo httpwatcher -p 1234 --filter method=POST --filter 'path=/v1/*' -c 10
  sudo httpwatcher -d 30s -o requests.ndjson --json -p 1234
  sudo httpwatcher -- ./my-go-tool --flag
  httpwatcher inspect /usr/local/bin/my-go-tool

Text output escapes control characters (\\n, \\x1b, \\x9b) and doubles backslashes, so each
request is one line plus one line per header, whatever the traced program sent; --json
escapes them as \\u001b. --output creates <file> with mode 0600 and refuses a symbolic link.

Requests go to stdout (or --output), one write per request; diagnostics and the summary
(requests, drops, per-process counts) go to stderr. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops tracing,
prints what was captured and exits 0; a second one ends httpwatcher at once. With -- <command>,
tracing lasts until the command exits (a terminal's Ctrl-C reaches it too), and the command's
stdout goes to stderr when requests go to a piped stdout.

top keys: g groups by host, host+path pattern (/users/42 is /users/:id), method or status;
s sorts by rate, total, errors, p99 or name; / filters the rows by text (Esc clears); p or space
pauses; q or Ctrl-C quits, leaving the terminal as it was (also on SIGINT and SIGTERM). Errors
are calls whose do() returned an error or got a 5xx. top turns --response on, takes the targets,
--filter and --color, needs a terminal, and stops a program it started (-- command) on quitting.

Exit codes:
  0    done: interrupted, --count or --duration reached, or every traced process exited
  1    tracing failed (nothing could be attached, the output could not be written)
  2    bad usage
  77   insufficient privileges: root, or CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN and CAP_SYS_PTRACE
       (the message names what is missing)
  130  killed by a second SIGINT (143: SIGTERM, 129: SIGHUP)
  With -- <command>, the command's own exit code (128+n if a signal n ended it).`;
