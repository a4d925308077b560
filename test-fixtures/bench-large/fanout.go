package main

import (
	"fmt"
	"sort"
	"strings"
)

// Each level instantiates the next with four array shapes of its argument, so every root below
// yields 4^5 distinct instantiations of leaf, each with its own machine code and pclntab entry.
func level0[T any](x T) int {
	return level1([2]T{x, x}) + level1([3]T{x, x, x}) + level1([5]T{}) + level1([7]T{})
}
func level1[T any](x T) int {
	return level2([2]T{x, x}) + level2([3]T{x, x, x}) + level2([5]T{}) + level2([7]T{})
}
func level2[T any](x T) int {
	return level3([2]T{x, x}) + level3([3]T{x, x, x}) + level3([5]T{}) + level3([7]T{})
}
func level3[T any](x T) int {
	return level4([2]T{x, x}) + level4([3]T{x, x, x}) + level4([5]T{}) + level4([7]T{})
}
func level4[T any](x T) int {
	return leaf([2]T{x, x}) + leaf([3]T{x, x, x}) + leaf([5]T{}) + leaf([7]T{})
}

func leaf[T any](x T) int {
	parts := strings.Split(fmt.Sprintf("%v|%T", x, x), " ")
	sort.Strings(parts)
	seen := map[string]T{}
	for _, p := range parts {
		seen[p] = x
	}
	var b strings.Builder
	for k := range seen {
		b.WriteString(k)
	}
	return b.Len() + len(seen)
}

var fanout = []func() int{
	func() int { return level0(byte(1)) },
	func() int { return level0(int32(1)) },
	func() int { return level0("s") },
	func() int { return level0(int64(1)) },
	func() int { return level0(uint16(1)) },
	func() int { return level0(float64(1)) },
	func() int { return level0(struct{ a, b int8 }{}) },
	func() int { return level0(float32(1)) },
	func() int { return level0(complex128(1)) },
	func() int { return level0(uint32(1)) },
}
