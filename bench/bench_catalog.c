/*
 * bench_catalog.c -- what a runtime pays to use a catalog: open + validate,
 * and operation lookups by name.
 *
 *   bench_catalog [-o OPEN_RUNS] [-l LOOKUPS] [-p PASSES] [-s SEED] [-v 1]
 *                 FILE.alc                       (-l 0: open only)
 *
 * open:    alc_open + alc_close, OPEN_RUNS times (page cache warm: one
 *          untimed open first), median.  For attribution, the same is
 *          timed in parts: mmap(MAP_POPULATE) + munmap alone, XXH3-128 over
 *          the image alone, and alc_open_mem on a heap copy (validation
 *          without the mapping).  The mapping cost depends on how the page
 *          cache holds the file: a file the compiler has just written in
 *          one write() sits in large folios and maps almost for free; a
 *          copied or re-read one costs ~0.25 us per 4 KiB page, paid in
 *          page faults while alc_open checksums it (or up front with
 *          MAP_POPULATE, as the mmap part does).  run.sh therefore measures
 *          a copy (as installed) and the fresh file.
 * lookup:  LOOKUPS operation names drawn from the catalog itself with a
 *          fixed seed (splitmix64), before any timing, in the forms an
 *          agent types them:
 *            "cloudformation:CreateStack"        service key : Smithy name
 *            "CloudFormation:CreateStack"        sdk-id : Smithy name
 *            "cloudformation create-stack"       CLI service, CLI operation
 *            "logs:PutLogEvents", "s3api:..."    alias (endpoint prefix or
 *                                                CLI name) : either name
 *            "cloudformation:create-stack"       key : CLI operation
 *          each in its own case, lower, upper or mixed.  Every name is
 *          resolved once before timing and must give the operation it was
 *          made from; names that do not (an alias that belongs to another
 *          service, say) are replaced, counted in rejected.<form> and
 *          listed on stderr with -v 1.  Then all
 *          names are looked up PASSES times; ns per lookup is the median
 *          over passes.  ':' forms go through alc_find_operation_key, the
 *          CLI form is split at its space and goes through
 *          alc_find_operation (the split is in the timing).
 *
 * Output: key=value lines (see run.sh), plus sec.<NAME>.bytes/count for
 * the section directory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "alc_err.h"
#include "alc_reader.h"

#define MAX_RUNS 100000
#define NAME_MAX_LEN 200   /* below ALC_KEY_MAX: the reader's stack buffer */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* CPU time of this thread: unlike the wall clock, it does not count time
 * spent descheduled, so it stays meaningful on a busy machine (where it
 * still grows somewhat: caches are shared).  Reported beside the wall
 * figures, which are the ones judged. */
static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts V; returns the median. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t rng_state;
static int verbose;      /* -v: list rejected names on stderr */

static uint64_t rnd(void)               /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static const char *sec_name(uint32_t id)
{
	static const char *const names[] = {
		"?", "STRS", "SVCS", "OPS", "SHAPES", "MEMBERS", "MEMBEXT", "CONS",
		"U32", "PARAMS", "RULES", "MANIFEST", "IDX_SVC", "IDX_OP",
		"IDX_CLI", "PARTITIONS", "POLICY", "SHAPEXT", "DOCS", "READMAP",
	};
	return id < sizeof names / sizeof names[0] ? names[id] : "?";
}

/* ---- open ------------------------------------------------------------ */

static double time_open(const char *path, int runs, double *out_min,
                        double *out_cpu)
{
	double *t = malloc((size_t)runs * sizeof *t);
	double *u = malloc((size_t)runs * sizeof *u);
	alc_catalog cat;
	alc_diag d;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ns(), u0 = cpu_ns();
		int rc = alc_open(&cat, path, &d);
		alc_close(&cat);
		t[i] = now_ns() - t0;
		u[i] = cpu_ns() - u0;
		if (rc) {
			fprintf(stderr, "bench_catalog: %s: %s: %s\n", path,
			        al_strerror(rc), d.msg);
			exit(1);
		}
	}
	double m = median(t, (size_t)runs);
	*out_min = t[0];
	*out_cpu = median(u, (size_t)runs);
	free(t);
	free(u);
	return m;
}

static double time_mmap(const char *path, size_t len, int runs)
{
	double *t = malloc((size_t)runs * sizeof *t);
	for (int i = 0; i < runs; i++) {
		double t0 = now_ns();
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		close(fd);
		if (p == MAP_FAILED) {
			perror("bench_catalog: mmap");
			exit(1);
		}
		munmap(p, len);
		t[i] = now_ns() - t0;
	}
	double m = median(t, (size_t)runs);
	free(t);
	return m;
}

