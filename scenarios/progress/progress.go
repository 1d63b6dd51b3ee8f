// Package progress records play and drill attempts under the XDG state
// directory, so that sessions running at the same time lose nothing: every
// change takes a lock, reads, and replaces the file atomically. A file that
// cannot be read is kept aside under a new name and reported, never
// silently replaced.
package progress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Version is the file format's version.
const Version = 1

// FileName is the attempts file inside the state directory.
const FileName = "attempts.json"

// Attempt is one play or drill session.
type Attempt struct {
	Scenario   string    `json:"scenario"`
	Title      string    `json:"title,omitempty"`
	Topics     []string  `json:"topics"`
	Difficulty string    `json:"difficulty,omitempty"`
	Mode       string    `json:"mode"` // play, random, adhoc, drill
	Seed       *uint64   `json:"seed,omitempty"`
	Started    time.Time `json:"started"`
	Seconds    float64   `json:"seconds"`
	Solved     bool      `json:"solved"`
	GaveUp     bool      `json:"gave_up,omitempty"`
	// TimedOut is set when a drill's time ran out before it was solved.
	TimedOut     bool `json:"timed_out,omitempty"`
	Score        int  `json:"score"`
	Commands     int  `json:"commands"`
	Hints        int  `json:"hints"`
	WrongAnswers int  `json:"wrong_answers"`
	Warnings     int  `json:"warnings"`
	// Right and Questions are a walk quiz's result (mode walk): the
	// answers that were right, of the questions asked.
	Right     int `json:"right,omitempty"`
	Questions int `json:"questions,omitempty"`
}

// ModeWalk is the mode of a walk quiz's attempt: it has a score of right
// answers, not an outcome, and counts for no topic.
const ModeWalk = "walk"

type file struct {
	Version  int       `json:"version"`
	Attempts []Attempt `json:"attempts"`
}

// Store is the progress of one user: a directory holding the attempts
// file and its lock.
type Store struct {
	Dir string
	// Now names files kept aside; time.Now when nil.
	Now func() time.Time
}

// DefaultDir is $XDG_STATE_HOME/pathlab, or ~/.local/state/pathlab.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pathlab"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no XDG_STATE_HOME and no home directory to keep progress in: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "pathlab"), nil
}

// Open returns the store in dir, creating it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	return &Store{Dir: dir}, nil
}

func (s *Store) path() string { return filepath.Join(s.Dir, FileName) }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// lock takes the store's exclusive lock (flock on a lock file beside the
// data, so the data file itself can be replaced by rename).
func (s *Store) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.Dir, FileName+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("progress: locking %s: %w", f.Name(), err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// Notice reports something the store did that the user should know: a
// corrupt file kept aside.
type Notice struct {
	Msg string
}

func (n Notice) String() string { return n.Msg }

// read loads the attempts; a corrupt file is renamed aside and reported,
// and reading goes on with none.
func (s *Store) read() ([]Attempt, []Notice, error) {
	b, err := os.ReadFile(s.path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("progress: %w", err)
	}
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(&f)
	if err == nil && f.Version != Version {
		err = fmt.Errorf("version %d, want %d", f.Version, Version)
	}
	if err == nil && dec.More() {
		err = errors.New("data after the end")
	}
	if err == nil {
		return f.Attempts, nil, nil
	}
	aside, aerr := s.keepAside()
	if aerr != nil {
		return nil, nil, fmt.Errorf("progress: %s is corrupt (%v), and it could not be kept aside: %w", s.path(), err, aerr)
	}
	return nil, []Notice{{Msg: fmt.Sprintf("progress file %s was corrupt (%v); it is kept as %s and a new one is started", s.path(), err, aside)}}, nil
}

// keepAside renames the data file to a name no other file has.
func (s *Store) keepAside() (string, error) {
	stamp := s.now().UTC().Format("20060102T150405Z")
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("%s.corrupt-%s", s.path(), stamp)
		if i > 0 {
			name = fmt.Sprintf("%s.%d", name, i)
		}
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name, os.Rename(s.path(), name)
		}
	}
	return "", errors.New("too many corrupt files kept aside already")
}

// write replaces the data file atomically: a temporary file in the same
// directory, synced, then renamed over it.
func (s *Store) write(as []Attempt) error {
	if as == nil {
		as = []Attempt{}
	}
	b, err := json.MarshalIndent(file{Version: Version, Attempts: as}, "", "  ")
	if err != nil {
		return err
	}
	s.removeStaleTemps()
	tmp, err := os.CreateTemp(s.Dir, FileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("progress: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("progress: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path()); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	return nil
}

// removeStaleTemps removes temporary files that writers killed mid-write
// (kill -9, a power cut) left behind. It runs under the lock, and every
// writer holds the lock for as long as its temporary file exists, so any
// such file is a dead writer's.
func (s *Store) removeStaleTemps() {
	stale, _ := filepath.Glob(filepath.Join(s.Dir, FileName+".tmp-*"))
	for _, name := range stale {
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() {
			os.Remove(name)
		}
	}
}

// Append records an attempt. Notices report a corrupt file kept aside.
func (s *Store) Append(a Attempt) ([]Notice, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	as, notes, err := s.read()
	if err != nil {
		return notes, err
	}
	return notes, s.write(append(as, a))
}

// Attempts returns every attempt recorded, oldest first.
func (s *Store) Attempts() ([]Attempt, []Notice, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	return s.read()
}
