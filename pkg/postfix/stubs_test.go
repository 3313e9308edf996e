package postfix

import (
	"os"
	"path/filepath"
	"testing"
)

// stubCommands puts recording stand-ins for passwd, ssh, sendmail and
// hostname first on PATH (for the rest of the test) and returns the file
// they append to: each call as "NAME ARGS…" and, for sendmail and ssh, its
// standard input after a line "stdin:". hostname prints example.com for -d
// and mx1.example.com for -f. Nothing real is ever run by accident.
func stubCommands(t *testing.T) (calls string) {
	t.Helper()
	dir := t.TempDir()
	calls = filepath.Join(dir, "calls")
	record := "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> " + calls + "\n"
	withStdin := record + "echo stdin: >> " + calls + "\ncat >> " + calls + "\n"
	stubs := map[string]string{
		"passwd":   record + "echo 'passwd: password expiry information changed.'\n",
		"ssh":      withStdin,
		"sendmail": withStdin,
		"hostname": "#!/bin/sh\ncase \"$1\" in -d) echo example.com ;; -f) echo mx1.example.com ;; esac\n",
	}
	for name, script := range stubs {
		writeFile(t, filepath.Join(dir, name), script, 0o755)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}
