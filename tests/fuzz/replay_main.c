/*
 * replay_main.c -- main() of every fuzz target's replay build
 * (cmake/AirlockFuzz.cmake): feeds LLVMFuzzerTestOneInput each file named
 * on the command line and each regular file of each directory named (not
 * recursively; names starting with '.' skipped; in name order), then
 * prints how many it replayed.  Arguments starting with '-' are libFuzzer
 * options and are ignored, so one command line serves both builds.
 *
 * Each input is copied into a buffer of exactly its size, so that a
 * sanitizer build reports any read past its end.  Inputs larger than
 * REPLAY_MAX_INPUT are an error rather than silently skipped.  Exit status:
 * 0 when every input ran (a crash aborts), 1 when an argument could not be
 * read or named no input at all.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_INPUT (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: unreadable or larger than %u bytes\n",
		        path, REPLAY_MAX_INPUT);
		fclose(f);
		return -1;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		fprintf(stderr, "replay: %s: read failed\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Returns the number of inputs replayed, or -1. */
static int replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);

	struct dirent **names;
	int n = scandir(path, &names, skip_dots, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int count = 0;
	for (int i = 0; i < n; i++) {          /* bound: directory entries */
		size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
		char *full = malloc(len);
		if (full) {
			snprintf(full, len, "%s/%s", path, names[i]->d_name);
			struct stat fs;
			if (stat(full, &fs) == 0 && S_ISREG(fs.st_mode)) {
				int r = replay_file(full);
				if (r < 0)
					count = -1;
				else if (count >= 0)
					count += r;
			}
			free(full);
		} else {
			count = -1;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int total = 0, failed = 0, paths = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		paths++;
		int r = replay_path(argv[i]);
		if (r <= 0) {
			if (r == 0)
				fprintf(stderr, "replay: %s: no inputs\n", argv[i]);
			failed = 1;
		} else {
			total += r;
		}
	}
	if (!paths) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 1;
	}
	printf("replay: %d inputs\n", total);
	return failed;
}
