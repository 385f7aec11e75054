/*
 * schema_tool -- drives rt_schema_input() and rt_validate() for the tests
 * in this directory (check_schema.py, run_cases.py) and for people:
 *
 *   schema_tool schema   CATALOG SERVICE OPERATION      pretty schema
 *   schema_tool validate CATALOG SERVICE OPERATION JSON|@FILE
 *                        violations, one per line; exit 1 when invalid
 *   schema_tool schemas  CATALOG [SERVICE...]           all operations:
 *                        "service<TAB>Operation<TAB>schema" per line
 *   schema_tool services CATALOG                        "key<TAB>protocol
 *                        <TAB>model path<TAB>operation count" per service
 *   schema_tool batch    CATALOG                        reads lines
 *                        "service<TAB>Operation<TAB>input JSON" and writes
 *                        one JSON line per case: {"n":N,"v":[[pointer,
 *                        keyword, message],...]} ({"error":...} when the
 *                        line is not JSON).  Raw lines, so that duplicate
 *                        keys reach the validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_schema.h"

static int usage(void)
{
	fprintf(stderr, "usage: schema_tool schema|validate|schemas|batch CATALOG ...\n");
	return 2;
}

static const alc_operation *find_op(const alc_catalog *cat, const char *svc,
                                    const char *op)
{
	const alc_operation *o = alc_find_operation(cat, svc, strlen(svc), op, strlen(op));
	if (!o)
		fprintf(stderr, "schema_tool: no operation %s %s\n", svc, op);
	return o;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (n + 1 == cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	return b;
}

static int print_schema(const alc_catalog *cat, const alc_operation *op, int pretty)
{
	cJSON *s = rt_schema_input(cat, op);
	if (!s) {
		fprintf(stderr, "schema_tool: out of memory\n");
		return 1;
	}
	char *t = pretty ? cJSON_Print(s) : cJSON_PrintUnformatted(s);
	cJSON_Delete(s);
	if (!t)
		return 1;
	fputs(t, stdout);
	fputc('\n', stdout);
	cJSON_free(t);
	return 0;
}

static int cmd_validate(const alc_catalog *cat, const alc_operation *op, const char *arg)
{
	char *text = arg[0] == '@' ? slurp(arg + 1) : strdup(arg);
	if (!text) {
		fprintf(stderr, "schema_tool: cannot read %s\n", arg);
		return 2;
	}
	cJSON *in = cJSON_Parse(text);
	free(text);
	if (!in) {
		fprintf(stderr, "schema_tool: input is not JSON\n");
		return 2;
	}
	static rt_violation v[RT_VALIDATE_MAX];
	size_t n = rt_validate(cat, op, in, v, RT_VALIDATE_MAX);
	cJSON_Delete(in);
	for (size_t i = 0; i < n && i < RT_VALIDATE_MAX; i++)
		printf("%s\t%s\t%s\n", v[i].pointer, v[i].keyword, v[i].message);
	if (!n)
		printf("ok\n");
	return n ? 1 : 0;
}

static int cmd_schemas(const alc_catalog *cat, int argc, char **argv)
{
	for (uint32_t si = 0; si < cat->nsvcs; si++) {
		const alc_service *s = &cat->svcs[si];
		const char *key = alc_str(cat, s->key);
		if (argc > 0) {
			int want = 0;
			for (int k = 0; k < argc; k++)
				if (alc_find_service(cat, argv[k], strlen(argv[k])) == s)
					want = 1;
			if (!want)
				continue;
		}
		for (uint32_t oi = s->first_op; oi < s->first_op + s->op_count; oi++) {
			const alc_operation *op = &cat->ops[oi];
			printf("%s\t%s\t", key, alc_str(cat, op->name));
			if (print_schema(cat, op, 0))
				return 1;
		}
	}
	return 0;
}

static int cmd_services(const alc_catalog *cat)
{
	static const char *const proto[ALC_PROTO_COUNT] = {
		"none", "awsJson1_0", "awsJson1_1", "restJson1", "restXml",
		"awsQuery", "ec2Query",
	};
	for (uint32_t si = 0; si < cat->nsvcs; si++) {
		const alc_service *s = &cat->svcs[si];
		printf("%s\t%s\t%s\t%u\n", alc_str(cat, s->key),
		       s->protocol < ALC_PROTO_COUNT ? proto[s->protocol] : "?",
		       alc_str(cat, cat->manifest[s->manifest].path), s->op_count);
	}
	return 0;
}

static void json_str(FILE *f, const char *s)
{
	cJSON *x = cJSON_CreateString(s);
	char *t = x ? cJSON_PrintUnformatted(x) : NULL;
	fputs(t ? t : "\"\"", f);
	cJSON_free(t);
	cJSON_Delete(x);
}

static int cmd_batch(const alc_catalog *cat)
{
	static rt_violation v[RT_VALIDATE_MAX];
	size_t cap = 1 << 16;
	char *line = malloc(cap);
	if (!line)
		return 1;
	size_t n = 0;
	int c;
	for (;;) {
		n = 0;
		while ((c = getchar()) != EOF && c != '\n') {
			if (n + 1 >= cap) {
				char *nl = realloc(line, cap * 2);
				if (!nl) {
					free(line);
					return 1;
				}
				line = nl;
				cap *= 2;
			}
			line[n++] = (char)c;
		}
		if (c == EOF && n == 0)
			break;
		line[n] = '\0';
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2) {
			printf("{\"error\":\"bad line\"}\n");
			continue;
		}
		*t1 = *t2 = '\0';
		const alc_operation *op = alc_find_operation(cat, line, strlen(line), t1 + 1,
		                                             strlen(t1 + 1));
		cJSON *in = cJSON_Parse(t2 + 1);
		if (!op || !in) {
			printf("{\"error\":\"%s\"}\n", op ? "input is not JSON" : "no such operation");
			cJSON_Delete(in);
			continue;
		}
		size_t k = rt_validate(cat, op, in, v, RT_VALIDATE_MAX);
		cJSON_Delete(in);
		printf("{\"n\":%zu,\"v\":[", k);
		for (size_t i = 0; i < k && i < RT_VALIDATE_MAX; i++) {
			fputs(i ? ",[" : "[", stdout);
			json_str(stdout, v[i].pointer);
			fputc(',', stdout);
			json_str(stdout, v[i].keyword);
			fputc(',', stdout);
			json_str(stdout, v[i].message);
			fputc(']', stdout);
		}
		printf("]}\n");
		fflush(stdout);
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[2], &diag);
	if (rc) {
		fprintf(stderr, "schema_tool: %s: %s: %s\n", argv[2], al_strerror(rc), diag.msg);
		return 2;
	}
	const char *cmd = argv[1];
	int st = 2;
	if (strcmp(cmd, "schema") == 0 && argc == 5) {
		const alc_operation *op = find_op(&cat, argv[3], argv[4]);
		st = op ? print_schema(&cat, op, 1) : 2;
	} else if (strcmp(cmd, "validate") == 0 && argc == 6) {
		const alc_operation *op = find_op(&cat, argv[3], argv[4]);
		st = op ? cmd_validate(&cat, op, argv[5]) : 2;
	} else if (strcmp(cmd, "schemas") == 0) {
		st = cmd_schemas(&cat, argc - 3, argv + 3);
	} else if (strcmp(cmd, "services") == 0 && argc == 3) {
		st = cmd_services(&cat);
	} else if (strcmp(cmd, "batch") == 0 && argc == 3) {
		st = cmd_batch(&cat);
	} else {
		st = usage();
	}
	alc_close(&cat);
	return st;
}
