// Command response-client is the test fixture for response tracing: it starts an HTTP server on
// 127.0.0.1 that answers with a chosen status after a chosen delay, calls it through
// net/http.Client, and prints one JSON line per call with what came back and how long
// (*http.Client).Do took as measured here: the ground truth for status, error and duration.
//
// Scenarios: "basic" (statuses 200/404/500, delays, a redirect, a refused port, a client
// timeout, and a panic that unwinds through Client.do), "load" (-n calls from -c goroutines) and
// "nested" (-n calls from -c goroutines through a RoundTripper that first fetches a token with
// its own Client.Do on the same goroutine, as OAuth middleware does: one outcome line per call,
// the token fetches' included).
// It must build with every Go toolchain from 1.15 on: no generics, no io.ReadAll.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// outcome is the ground truth for one call.
type outcome struct {
	Kind   string `json:"kind"`
	Method string `json:"method"`
	URL    string `json:"url"`
	// Status is Response.StatusCode, 0 when Do returned no response.
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
	// MinMs: the call cannot have taken less (the server's delay, or the client's timeout).
	MinMs int `json:"minMs"`
	// DurationNs: Do as measured around the call, which contains Client.do.
	DurationNs int64 `json:"durationNs"`
	// Panicked: the call never returned; a panic in CheckRedirect unwound through Client.do.
	Panicked bool `json:"panicked,omitempty"`
}

type call struct {
	method  string
	path    string // on the local server; "refused" targets a closed port
	minMs   int
	timeout time.Duration
	panics  bool
}

var basic = []call{
	{method: "GET", path: "/status/200"},
	{method: "GET", path: "/status/404"},
	{method: "GET", path: "/status/500"},
	{method: "GET", path: "/status/200?delay=150", minMs: 150},
	{method: "GET", path: "/status/404?delay=80", minMs: 80},
	{method: "POST", path: "/status/500?delay=40", minMs: 40},
	{method: "GET", path: "/redirect?to=/status/200%3Fdelay%3D60", minMs: 60},
	{method: "GET", path: "refused"},
	{method: "GET", path: "/status/200?delay=400", minMs: 100, timeout: 100 * time.Millisecond},
	{method: "GET", path: "/redirect?to=/status/200", panics: true},
	{method: "GET", path: "/status/200?delay=20", minMs: 20},
}

func main() {
	wait := flag.Bool("wait", false, "print a ready line and wait for a line on stdin before the first call")
	scenario := flag.String("scenario", "basic", "basic or load")
	n := flag.Int("n", 10000, "calls the load scenario makes")
	concurrency := flag.Int("c", 64, "goroutines of the load scenario")
	flag.Parse()
	if *scenario != "basic" && *scenario != "load" && *scenario != "nested" {
		fmt.Fprintf(os.Stderr, "unknown scenario %q; known: basic, load, nested\n", *scenario)
		os.Exit(2)
	}

	base, stop := startServer()
	defer stop()
	out := json.NewEncoder(os.Stdout)
	if *wait {
		out.Encode(map[string]interface{}{"kind": "ready", "pid": os.Getpid()})
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	if *scenario == "load" {
		if !load(base, out, *n, *concurrency) {
			os.Exit(1)
		}
		return
	}
	if *scenario == "nested" {
		if !nested(base, out, *n, *concurrency) {
			os.Exit(1)
		}
		return
	}
	refused := closedPort()
	for _, c := range basic {
		url := base + c.path
		if c.path == "refused" {
			url = "http://" + refused + "/refused"
		}
		out.Encode(run(c, url))
	}
}

func run(c call, url string) (o outcome) {
	o = outcome{Kind: "response", Method: c.method, URL: url, MinMs: c.minMs}
	client := &http.Client{Timeout: c.timeout}
	if c.panics {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { panic("redirect refused by panic") }
	}
	req, err := http.NewRequest(c.method, url, strings.NewReader(""))
	if err != nil {
		o.Error = err.Error()
		return o
	}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			o.DurationNs = time.Since(start).Nanoseconds()
			o.Panicked = true
			o.Error = fmt.Sprint(r)
		}
	}()
	resp, err := client.Do(req)
	o.DurationNs = time.Since(start).Nanoseconds()
	if err != nil {
		o.Error = err.Error()
	}
	if resp != nil {
		o.Status = resp.StatusCode
		io.Copy(ioutil.Discard, resp.Body)
		resp.Body.Close()
	}
	return o
}

