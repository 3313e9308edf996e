package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/spam-gear/spamcheck/pkg/postfix"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"postfix-spam-check": func() {
			os.Exit(postfix.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs testdata/script/*.txtar; TESTSCRIPT_UPDATE=1 rewrites
// their expected files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       os.Getenv("TESTSCRIPT_UPDATE") != "",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TZ", "UTC")
			return nil
		},
	})
}
