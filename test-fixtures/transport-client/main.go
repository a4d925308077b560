// Command transport-client sends requests every way a Go program reaches http.Transport, from many
// goroutines at once, for the transport probe's end-to-end test. Its own servers print what they
// received (the ground truth): one line per request on the wire, each named by a unique X-Seq.
//
// Per round of each goroutine: a Client.Do to an httputil.ReverseProxy (which relays it to the
// origin with Transport.RoundTrip on its handler's goroutine), a Client.Do through a RoundTripper
// middleware that adds a header and rewrites the path before the standard transport, a bare
// Transport.RoundTrip, and a Client.Do that follows a redirect chain of 3 requests.
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
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// seen is one request as a server of this program received it.
type seen struct {
	Kind    string            `json:"kind"`
	Server  string            `json:"server"`
	Addr    string            `json:"addr"`
	Host    string            `json:"host"`
	Method  string            `json:"method"`
	URI     string            `json:"uri"`
	Headers map[string]string `json:"headers"`
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

func record(server, addr string, r *http.Request) {
	headers := map[string]string{}
	for key, values := range r.Header {
		if strings.HasPrefix(key, "X-") {
			headers[key] = strings.Join(values, ", ")
		}
	}
	write(seen{Kind: "request", Server: server, Addr: addr, Host: r.Host, Method: r.Method, URI: r.URL.RequestURI(), Headers: headers})
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

func drain(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	io.Copy(ioutil.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func main() {
	wait := flag.Bool("wait", false, "print a ready line and wait for a line on stdin before the first request")
	goroutines := flag.Int("goroutines", 64, "goroutines sending at once")
	rounds := flag.Int("rounds", 4, "rounds of each goroutine")
	flag.Parse()

	originL, proxyL := listen(), listen()
	origin := originL.Addr().String()
	proxyAddr := proxyL.Addr().String()
	go http.Serve(originL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("origin", origin, r)
		// /redirect/N/SEQ redirects to /redirect/N-1/SEQ until N is 0.
		if parts := strings.Split(r.URL.Path, "/"); len(parts) == 4 && parts[1] == "redirect" {
			if n, err := strconv.Atoi(parts[2]); err == nil && n > 0 {
				http.Redirect(w, r, "/redirect/"+strconv.Itoa(n-1)+"/"+parts[3], http.StatusFound)
				return
			}
		}
		io.WriteString(w, "ok")
	}))
	target, _ := url.Parse("http://" + origin)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	go http.Serve(proxyL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("proxy", proxyAddr, r)
		proxy.ServeHTTP(w, r)
	}))

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
				if err := drain(client.Do(newReq("GET", "http://"+proxyAddr+"/proxied/"+seq+"?q="+seq, "proxy"))); err != nil {
					fail("proxy "+seq, err)
				}
				if err := drain(viaMiddleware.Do(newReq("POST", "http://"+origin+"/mw/"+seq, "middleware"))); err != nil {
					fail("middleware "+seq, err)
				}
				if err := drain(transport.RoundTrip(newReq("PUT", "http://"+origin+"/bare/"+seq, "bare"))); err != nil {
					fail("bare "+seq, err)
				}
				if err := drain(client.Do(newReq("GET", "http://"+origin+"/redirect/2/"+seq, "redirect"))); err != nil {
					fail("redirect "+seq, err)
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
