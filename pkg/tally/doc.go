// Package tally keeps what the checkers count per key (a SASL user, a
// HELO, a script) in memory that does not grow with the number of one-off
// keys faster than the bytes that must be kept: SPEC §1 allows ~200 bytes a
// key, and a log written by strangers can hold a million keys that appear
// once each.
//
// A Table maps each key to a dense id and keeps the key and its first line
// in an Arena: one copy of the bytes in large shared chunks, with no Go
// string, map entry or pointer per key, so that the garbage collector has
// nothing to scan and nothing to free. The caller's per-key figures are
// the Table's value type, kept in the key's record (in Pages); what only
// some keys need can go to Pages of its own, and distinct-value sets in
// HashSets of 4-byte slots, which a record needs only from a set's second
// member on (the first is kept inline in the record).
//
// Keys and lines handed out as strings (Table.Key, Table.Line) share the
// arena's bytes, which are never written again once added: they stay valid
// and unchanged for as long as anything refers to them.
package tally
