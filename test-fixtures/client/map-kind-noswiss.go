//go:build !goexperiment.swissmap
// +build !goexperiment.swissmap

package main

// Without the swissmap experiment tag: Go <= 1.23, 1.24/1.25 noswissmap, or Go >= 1.26 (swiss
// only; the experiment no longer exists).
const swissExperiment = false
