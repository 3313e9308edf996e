// Package readprop holds the reader property test (readprop_test.go): on
// random logs, every windowed checker reports the same through the seeking
// path (a named file, with its previous rotation) as through the same
// bytes on standard input. It has no code of its own.
package readprop
