/*
 * rt_cli.h -- the command line of `airlock`:
 *
 *   airlock serve [--catalog FILE]                 MCP over stdio
 *   airlock search QUERY... [--service S] [--access read|write|any]
 *                  [--limit N] [--json]
 *   airlock describe SERVICE OPERATION [--json]
 *   airlock validate SERVICE OPERATION --input JSON|@FILE|@- [--json]
 *   airlock --version | help [COMMAND]
 *
 * The catalog is --catalog FILE, else $AIRLOCK_CATALOG, else
 * ${XDG_DATA_HOME:-~/.local/share}/airlock/aws.alc.  A missing, corrupt or
 * wrong-version catalog stops every command (exit 3) with a message naming
 * the file and the reader's diagnosis.
 *
 * Exit status: 0 success (validate: the input is valid); 1 the answer is
 * negative (validate: the input is invalid; unknown service or operation);
 * 2 usage error; 3 the catalog cannot be used; 4 the server's output
 * failed or memory ran out.
 *
 * Owner: rt_cli.c; main() in rt_main.c only calls rt_cli_main().
 */
#ifndef RT_CLI_H
#define RT_CLI_H

#include <stddef.h>

enum rt_cli_exit {
	RT_EXIT_OK = 0,
	RT_EXIT_NEGATIVE = 1,
	RT_EXIT_USAGE = 2,
	RT_EXIT_CATALOG = 3,
	RT_EXIT_FAILURE = 4
};

int rt_cli_main(int argc, char **argv);

/* The default catalog path ($AIRLOCK_CATALOG, then the XDG data path) into
 * BUF; returns BUF, or NULL when neither HOME nor XDG_DATA_HOME is set or
 * the path does not fit. */
const char *rt_cli_default_catalog(char *buf, size_t cap);

/* The text of an option that takes JSON|@FILE|@-: SPEC itself, or the
 * contents of FILE or of stdin (at most 64 MiB), malloc'd.  NULL after a
 * message naming OPT ("--input", "deploy: --template-body") on stderr. */
char *rt_cli_read_arg(const char *opt, const char *spec);

#endif
