package postfix

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strconv"
	"testing"
)

// naiveUser is the straightforward reading of SPEC §2's figures: sets of
// the texts themselves.
type naiveUser struct {
	count, webmail      int64
	ips, unknowns, nets map[string]struct{}
	firstLine           string
}

// randomIP returns client IP texts of every kind a log can hold, drawn from
// small pools so that users see the same ones again: canonical dotted quads
// (with 0.0.0.0, a hash set's empty-slot value), other spellings of the same
// addresses, IPv6 in several spellings, "unknown" and junk.
func randomIP(rng *rand.Rand) string {
	a, b := rng.IntN(4), rng.IntN(4)
	switch rng.IntN(12) {
	case 0:
		return "0.0.0.0"
	case 1:
		return "255.255.255.255"
	case 2:
		return []string{"01.2.3.4", "1.2.3.04", "1.02.3.4", "001.2.3.4", "0.0.0.00"}[rng.IntN(5)]
	case 3:
		return []string{"256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4 ", ".1.2.3", "1.2.3.", "1234.1.1.1", "1.2.3.1000"}[rng.IntN(9)]
	case 4:
		return []string{"2001:db8::%d", "2001:0db8::%d", "2001:DB8::%d", "2001:db8:0:0:0:0:0:%d", "::ffff:1.2.3.%d", "fe80::%d%%eth0"}[rng.IntN(6)]
	case 5:
		return "unknown"
	case 6:
		junk := make([]byte, 1+rng.IntN(6))
		for i := range junk {
			junk[i] = "0123456789.:abcfx%"[rng.IntN(18)]
		}
		return string(junk)
	default:
		return fmt.Sprintf("%d.%d.%d.%d", 1+a, 10*b, rng.IntN(3), rng.IntN(256))
	}
}

func randomHost(rng *rand.Rand) string {
	switch rng.IntN(6) {
	case 0, 1:
		return "unknown"
	case 2:
		return []string{"Unknown", "unknown.example", "unknownx", "xunknown"}[rng.IntN(4)]
	default:
		return fmt.Sprintf("%d-%d.dyn.isp%d.example%d", rng.IntN(256), rng.IntN(256), rng.IntN(3), rng.IntN(2))
	}
}

// TestCounterMatchesNaive checks that the compact sets give exactly the
// figures of plain string sets on random inputs.
func TestCounterMatchesNaive(t *testing.T) {
	webmail := []netip.Addr{netip.MustParseAddr("1.0.0.7"), netip.MustParseAddr("2001:db8::1")}
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		c := NewCounter(webmail)
		want := map[string]*naiveUser{}
		for i := range 200 + rng.IntN(5000) {
			user := "user" + strconv.Itoa(rng.IntN(1+int(seed)*3))
			host, ip := randomHost(rng), randomIP(rng)
			line := fmt.Sprintf("line %d: client=%s[%s], sasl_username=%s", i, host, ip, user)
			c.Add([]byte(line), Conn{Host: []byte(host), IP: []byte(ip), User: []byte(user)})

			n := want[user]
			if n == nil {
				n = &naiveUser{ips: map[string]struct{}{}, unknowns: map[string]struct{}{}, nets: map[string]struct{}{}, firstLine: line}
				want[user] = n
			}
			n.count++
			n.ips[ip] = struct{}{}
			if host == "unknown" {
				n.unknowns[ip] = struct{}{}
			}
			n.nets[string(NetName([]byte(host)))] = struct{}{}
			if a, err := netip.ParseAddr(ip); err == nil && (a.Unmap().WithZone("") == webmail[0] || a.Unmap().WithZone("") == webmail[1]) {
				n.webmail++
			}
		}
		if c.Len() != len(want) {
			t.Fatalf("seed %d: %d users, want %d", seed, c.Len(), len(want))
		}
		for name, n := range want {
			u := c.User(name)
			got := fmt.Sprintf("%d %d/%d/%d/%d %q", u.Count, u.Nets, u.Unknowns, u.IPs, u.Webmail, u.FirstLine)
			exp := fmt.Sprintf("%d %d/%d/%d/%d %q", n.count, len(n.nets), len(n.unknowns), len(n.ips), n.webmail, n.firstLine)
			if got != exp {
				t.Errorf("seed %d, %s: got %s, want %s", seed, name, got, exp)
			}
		}
	}
}

