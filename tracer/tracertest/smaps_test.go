package tracertest

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func TestMapping(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("smaps is Linux's")
	}
	code := Mapping(t, reflect.ValueOf(TestMapping).Pointer())
	if !strings.Contains(code["VmFlags"]+" ", " ex ") {
		t.Errorf("the mapping holding a function is not executable: VmFlags %q", code["VmFlags"])
	}
	if KB(t, code["Size"]) <= 0 {
		t.Errorf("Size %q", code["Size"])
	}
	heap := make([]byte, 1<<20)
	data := Mapping(t, uintptr(unsafe.Pointer(&heap[0])))
	if strings.Contains(data["VmFlags"]+" ", " ex ") || !strings.Contains(data["VmFlags"]+" ", " wr ") {
		t.Errorf("the heap's mapping: VmFlags %q, want writable and not executable", data["VmFlags"])
	}
}

func TestMappingRange(t *testing.T) {
	for _, tt := range []struct {
		line   string
		lo, hi uintptr
		ok     bool
	}{
		{"00400000-00d34000 r-xp 00000000 fd:01 123 /bin/x", 0x400000, 0xd34000, true},
		{"Rss:                 4 kB", 0, 0, false},
		{"VmFlags: rd ex mr mw me", 0, 0, false},
	} {
		lo, hi, ok := mappingRange(tt.line)
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("mappingRange(%q) = %#x, %#x, %v; want %#x, %#x, %v", tt.line, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}
