// Command dwarf-layouts prints, as JSON, the byte size and member offsets of the named struct
// types found in an ELF binary's DWARF. The generator builds it with the same toolchain as the
// probe it reads, so debug/dwarf always understands that toolchain's DWARF version. It knows
// nothing about which fields matter: src/struct-layouts.ts and src/layout-from-structs.ts do.
//
//	dwarf-layouts <binary> <struct type name>...
//
// Output: {"toolchain": "go1.24.4", "structs": {"<name>": {"size": 48, "members": {"count": 0, ...}}}}
// Types that are absent are simply missing from "structs". Builds with every Go from 1.15 on.
package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
)

type structLayout struct {
	Size    int64            `json:"size"`
	Members map[string]int64 `json:"members"`
}

type output struct {
	Toolchain string                  `json:"toolchain"`
	Structs   map[string]structLayout `json:"structs"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: dwarf-layouts <binary> <struct type name>...")
		os.Exit(2)
	}
	wanted := map[string]bool{}
	for _, name := range os.Args[2:] {
		wanted[name] = true
	}
	structs, err := readStructs(os.Args[1], wanted)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dwarf-layouts:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(output{Toolchain: runtime.Version(), Structs: structs}); err != nil {
		fmt.Fprintln(os.Stderr, "dwarf-layouts:", err)
		os.Exit(1)
	}
}

func readStructs(path string, wanted map[string]bool) (map[string]structLayout, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		return nil, err
	}
	structs := map[string]structLayout{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return structs, nil
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if e.Tag != dwarf.TagStructType || !wanted[name] {
			if e.Tag != dwarf.TagCompileUnit {
				r.SkipChildren()
			}
			continue
		}
		size, _ := e.Val(dwarf.AttrByteSize).(int64)
		layout := structLayout{Size: size, Members: map[string]int64{}}
		for e.Children {
			m, err := r.Next()
			if err != nil {
				return nil, err
			}
			if m == nil || m.Tag == 0 {
				break
			}
			if m.Tag == dwarf.TagMember {
				memberName, _ := m.Val(dwarf.AttrName).(string)
				offset, _ := m.Val(dwarf.AttrDataMemberLoc).(int64)
				layout.Members[memberName] = offset
			}
			if m.Children {
				r.SkipChildren()
			}
		}
		structs[name] = layout
	}
}
