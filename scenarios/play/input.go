package play

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet/spec"
	"golang.org/x/term"
)

// ScriptReader reads one command per line from a non-interactive input
// (a pipe, a file). With Echo set it prints each prompt and command before
// the command's output, so a transcript reads like a terminal session.
type ScriptReader struct {
	r    *bufio.Reader
	out  io.Writer
	Echo bool
}

// NewScriptReader reads commands from r; prompts and echoed commands go to
// out.
func NewScriptReader(r io.Reader, out io.Writer) *ScriptReader {
	return &ScriptReader{r: bufio.NewReaderSize(r, 4096), out: out, Echo: true}
}

// ErrLineTooLong is a line longer than a command can be: the shell
// refuses it with an error line and reads on.
var ErrLineTooLong = fmt.Errorf("a line is longer than %d bytes: not a command", scenarios.MaxLine)

// ReadLine returns the next line; io.EOF at the end. A line too long to
// be a command is skipped to its end and reported as ErrLineTooLong, so
// that the lines after it still run.
func (r *ScriptReader) ReadLine(prompt string) (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.r.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > scenarios.MaxLine+2 { // the line, \r and \n
				tooLong, line = true, nil
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(chunk) == 0 && len(line) == 0 && !tooLong {
			return "", io.EOF
		}
		if err != nil && err != io.EOF {
			return "", err
		}
		break
	}
	if tooLong {
		if r.Echo {
			fmt.Fprintf(r.out, "%s(a line of more than %d bytes)\n", prompt, scenarios.MaxLine)
		}
		return "", ErrLineTooLong
	}
	text := strings.TrimRight(string(line), "\r\n")
	if r.Echo && strings.TrimSpace(text) != "" {
		fmt.Fprintf(r.out, "%s%s\n", prompt, spec.Printable(text))
	}
	return text, nil
}

// Terminal is a LineReader on a terminal in raw mode: line editing
// (arrows, Home/End, Ctrl-A/E/K/U/W), history (up and down) and Tab
// completion of commands and the world's names, from golang.org/x/term.
type Terminal struct {
	t       *term.Terminal
	keys    *keyFilter
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
	keys := &keyFilter{r: rw}
	tt := &Terminal{t: term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{keys, rw}, ""), keys: keys}
	tt.t.History = &lineHistory{keys: keys}
	tt.t.AutoCompleteCallback = tt.complete
	return tt
}

// Writer is where the shell's output goes while the terminal is raw: it
// turns \n into \r\n and keeps the prompt intact.
func (t *Terminal) Writer() io.Writer { return t.t }

// ReadLine reads an edited line. Ctrl-C abandons the line and reads the
// next, as bash does; Ctrl-D on an empty line is ErrCtrlD (an io.EOF); a
// line longer than a command can be is ErrLineTooLong.
func (t *Terminal) ReadLine(prompt string) (string, error) {
	for {
		t.t.SetPrompt(prompt)
		line, err := t.t.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", io.EOF // the input ended
			}
			return line, err
		}
		switch t.keys.take() {
		case endInterrupt:
			continue
		case endCtrlD:
			if line == "" {
				return "", ErrCtrlD
			}
		case endTooLong:
			return "", ErrLineTooLong
		}
		return line, nil
	}
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
