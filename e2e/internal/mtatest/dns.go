package mtatest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
)

// DNS record types and response codes used here.
const (
	dnsTypeA    = 1
	dnsTypePTR  = 12
	dnsTypeAAAA = 28

	dnsNoError  = 0
	dnsFormErr  = 1
	dnsNXDomain = 3
	dnsNotImp   = 4
)

// dnsZone answers from a fixed table: PTR for the hosts' addresses, A for
// their names (unless NoForward). Every other name is NXDOMAIN; other types
// of a known name are empty answers (NODATA).
type dnsZone struct {
	ptr map[string]string // reversed-address name → host name
	a   map[string]net.IP // lower-case host name → address; nil value = name exists without A
}

func newZone(hosts []Host) (*dnsZone, error) {
	z := &dnsZone{ptr: map[string]string{}, a: map[string]net.IP{}}
	for _, h := range hosts {
		ip := net.ParseIP(h.IP).To4()
		if ip == nil || ip[0] != 127 {
			return nil, fmt.Errorf("mtatest: host %q: only IPv4 loopback addresses may be used", h.IP)
		}
		if h.Name == "" {
			continue
		}
		name := strings.ToLower(strings.TrimSuffix(h.Name, "."))
		z.ptr[fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", ip[3], ip[2], ip[1], ip[0])] = h.Name
		if h.NoForward {
			continue
		}
		z.a[name] = ip
	}
	return z, nil
}

// answer builds the response to one query message, or nil to drop it.
func (z *dnsZone) answer(q []byte) []byte {
	if len(q) < 12 || q[2]&0x80 != 0 { // too short, or a response
		return nil
	}
	id := binary.BigEndian.Uint16(q[0:2])
	opcode := (q[2] >> 3) & 0x0f
	rd := q[2] & 0x01
	qd := binary.BigEndian.Uint16(q[4:6])
	reply := func(rcode byte, question []byte, answers ...[]byte) []byte {
		r := make([]byte, 12, 512)
		binary.BigEndian.PutUint16(r[0:2], id)
		r[2] = 0x80 | opcode<<3 | 0x04 | rd // QR, opcode, AA, RD
		r[3] = 0x80 | rcode                 // RA, rcode
		if question != nil {
			binary.BigEndian.PutUint16(r[4:6], 1)
		}
		binary.BigEndian.PutUint16(r[6:8], uint16(len(answers)))
		r = append(r, question...)
		for _, a := range answers {
			r = append(r, a...)
		}
		return r
	}
	if opcode != 0 {
		return reply(dnsNotImp, nil)
	}
	if qd != 1 {
		return reply(dnsFormErr, nil)
	}
	name, end, err := readName(q, 12)
	if err != nil || end+4 > len(q) {
		return reply(dnsFormErr, nil)
	}
	qtype := binary.BigEndian.Uint16(q[end : end+2])
	qclass := binary.BigEndian.Uint16(q[end+2 : end+4])
	question := q[12 : end+4]
	lname := strings.ToLower(name)
	if qclass != 1 {
		return reply(dnsNXDomain, question)
	}
	rr := func(typ uint16, rdata []byte) []byte {
		b := []byte{0xc0, 12} // pointer to the question's name
		b = binary.BigEndian.AppendUint16(b, typ)
		b = binary.BigEndian.AppendUint16(b, 1)  // IN
		b = binary.BigEndian.AppendUint32(b, 60) // TTL
		b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
		return append(b, rdata...)
	}
	if target, ok := z.ptr[lname]; ok {
		if qtype == dnsTypePTR {
			return reply(dnsNoError, question, rr(dnsTypePTR, encodeName(target)))
		}
		return reply(dnsNoError, question)
	}
	if ip, ok := z.a[lname]; ok {
		if qtype == dnsTypeA {
			return reply(dnsNoError, question, rr(dnsTypeA, ip))
		}
		return reply(dnsNoError, question)
	}
	return reply(dnsNXDomain, question)
}

// readName decodes an uncompressed domain name at off; it returns the name
// without the final dot and the offset after it.
func readName(b []byte, off int) (string, int, error) {
	var labels []string
	for {
		if off >= len(b) {
			return "", 0, errors.New("truncated name")
		}
		n := int(b[off])
		off++
		if n == 0 {
			break
		}
		if n&0xc0 != 0 || off+n > len(b) {
			return "", 0, errors.New("compressed or truncated name in query")
		}
		labels = append(labels, string(b[off:off+n]))
		off += n
	}
	return strings.Join(labels, "."), off, nil
}

func encodeName(name string) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// dnsServer serves a zone over UDP on 127.0.53.N:53.
type dnsServer struct {
	conn *net.UDPConn
	ip   string
	zone *dnsZone
	wg   sync.WaitGroup
}

// startDNS binds the first free 127.0.53.N:53 (N = 1…200) and serves
// hosts there until close.
func startDNS(hosts []Host) (*dnsServer, error) {
	z, err := newZone(hosts)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for n := 1; n <= 200; n++ {
		ip := fmt.Sprintf("127.0.53.%d", n)
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(ip), Port: 53})
		if err != nil {
			lastErr = err
			continue
		}
		s := &dnsServer{conn: conn, ip: ip, zone: z}
		s.wg.Add(1)
		go s.serve()
		return s, nil
	}
	return nil, fmt.Errorf("mtatest: no free 127.0.53.N:53 for the test DNS: %v", lastErr)
}

func (s *dnsServer) serve() {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return // closed
		}
		if r := s.zone.answer(buf[:n]); r != nil {
			_, _ = s.conn.WriteToUDP(r, from)
		}
	}
}

func (s *dnsServer) close() {
	s.conn.Close()
	s.wg.Wait()
}