// TestParseV4 checks that parseV4 takes exactly the texts netip prints for
// an IPv4 address, with their value.
func TestParseV4(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	texts := []string{"", ".", "0.0.0.0", "255.255.255.255", "1.2.3.4", "10.0.0.1", "01.2.3.4", "1.2.3.04",
		"0.0.0.00", "256.0.0.0", "1.2.3.256", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "1..2.3", " 1.2.3.4", "1.2.3.4 ",
		"1234.1.1.1", "1.2.3.1000", "::1", "::ffff:1.2.3.4", "1.2.3.4%eth0", "unknown", "+1.2.3.4", "1.2.3.-4"}
	for range 100000 {
		b := make([]byte, rng.IntN(16))
		for i := range b {
			b[i] = "0123456789....2510"[rng.IntN(18)]
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		v, ok := parseV4([]byte(s))
		a, err := netip.ParseAddr(s)
		wantOK := err == nil && a.Is4() && a.String() == s
		if ok != wantOK {
			t.Fatalf("parseV4(%q) ok=%v, want %v", s, ok, wantOK)
		}
		if ok {
			if b := a.As4(); v != uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]) {
				t.Fatalf("parseV4(%q) = %#x", s, v)
			}
		}
	}
}

// BenchmarkCounterAdd counts lines shaped like the generated benchmark log
// (scripts/genlog): a fresh random IPv4 address on nearly every line, a
// third from "unknown" hosts. "few" has 5000 users of ~100 lines, "single"
// a user per line, the common case in real logs. heap-B/user is the live
// heap per user afterwards.
func BenchmarkCounterAdd(b *testing.B) {
	for _, bc := range []struct {
		name  string
		users int
	}{{"few", 5000}, {"single", 1 << 30}} {
		b.Run(bc.name, func(b *testing.B) {
			const lines = 1 << 19
			rng := rand.New(rand.NewPCG(6, 7))
			type in struct {
				line []byte
				conn Conn
			}
			ins := make([]in, lines)
			for i := range ins {
				ip := fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
				host := "unknown"
				if rng.IntN(3) > 0 {
					host = fmt.Sprintf("%d-%d.dyn.isp%d.example", rng.IntN(256), rng.IntN(256), rng.IntN(40))
				}
				user := "user" + strconv.Itoa(rng.IntN(min(bc.users, lines)))
				if bc.users > lines {
					user = "user" + strconv.Itoa(i)
				}
				line := []byte("client=" + host + "[" + ip + "], sasl_username=" + user)
				ins[i] = in{line, Conn{Host: []byte(host), IP: []byte(ip), User: []byte(user)}}
			}
			b.ReportAllocs()
			var c *Counter
			i := 0
			for b.Loop() {
				if i%lines == 0 {
					c = NewCounter(nil)
				}
				c.Add(ins[i%lines].line, ins[i%lines].conn)
				i++
			}
			b.StopTimer()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			users := c.Len()
			c = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(users), "heap-B/user")
		})
	}
}

// TestOneOffUserCost is SPEC §1's budget for hostile logs: users seen once
// each, with a 130-byte connection line, cost at most ~200 bytes each (the
// 129 bytes of the kept first line included) once counted, and as much
// again at most while the report walks them.
func TestOneOffUserCost(t *testing.T) {
	const n = 100000
	lines := make([][]byte, n)
	conns := make([]Conn, n)
	for i := range lines {
		line := fmt.Appendf(nil, "Nov 27 17:30:00 mx1 postfix/smtpd[1000]: %X: client=unknown[10.%d.%d.%d], sasl_method=PLAIN, sasl_username=u%07d@xxxxxxxe.net",
			0xA00000+i, i>>16&255, i>>8&255, i&255, i)
		conn, ok := ParseLine(line)
		if !ok {
			t.Fatalf("ParseLine(%q) failed", line)
		}
		lines[i], conns[i] = line, conn
	}
	before := liveHeap()
	c := NewCounter(nil)
	for i := range lines {
		c.Add(lines[i], conns[i])
	}
	perUser := float64(liveHeap()-before) / n
	t.Logf("%.1f bytes a user", perUser)
	if perUser > 200 {
		t.Errorf("a one-off user costs %.1f bytes, want <= 200", perUser)
	}
	users := 0
	for _, u := range c.Sorted() {
		if u.Count != 1 || u.IPs != 1 || u.Unknowns != 1 || u.Nets != 1 {
			t.Fatalf("%s: %+v", u.Name, u)
		}
		users++
	}
	if users != n {
		t.Fatalf("Sorted gave %d users, want %d", users, n)
	}
	runtime.KeepAlive(lines)
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
