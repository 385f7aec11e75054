/*
 * test_readmap.c -- the read mappings of a catalog, through the reader API
 * (alc_op_readmap), against the full corpus:
 *
 *   test_readmap CATALOG EXPECTED.tsv OVERRIDES.tsv
 *
 *   1. coverage: the share of mutating operations (not alc_op_is_read)
 *      with a mapping is at least 85%;
 *   2. every mapping is usable: the read is a read of the same service,
 *      every argument names a member of the mutating input (or is a
 *      constant) and a member of the read's input (a list when the value
 *      is wrapped), and the state path resolves in the read's output;
 *   3. EXPECTED.tsv: chosen mappings across services, field by field
 *      (service, operation, read, source, kind, state, arguments);
 *   4. OVERRIDES.tsv (catalogs/readmap-overrides.tsv): every line names a
 *      service and operation of the corpus, and its mapping is the one the
 *      catalog holds (source override, or none for read "-").
 * Prints the figures; exit 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "alc_reader.h"

static int failures, checks;

#define FAIL(...) do { failures++; fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } while (0)

static const char *const kinds[] = { "?", "create", "update", "delete", "other" };
static const char *const sources[] = { "?", "lifecycle", "verb-noun", "override" };

static const alc_member *member(const alc_catalog *c, uint32_t shape, const char *name,
                                size_t len)
{
	if (shape == ALC_NONE)
		return NULL;
	const alc_shape *s = &c->shapes[shape];
	if (s->type != ALC_T_STRUCTURE && s->type != ALC_T_UNION)
		return NULL;
	for (uint32_t k = 0; k < s->member_count; k++) {
		const alc_member *m = &c->members[s->first_member + k];
		const char *n = alc_str(c, m->name);
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return m;
	}
	return NULL;
}

/* The state path resolves in the output shape OUT. */
static int path_ok(const alc_catalog *c, uint32_t out, const char *p)
{
	uint32_t s = out;
	while (*p) {
		size_t n = strcspn(p, ".[");
		const alc_member *m = member(c, s, p, n);
		if (!m)
			return 0;
		s = m->target;
		p += n;
		if (*p == '[') {
			if (strncmp(p, "[0]", 3) || s == ALC_NONE || c->shapes[s].type != ALC_T_LIST)
				return 0;
			s = c->members[c->shapes[s].first_member].target;
			p += 3;
		}
		if (*p == '.')
			p++;
		else if (*p)
			return 0;
	}
	return 1;
}

/* "to=from,to=[from],to:=json" as `airlock-compile dump` prints it. */
static void args_text(const alc_readmap *rm, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	if (!rm->nargs) {
		snprintf(out, cap, "-");
		return;
	}
	for (uint32_t i = 0; i < rm->nargs && n < cap; i++) {
		const alc_readmap_arg *a = &rm->args[i];
		int list = (a->flags & ALC_RMA_LIST) != 0;
		n += (size_t)snprintf(out + n, cap - n, "%s%s%s%s%s%s", i ? "," : "", a->to,
		                      (a->flags & ALC_RMA_CONST) ? ":=" : "=", list ? "[" : "",
		                      a->from, list ? "]" : "");
	}
}

static void check_all(const alc_catalog *c)
{
	uint32_t mutating = 0, mapped = 0, by_source[4] = { 0 }, bad = 0;
	for (uint32_t i = 0; i < c->nops; i++) {
		const alc_operation *op = &c->ops[i];
		const char *name = alc_str(c, op->name);
		const char *svc = alc_str(c, c->svcs[op->service].key);
		alc_readmap rm;
		int has = alc_op_readmap(c, op, &rm);
		if (alc_op_is_read(name, op->flags)) {
			if (has) {
				FAIL("%s:%s is a read but has a mapping", svc, name);
				bad++;
			}
			continue;
		}
		mutating++;
		if (!has)
			continue;
		mapped++;
		checks++;
		if (rm.kind < ALC_RM_CREATE || rm.kind > ALC_RM_OTHER ||
		    rm.source < ALC_RM_LIFECYCLE || rm.source > ALC_RM_OVERRIDE) {
			FAIL("%s:%s: kind %u / source %u", svc, name, rm.kind, rm.source);
			bad++;
			continue;
		}
		by_source[rm.source]++;
		const alc_operation *r = rm.read;
		if (r->service != op->service || !alc_op_is_read(alc_str(c, r->name), r->flags)) {
			FAIL("%s:%s: read %s is not a read of the same service", svc, name,
			     alc_str(c, r->name));
			bad++;
		}
		if (!path_ok(c, r->output, rm.state_path)) {
			FAIL("%s:%s: state path \"%s\" does not resolve in %s's output", svc, name,
			     rm.state_path, alc_str(c, r->name));
			bad++;
		}
		for (uint32_t a = 0; a < rm.nargs; a++) {
			const alc_readmap_arg *g = &rm.args[a];
			const alc_member *to = member(c, r->input, g->to, strlen(g->to));
			const alc_member *from = (g->flags & ALC_RMA_CONST) ? NULL :
			                         member(c, op->input, g->from, strlen(g->from));
			if (!to || (!(g->flags & ALC_RMA_CONST) && !from) ||
			    ((g->flags & ALC_RMA_LIST) && c->shapes[to->target].type != ALC_T_LIST)) {
				FAIL("%s:%s: argument %s=%s does not fit %s", svc, name, g->to, g->from,
				     alc_str(c, r->name));
				bad++;
			}
		}
	}
	double pct = mutating ? 100.0 * mapped / mutating : 0;
	printf("coverage: %u of %u mutating operations mapped (%.1f%%): %u lifecycle, "
	       "%u verb/noun, %u overrides; %u mappings that do not fit\n", mapped, mutating,
	       pct, by_source[1], by_source[2], by_source[3], bad);
	checks++;
	if (mutating < 9000)
		FAIL("only %u mutating operations: not the full corpus", mutating);
	checks++;
	if (pct < 85.0)
		FAIL("coverage %.1f%% is below 85%%", pct);
}

