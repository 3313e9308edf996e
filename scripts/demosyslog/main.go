// Command demosyslog is the demo's stand-in for rsyslogd: it receives the
// syslog datagrams of one command and appends them to a file as rsyslog's
// traditional file format writes them, so that the demo can show
// phpsendmail logging a mail without a system daemon or root.
//
//	demosyslog -o FILE SOCKET -- COMMAND [ARG...]
//
// It listens on the datagram socket SOCKET (a stale socket there is
// replaced, any other file is an error), runs COMMAND with its own standard
// input, output and error, then writes every datagram received meanwhile
// to FILE as "Mmm dd hh:mm:ss HOST TAG[PID]: MSG" (the time of reception,
// as rsyslog stamps local messages; the "<PRI>" and the sender's time
// removed; control bytes as #ooo, as rsyslog escapes them), removes SOCKET
// and exits with COMMAND's status. It is for the demo only: it trusts
// nothing more than rsyslog would, but it is not a syslog daemon.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "", "append the lines to `FILE`")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: demosyslog -o FILE SOCKET -- COMMAND [ARG...]")
	}
	flag.Parse()
	args := flag.Args()
	if *out == "" || len(args) < 3 || args[1] != "--" {
		flag.Usage()
		os.Exit(2)
	}
	status, err := run(*out, args[0], args[2:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "demosyslog: %v\n", err)
		os.Exit(1)
	}
	os.Exit(status)
}

func run(out, sock string, command []string) (int, error) {
	if fi, err := os.Lstat(sock); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return 0, fmt.Errorf("%s exists and is not a socket", sock)
		}
		if err := os.Remove(sock); err != nil {
			return 0, err
		}
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return 0, err
	}
	defer os.Remove(sock)
	defer c.Close()
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()

	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	status := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return 0, err
		}
		status = ee.ExitCode()
	}
	// The command has exited: what it sent is queued on the socket.
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(host, ".")
	buf := make([]byte, 64<<10)
	for {
		if err := c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			return 0, err
		}
		n, _, err := c.ReadFrom(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return 0, err
		}
		if _, err := f.Write(Line(time.Now(), host, buf[:n])); err != nil {
			return 0, err
		}
	}
	return status, f.Close()
}

// Line is the file line for one received record "<PRI>Mmm dd hh:mm:ss
// REST" (the prefix is optional): "Mmm dd hh:mm:ss HOST REST\n" stamped
// with now.
func Line(now time.Time, host string, rec []byte) []byte {
	rec = bytes.TrimSuffix(rec, []byte("\n"))
	if len(rec) > 0 && rec[0] == '<' {
		if i := bytes.IndexByte(rec, '>'); i > 0 && i <= 4 {
			rec = rec[i+1:]
		}
	}
	if len(rec) >= len(time.Stamp)+1 {
		if _, err := time.Parse(time.Stamp, string(rec[:len(time.Stamp)])); err == nil && rec[len(time.Stamp)] == ' ' {
			rec = rec[len(time.Stamp)+1:]
		}
	}
	b := now.AppendFormat(nil, time.Stamp)
	b = append(b, ' ')
	b = append(b, host...)
	b = append(b, ' ')
	for _, c := range rec {
		if c < 0x20 || c == 0x7f {
			b = fmt.Appendf(b, "#%03o", c)
			continue
		}
		b = append(b, c)
	}
	return append(b, '\n')
}
