package main

// The capture scenario: requests at the edges of what httpwatcher records (field lengths
// around its limits, header counts around its bounds, maps mid-growth, every URL form Go's
// URL.String writes, TLS, HTTP/2, redirects, a fresh goroutine with a deep stack). Each line
// carries the raw fields so that tests can compute what a capture cut to the limits must show.

import (
	"context"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
)

// urlParts are the request's fields as (*http.Client).do sees them at entry.
type urlParts struct {
	Method      string `json:"method"`
	Scheme      string `json:"scheme"`
	Opaque      string `json:"opaque"`
	Host        string `json:"host"`
	Path        string `json:"path"`
	RawPath     string `json:"rawPath"`
	RawQuery    string `json:"rawQuery"`
	Fragment    string `json:"fragment"`
	RawFragment string `json:"rawFragment"`
	RequestHost string `json:"requestHost"`
	ForceQuery  bool   `json:"forceQuery"`
}

// captureTruth is a sentRequest line with what the capture tests need on top.
type captureTruth struct {
	sentRequest
	Name   string              `json:"name"`
	Parts  urlParts            `json:"parts"`
	Values map[string][]string `json:"values"`
	Goid   int64               `json:"goid"`
	Proto  string              `json:"proto,omitempty"`
	Map    *mapShape           `json:"map,omitempty"`
}

type captureCase struct {
	name   string
	client *http.Client
	build  func() *http.Request
	// deepStack: send from a fresh goroutine, this many frames deep (doAtDepth).
	deepStack int
}

func runCapture(env runEnv) int {
	baseURL, _ := url.Parse(env.base)
	addr := baseURL.Host
	// Any host name reaches the local server, so URL hosts of any length can be sent.
	anyHost := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	tlsServer := httptest.NewTLSServer(http.HandlerFunc(respond))
	defer tlsServer.Close()
	h2Server := httptest.NewUnstartedServer(http.HandlerFunc(respond))
	h2Server.EnableHTTP2 = true
	h2Server.StartTLS()
	defer h2Server.Close()

	failures := 0
	for _, c := range captureCases(env.base, anyHost, tlsServer, h2Server) {
		if !sendCase(env.out, c) {
			failures++
		}
	}
	return failures
}

func sendCase(out *truthWriter, c captureCase) bool {
	if c.deepStack == 0 {
		return sendNow(out, c)
	}
	result := make(chan bool)
	go func() { result <- sendNow(out, c) }()
	return <-result
}

func sendNow(out *truthWriter, c captureCase) bool {
	req := c.build()
	truth := captureTruth{sentRequest: describe(req), Name: c.name, Parts: partsOf(req), Goid: currentGoid()}
	truth.Values = map[string][]string{}
	for k, vs := range req.Header {
		truth.Values[k] = append([]string(nil), vs...)
	}
	truth.Map = shapeOf(req.Header)
	resp, err := doAtDepth(c.deepStack, c.client, req)
	ok := false
	if err != nil {
		truth.Error = err.Error()
	} else {
		io.Copy(ioutil.Discard, resp.Body)
		resp.Body.Close()
		truth.Status = resp.StatusCode
		truth.Proto = resp.Proto
		ok = resp.StatusCode == http.StatusOK
	}
	out.write(truth)
	return ok
}

func partsOf(req *http.Request) urlParts {
	u := req.URL
	return urlParts{
		Method: req.Method, Scheme: u.Scheme, Opaque: u.Opaque, Host: u.Host, Path: u.Path,
		RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment, RawFragment: u.RawFragment,
		RequestHost: req.Host, ForceQuery: u.ForceQuery,
	}
}

// currentGoid parses "goroutine N [running]:" from runtime.Stack; Go has no goid API.
func currentGoid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	fields := strings.Fields(string(buf))
	if len(fields) < 2 {
		return 0
	}
	id, _ := strconv.ParseInt(fields[1], 10, 64)
	return id
}

