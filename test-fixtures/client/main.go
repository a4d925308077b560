// Command client is httpwatcher's test fixture and demo: it starts an HTTP server on
// 127.0.0.1, makes a scripted series of requests to it through net/http.Client, and prints
// to stdout, one JSON object per line, exactly what each request carried when it entered
// (*http.Client).do. Tests compare httpwatcher's events with these lines.
//
// It must build with every Go toolchain from 1.15 on: no generics, no io.ReadAll.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// sentRequest is the ground truth for one (*http.Client).do call.
type sentRequest struct {
	Kind    string            `json:"kind"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Host    string            `json:"host,omitempty"`
	Headers map[string]string `json:"headers"`
	NHeader int               `json:"nheaders"`
	HasUser bool              `json:"userinfo"`
	Status  int               `json:"status"`
	Error   string            `json:"error,omitempty"`
}

type step struct {
	method string
	path   string
	header http.Header
	host   string
	body   string
	rawURL string
}

func main() {
	wait := flag.Bool("wait", false, "print a ready line and wait for a line on stdin before the first request")
	scenario := flag.String("scenario", "basic", "comma-separated scripted series to run, in order: "+strings.Join(scenarioNames(), ", "))
	repeat := flag.Int("repeat", 1, "run the series this many times")
	bulkN := flag.Int("n", 10000, "requests the bulk scenario sends")
	flag.Parse()

	names := strings.Split(*scenario, ",")
	for _, name := range names {
		_, isSteps := scenarios[name]
		_, isRunner := runners[name]
		if !isSteps && !isRunner {
			fmt.Fprintf(os.Stderr, "unknown scenario %q; known: %s\n", name, strings.Join(scenarioNames(), ", "))
			os.Exit(2)
		}
	}

	base, stop := startServer()
	defer stop()

	out := &truthWriter{enc: json.NewEncoder(os.Stdout)}
	if *wait {
		out.write(map[string]interface{}{"kind": "ready", "pid": os.Getpid()})
		bufio.NewReader(os.Stdin).ReadString('\n')
	}

	client := &http.Client{}
	failures := 0
	for r := 0; r < *repeat; r++ {
		for _, name := range names {
			if run, ok := runners[name]; ok {
				failures += run(runEnv{base: base, out: out, bulkN: *bulkN})
				continue
			}
			for _, s := range scenarios[name](base) {
				truth, err := send(client, base, s)
				if err != nil {
					failures++
				}
				out.write(truth)
			}
		}
	}
	out.write(map[string]interface{}{"kind": "done", "failures": failures})
	if failures > 0 {
		os.Exit(1)
	}
}

// truthWriter prints ground-truth lines; goroutines of one scenario share it.
type truthWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (w *truthWriter) write(v interface{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.enc.Encode(v)
}

// runEnv is what a runner scenario (one that is more than a list of steps) gets.
type runEnv struct {
	base  string
	out   *truthWriter
	bulkN int
}

// runners are scenarios that need more than sequential steps; each returns its failures.
var runners = map[string]func(env runEnv) int{
	"capture": runCapture,
	"bulk":    runBulk,
}

func send(client *http.Client, base string, s step) (sentRequest, error) {
	target := s.rawURL
	if target == "" {
		target = base + s.path
	}
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	req, err := http.NewRequest(s.method, target, body)
	if err != nil {
		panic(err)
	}
	for k, vs := range s.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if s.host != "" {
		req.Host = s.host
	}
	truth := describe(req)
	resp, err := client.Do(req)
	if err != nil {
		truth.Error = err.Error()
		return truth, err
	}
	io.Copy(ioutil.Discard, resp.Body)
	resp.Body.Close()
	truth.Status = resp.StatusCode
	return truth, nil
}

// describe records the request as (*http.Client).do sees it at entry: the URL without
// userinfo (httpwatcher never reads it), and each header's values joined with ", ".
func describe(req *http.Request) sentRequest {
	u := *req.URL
	hasUser := u.User != nil
	u.User = nil
	headers := make(map[string]string, len(req.Header))
	for k, vs := range req.Header {
		headers[k] = strings.Join(vs, ", ")
	}
	hostOverride := ""
	if req.Host != "" && req.Host != req.URL.Host {
		hostOverride = req.Host
	}
	return sentRequest{
		Kind: "request", Method: req.Method, URL: u.String(), Host: hostOverride,
		Headers: headers, NHeader: len(req.Header), HasUser: hasUser,
	}
}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios)+len(runners))
	for n := range scenarios {
		names = append(names, n)
	}
	for n := range runners {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

var scenarios = map[string]func(base string) []step{
	"basic": func(base string) []step {
		return []step{
			{method: "GET", path: "/v1/users?limit=10&sort=name", header: hdr("Accept", "application/json", "Authorization", "Bearer fixture-token-123")},
			{method: "POST", path: "/v1/users", body: `{"name":"gopher"}`, header: hdr("Content-Type", "application/json", "X-Request-Id", "req-42", "Authorization", "Basic Zm9vOmJhcg==")},
			{method: "GET", path: "/healthz"},
			{method: "PUT", path: "/v1/items/7?force", header: hdr("Accept", "text/plain", "Accept", "application/json", "If-Match", `"abc"`)},
			{method: "DELETE", path: "/v1/items/7#frag", header: hdr("X-Trace", "t1")},
		}
	},
	"demo": func(base string) []step {
		u, _ := url.Parse(base)
		u.User = url.UserPassword("demo", "not-a-real-password")
		return []step{
			{method: "GET", path: "/v1/users", header: hdr("Authorization", "Bearer XXXX", "Accept", "application/json")},
			{method: "POST", path: "/v1/orders?dry_run=true", body: `{"sku":"gopher-plush","qty":1}`, header: hdr("Content-Type", "application/json", "X-Request-Id", "demo-1")},
			{method: "GET", rawURL: u.String() + "/v1/me", header: hdr("Accept", "application/json")},
		}
	},
}

// respond answers every request with 200 "ok", except /redirect/N, which redirects to
// /redirect/N-1 until N is 0.
func respond(w http.ResponseWriter, r *http.Request) {
	io.Copy(ioutil.Discard, r.Body)
	if strings.HasPrefix(r.URL.Path, "/redirect/") {
		if n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/redirect/")); err == nil && n > 0 {
			http.Redirect(w, r, "/redirect/"+strconv.Itoa(n-1), http.StatusFound)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok\n")
}

func startServer() (string, func()) {
	srv := &http.Server{Handler: http.HandlerFunc(respond)}
	ln, err := listenLoopback()
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }
}
