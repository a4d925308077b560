// Command transport-only sends requests with a bare http.Transport and never uses http.Client, so
// its binary has net/http.(*Transport).roundTrip but no net/http.(*Client).do: what a reverse proxy
// or an SDK holding a RoundTripper looks like. It prints a ready line, then for each URL read from
// stdin sends one GET through Transport.RoundTrip and prints what it sent and the status; an empty
// line (or end of input) ends it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

type sent struct {
	Kind   string `json:"kind"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

func main() {
	fmt.Printf("{\"kind\":\"ready\",\"pid\":%d}\n", os.Getpid())
	transport := &http.Transport{}
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() && in.Text() != "" {
		line := sent{Kind: "request", Method: http.MethodGet, URL: in.Text()}
		req, err := http.NewRequest(line.Method, line.URL, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = transport.RoundTrip(req); err == nil {
				line.Status = resp.StatusCode
				resp.Body.Close()
			}
		}
		if err != nil {
			line.Error = err.Error()
		}
		out.Encode(line)
	}
}
