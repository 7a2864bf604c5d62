/*
 * The infer phase's batch-1 forward pass with nothing around it, the
 * reference of bench/compare-infer.sh: the same model code (nn_cpu.c, so
 * the same sgemm calls) and shape, the same gather of a request's input
 * from a pool, one thread, no queue, no clock inside the loop.
 *
 * usage: bare_infer REQUESTS
 * prints: requests_per_s=<requests / the loop's wall time>
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpcp/blas.h"
#include "hpcp/nn.h"
#include "hpcp/rand.h"

#define POOL 256

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct hpcp_nn_spec spec = {
		.n_layers = 3, .width = { 784, 256, 128, 10 },
		.loss = HPCP_NN_SOFTMAX_XENT, .seed = 1, .max_batch = 1,
	};
	struct hpcp_nn *nn;
	char why[512];
	long n;
	uint64_t s = 1;
	float *pool, x[784], y[1] = { 0 };
	double t0, t, loss;

	if (argc != 2 || (n = atol(argv[1])) < 1) {
		fprintf(stderr, "usage: bare_infer REQUESTS\n");
		return 2;
	}
	hpcp_blas_default_threads();
	pool = malloc(POOL * 784 * sizeof(*pool));
	if (!pool || hpcp_nn_cpu.available(why, sizeof(why)) ||
	    hpcp_nn_cpu.create(&spec, &nn, why, sizeof(why))) {
		fprintf(stderr, "bare_infer: %s\n", pool ? why : "no memory");
		return 1;
	}
	for (int i = 0; i < POOL * 784; i++)
		pool[i] = (float)(hpcp_splitmix64(&s) >> 40) * 0x1.0p-24f;
	for (long i = 0; i < n / 10; i++) {         /* warm-up */
		memcpy(x, pool + (i % POOL) * 784, sizeof(x));
		hpcp_nn_cpu.forward(nn, x, y, 1, &loss, NULL);
	}
	t0 = now();
	for (long i = 0; i < n; i++) {
		memcpy(x, pool + (i % POOL) * 784, sizeof(x));
		hpcp_nn_cpu.forward(nn, x, y, 1, &loss, NULL);
	}
	t = now() - t0;
	printf("requests_per_s=%.1f\n", (double)n / t);
	hpcp_nn_cpu.destroy(nn);
	free(pool);
	return 0;
}