/* Split LINE at tabs (runs of tabs are one separator). */
static int fields(char *line, char **f, int cap)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	for (char *t = strtok(line, "\t"); t && n < cap; t = strtok(NULL, "\t"))
		f[n++] = t;
	return n;
}

static const alc_operation *find(const alc_catalog *c, const char *svc, const char *op)
{
	return alc_find_operation(c, svc, strlen(svc), op, strlen(op));
}

/* service op read source kind state args */
static void check_table(const alc_catalog *c, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		FAIL("%s: cannot open", path);
		return;
	}
	char line[2048];
	unsigned lineno = 0, rows = 0, services = 0;
	char seen[64][64];
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *fl[8];
		if (fields(line, fl, 8) != 7) {
			FAIL("%s:%u: expected 7 fields", path, lineno);
			continue;
		}
		rows++;
		checks++;
		int known = 0;
		for (unsigned s = 0; s < services; s++)
			known |= strcmp(seen[s], fl[0]) == 0;
		if (!known && services < 64)
			snprintf(seen[services++], sizeof seen[0], "%s", fl[0]);
		const alc_operation *op = find(c, fl[0], fl[1]);
		alc_readmap rm;
		if (!op) {
			FAIL("%s:%u: no operation %s:%s", path, lineno, fl[0], fl[1]);
			continue;
		}
		if (!alc_op_readmap(c, op, &rm)) {
			FAIL("%s:%u: %s:%s has no mapping (want %s)", path, lineno, fl[0], fl[1], fl[2]);
			continue;
		}
		char args[1024];
		args_text(&rm, args, sizeof args);
		const char *state = *rm.state_path ? rm.state_path : "-";
		const char *read = alc_str(c, rm.read->name);
		if (strcmp(read, fl[2]) || strcmp(sources[rm.source], fl[3]) ||
		    strcmp(kinds[rm.kind], fl[4]) || strcmp(state, fl[5]) || strcmp(args, fl[6]))
			FAIL("%s:%u: %s:%s\n  got  %s %s %s %s %s\n  want %s %s %s %s %s", path, lineno,
			     fl[0], fl[1], read, sources[rm.source], kinds[rm.kind], state, args,
			     fl[2], fl[3], fl[4], fl[5], fl[6]);
	}
	fclose(f);
	printf("expected mappings: %u rows across %u services\n", rows, services);
	checks++;
	if (rows < 30)
		FAIL("%s: %u rows, the table must check at least 30", path, rows);
}

static void check_overrides(const alc_catalog *c, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		FAIL("%s: cannot open", path);
		return;
	}
	char line[2048];
	unsigned lineno = 0, n = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
			continue;
		char *fl[8];
		if (fields(line, fl, 8) < 5) {
			FAIL("%s:%u: short line", path, lineno);
			continue;
		}
		n++;
		checks++;
		const alc_operation *op = find(c, fl[0], fl[1]);
		alc_readmap rm;
		if (!op) {
			FAIL("%s:%u: no operation %s:%s in the corpus", path, lineno, fl[0], fl[1]);
			continue;
		}
		int has = alc_op_readmap(c, op, &rm);
		if (strcmp(fl[2], "-") == 0 ? has :
		    !has || rm.source != ALC_RM_OVERRIDE || strcmp(alc_str(c, rm.read->name), fl[2]))
			FAIL("%s:%u: %s:%s is not mapped as the override says", path, lineno, fl[0],
			     fl[1]);
	}
	fclose(f);
	printf("overrides: %u lines, each applied\n", n);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test_readmap CATALOG EXPECTED.tsv OVERRIDES.tsv\n");
		return 2;
	}
	alc_catalog c;
	alc_diag d;
	int rc = alc_open(&c, argv[1], &d);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", argv[1], al_strerror(rc), d.msg);
		return 1;
	}
	check_all(&c);
	check_table(&c, argv[2]);
	check_overrides(&c, argv[3]);
	alc_close(&c);
	printf("test_readmap: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
