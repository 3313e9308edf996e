package mtatest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// fileSpec is one file of the private /etc overlay.
type fileSpec struct {
	data []byte
	mode os.FileMode
}

// namespace describes the private mount namespace an instance runs in: an
// overlay on /etc holding etc, and a tmpfs /dev whose /dev/log points to
// devLog.
type namespace struct {
	dir    string              // the instance's private directory
	etc    map[string]fileSpec // path relative to /etc → content
	devLog string              // target of the /dev/log symlink; "" = none
}

// nsScript is run by sh inside a fresh mount namespace (unshare --mount),
// with the instance's directory as $1, the mode as $2 and the command after
// them. The overlay's upper layer lives on a tmpfs mounted in the
// namespace, so that it works whatever file system the temp dir is on
// (overlayfs cannot use an upper layer on overlayfs).
//
// Mode "exec" replaces the shell with the command. Mode "supervise" keeps
// the shell as the command's parent and passes SIGTERM (also the one the
// kernel sends when the test process dies) on to it: a parent-death signal
// set on the daemon itself would not do, since the kernel clears it when a
// process changes its effective uid, as the Postfix master and Exim do.
const nsScript = `set -eu
D=$1; mode=$2; shift 2
mount --make-rprivate /
mount -t tmpfs -o mode=0755,size=8m mtatest-ns "$D/ns"
mkdir "$D/ns/upper" "$D/ns/work"
cp -a "$D/etc/." "$D/ns/upper/"
mount -t overlay mtatest-etc -o "lowerdir=/etc,upperdir=$D/ns/upper,workdir=$D/ns/work" /etc
mount -t tmpfs -o mode=0755,size=64k mtatest-dev /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
if [ -s "$D/devlog" ]; then ln -s "$(cat "$D/devlog")" /dev/log; fi
if [ "$mode" = exec ]; then exec "$@"; fi
set +e
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
status=0
while kill -0 "$child" 2>/dev/null; do
	wait "$child"
	status=$?
done
exit "$status"
`

// prepare writes the overlay's files and the script into ns.dir.
func (ns *namespace) prepare() error {
	etc := filepath.Join(ns.dir, "etc")
	for _, d := range []string{etc, filepath.Join(ns.dir, "ns")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(ns.etc))
	for name := range ns.etc {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := ns.etc[name]
		p := filepath.Join(etc, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Chmod(p, f.mode); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(ns.dir, "devlog"), []byte(ns.devLog), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ns.dir, "ns.sh"), []byte(nsScript), 0o755)
}

// command returns a command that runs name with args in a new private
// namespace, replacing unshare and the shell (exec).
func (ns *namespace) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return ns.cmd(ctx, "exec", name, args...)
}

// daemonCommand returns a command that runs the daemon name with args in a
// new private namespace under a supervising shell: the command's pid is
// the shell's (in the namespace, for enter); SIGTERM to it stops the
// daemon, and so does the death of the test process.
func (ns *namespace) daemonCommand(name string, args ...string) *exec.Cmd {
	return ns.cmd(context.Background(), "supervise", name, args...)
}

func (ns *namespace) cmd(ctx context.Context, mode, name string, args ...string) *exec.Cmd {
	if err := ns.prepare(); err != nil {
		// Let the command fail visibly when run.
		return exec.CommandContext(ctx, "sh", "-c", fmt.Sprintf("echo %q >&2; exit 1", "mtatest: "+err.Error()))
	}
	argv := append([]string{"--mount", "--propagation", "private", "sh", filepath.Join(ns.dir, "ns.sh"), ns.dir, mode, name}, args...)
	return execCommand(ctx, "unshare", argv...)
}

// enter returns a command that runs name with args in the mount namespace
// of the running process pid (one started by command).
func enter(ctx context.Context, pid int, name string, args ...string) *exec.Cmd {
	argv := append([]string{"--target", fmt.Sprint(pid), "--mount", "--"}, name)
	return execCommand(ctx, "nsenter", append(argv, args...)...)
}

// execCommand is exec.CommandContext with the servers' environment and a
// bounded wait for output pipes.
func execCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = cleanEnv()
	return cmd
}

// cleanEnv is the environment for the servers: the test's, less variables
// that would redirect mail programs (MAIL_CONFIG) or confuse them.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "MAIL_CONFIG", "MAIL_DEBUG", "MAIL_VERBOSE", "LD_PRELOAD", "LD_LIBRARY_PATH":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// etcFiles returns the overlay files every instance gets: a hosts file
// with only localhost (the rest comes from the test DNS), a resolv.conf
// pointing at dnsAddr, and passwd/group with extra accounts appended.
func etcFiles(dnsIP string, extraPasswd, extraGroup []string) (map[string]fileSpec, error) {
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		return nil, err
	}
	add := func(b []byte, lines []string) []byte {
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, '\n')
		}
		for _, l := range lines {
			b = append(b, l+"\n"...)
		}
		return b
	}
	return map[string]fileSpec{
		"hosts":       {data: []byte("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"), mode: 0o644},
		"resolv.conf": {data: []byte("nameserver " + dnsIP + "\noptions timeout:1 attempts:2\n"), mode: 0o644},
		"passwd":      {data: add(passwd, extraPasswd), mode: 0o644},
		"group":       {data: add(group, extraGroup), mode: 0o644},
	}, nil
}
