package main

// The bulk scenario: N requests through a RoundTripper that answers in-process, so that each
// costs microseconds and tests can count events against requests at volume. Half come from 64
// goroutines in parallel, half each from a freshly started goroutine after a recursion whose
// depth sweeps, so that the new goroutine's stack has to grow at varying points, among them at
// the entry of (*http.Client).do (the morestack case; see doAtDepth). Request i goes to
// http://bulk.invalid/bulk/i with header X-Seq: i; one summary line reports what came back.

import (
	"io/ioutil"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

type instantTransport struct{}

func (instantTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: ioutil.NopCloser(strings.NewReader("")), Request: req,
	}, nil
}

const bulkWorkers = 64

func runBulk(env runEnv) int {
	client := &http.Client{Transport: instantTransport{}}
	var ok int64
	request := func(i int) *http.Request {
		req := newRequest("GET", "http://bulk.invalid/bulk/"+strconv.Itoa(i))
		req.Header.Set("X-Seq", strconv.Itoa(i))
		return req
	}
	received := func(resp *http.Response, err error) {
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				atomic.AddInt64(&ok, 1)
			}
		}
	}

	parallel := env.bulkN / 2
	var wg sync.WaitGroup
	for w := 0; w < bulkWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < parallel; i += bulkWorkers {
				received(client.Do(request(i)))
			}
		}(w)
	}
	wg.Wait()

	slots := make(chan struct{}, bulkWorkers)
	for i := parallel; i < env.bulkN; i++ {
		slots <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			received(doAtDepth(i%stackSweep, client, request(i)))
			<-slots
		}(i)
	}
	wg.Wait()

	env.out.write(map[string]interface{}{"kind": "bulk", "sent": env.bulkN, "ok": ok})
	return env.bulkN - int(ok)
}

// stackSweep frames of doAtDepth span the first stack sizes of a goroutine (2 KiB .. 32 KiB).
const stackSweep = 640

// doAtDepth calls client.Do below depth small frames. A fresh goroutine's stack is 2 KiB; as
// depth sweeps, the remaining stack at the call sweeps in steps of one small frame, so for some
// depths the first check to fail is the one in the prologue of (*Client).do, whose frame is far
// larger: the function starts, morestack grows the stack and restarts it from its entry.
//
//go:noinline
func doAtDepth(depth int, client *http.Client, req *http.Request) (*http.Response, error) {
	if depth <= 0 {
		return client.Do(req)
	}
	return doAtDepth(depth-1, client, req)
}
