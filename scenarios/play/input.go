package play

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/pathlab/pathlab/scenarios"
	"golang.org/x/term"
)

// ScriptReader reads one command per line from a non-interactive input
// (a pipe, a file). With Echo set it prints each prompt and command before
// the command's output, so a transcript reads like a terminal session.
type ScriptReader struct {
	sc   *bufio.Scanner
	out  io.Writer
	Echo bool
}

// NewScriptReader reads commands from r; prompts and echoed commands go to
// out.
func NewScriptReader(r io.Reader, out io.Writer) *ScriptReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), scenarios.MaxLine+1)
	return &ScriptReader{sc: sc, out: out, Echo: true}
}

// ReadLine returns the next line; io.EOF at the end. A line too long to
// be a command is returned cut, and the shell refuses it.
func (r *ScriptReader) ReadLine(prompt string) (string, error) {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			if err == bufio.ErrTooLong {
				return "", fmt.Errorf("a line is longer than %d bytes: not a command", scenarios.MaxLine)
			}
			return "", err
		}
		return "", io.EOF
	}
	line := strings.TrimRight(r.sc.Text(), "\r")
	if r.Echo && strings.TrimSpace(line) != "" {
		fmt.Fprintf(r.out, "%s%s\n", prompt, line)
	}
	return line, nil
}

// Terminal is a LineReader on a terminal in raw mode: line editing
// (arrows, Home/End, Ctrl-A/E/K/U/W), history (up and down) and Tab
// completion of commands and the world's names, from golang.org/x/term.
type Terminal struct {
	t       *term.Terminal
	shell   *Shell
	restore func() error
}

// NewTerminal puts the terminal fd into raw mode and reads lines from rw
// (the terminal itself). SetShell gives it the shell to complete names
// from; Close restores the terminal.
func NewTerminal(fd int, rw io.ReadWriter) (*Terminal, error) {
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	tt := newTerminal(rw)
	tt.restore = func() error { return term.Restore(fd, old) }
	if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 {
		tt.t.SetSize(w, h) // a pty without a size reports 0x0: keep 80 columns
	}
	return tt, nil
}

// newTerminal edits lines read from rw, already in raw mode.
func newTerminal(rw io.ReadWriter) *Terminal {
	tt := &Terminal{t: term.NewTerminal(rw, "")}
	tt.t.AutoCompleteCallback = tt.complete
	return tt
}

// Writer is where the shell's output goes while the terminal is raw: it
// turns \n into \r\n and keeps the prompt intact.
func (t *Terminal) Writer() io.Writer { return t.t }

// ReadLine reads an edited line; Ctrl-D on an empty line (or Ctrl-C) ends
// the session with io.EOF.
func (t *Terminal) ReadLine(prompt string) (string, error) {
	t.t.SetPrompt(prompt)
	return t.t.ReadLine()
}

// SetShell names the shell whose commands and world Tab completes.
func (t *Terminal) SetShell(s *Shell) { t.shell = s }

// Close restores the terminal's mode; closing twice is harmless.
func (t *Terminal) Close() error {
	if t.restore == nil {
		return nil
	}
	err := t.restore()
	t.restore = nil
	return err
}

func (t *Terminal) complete(line string, pos int, key rune) (string, int, bool) {
	if key != '\t' || t.shell == nil {
		return "", 0, false
	}
	head, tail := line[:pos], line[pos:]
	start := strings.LastIndexAny(head, " \t") + 1
	word := head[start:]
	cands := t.shell.Complete(head)
	switch len(cands) {
	case 0:
		return "", 0, false
	case 1:
		add := cands[0] + " "
		return head[:start] + add + tail, start + len(add), true
	}
	common := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, common) {
			common = common[:len(common)-1]
		}
	}
	if len(common) > len(word) {
		return head[:start] + common + tail, start + len(common), true
	}
	fmt.Fprintf(t.t, "%s\n", strings.Join(cands, "  "))
	return "", 0, false
}