func newRequest(method, target string) *http.Request {
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// ofLength returns prefix + fill bytes + suffix, exactly n bytes long.
func ofLength(n int, prefix, suffix string) string {
	return prefix + strings.Repeat("x", n-len(prefix)-len(suffix)) + suffix
}

// numbered returns a request to base with count headers X-H-0001... set to distinct values.
func numbered(base string, count int) func() *http.Request {
	return func() *http.Request {
		req := newRequest("GET", base+"/headers/"+strconv.Itoa(count))
		for i := 0; i < count; i++ {
			req.Header.Set(fmt.Sprintf("X-H-%04d", i), fmt.Sprintf("value-%d", i))
		}
		return req
	}
}

func withHeaders(method, target string, kv ...string) func() *http.Request {
	return func() *http.Request {
		req := newRequest(method, target)
		for i := 0; i+1 < len(kv); i += 2 {
			req.Header.Add(kv[i], kv[i+1])
		}
		return req
	}
}

func captureCases(base string, anyHost *http.Client, tlsServer, h2Server *httptest.Server) []captureCase {
	cases := []captureCase{}
	add := func(name string, client *http.Client, build func() *http.Request) {
		cases = append(cases, captureCase{name: name, client: client, build: build})
	}
	for _, n := range []int{63, 64, 65} {
		n := n
		add("method-"+strconv.Itoa(n), anyHost, func() *http.Request { return newRequest(strings.Repeat("M", n), base+"/method") })
		add("host-"+strconv.Itoa(n), anyHost, func() *http.Request { return newRequest("GET", "http://"+ofLength(n, "h", ".test")+"/host") })
		add("path-"+strconv.Itoa(n), anyHost, func() *http.Request { return newRequest("GET", base+ofLength(n, "/p", "")) })
		add("query-"+strconv.Itoa(n), anyHost, func() *http.Request { return newRequest("GET", base+"/query?"+ofLength(n, "q=", "")) })
		add("fragment-"+strconv.Itoa(n), anyHost, func() *http.Request { return newRequest("GET", base+"/fragment#"+ofLength(n, "f", "")) })
		// RawPath of n bytes; Path is 2 bytes shorter ("%2F" decodes to "/").
		add("raw-path-"+strconv.Itoa(n), anyHost, func() *http.Request { return newRequest("GET", base+ofLength(n, "/r", "a%2Fb")) })
		add("request-host-"+strconv.Itoa(n), anyHost, func() *http.Request {
			req := newRequest("GET", base+"/request-host")
			req.Host = ofLength(n, "v", ".test")
			return req
		})
		add("key-"+strconv.Itoa(n), anyHost, withHeaders("GET", base+"/key", ofLength(n, "X-K", ""), "v"))
		add("value-"+strconv.Itoa(n+448), anyHost, withHeaders("GET", base+"/value", "X-Value", ofLength(n+448, "v", "")))
	}
	add("values-join-512", anyHost, withHeaders("GET", base+"/join", "X-Join", ofLength(255, "a", ""), "X-Join", ofLength(255, "b", "")))
	add("values-join-513", anyHost, withHeaders("GET", base+"/join", "X-Join", ofLength(255, "a", ""), "X-Join", ofLength(256, "b", "")))
	add("values-join-crosses-512", anyHost, withHeaders("GET", base+"/join", "X-Join", ofLength(300, "a", ""), "X-Join", ofLength(300, "b", ""), "Accept", "text/plain", "Accept", "application/json", "Accept", "*/*"))
	add("values-cut-inside-utf8", anyHost, withHeaders("GET", base+"/utf8", "X-Utf8", strings.Repeat("v", 511)+"é"))
	add("values-many", anyHost, func() *http.Request {
		req := newRequest("GET", base+"/many-values")
		for i := 0; i < 20; i++ {
			req.Header.Add("X-Many", "v"+strconv.Itoa(i))
		}
		return req
	})
	add("non-ascii", anyHost, withHeaders("GET", base+"/na%C3%AFve/%E6%97%A5%E6%9C%AC?q=%C3%A9", "X-Text", "café ☕ 日本", "Accept-Language", "fr-CH, fr;q=0.9"))
	// A header named like a JavaScript object's prototype must come out as a plain header.
	add("key-__proto__", anyHost, withHeaders("GET", base+"/proto", "__proto__", "not-a-prototype", "Constructor", "c"))
	add("opaque", anyHost, func() *http.Request {
		req := newRequest("GET", base+"/ignored")
		req.URL.Opaque = "/opaque%2Fpath"
		return req
	})
	add("force-query", anyHost, func() *http.Request { return newRequest("GET", base+"/force?") })
	add("raw-fragment", anyHost, func() *http.Request { return newRequest("GET", base+"/frag#a%2Fb%20c") })
	add("userinfo", anyHost, func() *http.Request {
		return newRequest("GET", strings.Replace(base, "http://", "http://user:secret-password@", 1)+"/me")
	})
	add("headers-nil", anyHost, func() *http.Request {
		req := newRequest("GET", base+"/headers/nil")
		req.Header = nil
		return req
	})
	add("headers-empty-untouched-page", anyHost, func() *http.Request {
		req := newRequest("GET", base+"/headers/untouched-page")
		req.Header = untouchedPageHeader()
		return req
	})
	for _, n := range []int{0, 8, 9, 16, 17} {
		add("headers-"+strconv.Itoa(n), anyHost, numbered(base, n))
	}
	// Answered in-process: Go 1.27's server refuses requests with 1 000 header fields (431).
	add("headers-1000", &http.Client{Transport: instantTransport{}}, numbered(base, 1000))
	add("headers-deleted", anyHost, func() *http.Request {
		req := numbered(base, 12)()
		for i := 0; i < 12; i += 3 {
			req.Header.Del(fmt.Sprintf("X-H-%04d", i))
		}
		return req
	})
	for _, n := range []int{20, 40} {
		n := n
		add("headers-growing-from-"+strconv.Itoa(n), anyHost, func() *http.Request {
			req := newRequest("GET", base+"/growing")
			req.Header = growingHeader(n)
			return req
		})
	}
	add("headers-overflow", anyHost, func() *http.Request {
		req := newRequest("GET", base+"/overflow")
		req.Header = overflowingHeader(13)
		return req
	})
	add("headers-sparse", anyHost, func() *http.Request {
		req := newRequest("GET", base+"/sparse")
		req.Header = sparseHeader(12)
		return req
	})
	add("https", tlsServer.Client(), withHeaders("GET", tlsServer.URL+"/tls?x=1", "X-Tls", "yes"))
	add("http2", h2Server.Client(), withHeaders("POST", h2Server.URL+"/h2", "X-H2", "yes"))
	add("redirect-chain", anyHost, withHeaders("GET", base+"/redirect/3", "X-Redirect", "3"))
	cases = append(cases, captureCase{name: "deep-stack", client: anyHost, deepStack: 200, build: withHeaders("GET", base+"/deep", "X-Deep", "200")})
	return cases
}
