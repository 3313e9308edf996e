// Package report holds the --format=json document every checker writes.
// The schema is documented in the README and is stable: fields are only
// ever added.
package report

import (
	"encoding/json"
	"io"
	"time"
)

// Document is the whole JSON output of one run.
type Document struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Now is the instant the window was computed from (the clock or --now).
	Now time.Time `json:"now"`
	// WindowStart is null when the whole log is counted (php-spam-check
	// without -p).
	WindowStart *time.Time `json:"window_start"`
	// WindowInclusive is true when a line exactly at WindowStart counts
	// (exim's positional form).
	WindowInclusive bool     `json:"window_inclusive"`
	Period          string   `json:"period"`
	Threshold       int64    `json:"threshold"`
	Strict          bool     `json:"strict"`
	Logs            []string `json:"logs"`
	Groups          []Group  `json:"groups"`
	Errors          []string `json:"errors"`
	// UntrustedLines is present when the journal was read: the entries
	// whose text a checker would have counted but that another process
	// wrote (journal trust rule); they are not counted.
	UntrustedLines *int64 `json:"untrusted_lines,omitempty"`
}

// Group is one counted key.
type Group struct {
	// Kind is "users" (postfix SASL users, exim local users),
	// "smtp_senders", "authenticated" or "scripts".
	Kind      string `json:"kind"`
	Key       string `json:"key"`
	Count     int64  `json:"count"`
	Threshold int64  `json:"threshold"`
	Reported  bool   `json:"reported"`
	FirstLine string `json:"first_line,omitempty"`
	// Postfix only.
	Nets     *int64 `json:"nets,omitempty"`
	Unknowns *int64 `json:"unknowns,omitempty"`
	IPs      *int64 `json:"ips,omitempty"`
	Webmail  *int64 `json:"webmail,omitempty"`
	// Action is what disabling did: "disabled", "dry_run", "already_disabled",
	// "lock_failed", "unsafe_user", "limit_reached"; empty when nothing applied.
	Action string `json:"action,omitempty"`
}

// Write encodes doc as one indented JSON document followed by a newline.
func Write(w io.Writer, doc *Document) error {
	if doc.Groups == nil {
		doc.Groups = []Group{}
	}
	if doc.Errors == nil {
		doc.Errors = []string{}
	}
	if doc.Logs == nil {
		doc.Logs = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// Int returns a pointer to n, for the optional figures.
func Int(n int64) *int64 { return &n }
