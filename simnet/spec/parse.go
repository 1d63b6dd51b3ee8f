package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrInvalid is wrapped by every error about a bad world file; test it with
// errors.Is.
var ErrInvalid = errors.New("invalid world")

// MaxFileSize is the default bound of what Parse reads, so that a huge
// file cannot exhaust memory: a generated world of 100,000 instances and a
// million rules is some 90 MiB. WorldDoc.MaxSize is the bound in force
// (pathlab --max-world-size).
const MaxFileSize = 256 << 20

// maxExpandedNodes bounds what aliases may expand to (billion laughs).
const maxExpandedNodes = 200_000

// Problem is one thing wrong with a world file.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"` // 0 when unknown
	Col  int    `json:"col"`
	Path string `json:"path,omitempty"` // the YAML path, such as $.vpcs[0].subnets[1].cidr
	Msg  string `json:"message"`
}

func (p Problem) String() string {
	file := p.File
	if file == "" {
		file = "<world>"
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", file, p.Line, p.Col, p.Msg)
	}
	if p.Path != "" {
		return fmt.Sprintf("%s: %s: %s", file, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", file, p.Msg)
}

// Error is a bad world file: every problem found, in file order.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// readWorldFile reads a world file, at most MaxFileSize bytes of it.
func ReadWorldFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Problems: []Problem{{File: path, Msg: fmt.Sprintf("cannot read the world file: %v", errors.Unwrap(err))}}}
	}
	defer f.Close()
	fi, statErr := f.Stat()
	if statErr == nil && fi.IsDir() {
		return nil, &Error{File: path, Problems: []Problem{{File: path, Msg: "this is a directory; give a world file (YAML)"}}}
	}
	limit := int64(WorldDoc.MaxSize)
	var buf bytes.Buffer
	chunkSize := 1 << 20
	if statErr == nil && fi.Mode().IsRegular() && fi.Size() <= limit {
		PrepareHeap(fi.Size()) // hugeheap.go: before the file's own buffer
		buf.Grow(int(fi.Size()) + 1)
		// A small file gets a small chunk: a fresh mebibyte costs a short
		// command (check) hundreds of page faults.
		chunkSize = int(min(fi.Size()+1, int64(chunkSize)))
	}
	// Read in chunks, so that a stream of NUL bytes (/dev/zero) is refused
	// at its first chunk, not read up to the limit.
	chunk := make([]byte, chunkSize)
	for {
		k, err := f.Read(chunk)
		if bytes.IndexByte(chunk[:k], 0) >= 0 {
			line := 1 + bytes.Count(buf.Bytes(), []byte("\n")) + bytes.Count(chunk[:bytes.IndexByte(chunk[:k], 0)], []byte("\n"))
			return nil, &Error{File: path, Problems: []Problem{{File: path, Line: line, Col: 1, Msg: "the file is not text (it holds control bytes); is this a world file?"}}}
		}
		buf.Write(chunk[:k])
		if int64(buf.Len()) > limit {
			return nil, &Error{File: path, Problems: []Problem{{File: path, Line: 1, Col: 1, Msg: WorldDoc.tooLarge()}}}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &Error{File: path, Problems: []Problem{{File: path, Msg: fmt.Sprintf("cannot read the world file: %v", err)}}}
		}
	}
	return buf.Bytes(), nil
}
