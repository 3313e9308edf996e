// Package e2e holds end-to-end tests: a real Postfix and a real Exim
// (Debian's packages, run privately on loopback by e2e/internal/mtatest)
// receive authenticated, unauthenticated and local mail, and the checker
// binaries, built from cmd/, are run on the logs those servers wrote.
//
// The tests need root and the packages that `sudo scripts/ci/install-mta.sh`
// installs; without them they skip, except with CI=true, where they fail.
// `go test ./e2e -update` rewrites the captured real log lines in
// testdata/real-*.log from the run.
//
// TestOldTools needs neither root nor a server: it holds the binaries to
// what the old spam-gear shell tools printed and ran (passwd, ssh,
// sendmail), recorded in testdata/oldtools by scripts/oldtools/record.sh.
package e2e
