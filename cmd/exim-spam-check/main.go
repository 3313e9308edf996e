// Command exim-spam-check reports the local users and SMTP senders that
// sent too many messages through Exim in the last SECONDS or PERIOD.
package main

import (
	"os"

	"github.com/spam-gear/spamcheck/pkg/exim"
)

func main() {
	os.Exit(exim.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
