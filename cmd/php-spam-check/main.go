// Command php-spam-check prints the PHP scripts that sent at least
// MAX_DAILY_MAILS mails according to PHP's mail.log, one path per line.
package main

import (
	"os"

	"github.com/spam-gear/spamcheck/pkg/php"
)

func main() {
	os.Exit(php.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
