/* err: the one error enum of dx, its names, and how errors map to the exit
 * status contract (DESIGN §7).
 *
 * Every function that can fail returns 0 or a negative dx_err; results go
 * through out-parameters. */
#ifndef DX_ERR_H
#define DX_ERR_H

enum dx_err {
    DX_OK = 0,
    DX_ERR_NOMEM = -1,
    DX_ERR_IO = -2,
    DX_ERR_INVALID = -3,       /* malformed input */
    DX_ERR_TOO_BIG = -4,       /* input over a hard limit */
    DX_ERR_NOT_FOUND = -5,
    DX_ERR_DENIED = -6,        /* refused by policy */
    DX_ERR_INTEGRITY = -7,     /* bad signature, hash mismatch, tampered log */
    DX_ERR_REPLAY = -8,        /* nonce reuse or a manifest outside the window */
    DX_ERR_CRYPTO = -9,        /* the crypto library failed */
    DX_ERR_FULL = -10,         /* LMDB map full or disk full */
    DX_ERR_STORAGE = -11,      /* any other storage failure */
    DX_ERR_TIMEOUT = -12,      /* the broker did not answer in time */
    DX_ERR_UNREACHABLE = -13,  /* no connection to the broker */
    DX_ERR_HANDSHAKE = -14,    /* the broker refused our key */
    DX_ERR_PERM = -15,         /* a key file others can read */
    DX_ERR_EXISTS = -16,
    DX_ERR_BUSY = -17,         /* a limit on sessions or queue depth */
    DX_ERR_PROTOCOL = -18,     /* an unexpected or malformed message */
    DX_ERR_USAGE = -19,        /* bad command line */
    DX_ERR_POLICY = -20,       /* a policy set that does not load */
    DX_ERR_UNSUPPORTED = -21,
    DX_ERR_INTERNAL = -22,
    DX_ERR_TRANSFER_GONE = -23, /* the broker no longer knows a transfer: start it again */
    DX_ERR_NOT_ADMITTED = -24, /* the broker refused our key at the handshake (revoked, unknown) */
    DX_ERR_UNAVAILABLE = -25,  /* the content store (Ceph) cannot be reached or does not answer */
    DX_ERR_FENCED = -26,       /* another broker of the group took over: this one may write no more */
    DX_ERR_STANDBY = -27,      /* the broker is a standby: the active one serves */
};

/* An iterator's callback returns 0 (go on), DX_STOP (stop here: no
 * error) or a negative dx_err (stop: the iterator returns it). The store's
 * iterators return 0 after the whole walk, else what stopped it. It is the
 * one positive value any dx function returns. */
#define DX_STOP 1

/* A short constant description of err; never NULL. */
const char *dx_strerror(int err);

/* The process exit status for err: 0 success, 1 other, 2 usage, 3 denied
 * (a key the broker does not admit at the handshake included: revoked,
 * expired or unknown), 4 integrity, 5 broker unreachable or timed out (a
 * transfer the broker lost track of, by a restart or a timeout, included:
 * run it again; a handshake that fails otherwise: check --broker-pub). */
int dx_exit_code(int err);

#define DX_ERRMSG 512  /* room for a one-line error message */

#endif
