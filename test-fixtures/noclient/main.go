// Command noclient is a Go program without net/http's client: attaching to it must fail with
// NO_HTTP_CLIENT (it is Go, but has no net/http.(*Client).do to probe). It prints the same ready
// line as the client fixture's -wait and exits on a line from stdin.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	fmt.Printf("{\"kind\":\"ready\",\"pid\":%d}\n", os.Getpid())
	bufio.NewReader(os.Stdin).ReadString('\n')
}
