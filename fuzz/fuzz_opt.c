/*
 * libFuzzer target: the whole command line.  The input is split into
 * arguments at NUL bytes and newlines; parsing must never crash, and a
 * successful parse must leave a configuration the rest of the program can
 * trust (phases non-empty, sizes within range, an output name).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/opt.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *argv[MAX_ARGS + 2];
	struct hpcp_config cfg;
	char err[512];
	int argc = 1;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "hpcprobe";
	argv[argc++] = copy;
	for (size_t i = 0; i < size && argc <= MAX_ARGS; i++) {
		if (copy[i] == '\n' || copy[i] == '\0') {
			copy[i] = '\0';
			argv[argc++] = copy + i + 1;
		}
	}
	argv[argc] = NULL;
	if (hpcp_opt_parse(argc, argv, &cfg, err, sizeof(err)) == 0) {
		if (cfg.n_phases < 1 || !cfg.output || !cfg.output[0])
			abort();
		for (int i = 0; i < cfg.n_sizes; i++)
			if (cfg.sizes[i] > HPCP_MAX_MSG_BYTES)
				abort();
		/* Every number, global or a phase's, within its range. */
		for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++) {
			double v;

			if (o->kind != HPCP_OPT_REAL)
				continue;
			memcpy(&v, (const char *)&cfg + o->value_offset,
			       sizeof(v));
			if (!(v >= o->real_min && v <= o->real_max))
				abort();
		}
	} else if (!err[0]) {
		abort();   /* a refusal must say why */
	}
	free(copy);
	return 0;
}
