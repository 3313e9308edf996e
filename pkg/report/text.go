package report

import (
	"fmt"

	"github.com/spam-gear/spamcheck/pkg/period"
)

// Header is the first line of the postfix and exim text reports, the same
// sentence in both old tools: PERIOD rendered as they rendered it, and the
// threshold as typed (never a per-key override).
func Header(periodText, maxText string) string {
	return fmt.Sprintf("During the last %s the following senders have made at least %s SMTP connections.",
		period.Header(periodText), maxText)
}
