// Command transport-client sends requests every way a Go program reaches http.Transport, from many
// goroutines at once, for the transport probe's end-to-end tests. Its own servers print what they
// received and the status they answered (the ground truth): one line per request on the wire, each
// named by a unique X-Seq. The client prints what each call received ("received" lines).
//
// Per round of each goroutine: a Client.Do to an httputil.ReverseProxy (which relays it to the
// origin with Transport.RoundTrip on its handler's goroutine; the origin answers 203), a Client.Do
// through a RoundTripper middleware that adds a header and rewrites the path before the standard
// transport (202), a bare Transport.RoundTrip (201), a Client.Do that follows a redirect chain of 3
// requests (302, 302, 200) and, with -http2, a Client.Do to an HTTP/2 server over TLS (418).
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
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// seen is one request as a server of this program received it, and the status it answered.
type seen struct {
	Kind    string            `json:"kind"`
	Server  string            `json:"server"`
	Addr    string            `json:"addr"`
	Host    string            `json:"host"`
	Method  string            `json:"method"`
	URI     string            `json:"uri"`
	Headers map[string]string `json:"headers"`
	Status  int               `json:"status"`
}

// received is what one Client.Do or RoundTrip call of the client got back.
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

func record(server, addr string, r *http.Request, status int) {
	headers := map[string]string{}
	for key, values := range r.Header {
		if strings.HasPrefix(key, "X-") {
			headers[key] = strings.Join(values, ", ")
		}
	}
	write(seen{Kind: "request", Server: server, Addr: addr, Host: r.Host, Method: r.Method, URI: r.URL.RequestURI(), Headers: headers, Status: status})
}

// statusOf is the status the origin answers each case with (a redirect hop's is 302): every case its own.
var statusOf = map[string]int{"proxy": 203, "middleware": 202, "bare": 201, "redirect": 200, "http2": 418}

// statusWriter remembers the status a handler wrote (the proxy's is the origin's, relayed).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func listen() net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	return l
}

// middleware is a RoundTripper that adds a header and rewrites the URL before the standard transport.
type middleware struct{ next http.RoundTripper }

func (m middleware) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Header.Set("X-Added", "by-middleware")
	out.URL.Path = strings.Replace(out.URL.Path, "/mw/", "/rewritten/", 1)
	return m.next.RoundTrip(out)
}

// drain prints what the call of case kind received and checks it is the status its server answers.
func drain(kind, seq string, resp *http.Response, err error) error {
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
	goroutines := flag.Int("goroutines", 64, "goroutines sending at once")
	rounds := flag.Int("rounds", 4, "rounds of each goroutine")
	withHTTP2 := flag.Bool("http2", false, "also send a request per round to an HTTP/2 server over TLS")
	flag.Parse()

	originL, proxyL := listen(), listen()
	origin := originL.Addr().String()
	proxyAddr := proxyL.Addr().String()
	go http.Serve(originL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /redirect/N/SEQ redirects to /redirect/N-1/SEQ until N is 0.
		if parts := strings.Split(r.URL.Path, "/"); len(parts) == 4 && parts[1] == "redirect" {
			if n, err := strconv.Atoi(parts[2]); err == nil && n > 0 {
				record("origin", origin, r, http.StatusFound)
				http.Redirect(w, r, "/redirect/"+strconv.Itoa(n-1)+"/"+parts[3], http.StatusFound)
				return
			}
		}
		status := statusOf[r.Header.Get("X-Case")]
		record("origin", origin, r, status)
		w.WriteHeader(status)
		io.WriteString(w, "ok")
	}))
	target, _ := url.Parse("http://" + origin)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	go http.Serve(proxyL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(sw, r)
		record("proxy", proxyAddr, r, sw.status)
	}))
	var h2 *httptest.Server
	if *withHTTP2 {
		h2 = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			record("h2", r.Host, r, statusOf["http2"])
			w.WriteHeader(statusOf["http2"])
			io.WriteString(w, r.Proto)
		}))
		h2.EnableHTTP2 = true
		h2.StartTLS()
		defer h2.Close()
	}

	if *wait {
		write(map[string]interface{}{"kind": "ready", "pid": os.Getpid()})
		bufio.NewReader(os.Stdin).ReadString('\n')
	}

	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: transport}
	viaMiddleware := &http.Client{Transport: middleware{next: transport}}
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
				// Varied headers: each request has 1 to 4 of its own besides X-Case and X-Seq.
				extra := make([]string, 0, 4)
				for k := 0; k <= (g+i)%4; k++ {
					extra = append(extra, "X-Extra-"+strconv.Itoa(k))
				}
				sort.Strings(extra)
				newReq := func(method, u, kind string) *http.Request {
					req, _ := http.NewRequest(method, u, nil)
					req.Header.Set("X-Case", kind)
					req.Header.Set("X-Seq", seq)
					for _, key := range extra {
						req.Header.Add(key, kind+"-"+seq)
					}
					return req
				}
				resp, err := client.Do(newReq("GET", "http://"+proxyAddr+"/proxied/"+seq+"?q="+seq, "proxy"))
				if err := drain("proxy", seq, resp, err); err != nil {
					fail("proxy "+seq, err)
				}
				resp, err = viaMiddleware.Do(newReq("POST", "http://"+origin+"/mw/"+seq, "middleware"))
				if err := drain("middleware", seq, resp, err); err != nil {
					fail("middleware "+seq, err)
				}
				resp, err = transport.RoundTrip(newReq("PUT", "http://"+origin+"/bare/"+seq, "bare"))
				if err := drain("bare", seq, resp, err); err != nil {
					fail("bare "+seq, err)
				}
				resp, err = client.Do(newReq("GET", "http://"+origin+"/redirect/2/"+seq, "redirect"))
				if err := drain("redirect", seq, resp, err); err != nil {
					fail("redirect "+seq, err)
				}
				if h2 != nil {
					resp, err = h2.Client().Do(newReq("GET", h2.URL+"/h2/"+seq, "http2"))
					if err == nil && resp.ProtoMajor != 2 {
						err = fmt.Errorf("protocol %s, expected HTTP/2", resp.Proto)
					}
					if err := drain("http2", seq, resp, err); err != nil {
						fail("http2 "+seq, err)
					}
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
