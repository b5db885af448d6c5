#ifndef C_GLIBC_EXTRAS_H
#define C_GLIBC_EXTRAS_H

// The glibc calls the Swift Glibc module leaves out, hence the name. recvmmsg(2) and sendmmsg(2): they are GNU
// extensions, which that module (built without _GNU_SOURCE) does not declare; getrandom(2), whose <sys/random.h> that module does
// not include; and two malloc statistics and trimming calls of <malloc.h>, which it does not include either. No
// system header is included here, so that this module declares no socket type of its own.

/// `recvmmsg(descriptor, messages, count, flags, NULL)`: `messages` points at `count` `struct mmsghdr`.
int switchboard_recvmmsg(int descriptor, void *messages, unsigned int count, int flags);

/// `sendmmsg(descriptor, messages, count, flags)`: `messages` points at `count` `struct mmsghdr`; the number of
/// messages sent (each message's `msg_len` set), or -1 and errno when the first could not be sent.
int switchboard_sendmmsg(int descriptor, void *messages, unsigned int count, int flags);

/// `sizeof(struct mmsghdr)`, for the Swift mirror of the struct to check its layout against.
unsigned long switchboard_mmsghdr_size(void);

/// `getrandom(buffer, count, 0)`: up to `count` bytes from the kernel's CSPRNG; the count filled, or -1 and errno.
long switchboard_getrandom(void *buffer, unsigned long count);

/// The bytes malloc holds free in all its arenas (`mallinfo2().fordblks`), which <malloc.h> declares and the Swift
/// Glibc module does not include.
unsigned long switchboard_malloc_free_bytes(void);

/// `malloc_trim(0)`: gives the free pages of every arena back to the kernel; 1 if any was released.
int switchboard_malloc_trim(void);

#endif