static double time_hash(const uint8_t *img, size_t len, int runs)
{
	double *t = malloc((size_t)runs * sizeof *t);
	volatile uint64_t sink = 0;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ns();
		XXH128_hash_t h = XXH3_128bits(img + ALC_CHECKSUM_FROM,
		                               len - ALC_CHECKSUM_FROM);
		t[i] = now_ns() - t0;
		sink ^= h.low64;
	}
	(void)sink;
	double m = median(t, (size_t)runs);
	free(t);
	return m;
}

static double time_open_mem(const uint8_t *img, size_t len, int runs)
{
	double *t = malloc((size_t)runs * sizeof *t);
	alc_catalog cat;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ns();
		int rc = alc_open_mem(&cat, img, len, NULL);
		alc_close(&cat);
		t[i] = now_ns() - t0;
		if (rc) {
			fprintf(stderr, "bench_catalog: alc_open_mem: %s\n",
			        al_strerror(rc));
			exit(1);
		}
	}
	double m = median(t, (size_t)runs);
	free(t);
	return m;
}

/* ---- lookup names ------------------------------------------------------ */

enum { F_KEY, F_SDKID, F_CLI, F_ALIAS, F_KEY_CLIOP, F_COUNT };
static const char *const form_names[F_COUNT] = {
	"key", "sdkid", "cli", "alias", "key_cliop",
};

typedef struct name {
	uint32_t off, len;   /* in the names arena */
	uint32_t op;         /* expected OPS index */
	uint32_t form;
} name;

/* The lookup an agent-facing caller does: "svc:Op" or "svc op". */
static const alc_operation *lookup(const alc_catalog *c, const char *s, size_t len)
{
	if (memchr(s, ':', len))
		return alc_find_operation_key(c, s, len);
	const char *sp = memchr(s, ' ', len);
	if (!sp)
		return NULL;
	size_t sl = (size_t)(sp - s);
	return alc_find_operation(c, s, sl, sp + 1, len - sl - 1);
}

static void recase(char *s, size_t n, uint32_t how)
{
	if (how == 0)                    /* as written */
		return;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int up = how == 2 || (how == 3 && (rnd() & 1));
		if (up && ch >= 'a' && ch <= 'z')
			s[i] = (char)(ch - 'a' + 'A');
		else if (!up && ch >= 'A' && ch <= 'Z')
			s[i] = (char)(ch - 'A' + 'a');
	}
}

/* Make one name for a random operation into BUF; returns its length, or 0
 * when the chosen form does not exist for that operation. */
static size_t make_name(const alc_catalog *c, char *buf, size_t cap,
                        uint32_t *op_out, uint32_t *form_out)
{
	uint32_t oi = rnd_below(c->nops);
	const alc_operation *op = &c->ops[oi];
	const alc_service *sv = &c->svcs[op->service];
	uint32_t pick = rnd_below(100), form;
	uint32_t svc, opn;
	char sep = ':';
	if (pick < 30) {
		form = F_KEY; svc = sv->key; opn = op->name;
	} else if (pick < 45) {
		form = F_SDKID; svc = sv->sdk_id; opn = op->name;
	} else if (pick < 75) {
		form = F_CLI; svc = sv->cli_name; opn = op->cli_name; sep = ' ';
	} else if (pick < 90) {
		form = F_ALIAS;
		svc = rnd() & 1 ? sv->endpoint_prefix : sv->cli_name;
		opn = rnd() & 1 ? op->name : op->cli_name;
	} else {
		form = F_KEY_CLIOP; svc = sv->key; opn = op->cli_name;
	}
	const char *a = alc_str(c, svc), *b = alc_str(c, opn);
	size_t la = strlen(a), lb = strlen(b);
	if (!la || !lb || la + lb + 1 >= cap || la + lb + 1 > NAME_MAX_LEN)
		return 0;
	memcpy(buf, a, la);
	buf[la] = sep;
	memcpy(buf + la + 1, b, lb);
	buf[la + 1 + lb] = '\0';
	recase(buf, la + 1 + lb, rnd_below(4));
	*op_out = oi;
	*form_out = form;
	return la + 1 + lb;
}

typedef struct nameset {
	char *arena;
	size_t used, cap;
	name *v;
	uint32_t n;
	uint32_t rejected[F_COUNT];
	uint32_t made[F_COUNT];
} nameset;

