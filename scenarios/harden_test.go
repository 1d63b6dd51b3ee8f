package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadFileBounded: /dev/zero is refused by its size, not read until
// memory runs out (issue 16: scenarios test and play read it without
// limit).
func TestLoadFileBounded(t *testing.T) {
	_, err := LoadFile("/dev/zero")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "/dev/zero:1:1: the file is larger than 1 MiB") {
		t.Fatalf("LoadFile(/dev/zero) = %v", err)
	}
}
