/*
 * cc_main.c -- the airlock-compile command line.
 *
 *   airlock-compile build --models DIR [--models DIR ...] [--services a,b]
 *                         [--docs summary|full] [--keep-going]
 *                         [--policy FILE | --no-policy]
 *                         [--partitions FILE | --no-partitions]
 *                         [--readmap-overrides FILE | --no-readmap-overrides]
 *                         [--readmap-report FILE] -o FILE
 *   airlock-compile policy check --catalog FILE.alc POLICY.yaml
 *   airlock-compile info FILE
 *   airlock-compile verify FILE
 *   airlock-compile dump FILE SERVICE[:OPERATION]
 *   airlock-compile diff [--json | --stat | --quiet] OLD.alc NEW.alc
 *   airlock-compile sync [--update | --url URL|FILE | --from DIR | --status] ...
 *
 * Exit status: 0 success, 1 bad input (models, catalog), 2 usage; diff
 * exits as diff(1) does (0 same, 1 different, 2 error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alc_err.h"
#include "cc_build.h"
#include "cc_diff.h"
#include "cc_inspect.h"
#include "cc_names.h"
#include "cc_partitions.h"
#include "cc_policy.h"
#include "cc_sync.h"

#ifndef AIRLOCK_SOURCE_DIR
#define AIRLOCK_SOURCE_DIR "."
#endif

static void usage(FILE *f)
{
	fputs("usage:\n"
	      "  airlock-compile build --models DIR [--models DIR ...] [--services a,b,...]\n"
	      "                        [--docs summary|full] [--keep-going] [--threads N]\n"
	      "                        [--cli-names FILE] [--source NAME] [--revision REV]\n"
	      "                        [--policy FILE.yaml | --no-policy]\n"
	      "                        [--partitions FILE.json | --no-partitions] [--timings]\n"
	      "                        [--cache DIR | --no-cache]\n"
	      "                        [--readmap-overrides FILE.tsv | --no-readmap-overrides]\n"
	      "                        [--readmap-report FILE] -o FILE.alc\n"
	      "  airlock-compile policy check --catalog FILE.alc POLICY.yaml\n"
	      "  airlock-compile info FILE.alc\n"
	      "  airlock-compile verify FILE.alc\n"
	      "  airlock-compile dump FILE.alc SERVICE[:OPERATION]\n"
	      "  airlock-compile diff [--json | --stat | --quiet] OLD.alc NEW.alc\n"
	      "  airlock-compile sync [--lock FILE] [--record-digest] | --update | --url URL|FILE\n"
	      "                       | --from DIR... | --status      (sync --help for more)\n"
	      "\n"
	      "DIR is a checkout of aws/api-models-aws (either layout: <sdk-id>/service/...\n"
	      "or models/<sdk-id>/service/...).  AIRLOCK_MODELS (dirs separated by ':')\n"
	      "is used when no --models is given, else the models `sync` brought into the\n"
	      "cache (AIRLOCK_CACHE).  Without --policy the build compiles\n"
	      "policy/default.yaml; --no-policy builds a catalog whose runtime refuses\n"
	      "every call.  Without --partitions the build compiles catalogs/partitions.json\n"
	      "(the AWS partitions table endpoint resolution needs).  Each model's compiled\n"
	      "part is kept in <cache>/parts (--cache DIR, else AIRLOCK_CACHE) and reused while\n"
	      "the model and the compiler are unchanged; --no-cache parses every model.\n"
	      "Each mutating operation gets a read mapping (the read that shows the state it\n"
	      "changes; catalogs/readmap-overrides.tsv corrects the rules); --readmap-report\n"
	      "FILE lists the operations left without one.\n", f);
}

/* The CLI-name table: --cli-names, $AIRLOCK_CLI_NAMES, the source tree's
 * catalogs/, or the one installed beside the binary. */
static const char *default_cli_names(void)
{
	static char path[4096];
	return cc_data_path("AIRLOCK_CLI_NAMES", AIRLOCK_SOURCE_DIR, "catalogs/cli-names.tsv",
	                    "cli-names.tsv", path, sizeof path);
}

/* The read-mapping overrides (cc_readmap.c), found like the CLI names. */
static const char *default_readmap_overrides(void)
{
	static char path[4096];
	return cc_data_path("AIRLOCK_READMAP_OVERRIDES", AIRLOCK_SOURCE_DIR,
	                    "catalogs/readmap-overrides.tsv", "readmap-overrides.tsv",
	                    path, sizeof path);
}

