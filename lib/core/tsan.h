/* tsan: telling ThreadSanitizer about hand-offs it cannot see.
 *
 * The broker's stages pass request pointers over inproc ZeroMQ sockets;
 * libzmq is not instrumented, so ThreadSanitizer does not see that the
 * sender's writes happen before the receiver's reads, and would report the
 * hand-off as a race. The sender marks the object released just before it
 * sends the pointer, the receiver acquires it right after it receives it.
 * Outside a ThreadSanitizer build both are nothing. */
#ifndef DX_TSAN_H
#define DX_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define DX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DX_TSAN 1
#endif
#endif

#ifdef DX_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define DX_HANDOFF_SEND(p) __tsan_release((void *)(p))
#define DX_HANDOFF_RECV(p) __tsan_acquire((void *)(p))
#else
#define DX_HANDOFF_SEND(p) ((void)(p))
#define DX_HANDOFF_RECV(p) ((void)(p))
#endif

#endif