static void make_names(const alc_catalog *c, nameset *ns, uint32_t want)
{
	ns->cap = (size_t)want * (NAME_MAX_LEN + 2);
	ns->arena = malloc(ns->cap);
	ns->v = malloc((size_t)want * sizeof *ns->v);
	if (!ns->arena || !ns->v) {
		fputs("bench_catalog: out of memory\n", stderr);
		exit(1);
	}
	/* bound: 50 attempts per name, far more than the reject rate needs */
	for (uint64_t tries = 0; ns->n < want && tries < (uint64_t)want * 50; tries++) {
		char *buf = ns->arena + ns->used;
		uint32_t op, form;
		size_t len = make_name(c, buf, NAME_MAX_LEN + 2, &op, &form);
		if (!len)
			continue;
		const alc_operation *got = lookup(c, buf, len);
		if (got != &c->ops[op]) {
			ns->rejected[form]++;
			if (verbose)
				fprintf(stderr, "rejected %s: \"%s\" gives %s:%s, not %s:%s\n",
				        form_names[form], buf,
				        got ? alc_str(c, c->svcs[got->service].key) : "-",
				        got ? alc_str(c, got->name) : "-",
				        alc_str(c, c->svcs[c->ops[op].service].key),
				        alc_str(c, c->ops[op].name));
			continue;
		}
		ns->v[ns->n++] = (name){ (uint32_t)ns->used, (uint32_t)len, op, form };
		ns->made[form]++;
		ns->used += len + 1;
	}
	if (ns->n < want) {
		fprintf(stderr, "bench_catalog: made only %u of %u names\n", ns->n, want);
		exit(1);
	}
}

/* Median ns per lookup over PASSES passes over the names whose form is
 * FORM (or all of them when FORM == F_COUNT), in their random order. */
static double time_lookups(const alc_catalog *c, const nameset *ns,
                           uint32_t form, int passes, double *out_cpu)
{
	double *t = malloc((size_t)passes * sizeof *t);
	double *u = malloc((size_t)passes * sizeof *u);
	uint32_t *sel = malloc((size_t)ns->n * sizeof *sel);
	uint32_t k = 0;
	for (uint32_t i = 0; i < ns->n; i++)
		if (form == F_COUNT || ns->v[i].form == form)
			sel[k++] = i;
	uintptr_t sink = 0;
	for (int p = 0; p < passes; p++) {
		double t0 = now_ns(), u0 = cpu_ns();
		for (uint32_t i = 0; i < k; i++) {
			const name *nm = &ns->v[sel[i]];
			sink += (uintptr_t)lookup(c, ns->arena + nm->off, nm->len);
		}
		t[p] = (now_ns() - t0) / (k ? k : 1);
		u[p] = (cpu_ns() - u0) / (k ? k : 1);
	}
	if (sink == 1)  /* never: keeps the lookups from being optimised out */
		puts("");
	double m = median(t, (size_t)passes);
	if (out_cpu)
		*out_cpu = median(u, (size_t)passes);
	free(t);
	free(u);
	free(sel);
	return m;
}

/* Misses: every name with "Zz" appended (an operation no service has). */
static double time_misses(const alc_catalog *c, const nameset *ns, int passes)
{
	char *arena = malloc(ns->used + (size_t)ns->n * 2);
	uint32_t *off = malloc((size_t)ns->n * sizeof *off);
	size_t used = 0;
	for (uint32_t i = 0; i < ns->n; i++) {
		off[i] = (uint32_t)used;
		memcpy(arena + used, ns->arena + ns->v[i].off, ns->v[i].len);
		memcpy(arena + used + ns->v[i].len, "Zz", 2);
		used += ns->v[i].len + 2;
	}
	double *t = malloc((size_t)passes * sizeof *t);
	uint32_t found = 0;
	for (int p = 0; p < passes; p++) {
		double t0 = now_ns();
		for (uint32_t i = 0; i < ns->n; i++)
			found += lookup(c, arena + off[i], ns->v[i].len + 2) != NULL;
		t[p] = (now_ns() - t0) / ns->n;
	}
	if (found)
		fprintf(stderr, "bench_catalog: %u misses were found\n", found);
	double m = median(t, (size_t)passes);
	free(t);
	free(arena);
	free(off);
	return m;
}

/* ---- main ------------------------------------------------------------ */

