/*
 * test_search_quality -- search quality over hand-written intents.
 *
 *   test_search_quality CATALOG INTENTS.tsv [MIN_TOP5_PERCENT]
 *   test_search_quality CATALOG --query "TEXT" [--service S] [--access read|write]
 *
 * Each line of INTENTS is "query TAB service:Operation[|service:Operation]";
 * an intent passes when any expected operation is among the first 5 hits.
 * Prints every miss with what came first, then
 *   search quality: N/M intents in top 5 (X%), top-1 Y%
 * and fails when X is under MIN_TOP5_PERCENT (default 90), when the catalog
 * or the intents cannot be read, or when an expected operation is not in
 * the catalog (a typo must not pass as a miss).  --query prints the top 10
 * of one query, for tuning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_search.h"

#define TOPK 5
#define MAX_EXPECT 4

static void print_hits(const alc_catalog *cat, const rt_search_hit *h, size_t n,
                       const char *indent)
{
	for (size_t i = 0; i < n; i++) {
		const alc_operation *op = &cat->ops[h[i].op];
		printf("%s%zu. %s:%s  %.3f\n", indent, i + 1,
		       alc_str(cat, cat->svcs[op->service].key),
		       alc_str(cat, op->name), (double)h[i].score);
	}
}

static int one_query(const alc_catalog *cat, rt_search *s, int argc, char **argv)
{
	rt_search_query q = { argv[3], strlen(argv[3]), NULL, RT_ACCESS_ANY };
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--service") == 0) {
			q.service = alc_find_service(cat, argv[i + 1],
			                             strlen(argv[i + 1]));
			if (!q.service) {
				fprintf(stderr, "unknown service %s\n", argv[i + 1]);
				return 2;
			}
		} else if (strcmp(argv[i], "--access") == 0) {
			q.access = strcmp(argv[i + 1], "read") == 0 ? RT_ACCESS_READ
			                                            : RT_ACCESS_WRITE;
		}
	}
	rt_search_hit h[10];
	size_t n = rt_search_run(s, &q, h, 10);
	print_hits(cat, h, n, "  ");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s CATALOG INTENTS.tsv [MIN%%]\n", argv[0]);
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc != 0) {
		fprintf(stderr, "FAIL: %s: %s: %s\n", argv[1], al_strerror(rc),
		        diag.msg);
		return 1;
	}
	rt_search *s;
	if (rt_search_open(&s, &cat) != 0 || rt_search_build(s) != 0) {
		fprintf(stderr, "FAIL: search index: out of memory\n");
		return 1;
	}
	if (argc >= 4 && strcmp(argv[2], "--query") == 0) {
		rc = one_query(&cat, s, argc, argv);
		rt_search_close(s);
		alc_close(&cat);
		return rc;
	}
	double min_pct = argc > 3 ? atof(argv[3]) : 90.0;
	FILE *f = fopen(argv[2], "r");
	if (!f) {
		fprintf(stderr, "FAIL: %s: cannot open\n", argv[2]);
		return 1;
	}
	char line[1024];
	unsigned total = 0, top5 = 0, top1 = 0, lineno = 0, bad = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "FAIL: %s:%u: no TAB\n", argv[2], lineno);
			bad++;
			continue;
		}
		*tab = '\0';
		const char *query = line;
		uint32_t expect[MAX_EXPECT];
		size_t nexp = 0;
		for (char *tok = strtok(tab + 1, "|"); tok && nexp < MAX_EXPECT;
		     tok = strtok(NULL, "|")) {
			const alc_operation *op =
				alc_find_operation_key(&cat, tok, strlen(tok));
			if (!op) {
				fprintf(stderr, "FAIL: %s:%u: %s is not in the catalog\n",
				        argv[2], lineno, tok);
				bad++;
				continue;
			}
			expect[nexp++] = alc_op_index(&cat, op);
		}
		if (nexp == 0)
			continue;
		rt_search_query q = { query, strlen(query), NULL, RT_ACCESS_ANY };
		rt_search_hit h[TOPK];
		size_t n = rt_search_run(s, &q, h, TOPK);
		size_t rank = 0;
		for (size_t i = 0; i < n && !rank; i++)
			for (size_t e = 0; e < nexp; e++)
				if (h[i].op == expect[e])
					rank = i + 1;
		total++;
		if (rank >= 1)
			top5++;
		if (rank == 1)
			top1++;
		if (rank != 1) {
			const alc_operation *op = &cat.ops[expect[0]];
			printf("%s: \"%s\" expected %s:%s%s, got:\n",
			       rank ? "not first" : "MISS", query,
			       alc_str(&cat, cat.svcs[op->service].key),
			       alc_str(&cat, op->name), nexp > 1 ? " (or ...)" : "");
			print_hits(&cat, h, n, "    ");
		}
	}
	fclose(f);
	double pct5 = total ? 100.0 * top5 / total : 0;
	double pct1 = total ? 100.0 * top1 / total : 0;
	printf("search quality: %u/%u intents in top 5 (%.1f%%), top-1 %.1f%%\n",
	       top5, total, pct5, pct1);
	rt_search_close(s);
	alc_close(&cat);
	if (bad) {
		printf("FAIL: %u bad intent lines\n", bad);
		return 1;
	}
	if (total == 0 || pct5 < min_pct) {
		printf("FAIL: top-5 %.1f%% is under %.1f%%\n", pct5, min_pct);
		return 1;
	}
	return 0;
}
