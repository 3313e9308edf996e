// Package phptest runs the testscript CLI tests of php-spam-check and
// php-legacy-spam-check: both test binaries double as both tools, so that
// scripts can run the cron line that chains them, and share the script
// commands below.
package phptest

import (
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/spam-gear/spamcheck/pkg/php"
)

// Main is TestMain for the commands' test packages: it makes the test
// binary act as either tool, by the name a script runs it under.
func Main(m *testing.M) {
	testscript.Main(m, map[string]func(){
		php.Name: func() {
			os.Exit(php.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
		php.LegacyName: func() {
			os.Exit(php.LegacyMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// Run runs the scripts in dir with TZ=UTC; TESTSCRIPT_UPDATE=1 rewrites
// their expected files. Besides testscript's own, scripts have:
//
//	gzip FILE                    write FILE.gz (no gzip binary needed)
//	status N PROGRAM [ARGS...]   exec, and require exit status N exactly
//	[exists:PATH]                a condition: PATH exists
func Run(t *testing.T, dir string) {
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		UpdateScripts:       os.Getenv("TESTSCRIPT_UPDATE") != "",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TZ", "UTC")
			return nil
		},
		Condition: condition,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"gzip":   cmdGzip,
			"status": cmdStatus,
		},
	})
}

func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[0] + ".gz"))
	ts.Check(err)
	zw := gzip.NewWriter(f)
	_, err = zw.Write(data)
	ts.Check(err)
	ts.Check(zw.Close())
	ts.Check(f.Close())
}

// cmdStatus runs PROGRAM as exec does (exec only tells zero from non-zero)
// and keeps its stdout and stderr for the checks that follow.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// condition lets a test of the default log skip on a machine that has one.
func condition(cond string) (bool, error) {
	if path, ok := strings.CutPrefix(cond, "exists:"); ok {
		_, err := os.Stat(path)
		return err == nil, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
