// Command php-legacy-spam-check prints the PHP scripts that sent at least
// MAX_MAILS mails through the phpsendmail wrapper in the last MINUTES×1.2
// minutes, one path per line.
package main

import (
	"os"

	"github.com/spam-gear/spamcheck/pkg/php"
)

func main() {
	os.Exit(php.LegacyMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
