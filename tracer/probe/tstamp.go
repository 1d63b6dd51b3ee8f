package probe

import (
	"time"

	"golang.org/x/sys/unix"
)

// holdTimestamps turns the kernel's receive timestamps on for as long as
// the returned function has not been called, and waits until they are
// on. Linux switches them on lazily, from a work queue, the first time a
// socket asks (net_enable_timestamp); until then a packet carries no
// receive time and recvmsg stamps it when it is read, however late that
// is. A datagram sent to ourselves over loopback tells: once timestamps
// are on, its stamp precedes the read.
func holdTimestamps() func() {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	release := func() { unix.Close(fd) }
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil ||
		unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}) != nil {
		return release
	}
	self, err := unix.Getsockname(fd)
	if err != nil {
		return release
	}
	var b [8]byte
	var oob [128]byte
	for range 50 {
		if unix.Sendto(fd, b[:1], 0, self) != nil {
			return release
		}
		time.Sleep(200 * time.Microsecond)
		before := time.Now()
		_, oobn, _, _, err := unix.Recvmsg(fd, b[:], oob[:], unix.MSG_DONTWAIT)
		if err != nil {
			continue
		}
		if at, _ := recvInfo(oob[:oobn]); !at.IsZero() && at.Before(before) {
			return release
		}
		time.Sleep(time.Millisecond)
	}
	return release
}
