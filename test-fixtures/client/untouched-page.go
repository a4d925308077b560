package main

import (
	"net/http"
	"os"
	"syscall"
	"unsafe"
)

// untouchedPageHeader returns an empty header map whose first 16 bytes end a page and whose rest
// lies at the start of a page nothing has written, so never faulted in: what a fresh heap span
// leaves when a 48-byte map header straddles a page boundary (Go does not zero memory fresh from
// the OS). An empty map is never written past those 16 bytes (count, flags, B, seed), and Go never
// reads past them while it is empty; httpwatcher cannot read the rest, which is nil. Neither may
// anything here read it (shapeOf skips empty maps), or the page is faulted in.
func untouchedPageHeader() http.Header {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		panic(err)
	}
	empty := make(http.Header)
	copy(mem[page-16:page], (*[16]byte)(mapHeader(empty))[:])
	var h http.Header
	*(*unsafe.Pointer)(unsafe.Pointer(&h)) = unsafe.Pointer(&mem[page-16])
	return h
}
