// Command traced-client is the test fixture of httpwatcher's OpenTelemetry export: it starts an
// HTTP server on 127.0.0.1, calls it through net/http.Client with and without W3C traceparent
// headers (valid, invalid, with tracestate), with a credential in the query, a Host override,
// error statuses, a delay and a refused port, and prints one JSON line per call: what it sent
// and what came back, as measured around Client.Do. Tests compare the exported spans with these.
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
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

type call struct {
	method string
	path   string // on the local server; "refused" targets a closed port
	header map[string]string
	host   string
}

var calls = []call{
	{method: "GET", path: "/status/200", header: map[string]string{"Traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "Authorization": "Bearer fixture-token"}},
	{method: "POST", path: "/status/201?access_token=s3cr3t-value&page=2", header: map[string]string{"Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "Tracestate": "vendor=opaque"}},
	{method: "GET", path: "/status/404"},
	{method: "PUT", path: "/status/500", header: map[string]string{"Traceparent": "00-not-a-valid-traceparent-01"}},
	{method: "GET", path: "/status/200?delay=60"},
	{method: "DELETE", path: "/status/204", host: "api.internal.test"},
	{method: "GET", path: "refused"},
}

// outcome is the ground truth for one call.
type outcome struct {
	Kind    string            `json:"kind"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Host    string            `json:"host,omitempty"`
	Headers map[string]string `json:"headers"`
	// Status is Response.StatusCode, 0 when Do returned no response.
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
	// StartUnixNano and DurationNs: Do as measured around the call, which contains Client.do.
	StartUnixNano int64 `json:"startUnixNano"`
	DurationNs    int64 `json:"durationNs"`
}

func main() {
	wait := flag.Bool("wait", false, "print a ready line and wait for a line on stdin before the first call")
	repeat := flag.Int("repeat", 1, "make the series of calls this many times")
	pause := flag.Duration("pause", 0, "pause between two series")
	loadN := flag.Int("load", 0, "instead of the series, make this many GET calls at -rate calls/s through an in-process transport")
	rate := flag.Int("rate", 1000, "calls per second of -load")
	flag.Parse()

	base, refused := startServer()
	out := json.NewEncoder(os.Stdout)
	if *wait {
		out.Encode(map[string]interface{}{"kind": "ready", "pid": os.Getpid()})
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	if *loadN > 0 {
		out.Encode(paced(*loadN, *rate))
		return
	}
	client := &http.Client{}
	for r := 0; r < *repeat; r++ {
		if r > 0 {
			time.Sleep(*pause)
		}
		for _, c := range calls {
			url := base + c.path
			if c.path == "refused" {
				url = "http://" + refused + "/refused"
			}
			out.Encode(run(client, c, url))
		}
	}
	out.Encode(map[string]interface{}{"kind": "done"})
}

func run(client *http.Client, c call, url string) outcome {
	o := outcome{Kind: "request", Method: c.method, URL: url, Host: c.host, Headers: map[string]string{}}
	req, err := http.NewRequest(c.method, url, nil)
	if err != nil {
		panic(err)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
		o.Headers[k] = v
	}
	if c.host != "" {
		req.Host = c.host
	}
	start := time.Now()
	resp, err := client.Do(req)
	o.StartUnixNano = start.UnixNano()
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

type instantTransport struct{}

func (instantTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: ioutil.NopCloser(strings.NewReader("")), Request: req,
	}, nil
}

// paced makes n calls to http://load.invalid/load/<i> at `rate` calls/s: every 10 ms, the calls
// due by then (an offered load, like a service's, rather than as fast as the CPU allows). It
// reports how many were made, how many got their 200, and how long it took.
func paced(n, rate int) map[string]interface{} {
	client := &http.Client{Transport: instantTransport{}}
	start := time.Now()
	ok := 0
	for i := 0; i < n; {
		due := int(time.Since(start).Seconds() * float64(rate))
		for ; i < n && i <= due; i++ {
			resp, err := client.Get("http://load.invalid/load/" + strconv.Itoa(i))
			if err == nil {
				if resp.StatusCode == http.StatusOK {
					ok++
				}
				resp.Body.Close()
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return map[string]interface{}{"kind": "load", "sent": n, "ok": ok, "elapsedNs": time.Since(start).Nanoseconds()}
}

// startServer answers /status/<code>[?delay=<ms>]; it also returns a loopback port nothing listens on.
func startServer() (string, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	refused := closed.Addr().String()
	closed.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 200 || code > 599 {
			code = 400
		}
		if ms, err := strconv.Atoi(r.URL.Query().Get("delay")); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		w.WriteHeader(code)
	})
	go http.Serve(ln, mux)
	return "http://" + ln.Addr().String(), refused
}
