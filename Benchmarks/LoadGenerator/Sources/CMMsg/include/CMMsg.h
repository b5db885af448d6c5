#ifndef CMMSG_H
#define CMMSG_H

// `struct mmsghdr`, `sendmmsg` and `recvmmsg` are GNU extensions that glibc only declares under _GNU_SOURCE, and
// Swift's Glibc module is built without it. Defining _GNU_SOURCE here would not help: this header would then see
// glibc's headers with other macros than the Glibc module did, and Clang rejects the two differing definitions of
// types such as fd_set when both modules are imported. So this header declares a layout-identical copy of
// `struct mmsghdr` and wrappers taking it; CMMsg.c, compiled with _GNU_SOURCE, checks the layout and forwards.

#include <sys/socket.h>

/// Same layout as glibc's `struct mmsghdr` (checked at compile time in CMMsg.c).
struct cmmsg_mmsghdr {
    /// The datagram: buffers, and for unconnected sockets the peer address.
    struct msghdr msg_hdr;
    /// Bytes sent or received for this datagram.
    unsigned int msg_len;
};

/// `sendmmsg(2)`: sends up to `vlen` datagrams in one system call; returns how many were sent, or -1 with errno set.
int cmmsg_sendmmsg(int fd, struct cmmsg_mmsghdr *vec, unsigned int vlen, int flags);

/// `recvmmsg(2)` with MSG_DONTWAIT added to `flags` and no timeout: receives up to `vlen` datagrams without
/// blocking; returns how many were received, or -1 with errno set (EAGAIN when none is queued).
int cmmsg_recvmmsg(int fd, struct cmmsg_mmsghdr *vec, unsigned int vlen, int flags);

#endif