static int cmd_build(int argc, char **argv)
{
	cc_build_opts o;
	memset(&o, 0, sizeof o);
	int no_policy = 0, no_partitions = 0, no_overrides = 0;
	const char **models = calloc((size_t)argc + 16, sizeof *models);
	char *envcopy = NULL;
	if (!models)
		return 1;
	o.models = models;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV() do { if (!v) { fprintf(stderr, "airlock-compile: %s needs a value\n", a); goto usage_err; } i++; } while (0)
		if (strcmp(a, "--models") == 0) { NEEDV(); models[o.nmodels++] = v; }
		else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) { NEEDV(); o.out = v; }
		else if (strcmp(a, "--services") == 0) { NEEDV(); o.services = v; }
		else if (strcmp(a, "--cli-names") == 0) { NEEDV(); o.cli_names = v; }
		else if (strcmp(a, "--source") == 0) { NEEDV(); o.source = v; }
		else if (strcmp(a, "--revision") == 0) { NEEDV(); o.revision = v; }
		else if (strcmp(a, "--threads") == 0) { NEEDV(); o.threads = atoi(v); }
		else if (strcmp(a, "--docs") == 0) {
			NEEDV();
			if (strcmp(v, "full") == 0) o.full_docs = 1;
			else if (strcmp(v, "summary") != 0) {
				fprintf(stderr, "airlock-compile: --docs takes summary or full\n");
				goto usage_err;
			}
		}
		else if (strcmp(a, "--keep-going") == 0) o.keep_going = 1;
		else if (strcmp(a, "--policy") == 0) { NEEDV(); o.policy = v; }
		else if (strcmp(a, "--no-policy") == 0) no_policy = 1;
		else if (strcmp(a, "--partitions") == 0) { NEEDV(); o.partitions = v; }
		else if (strcmp(a, "--no-partitions") == 0) no_partitions = 1;
		else if (strcmp(a, "--timings") == 0) o.timings = 1;
		else if (strcmp(a, "--cache") == 0) { NEEDV(); o.cache = v; }
		else if (strcmp(a, "--no-cache") == 0) o.no_cache = 1;
		else if (strcmp(a, "--readmap-overrides") == 0) { NEEDV(); o.readmap_overrides = v; }
		else if (strcmp(a, "--no-readmap-overrides") == 0) no_overrides = 1;
		else if (strcmp(a, "--readmap-report") == 0) { NEEDV(); o.readmap_report = v; }
		else {
			fprintf(stderr, "airlock-compile: unknown option %s\n", a);
			goto usage_err;
		}
#undef NEEDV
	}
	if (!o.nmodels) {
		const char *env = getenv("AIRLOCK_MODELS");
		if (env && *env) {
			envcopy = strdup(env);
			for (char *tok = strtok(envcopy, ":"); tok && o.nmodels < 16; tok = strtok(NULL, ":"))
				if (*tok)
					models[o.nmodels++] = tok;
		}
	}
	/* neither: the models `airlock-compile sync` made current */
	static char synced[4096];
	if (!o.nmodels && o.out) {
		char why[512];
		if (cc_sync_current(synced, sizeof synced, why, sizeof why) != 0) {
			fprintf(stderr, "airlock-compile: build: no models: %s.\n"
			                "  Run `airlock-compile sync` first, or pass --models DIR "
			                "(or set AIRLOCK_MODELS).\n", why);
			free(models);
			free(envcopy);
			return 1;
		}
		fprintf(stderr, "airlock-compile: models: %s (synced)\n", synced);
		models[o.nmodels++] = synced;
	}
	if (!o.nmodels || !o.out) {
		fprintf(stderr, "airlock-compile: build needs -o FILE (and --models DIR, AIRLOCK_MODELS "
		                "or synced models)\n");
		goto usage_err;
	}
	if (no_policy && o.policy) {
		fprintf(stderr, "airlock-compile: --policy and --no-policy exclude each other\n");
		goto usage_err;
	}
	if (!no_policy && !o.policy) {
		/* the stored name does not depend on where the tree is */
		o.policy_name = "policy/default.yaml";
		if (!(o.policy = cc_policy_default_path(AIRLOCK_SOURCE_DIR))) {
			fprintf(stderr, "airlock-compile: policy/default.yaml not found; pass "
			                "--policy FILE (or --no-policy)\n");
			free(models);
			free(envcopy);
			return 1;
		}
	}
	if (no_partitions && o.partitions) {
		fprintf(stderr, "airlock-compile: --partitions and --no-partitions exclude each other\n");
		goto usage_err;
	}
	if (!no_partitions && !o.partitions &&
	    !(o.partitions = cc_partitions_default_path(AIRLOCK_SOURCE_DIR)))
		fprintf(stderr, "airlock-compile: warning: catalogs/partitions.json not found; "
		                "the catalog will resolve no endpoints (pass --partitions FILE)\n");
	if (!o.cli_names)
		o.cli_names = default_cli_names();
	if (!o.cli_names)
		fprintf(stderr, "airlock-compile: warning: catalogs/cli-names.tsv not found; "
		                "CLI names follow the default rule only\n");
	if (o.no_cache && o.cache) {
		fprintf(stderr, "airlock-compile: --cache and --no-cache exclude each other\n");
		goto usage_err;
	}
	if (no_overrides && o.readmap_overrides) {
		fprintf(stderr, "airlock-compile: --readmap-overrides and --no-readmap-overrides "
		                "exclude each other\n");
		goto usage_err;
	}
	if (!no_overrides && !o.readmap_overrides) {
		o.readmap_overrides = default_readmap_overrides();
		o.readmap_overrides_shipped = 1;
	}
	int rc = cc_build(&o);
	cc_names_free();
	free(models);
	free(envcopy);
	return rc == 0 ? 0 : 1;
usage_err:
	usage(stderr);
	free(models);
	free(envcopy);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(cmd, "info") == 0)
		return cc_cmd_info(argc - 1, argv + 1);
	if (strcmp(cmd, "verify") == 0)
		return cc_cmd_verify(argc - 1, argv + 1);
	if (strcmp(cmd, "dump") == 0)
		return cc_cmd_dump(argc - 1, argv + 1);
	if (strcmp(cmd, "diff") == 0)
		return cc_cmd_diff(argc - 1, argv + 1);
	if (strcmp(cmd, "policy") == 0)
		return cc_cmd_policy(argc - 1, argv + 1);
	if (strcmp(cmd, "sync") == 0)
		return cc_cmd_sync(argc - 1, argv + 1, AIRLOCK_SOURCE_DIR);
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("airlock-compile %s\n", AIRLOCK_VERSION);
		return 0;
	}
	fprintf(stderr, "airlock-compile: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
