//go:build goexperiment.swissmap
// +build goexperiment.swissmap

package main

// Go 1.24 and 1.25 use swiss maps unless built with GOEXPERIMENT=noswissmap.
const swissExperiment = true
