/*
 * alc_err.h -- the one table of airlock error codes, shared by compiler and
 * runtime.  Functions that can fail return 0 or one of these negative codes;
 * al_strerror() names them.  Library codes (CURLcode, MDB_*, PCRE2, yaml)
 * are mapped to these at the one wrapper module of each library, which keeps
 * the library's own message for the log.
 */
#ifndef ALC_ERR_H
#define ALC_ERR_H

#define AL_ERRORS(X) \
	X(AL_OK,            0,  "success") \
	X(AL_ENOMEM,       -1,  "out of memory") \
	X(AL_EIO,          -2,  "input/output error") \
	X(AL_ENOENT,       -3,  "no such file") \
	X(AL_EINVAL,       -4,  "invalid argument") \
	X(AL_ENOSPC,       -5,  "no space left on device") \
	X(AL_EMAGIC,       -10, "not an airlock catalog (bad magic)") \
	X(AL_EENDIAN,      -11, "catalog byte order does not match this host") \
	X(AL_EVERSION,     -12, "catalog format version not supported by this reader") \
	X(AL_ETRUNC,       -13, "catalog truncated") \
	X(AL_ECHECKSUM,    -14, "catalog checksum mismatch") \
	X(AL_ECORRUPT,     -15, "catalog corrupt") \
	X(AL_ETOOBIG,      -16, "too large") \
	X(AL_EJSON,        -20, "invalid JSON") \
	X(AL_EMODEL,       -21, "invalid Smithy model") \
	X(AL_EUNSUPPORTED, -22, "unsupported construct") \
	X(AL_EDUP,         -23, "duplicate definition") \
	X(AL_ENOTFOUND,    -24, "not found") \
	X(AL_EPOLICY,      -30, "invalid policy") \
	X(AL_EDENIED,      -31, "denied by policy") \
	X(AL_EPROTO,       -40, "protocol error") \
	X(AL_ENET,         -41, "network error") \
	X(AL_ETIMEOUT,     -42, "timed out") \
	X(AL_ECANCELED,    -43, "canceled") \
	X(AL_EHTTP,        -44, "HTTP error status") \
	X(AL_EDIGEST,      -45, "SHA-256 digest mismatch") \
	X(AL_EARCHIVE,     -46, "unsafe or unreadable archive") \
	X(AL_ESTATE,       -50, "illegal state transition") \
	X(AL_ECRED,        -51, "no usable credentials")

enum al_err {
#define AL_ENUM_(name, code, msg) name = code,
	AL_ERRORS(AL_ENUM_)
#undef AL_ENUM_
};

/* Static message for a code; "unknown error" for codes outside the table. */
const char *al_strerror(int code);
/* The code's name, e.g. "AL_ECORRUPT". */
const char *al_errname(int code);

#endif
