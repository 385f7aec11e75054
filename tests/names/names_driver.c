/*
 * names_driver.c -- line filter over cc_names for tests/names/check_names.py.
 *
 *   names_driver ops                  op name per line -> CLI op name
 *   names_driver services TSV         sdk-id per line  -> CLI service name
 *
 * One output line per input line, in order.  Input lines may be any length;
 * a trailing CR is kept (it is part of the name, botocore would keep it).
 * Exit 0, or 2 on usage / load errors (diagnostics on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "cc_names.h"
#include "cc_util.h"

static int usage(void)
{
	fputs("usage: names_driver ops | names_driver services TSV\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	int services;
	if (argc == 2 && !strcmp(argv[1], "ops"))
		services = 0;
	else if (argc == 3 && !strcmp(argv[1], "services"))
		services = 1;
	else
		return usage();

	if (services) {
		cc_buf diag = {0};
		int rc = cc_names_load(argv[2], &diag);
		if (rc) {
			fprintf(stderr, "%.*s", (int)diag.len, (const char *)diag.p);
			fprintf(stderr, "names_driver: %s\n", al_strerror(rc));
			cc_buf_free(&diag);
			return 2;
		}
		cc_buf_free(&diag);
	}

	char *line = NULL, *out = NULL;
	size_t linecap = 0, outcap = 0;
	ssize_t got;
	while ((got = getline(&line, &linecap, stdin)) >= 0) {
		size_t len = (size_t)got;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		/* 2*len+1 bounds an op name (see cc_names.h); the slack is
		 * for table service names longer than their sdk-id. */
		if (outcap < 2 * len + 256) {
			outcap = 2 * len + 256;
			out = cc_xrealloc(out, outcap);
		}
		if (services) {
			if (!cc_cli_service_name(line, out, outcap)) {
				fprintf(stderr, "names_driver: no room for "
				        "\"%s\"\n", line);
				return 2;
			}
		} else {
			size_t need = cc_cli_op_name(line, out, outcap);
			if (need > 2 * len) {
				fprintf(stderr, "names_driver: \"%s\" needs %zu "
				        "bytes, over the documented bound\n",
				        line, need + 1);
				return 2;
			}
		}
		fputs(out, stdout);
		putchar('\n');
	}
	free(line);
	free(out);
	cc_names_free();
	if (fflush(stdout) || ferror(stdin)) {
		perror("names_driver");
		return 2;
	}
	return 0;
}
