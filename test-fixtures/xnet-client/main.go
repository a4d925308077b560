// Command xnet-client sends HTTP/2 requests through golang.org/x/net/http2's Transport, every way a
// program reaches it, from many goroutines at once, for the transport probe's end-to-end tests. Its
// HTTP/2 server prints what it received and the status it answered (the ground truth): one line per
// request on the wire, each named by a unique X-Seq. The client prints what each call received.
//
// Per round of each goroutine: a bare http2.Transport.RoundTrip (201), a Client.Do whose Transport
// is the http2.Transport (202), and a Client.Do through an http.Transport that
// http2.ConfigureTransport set up (203), which reaches the x/net transport from inside net/http's
// (or, from x/net 0.62 on Go 1.27, wraps net/http's own HTTP/2).
//
// Its golang.org/x/net (and what that needs) is Debian's package for the toolchain: build.sh
// writes the replace directives from modules.txt.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/http2"
)

// seen is one request as the server received it, and the status it answered.
type seen struct {
	Kind    string            `json:"kind"`
	Server  string            `json:"server"`
	Addr    string            `json:"addr"`
	Host    string            `json:"host"`
	Method  string            `json:"method"`
	URI     string            `json:"uri"`
	Proto   string            `json:"proto"`
	Headers map[string]string `json:"headers"`
	Status  int               `json:"status"`
}

// received is what one call of the client got back.
type received struct {
	Kind   string `json:"kind"`
	Case   string `json:"case"`
	Seq    string `json:"seq"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

var (
	outMu sync.Mutex
	out   = json.NewEncoder(os.Stdout)
)

func write(v interface{}) {
	outMu.Lock()
	defer outMu.Unlock()
	out.Encode(v)
}

// statusOf is the status the server answers each case with: every case its own.
var statusOf = map[string]int{"xnet-bare": 201, "xnet-client": 202, "xnet-configured": 203}

// drain prints what the call of case kind received and checks its status and protocol.
func drain(kind, seq string, resp *http.Response, err error) error {
	if err == nil && resp.ProtoMajor != 2 {
		resp.Body.Close()
		err = fmt.Errorf("protocol %s, expected HTTP/2", resp.Proto)
	}
	if err != nil {
		write(received{Kind: "received", Case: kind, Seq: seq, Error: err.Error()})
		return err
	}
	io.Copy(ioutil.Discard, resp.Body)
	resp.Body.Close()
	write(received{Kind: "received", Case: kind, Seq: seq, Status: resp.StatusCode})
	if resp.StatusCode != statusOf[kind] {
		return fmt.Errorf("status %d, expected %d", resp.StatusCode, statusOf[kind])
	}
	return nil
}

func main() {
	wait := flag.Bool("wait", false, "print a ready line and wait for a line on stdin before the first request")
	goroutines := flag.Int("goroutines", 32, "goroutines sending at once")
	rounds := flag.Int("rounds", 4, "rounds of each goroutine")
	flag.Parse()

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers := map[string]string{}
		for key, values := range r.Header {
			if strings.HasPrefix(key, "X-") {
				headers[key] = strings.Join(values, ", ")
			}
		}
		status := statusOf[r.Header.Get("X-Case")]
		write(seen{Kind: "request", Server: "h2", Addr: r.Host, Host: r.Host, Method: r.Method, URI: r.URL.RequestURI(), Proto: r.Proto, Headers: headers, Status: status})
		w.WriteHeader(status)
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	h2t := &http2.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	viaClient := &http.Client{Transport: h2t}
	t1 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: 64}
	if err := http2.ConfigureTransport(t1); err != nil {
		panic(err)
	}
	configured := &http.Client{Transport: t1}

	if *wait {
		write(map[string]interface{}{"kind": "ready", "pid": os.Getpid()})
		bufio.NewReader(os.Stdin).ReadString('\n')
	}

	var failures []string
	var mu sync.Mutex
	fail := func(what string, err error) {
		mu.Lock()
		failures = append(failures, what+": "+err.Error())
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for g := 0; g < *goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < *rounds; i++ {
				seq := strconv.Itoa(g) + "-" + strconv.Itoa(i)
				extra := make([]string, 0, 4)
				for k := 0; k <= (g+i)%4; k++ {
					extra = append(extra, "X-Extra-"+strconv.Itoa(k))
				}
				sort.Strings(extra)
				newReq := func(method, kind string) *http.Request {
					req, _ := http.NewRequest(method, srv.URL+"/"+kind+"/"+seq+"?q="+seq, nil)
					req.Header.Set("X-Case", kind)
					req.Header.Set("X-Seq", seq)
					for _, key := range extra {
						req.Header.Add(key, kind+"-"+seq)
					}
					return req
				}
				resp, err := h2t.RoundTrip(newReq("PUT", "xnet-bare"))
				if err := drain("xnet-bare", seq, resp, err); err != nil {
					fail("xnet-bare "+seq, err)
				}
				resp, err = viaClient.Do(newReq("POST", "xnet-client"))
				if err := drain("xnet-client", seq, resp, err); err != nil {
					fail("xnet-client "+seq, err)
				}
				resp, err = configured.Do(newReq("GET", "xnet-configured"))
				if err := drain("xnet-configured", seq, resp, err); err != nil {
					fail("xnet-configured "+seq, err)
				}
			}
		}(g)
	}
	wg.Wait()
	write(map[string]interface{}{"kind": "done", "failures": failures})
	if len(failures) > 0 {
		os.Exit(1)
	}
}