static uint8_t *read_image(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		exit(1);
	}
	*len = (size_t)st.st_size;
	uint8_t *p = aligned_alloc(64, (*len + 63) & ~(size_t)63);
	size_t got = 0;
	while (p && got < *len) {
		ssize_t r = read(fd, p + got, *len - got);
		if (r <= 0) {
			perror(path);
			exit(1);
		}
		got += (size_t)r;
	}
	close(fd);
	if (!p) {
		fputs("bench_catalog: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	int open_runs = 300, passes = 31;
	uint32_t lookups = 20000;
	uint64_t seed = 20250402;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		long v = atol(argv[i + 1]);
		if (strcmp(argv[i], "-o") == 0 && v > 0 && v <= MAX_RUNS)
			open_runs = (int)v;
		else if (strcmp(argv[i], "-l") == 0 && v >= 0 && v <= 10000000)
			lookups = (uint32_t)v;
		else if (strcmp(argv[i], "-p") == 0 && v > 0 && v <= MAX_RUNS)
			passes = (int)v;
		else if (strcmp(argv[i], "-s") == 0)
			seed = (uint64_t)strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "-v") == 0)
			verbose = (int)v;
		else
			break;
	}
	if (i != argc - 1) {
		fputs("usage: bench_catalog [-o OPEN_RUNS] [-l LOOKUPS] [-p PASSES] "
		      "[-s SEED] [-v 1] FILE.alc\n", stderr);
		return 2;
	}
	const char *path = argv[i];

	alc_catalog cat;
	alc_diag d;
	int rc = alc_open(&cat, path, &d);     /* also warms the page cache */
	if (rc) {
		fprintf(stderr, "bench_catalog: %s: %s: %s\n", path, al_strerror(rc), d.msg);
		return 1;
	}
	printf("file_bytes=%zu\n", cat.size);
	printf("services=%u\noperations=%u\nshapes=%u\nmembers=%u\n", cat.nsvcs,
	       cat.nops, cat.nshapes, cat.nmembers);
	const alc_section *dir = (const alc_section *)(cat.base + cat.hdr->dir_offset);
	for (uint32_t s = 0; s < cat.hdr->section_count; s++)
		printf("sec.%s.bytes=%llu\nsec.%s.count=%u\n", sec_name(dir[s].id),
		       (unsigned long long)dir[s].size, sec_name(dir[s].id), dir[s].count);
	const alc_index_header *ix[3] = { cat.idx_svc, cat.idx_op, cat.idx_cli };
	const char *ixn[3] = { "IDX_SVC", "IDX_OP", "IDX_CLI" };
	for (int k = 0; k < 3; k++)
		printf("idx.%s.slots=%u\nidx.%s.entries=%u\n", ixn[k], ix[k]->slot_count,
		       ixn[k], ix[k]->entry_count);

	/* Lookups first, while the catalog is open (-l 0: none). */
	nameset ns;
	memset(&ns, 0, sizeof ns);
	if (lookups == 0)
		goto open_only;
	rng_state = seed;
	make_names(&cat, &ns, lookups);
	printf("lookup_names=%u\nlookup_seed=%llu\nlookup_passes=%d\n", ns.n,
	       (unsigned long long)seed, passes);
	for (int f = 0; f < F_COUNT; f++)
		printf("names.%s=%u\nrejected.%s=%u\n", form_names[f], ns.made[f],
		       form_names[f], ns.rejected[f]);
	for (int k = 0; k < 3; k++) {            /* a few examples for the report */
		const name *nm = &ns.v[k * 7];
		printf("example_%d=%s\n", k, ns.arena + nm->off);
	}
	time_lookups(&cat, &ns, F_COUNT, 3, NULL);     /* warm the caches */
	double lcpu;
	printf("lookup_ns_median=%.1f\n",
	       time_lookups(&cat, &ns, F_COUNT, passes, &lcpu));
	printf("lookup_cpu_ns_median=%.1f\n", lcpu);
	for (uint32_t f = 0; f < F_COUNT; f++)
		printf("lookup_ns.%s=%.1f\n", form_names[f],
		       time_lookups(&cat, &ns, f, passes, NULL));
	printf("miss_ns_median=%.1f\n", time_misses(&cat, &ns, passes));
open_only:;
	size_t size = cat.size;
	alc_close(&cat);

	double omin, ocpu;
	double om = time_open(path, open_runs, &omin, &ocpu);
	printf("open_runs=%d\nopen_us_median=%.1f\nopen_us_min=%.1f\n"
	       "open_cpu_us_median=%.1f\n", open_runs, om / 1e3, omin / 1e3,
	       ocpu / 1e3);
	int part_runs = open_runs / 3 > 10 ? open_runs / 3 : 10;
	printf("part.mmap_populate_us=%.1f\n", time_mmap(path, size, part_runs) / 1e3);
	size_t len;
	uint8_t *img = read_image(path, &len);
	printf("part.xxh3_128_us=%.1f\n", time_hash(img, len, part_runs) / 1e3);
	printf("part.open_mem_us=%.1f\n", time_open_mem(img, len, part_runs) / 1e3);
	free(img);
	free(ns.arena);  /* NULL with -l 0 */
	free(ns.v);
	return 0;
}
