package main

// Peeks at the runtime representation of a header map, so that tests can check the map really
// was in the state a case is about (mid-growth, with overflow buckets, multi-table). Layouts:
// runtime/map.go (Go <= 1.23) and runtime/map_noswiss.go (1.24/1.25); internal/runtime/maps.

import (
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

type mapShape struct {
	Kind string `json:"kind"`
	// hmap
	B        uint8 `json:"B"`
	Growing  bool  `json:"growing"`
	Overflow bool  `json:"overflow"`
	// swiss
	DirLen int `json:"dirLen"`
	Tables int `json:"tables"` // distinct tables in the directory; fewer than DirLen when some repeat
}

// hmapHeader is the start of runtime.hmap (unchanged from Go 1.16 to 1.25).
type hmapHeader struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
}

// swissHeader is the start of internal/runtime/maps.Map.
type swissHeader struct {
	used   uint64
	seed   uintptr
	dirPtr unsafe.Pointer
	dirLen int
}

// A bucket of map[string][]string: tophash [8]uint8, 8 string keys, 8 []string values, then
// the overflow pointer.
const (
	hmapBucketSize     = 8 + 8*16 + 8*24 + 8
	hmapOverflowOffset = hmapBucketSize - 8
)

func swissMaps() bool {
	minor := 0
	if parts := strings.Split(strings.TrimPrefix(runtime.Version(), "go"), "."); len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return swissExperiment || minor >= 26
}

func mapHeader(h http.Header) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&h)) }

func shapeOf(h http.Header) *mapShape {
	p := mapHeader(h)
	if p == nil || len(h) == 0 {
		return nil // an empty map's header past its count may be unreadable (untouched-page.go)
	}
	if swissMaps() {
		sm := (*swissHeader)(p)
		shape := &mapShape{Kind: "swiss", DirLen: sm.dirLen}
		seen := map[unsafe.Pointer]bool{}
		for i := 0; i < sm.dirLen; i++ {
			seen[*(*unsafe.Pointer)(unsafe.Pointer(uintptr(sm.dirPtr) + uintptr(i)*8))] = true
		}
		shape.Tables = len(seen)
		return shape
	}
	hm := (*hmapHeader)(p)
	shape := &mapShape{Kind: "hmap", B: hm.B, Growing: hm.oldbuckets != nil}
	if hm.buckets != nil {
		for i := 0; i < 1<<hm.B; i++ {
			bucket := unsafe.Pointer(uintptr(hm.buckets) + uintptr(i*hmapBucketSize))
			if *(*unsafe.Pointer)(unsafe.Pointer(uintptr(bucket) + hmapOverflowOffset)) != nil {
				shape.Overflow = true
			}
		}
	}
	return shape
}

// growingHeader builds a header map of at least min keys whose last insertion started a
// growth that is still in progress (hmap: oldbuckets != nil): it inserts one key at a time and
// stops at the first insertion that leaves old buckets behind. Go evacuates at most two old
// buckets per write, so the insertion that crosses the load factor (about 6.5 entries per
// bucket; the exact threshold differs between versions, hence no fixed count) leaves the rest
// of an old array of 4 or more buckets in place: from 20 keys that is 4 buckets growing to 8,
// from 40 keys 8 growing to 16. Swiss maps have no such state (a table grows within one
// write); for them it returns min keys.
func growingHeader(min int) http.Header {
	h := http.Header{}
	for i := 0; i < 10*min; i++ {
		h.Set(fmt.Sprintf("X-Grow-%04d", i), "g"+strconv.Itoa(i))
		if s := shapeOf(h); i+1 >= min && (s.Kind != "hmap" || s.Growing) {
			break
		}
	}
	return h
}

// overflowingHeader builds a header map of n (<= 13: two buckets) keys where one bucket
// chains to an overflow bucket. Whether 9 of the keys share a bucket depends on the map's
// random hash seed (about one map in four), so this retries with fresh maps (each try costs
// microseconds; 100 000 tries make a miss practically impossible).
func overflowingHeader(n int) http.Header {
	for attempt := 0; ; attempt++ {
		h := http.Header{}
		for i := 0; i < n; i++ {
			h.Set(fmt.Sprintf("X-Ovf-%04d", i), fmt.Sprintf("o%d-%d", attempt, i))
		}
		if s := shapeOf(h); s.Kind != "hmap" || s.Overflow || attempt >= 100000 {
			return h
		}
	}
}

// sparseHeader builds a large header map and then deletes all but `keep` keys: maps never
// shrink, so the capture has to walk every bucket or table to find the few left. For swiss
// maps it inserts until the directory holds one table more than once (a table that did not
// split while its neighbour did: localDepth < globalDepth), about 1 800 keys.
func sparseHeader(keep int) http.Header {
	h := http.Header{}
	n := 0
	for ; n < 20000; n++ {
		h.Set(fmt.Sprintf("X-Sparse-%05d", n), "s"+strconv.Itoa(n))
		if n >= 1000 {
			if s := shapeOf(h); s.Kind == "hmap" || s.Tables < s.DirLen {
				break
			}
		}
	}
	step := n / keep
	for i := 0; i <= n; i++ {
		if i%step != 0 || i/step >= keep {
			h.Del(fmt.Sprintf("X-Sparse-%05d", i))
		}
	}
	return h
}
