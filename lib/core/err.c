/* err: names of the dx error codes and their exit statuses. */
#include "err.h"

const char *dx_strerror(int err)
{
    switch (err) {
    case DX_OK: return "success";
    case DX_ERR_NOMEM: return "out of memory";
    case DX_ERR_IO: return "input/output error";
    case DX_ERR_INVALID: return "malformed input";
    case DX_ERR_TOO_BIG: return "input too large";
    case DX_ERR_NOT_FOUND: return "not found";
    case DX_ERR_DENIED: return "denied by policy";
    case DX_ERR_INTEGRITY: return "integrity failure";
    case DX_ERR_REPLAY: return "replayed or stale request";
    case DX_ERR_CRYPTO: return "cryptographic library failure";
    case DX_ERR_FULL: return "storage full";
    case DX_ERR_STORAGE: return "storage failure";
    case DX_ERR_TIMEOUT: return "broker did not answer in time";
    case DX_ERR_UNREACHABLE: return "broker unreachable";
    case DX_ERR_HANDSHAKE: return "the secure handshake with the broker failed";
    case DX_ERR_NOT_ADMITTED: return "the broker does not admit this key";
    case DX_ERR_PERM: return "key file permissions too open";
    case DX_ERR_EXISTS: return "already exists";
    case DX_ERR_BUSY: return "busy";
    case DX_ERR_PROTOCOL: return "protocol error";
    case DX_ERR_USAGE: return "usage error";
    case DX_ERR_POLICY: return "policy set does not load";
    case DX_ERR_UNSUPPORTED: return "not supported";
    case DX_ERR_INTERNAL: return "internal error";
    case DX_ERR_TRANSFER_GONE: return "the broker no longer knows the transfer";
    case DX_ERR_UNAVAILABLE: return "content store unavailable";
    case DX_ERR_FENCED: return "another broker of the group took over";
    case DX_ERR_STANDBY: return "the broker is a standby";
    }
    return "unknown error";
}

int dx_exit_code(int err)
{
    switch (err) {
    case DX_OK: return 0;
    case DX_ERR_USAGE: return 2;
    case DX_ERR_DENIED:
    case DX_ERR_NOT_ADMITTED: return 3;
    case DX_ERR_INTEGRITY:
    case DX_ERR_REPLAY: return 4;
    case DX_ERR_TIMEOUT:
    case DX_ERR_UNREACHABLE:
    case DX_ERR_HANDSHAKE:
    case DX_ERR_TRANSFER_GONE:
    case DX_ERR_STANDBY: return 5;
    default: return 1;
    }
}
