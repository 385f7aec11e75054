/*
 * cc_inspect.h -- airlock-compile's catalog inspection commands.
 *
 * Each takes the subcommand's own argument vector (argv[0] is the
 * subcommand name, argv[1] the catalog file) and returns the process exit
 * status: 0 success, 1 bad catalog or failed lookup, 2 usage.
 *
 * cc_cmd_info and cc_cmd_dump live in cc_inspect.c (written by a
 * colleague); cc_cmd_verify lives in cc_verify.c.
 */
#ifndef CC_INSPECT_H
#define CC_INSPECT_H

/* `info FILE`: header facts, section sizes, counts. */
int cc_cmd_info(int argc, char **argv);

/* `verify FILE`: everything alc_open checks, then what is too slow for
 * every open: every index key rehashed and resolved back to its record,
 * every service and operation reachable through its indexes, reserved
 * header fields zero, services sorted by key.  Prints "FILE: ok (...)" on
 * stdout, or "FILE: <error>: <detail>" on stderr. */
int cc_cmd_verify(int argc, char **argv);

/* The checks of verify beyond alc_open, on an open catalog; 0 or
 * AL_ECORRUPT with the first problem in *DIAG.  (Used by the tests.) */
struct alc_catalog;
struct alc_diag;
int cc_verify_catalog(const struct alc_catalog *c, struct alc_diag *diag);

/* `dump FILE SERVICE[:OPERATION]`: a readable rendering of records. */
int cc_cmd_dump(int argc, char **argv);

#endif
