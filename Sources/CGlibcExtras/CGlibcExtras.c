#define _GNU_SOURCE
#include <malloc.h>
#include <stddef.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "CGlibcExtras.h"

int switchboard_recvmmsg(int descriptor, void *messages, unsigned int count, int flags) {
    return recvmmsg(descriptor, (struct mmsghdr *)messages, count, flags, NULL);
}

int switchboard_sendmmsg(int descriptor, void *messages, unsigned int count, int flags) {
    return sendmmsg(descriptor, (struct mmsghdr *)messages, count, flags);
}

unsigned long switchboard_mmsghdr_size(void) {
    return sizeof(struct mmsghdr);
}

long switchboard_getrandom(void *buffer, unsigned long count) {
    return getrandom(buffer, count, 0);
}

unsigned long switchboard_malloc_free_bytes(void) {
    return mallinfo2().fordblks;
}

int switchboard_malloc_trim(void) {
    return malloc_trim(0);
}
