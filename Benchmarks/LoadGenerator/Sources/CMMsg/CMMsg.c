#define _GNU_SOURCE
#include "CMMsg.h"

#include <stddef.h>
#include <sys/socket.h>

_Static_assert(sizeof(struct cmmsg_mmsghdr) == sizeof(struct mmsghdr), "struct mmsghdr size");
_Static_assert(offsetof(struct cmmsg_mmsghdr, msg_hdr) == offsetof(struct mmsghdr, msg_hdr), "msg_hdr offset");
_Static_assert(offsetof(struct cmmsg_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "msg_len offset");

int cmmsg_sendmmsg(int fd, struct cmmsg_mmsghdr *vec, unsigned int vlen, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, vlen, flags);
}

int cmmsg_recvmmsg(int fd, struct cmmsg_mmsghdr *vec, unsigned int vlen, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)vec, vlen, flags | MSG_DONTWAIT, NULL);
}