// load makes n calls from `workers` goroutines, statuses cycling 200, 404, 500, and reports whether
// every call got its response.
func load(base string, out *json.Encoder, n, workers int) bool {
	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	client := &http.Client{Transport: transport}
	statuses := []int{200, 404, 500}
	var next, received, failed int64
	counts := make([]int64, len(statuses))
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1) - 1
				if i >= int64(n) {
					return
				}
				want := statuses[i%int64(len(statuses))]
				resp, err := client.Get(base + "/status/" + strconv.Itoa(want))
				if err != nil {
					atomic.AddInt64(&failed, 1)
					continue
				}
				io.Copy(ioutil.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					atomic.AddInt64(&failed, 1)
					continue
				}
				atomic.AddInt64(&received, 1)
				atomic.AddInt64(&counts[i%int64(len(statuses))], 1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	byStatus := map[string]int64{}
	for i, s := range statuses {
		byStatus[strconv.Itoa(s)] = counts[i]
	}
	out.Encode(map[string]interface{}{"kind": "load", "sent": n, "received": received, "failed": failed, "byStatus": byStatus, "elapsedNs": elapsed.Nanoseconds()})
	return received == int64(n)
}

// tokenTransport fetches a token with its own client before each request it forwards: a
// Client.Do inside the outer call's Client.do, on the same goroutine.
type tokenTransport struct {
	base   string
	tokens *http.Client
	next   http.RoundTripper
	report func(outcome)
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.report(get(t.tokens, t.base+"/status/203?token="+req.URL.Query().Get("seq")))
	return t.next.RoundTrip(req)
}

// get is one GET and its outcome, timed around Client.Get.
func get(client *http.Client, url string) outcome {
	start := time.Now()
	resp, err := client.Get(url)
	o := outcome{Kind: "response", Method: "GET", URL: url, DurationNs: time.Since(start).Nanoseconds()}
	if err != nil {
		o.Error = err.Error()
	} else {
		o.Status = resp.StatusCode
		io.Copy(ioutil.Discard, resp.Body)
		resp.Body.Close()
	}
	return o
}

// nested makes n calls from `workers` goroutines through tokenTransport, statuses cycling 200,
// 404, 500 (the token fetches get 203), prints every call's outcome, and reports whether all
// got the status they asked for.
func nested(base string, out *json.Encoder, n, workers int) bool {
	var mu sync.Mutex
	ok := true
	report := func(o outcome) {
		mu.Lock()
		defer mu.Unlock()
		out.Encode(o)
		want := 203
		if !strings.Contains(o.URL, "token=") {
			want, _ = strconv.Atoi(strings.TrimPrefix(strings.SplitN(o.URL, "?", 2)[0], base+"/status/"))
		}
		ok = ok && o.Error == "" && o.Status == want
	}
	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	client := &http.Client{Transport: &tokenTransport{
		base:   base,
		tokens: &http.Client{Transport: transport},
		next:   transport,
		report: report,
	}}
	statuses := []int{200, 404, 500}
	var next int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1) - 1
				if i >= int64(n) {
					return
				}
				url := base + "/status/" + strconv.Itoa(statuses[i%int64(len(statuses))]) + "?seq=" + strconv.FormatInt(i, 10)
				report(get(client, url))
			}
		}()
	}
	wg.Wait()
	return ok
}

func startServer() (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 200 || code > 599 {
			code = 400
		}
		if ms, err := strconv.Atoi(r.URL.Query().Get("delay")); err == nil {
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(code)
		io.WriteString(w, http.StatusText(code))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	server := &http.Server{Handler: mux}
	go server.Serve(ln)
	return "http://" + ln.Addr().String(), func() { server.Close() }
}

// closedPort returns 127.0.0.1:port where nothing listens: a port just released.
func closedPort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
