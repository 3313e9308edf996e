package postfix

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// maxStateFile caps what is read of --state: the file holds one small entry
// per user acted on within a period, so anything bigger is corrupt (and a
// link to /dev/zero must not fill the memory).
const maxStateFile = 4 << 20

// state is --state=FILE: who was acted on, and when, so that a user locked
// in one cron run is not locked and mailed again by the next runs of the
// same PERIOD (the most common complaint about tools of this kind).
//
// An entry is written pending before the lock and confirmed after it (SPEC
// §6b): a run killed in between (SIGPIPE, SIGTERM, a crash) leaves a
// pending entry, which the next run does not count, so it locks again (a
// lock is idempotent) instead of showing [DISABLED] for an account that
// may never have been locked.
type state struct {
	path  string
	users map[string]stateEntry
	// broken is set when the file exists but cannot be used; then nobody is
	// acted on, since we cannot tell who already was.
	broken error
}

type stateEntry struct {
	At        time.Time `json:"at"`
	Confirmed bool      `json:"confirmed"`
}

// stateFile is the file's JSON. Version 1 (a map "acted" of user → time,
// written before the lock) is still read; its entries count as pending,
// since nothing says their lock ran.
type stateFile struct {
	Version int                   `json:"version"`
	Users   map[string]stateEntry `json:"users,omitempty"`
	Acted   map[string]time.Time  `json:"acted,omitempty"`
}

const stateVersion = 2

// loadState reads path. A missing file (or directory) is an empty state.
// The file is opened without following a symbolic link and without waiting
// on a FIFO, and it must be a regular file owned by the running user that
// neither group nor others may write (someone else's file could say that
// anyone was already locked); otherwise, or when it is too big or not a
// state file, it is unusable.
func loadState(path string) *state {
	s := &state{path: path, users: map[string]stateEntry{}}
	data, err := readStateFile(path)
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
	switch f.Version {
	case 1:
		for u, t := range f.Acted {
			s.users[u] = stateEntry{At: t}
		}
	case stateVersion:
		for u, e := range f.Users {
			s.users[u] = e
		}
	default:
		s.broken = fmt.Errorf("state file %s is corrupt: unknown version %d", path, f.Version)
	}
	return s
}

func readStateFile(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("state file %s is unusable: it is a symbolic link", path)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("state file %s is unusable: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("state file %s is unusable: %w", path, err)
	}
	switch {
	case st.Mode&syscall.S_IFMT != syscall.S_IFREG:
		return nil, fmt.Errorf("state file %s is unusable: not a regular file", path)
	case int(st.Uid) != os.Geteuid():
		return nil, fmt.Errorf("state file %s is unusable: owned by uid %d, not by the running user (uid %d)", path, st.Uid, os.Geteuid())
	case st.Mode&0o022 != 0:
		return nil, fmt.Errorf("state file %s is unusable: group or others may write it (mode %04o)", path, st.Mode&0o7777)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStateFile+1))
	if err != nil {
		return nil, fmt.Errorf("state file %s is unusable: %w", path, err)
	}
	if len(data) > maxStateFile {
		return nil, fmt.Errorf("state file %s is corrupt: larger than %d MiB", path, maxStateFile>>20)
	}
	return data, nil
}

// actedSince reports whether user's lock was confirmed after since and not
// after now: an entry stamped in the future (a clock that was wrong, a
// replay with --now) is ignored, or it could stop locking for ever.
func (s *state) actedSince(user string, since, now time.Time) bool {
	e, ok := s.users[user]
	return ok && e.Confirmed && e.At.After(since) && !e.At.After(now)
}

// pending records, before the lock, that user is about to be acted on at
// now, and writes the file: if it cannot be saved, the lock must not run
// (the next run could not know about it). Entries outside (since, now] are
// dropped.
func (s *state) pending(user string, now, since time.Time) error {
	for u, e := range s.users {
		if !e.At.After(since) || e.At.After(now) {
			delete(s.users, u)
		}
	}
	s.users[user] = stateEntry{At: now}
	return s.save()
}

// confirm records, after a successful lock, that user was acted on.
func (s *state) confirm(user string) error {
	e := s.users[user]
	e.Confirmed = true
	s.users[user] = e
	return s.save()
}

// forget removes user's pending entry after a failed lock, so that the
// next run retries at once.
func (s *state) forget(user string) error {
	delete(s.users, user)
	return s.save()
}

// save writes the file atomically: a temporary file (mode 0600) in the same
// directory, synced, then renamed over the old one. A missing directory is
// created with mode 0700.
func (s *state) save() error {
	data, err := json.MarshalIndent(stateFile{Version: stateVersion, Users: s.users}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".tmp*")
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
