// Command postfix-spam-check reports SASL-authenticated Postfix users with
// too many connections in the last PERIOD, and can lock their accounts.
package main

import (
	"os"

	"github.com/spam-gear/spamcheck/pkg/postfix"
)

func main() {
	os.Exit(postfix.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
