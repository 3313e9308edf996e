package main

import (
	"compress/gzip"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/spam-gear/spamcheck/pkg/exim"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"exim-spam-check": func() {
			os.Exit(exim.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
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
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TZ", "UTC")
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"gzip": cmdGzip},
	})
}

// cmdGzip is "gzip FILE": it writes FILE.gz and removes FILE, like gzip(1).
func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	f, err := os.Create(name + ".gz")
	ts.Check(err)
	zw := gzip.NewWriter(f)
	_, err = zw.Write(data)
	ts.Check(err)
	ts.Check(zw.Close())
	ts.Check(f.Close())
	ts.Check(os.Remove(name))
}
