package mtatest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func query(id uint16, name string, qtype uint16) []byte {
	q := make([]byte, 12)
	binary.BigEndian.PutUint16(q[0:2], id)
	q[2] = 0x01 // RD
	binary.BigEndian.PutUint16(q[4:6], 1)
	q = append(q, encodeName(name)...)
	q = binary.BigEndian.AppendUint16(q, qtype)
	return binary.BigEndian.AppendUint16(q, 1)
}

func TestZoneAnswer(t *testing.T) {
	z, err := newZone([]Host{
		{IP: "127.0.0.2", Name: "h2-2.dyn.example"},
		{IP: "127.0.0.6", Name: "broken.example", NoForward: true},
		{IP: "127.0.0.9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		qtype   uint16
		rcode   byte
		answers int
		rdata   []byte
	}{
		{"2.0.0.127.in-addr.arpa", dnsTypePTR, dnsNoError, 1, encodeName("h2-2.dyn.example")},
		{"H2-2.Dyn.Example", dnsTypeA, dnsNoError, 1, []byte{127, 0, 0, 2}},
		{"h2-2.dyn.example", dnsTypeAAAA, dnsNoError, 0, nil},
		{"6.0.0.127.in-addr.arpa", dnsTypePTR, dnsNoError, 1, encodeName("broken.example")},
		{"broken.example", dnsTypeA, dnsNXDomain, 0, nil},
		{"9.0.0.127.in-addr.arpa", dnsTypePTR, dnsNXDomain, 0, nil},
		{"elsewhere.example", dnsTypeA, dnsNXDomain, 0, nil},
	} {
		q := query(0x1234, tc.name, tc.qtype)
		r := z.answer(q)
		if len(r) < 12 {
			t.Fatalf("%s: short reply %x", tc.name, r)
		}
		if got := binary.BigEndian.Uint16(r[0:2]); got != 0x1234 {
			t.Errorf("%s: id %x", tc.name, got)
		}
		if r[2]&0x80 == 0 || r[3]&0x0f != tc.rcode {
			t.Errorf("%s type %d: flags %x %x, want rcode %d", tc.name, tc.qtype, r[2], r[3], tc.rcode)
		}
		if got := int(binary.BigEndian.Uint16(r[6:8])); got != tc.answers {
			t.Errorf("%s type %d: %d answers, want %d", tc.name, tc.qtype, got, tc.answers)
		}
		if tc.rdata != nil && !strings.HasSuffix(string(r), string(tc.rdata)) {
			t.Errorf("%s: reply %x does not end in %x", tc.name, r, tc.rdata)
		}
	}
	if _, err := newZone([]Host{{IP: "192.0.2.1", Name: "x"}}); err == nil {
		t.Error("a non-loopback address was accepted")
	}
}

func TestDNSServerWithResolver(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("binding port 53 needs root")
	}
	s, err := startDNS([]Host{{IP: "127.0.0.2", Name: "h2.example"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.ip+":53")
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	names, err := r.LookupAddr(ctx, "127.0.0.2")
	if err != nil || len(names) != 1 || names[0] != "h2.example." {
		t.Errorf("LookupAddr = %v, %v", names, err)
	}
	addrs, err := r.LookupHost(ctx, "h2.example")
	if err != nil || len(addrs) != 1 || addrs[0] != "127.0.0.2" {
		t.Errorf("LookupHost = %v, %v", addrs, err)
	}
}

// TestPostfixSmoke starts Postfix in both logging modes and sends one
// authenticated message.
func TestPostfixSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real Postfix instances; skipped with -short")
	}
	for _, maillog := range []bool{false, true} {
		name := "syslog"
		if maillog {
			name = "maillog"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := StartPostfix(t, PostfixOptions{
				Users:   []User{{"alice", "pw1"}},
				Hosts:   []Host{{IP: "127.0.0.2", Name: "h2-2.dyn.example"}},
				Maillog: maillog,
			})
			ctx := context.Background()
			r, err := Send(ctx, Message{Server: p.Submission, Source: "127.0.0.2", Helo: "pc.example", Auth: "PLAIN",
				User: "alice", Password: "pw1", From: "alice@" + Domain, To: "bob@" + Domain, MessageID: "smoke-1@test"})
			if err != nil || !r.Accepted {
				t.Fatalf("send: accepted=%v err=%v\n%s", r.Accepted, err, r.Transcript)
			}
			for _, f := range p.LogFiles() {
				WaitForLog(t, f, 20*time.Second, func(s string) bool {
					return strings.Contains(s, "client=h2-2.dyn.example[127.0.0.2], sasl_method=PLAIN, sasl_username=alice") &&
						strings.Contains(s, "status=sent")
				})
			}
		})
	}
}

// TestEximSmoke starts Exim and sends one authenticated and one local
// message.
func TestEximSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Exim; skipped with -short")
	}
	e := StartExim(t, EximOptions{
		Users:      []User{{"alice", "pw1"}},
		LocalUsers: []string{"webshop"},
		Hosts:      []Host{{IP: "127.0.0.2", Name: "h2-2.dyn.example"}},
	})
	ctx := context.Background()
	r, err := Send(ctx, Message{Server: e.Addr, Source: "127.0.0.2", Helo: "pc.example", Auth: "PLAIN",
		User: "alice", Password: "pw1", From: "alice@" + Domain, To: "bob@" + Domain, MessageID: "smoke-1@test"})
	if err != nil || !r.Accepted {
		t.Fatalf("send: accepted=%v err=%v\n%s", r.Accepted, err, r.Transcript)
	}
	if err := e.SubmitLocal(ctx, "webshop", LocalMessage("webshop", "bob@"+Domain, "hi", "smoke-2@test")); err != nil {
		t.Fatal(err)
	}
	WaitForLog(t, e.MainLog, 20*time.Second, func(s string) bool {
		return strings.Contains(s, "H=h2-2.dyn.example (pc.example) [127.0.0.2] P=esmtpa A=plain:alice") &&
			strings.Contains(s, "U=webshop P=local")
	})
}

// TestTalk checks the raw client against a fake server: the greeting is
// read first when asked, every chunk arrives as sent, and the server's
// words up to its close are returned.
func TestTalk(t *testing.T) {
	for _, wait := range []bool{true, false} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				got <- err.Error()
				return
			}
			defer c.Close()
			if wait {
				c.Write([]byte("220 hi\r\n"))
			}
			b := make([]byte, 64)
			n, _ := io.ReadAtLeast(c, b, len("A\r\nB C\r\n"))
			got <- string(b[:n])
			c.Write([]byte("221 bye\r\n"))
		}()
		tr, err := Talk(context.Background(), l.Addr().String(), "127.0.0.1", wait, "A\r\n", "B C\r\n")
		l.Close()
		if err != nil {
			t.Fatalf("wait=%v: %v", wait, err)
		}
		if s := <-got; s != "A\r\nB C\r\n" {
			t.Errorf("wait=%v: server read %q", wait, s)
		}
		want := "221 bye\r\n"
		if wait {
			want = "220 hi\r\n" + want
		}
		if tr != want {
			t.Errorf("wait=%v: transcript %q, want %q", wait, tr, want)
		}
	}
}
