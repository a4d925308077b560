// Command probe exists only to be compiled: its DWARF carries the types httpwatcher reads out
// of traced processes (net/http.Request, net/url.URL, net/url.Userinfo, net/http.Response,
// runtime.g and the map implementation behind http.Header). The linker emits DWARF only for
// types that are reachable, so each one is used below. It is never run.
package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
)

func main() {
	header := http.Header{}
	header.Set("X-Probe", "1")
	req := &http.Request{
		Method: "GET",
		URL:    &url.URL{Scheme: "http", Host: "probe.invalid", User: url.UserPassword("u", "p")},
		Header: header,
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(resp.StatusCode, len(resp.Header))
}
