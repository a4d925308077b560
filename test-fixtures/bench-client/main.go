// Command bench-client is the load generator of httpwatcher's benchmarks (bench/): a loop of
// net/http.Client.Do calls, each carrying 8 headers, timed by the program itself so that the
// cost a tracer adds shows up in its own ns/call.
//
// It prints {"kind":"ready","pid":N} and then obeys one command per stdin line, answering each
// with one JSON line:
//
//	run <calls>               calls spread over -goroutines goroutines, as fast as they go
//	paced <count> <interval>  one call every <interval> ms, printing the CLOCK_REALTIME ns taken
//	                          right before each call; its URL path ends in the call's sequence number
//	quit
//
// -transport inproc answers from a RoundTripper inside the process (no network, so the probe is
// not lost in noise); -transport loopback uses keep-alive connections to a server on 127.0.0.1.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// instantTransport answers every request at once with an empty 200, without a network.
type instantTransport struct{}

func (instantTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: http.NoBody, ContentLength: 0, Request: req,
	}, nil
}

func main() {
	transport := flag.String("transport", "inproc", "inproc | loopback")
	goroutines := flag.Int("goroutines", 1, "goroutines sharing each run")
	values := flag.String("header-values", "literal", "literal: string constants | built: copied to the heap for each request, as values computed at run time are")
	flag.Parse()
	builtValues = *values == "built"

	base := "http://bench.invalid"
	client := &http.Client{Transport: instantTransport{}}
	switch *transport {
	case "inproc":
	case "loopback":
		base = startServer()
		client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *goroutines + 1}}
	default:
		fmt.Fprintf(os.Stderr, "unknown -transport %q (inproc | loopback)\n", *transport)
		os.Exit(2)
	}

	out := json.NewEncoder(os.Stdout)
	out.Encode(map[string]interface{}{"kind": "ready", "pid": os.Getpid(), "transport": *transport})
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch {
		case f[0] == "run" && len(f) == 2:
			calls, _ := strconv.Atoi(f[1])
			out.Encode(run(client, base, calls, *goroutines))
		case f[0] == "paced" && len(f) == 3:
			count, _ := strconv.Atoi(f[1])
			intervalMs, _ := strconv.Atoi(f[2])
			paced(client, base, count, time.Duration(intervalMs)*time.Millisecond, out)
		case f[0] == "quit":
			return
		default:
			fmt.Fprintf(os.Stderr, "unknown command %q\n", in.Text())
			os.Exit(2)
		}
	}
}

// builtValues: header values are heap copies made for each request (tokens, ids, anything
// computed), not string constants in the binary's read-only data.
var builtValues bool

func value(v string) string {
	if builtValues {
		return strings.Clone(v)
	}
	return v
}

func newRequest(url string) *http.Request {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		panic(err)
	}
	h := req.Header
	h.Set("Accept", value("application/json"))
	h.Set("Authorization", value("Bearer bench-token-0123456789"))
	h.Set("User-Agent", value("httpwatcher-bench/1"))
	h.Set("X-Request-Id", value("0f8fad5b-d9cb-469f-a165-70867728950e"))
	h.Set("X-Tenant", value("bench"))
	h.Set("Accept-Language", value("en"))
	h.Set("Cache-Control", value("no-cache"))
	h.Set("X-Trace", value("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
	return req
}

func do(client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "request:", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

type round struct {
	Kind        string  `json:"kind"`
	Calls       int     `json:"calls"`
	Goroutines  int     `json:"goroutines"`
	ElapsedNs   int64   `json:"elapsedNs"`
	NsPerCall   float64 `json:"nsPerCall"`
	CallsPerSec float64 `json:"callsPerSec"`
}

// run builds each request inside the timed loop, as a real client does; the tracer's cost is
// the difference between traced and untraced rounds of the same process.
func run(client *http.Client, base string, calls, goroutines int) round {
	url := base + "/v1/items?limit=10&sort=name"
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < goroutines; g++ {
		n := calls / goroutines
		if g < calls%goroutines {
			n++
		}
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				do(client, newRequest(url))
			}
		}(n)
	}
	wg.Wait()
	elapsed := time.Since(start)
	return round{
		Kind: "round", Calls: calls, Goroutines: goroutines, ElapsedNs: elapsed.Nanoseconds(),
		NsPerCall:   float64(elapsed.Nanoseconds()) / float64(calls),
		CallsPerSec: float64(calls) / elapsed.Seconds(),
	}
}

func paced(client *http.Client, base string, count int, interval time.Duration, out *json.Encoder) {
	for i := 0; i < count; i++ {
		req := newRequest(base + "/paced/" + strconv.Itoa(i))
		sentNs := time.Now().UnixNano() // CLOCK_REALTIME
		do(client, req)
		out.Encode(map[string]interface{}{"kind": "sent", "seq": i, "realtimeNs": sentNs})
		time.Sleep(interval)
	}
	out.Encode(map[string]interface{}{"kind": "paced-done", "count": count})
}

func startServer() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String()
}
