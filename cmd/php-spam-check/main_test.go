package main

import (
	"testing"

	"github.com/spam-gear/spamcheck/pkg/php/phptest"
)

// TestMain makes the test binary double as both PHP checkers (see
// phptest), so that scripts can run the cron line that chains them.
func TestMain(m *testing.M) { phptest.Main(m) }

// TestScripts runs testdata/script/*.txtar; TESTSCRIPT_UPDATE=1 rewrites
// their expected files.
func TestScripts(t *testing.T) { phptest.Run(t, "testdata/script") }
