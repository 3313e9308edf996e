package postfix

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// state is --state=FILE: who was acted on, and when, so that a user locked
// in one cron run is not locked and mailed again by the next runs of the
// same PERIOD (the most common complaint about tools of this kind).
type state struct {
	path  string
	acted map[string]time.Time
	// broken is set when the file exists but cannot be used; then nobody is
	// acted on, since we cannot tell who already was.
	broken error
}

type stateFile struct {
	Version int                  `json:"version"`
	Acted   map[string]time.Time `json:"acted"`
}

// loadState reads path; a missing file is an empty state.
func loadState(path string) *state {
	s := &state{path: path, acted: map[string]time.Time{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s
	}
	if err != nil {
		s.broken = err
		return s
	}
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		s.broken = fmt.Errorf("state file %s is corrupt: %w", path, err)
		return s
	}
	if f.Acted != nil {
		s.acted = f.Acted
	}
	return s
}

// actedSince reports whether user was acted on after since.
func (s *state) actedSince(user string, since time.Time) bool {
	t, ok := s.acted[user]
	return ok && t.After(since)
}

// record notes that user is acted on at now and writes the file before the
// action runs: if the state cannot be saved, the action must not run, or the
// next run would repeat it. Entries older than keepAfter are dropped.
func (s *state) record(user string, now, keepAfter time.Time) error {
	for u, t := range s.acted {
		if !t.After(keepAfter) {
			delete(s.acted, u)
		}
	}
	s.acted[user] = now
	return s.save()
}

// forget undoes record after a failed lock, so that the next run retries.
func (s *state) forget(user string) error {
	delete(s.acted, user)
	return s.save()
}

// save writes the file atomically: a temporary file in the same directory,
// synced, then renamed over the old one.
func (s *state) save() error {
	data, err := json.MarshalIndent(stateFile{Version: 1, Acted: s.acted}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), "."+filepath.Base(s.path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	return nil
}
