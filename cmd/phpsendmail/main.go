// Command phpsendmail is PHP's sendmail_path wrapper: it logs one syslog line
// (facility mail, severity info) naming the PHP script that called mail(),
// then replaces itself with "sendmail -t -i ARGS...". It has no options of
// its own: every argument, even --help, belongs to sendmail. See SPEC §6 and
// package phpsendmail.
//
// Standard input is deliberately not handed to Go code: the message flows
// through exec to sendmail untouched.
package main

import (
	"os"

	"github.com/spam-gear/spamcheck/pkg/phpsendmail"
)

func main() {
	os.Exit(phpsendmail.Run(os.Args[1:], os.Environ(), os.Stderr))
}
