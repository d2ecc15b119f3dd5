/*
 * A main for the libFuzzer harnesses without libFuzzer: run
 * LLVMFuzzerTestOneInput once over each file named on the command line (a
 * seed corpus).  `make check` builds every tests/fuzz/fuzz_*.c with it under
 * ASan+UBSan (gcc is enough) and replays tests/fuzz/corpus/<name>/*: a short
 * smoke that the harnesses build and their seeds run clean.  Real fuzzing
 * is `make fuzz` (clang, libFuzzer).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1024 * 1024)

static int
replay(const char *path)
{
	unsigned char *buf, *exact;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return 1;
	}
	if ((buf = malloc(MAX_INPUT)) == NULL) {
		fclose(f);
		return 1;
	}
	n = fread(buf, 1, MAX_INPUT, f);
	fclose(f);
	/* an exact-size copy, so ASan sees reads past the input's end */
	if ((exact = realloc(buf, n ? n : 1)) == NULL) {
		free(buf);
		return 1;
	}
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		bad |= replay(argv[i]);
	return bad;
}
