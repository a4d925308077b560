// Command hostile-client is a traced program that attacks the terminal of whoever traces it: its
// comm, methods, URLs, Host and header keys and values carry newlines, escape sequences (OSC 0
// window title, OSC 52 clipboard, CSI cursor moves), C1 controls, DEL, NUL and bidi overrides.
// Like the client fixture, it prints, one JSON object per line, exactly what each request carried
// when it entered (*http.Client).do, so tests can compare httpwatcher's output with it.
//
// Most requests fail inside the transport (it refuses control bytes), after the probe has seen them.
// It must build with every Go toolchain from 1.15 on.
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
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// hostileComm is the process name set in init: 12 of the 15 bytes comm holds.
const hostileComm = "hw\x1b]0;c\x07\n\x7f\xc2\x9b"

func init() {
	// Package init runs on the main thread, whose comm is /proc/<pid>/comm.
	name := append([]byte(hostileComm), 0)
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0); errno != 0 {
		fmt.Fprintln(os.Stderr, "prctl(PR_SET_NAME):", errno)
		os.Exit(2)
	}
}

type sentRequest struct {
	Kind    string            `json:"kind"`
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Host    string            `json:"host,omitempty"`
	Headers map[string]string `json:"headers"`
	NHeader int               `json:"nheaders"`
	Status  int               `json:"status"`
	Error   string            `json:"error,omitempty"`
}

// hostileStep names a request and builds it against the server at base (host:port).
type hostileStep struct {
	name  string
	build func(hostPort string) *http.Request
}

func get(hostPort, path string) *http.Request {
	req, err := http.NewRequest("GET", "http://"+hostPort+path, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// setHeader stores a key as given, bypassing canonicalisation (Header.Set would rewrite it).
func setHeader(req *http.Request, key, value string) *http.Request {
	req.Header[key] = append(req.Header[key], value)
	return req
}

var steps = []hostileStep{
	{"forged line in a header value", func(hp string) *http.Request {
		req := setHeader(get(hp, "/forged"), "X-Note", "a\n4242 GET http://fake.example/\n  Authorization: Bearer x")
		return setHeader(req, "Accept", "text/plain")
	}},
	{"forged line in the method", func(hp string) *http.Request {
		req := get(hp, "/method")
		req.Method = "GET\r\n4242 POST http://fake.example/"
		return req
	}},
	{"OSC 0 title and OSC 52 clipboard in the query, a title in the fragment", func(hp string) *http.Request {
		req := get(hp, "/osc")
		req.URL.RawQuery = "t=\x1b]0;owned\x07&c=\x1b]52;c;aGVsbG8=\x07"
		req.URL.Fragment = "\x1b]0;f\x07"
		return req
	}},
	{"CSI cursor moves in a header value and the query", func(hp string) *http.Request {
		req := get(hp, "/csi")
		req.URL.RawQuery = "m=\x1b[H\x1b[J"
		return setHeader(req, "X-Csi", "\x1b[2A\x1b[2K\x1b[1;1Hgone")
	}},
	{"C1 CSI as UTF-8 (U+009B) and as a raw byte", func(hp string) *http.Request {
		req := get(hp, "/c1")
		req.URL.RawQuery = "u=\xc2\x9b2J&r=\x9b2J"
		setHeader(req, "X-C1", "\xc2\x9b31mred \x9b31mraw \xc2\x85nel")
		return setHeader(req, "X-C1-Key\xc2\x9b", "v")
	}},
	{"DEL, NUL and tab", func(hp string) *http.Request {
		req := get(hp, "/del")
		req.URL.RawQuery = "d=\x7f&n=\x00"
		return setHeader(req, "X-Del\x7f", "a\x7fb\x00c\td")
	}},
	{"escape sequences and newlines in header keys", func(hp string) *http.Request {
		req := setHeader(get(hp, "/keys"), "X-\x1b[31mRed", "v")
		return setHeader(req, "X-Line\n4242 GET http://fake.example/", "v")
	}},
	{"Host override with OSC and C1", func(hp string) *http.Request {
		req := get(hp, "/host")
		req.Host = "evil\x1b]0;t\x07\xc2\x9b.example"
		return req
	}},
	{"opaque URL with CSI", func(hp string) *http.Request {
		req := get(hp, "/")
		req.URL = &url.URL{Scheme: "http", Host: hp, Opaque: "//" + hp + "/\x1b[2Jopaque"}
		return req
	}},
	{"backslashes that look like escapes", func(hp string) *http.Request {
		req := get(hp, "/backslash")
		req.URL.RawQuery = `p=a\x1b\n`
		return setHeader(req, "X-Path", `C:\x1b\n\\`)
	}},
	{"bidi override and line separator", func(hp string) *http.Request {
		req := setHeader(get(hp, "/bidi"), "X-Bidi", "abc\u202edcba\u2066x\u2069")
		return setHeader(req, "X-Sep", "a\u2028b\u2029c")
	}},
	{"a credential carrying an escape sequence", func(hp string) *http.Request {
		return setHeader(get(hp, "/secret"), "Authorization", "Bearer \x1b]0;tok\x07secret")
	}},
}

func describe(name string, req *http.Request) sentRequest {
	u := *req.URL
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
		Kind: "request", Name: name, Method: req.Method, URL: u.String(), Host: hostOverride,
		Headers: headers, NHeader: len(req.Header),
	}
}

func main() {
	wait := flag.Bool("wait", false, "print a ready line and wait for a line on stdin before the first request")
	truthPath := flag.String("truth", "", "write the ground truth to this file instead of stdout")
	flag.Parse()

	truthFile := os.Stdout
	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "truth:", err)
			os.Exit(2)
		}
		defer f.Close()
		truthFile = f
	}
	out := json.NewEncoder(truthFile)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(ioutil.Discard, r.Body)
		io.WriteString(w, "ok\n")
	})}
	go srv.Serve(ln)
	defer srv.Close()

	if *wait {
		out.Encode(map[string]interface{}{"kind": "ready", "pid": os.Getpid()})
		bufio.NewReader(os.Stdin).ReadString('\n')
	}

	client := &http.Client{Timeout: 5 * time.Second}
	hostPort := ln.Addr().String()
	for _, s := range steps {
		req := s.build(hostPort)
		truth := describe(s.name, req)
		resp, err := client.Do(req)
		if err != nil {
			truth.Error = err.Error()
		} else {
			io.Copy(ioutil.Discard, resp.Body)
			resp.Body.Close()
			truth.Status = resp.StatusCode
		}
		out.Encode(truth)
	}
	out.Encode(map[string]interface{}{"kind": "done", "requests": len(steps)})
}
