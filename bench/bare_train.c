/*
 * The train phase's steps with nothing around them, the reference of
 * bench/compare-train.sh: the same data (train_data.c), the same model
 * backend and so the same sgemm calls (nn_cpu.c), one process, no MPI, no
 * clock inside the loop, no per-step records.
 *
 * usage: bare_train DIR SAMPLES EPOCHS BATCH
 * prints: samples_per_s=<samples of the epochs' steps / their wall time>
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hpcp/blas.h"
#include "hpcp/nn.h"

#include "phases/train_int.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct train_set set;
	struct hpcp_nn_spec spec = {
		.n_layers = 3, .width = { 0, 256, 128, 0 },
		.loss = HPCP_NN_SOFTMAX_XENT, .seed = 1,
	};
	struct hpcp_nn *nn;
	char why[512];
	int n, epochs, batch, steps, *perm;
	float *x, *y;
	double t0, t = 0, loss;

	if (argc != 5 || (epochs = atoi(argv[3])) < 1 ||
	    (batch = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: bare_train DIR SAMPLES EPOCHS BATCH\n");
		return 2;
	}
	if (train_set_read(argv[1], "train", &set, why, sizeof(why))) {
		fprintf(stderr, "bare_train: %s\n", why);
		return 1;
	}
	n = atoi(argv[2]) > 0 && atoi(argv[2]) < set.n ? atoi(argv[2]) : set.n;
	steps = n / batch;
	spec.width[0] = set.d;
	spec.width[3] = set.classes;
	spec.max_batch = batch;
	hpcp_blas_default_threads();
	perm = calloc((size_t)n, sizeof(*perm));
	x = calloc((size_t)batch * set.d, sizeof(*x));
	y = calloc((size_t)batch, sizeof(*y));
	if (!perm || !x || !y || hpcp_nn_cpu.available(why, sizeof(why)) ||
	    hpcp_nn_cpu.create(&spec, &nn, why, sizeof(why))) {
		fprintf(stderr, "bare_train: %s\n", why);
		return 1;
	}
	for (int e = 0; e < epochs; e++) {
		train_shuffle(perm, n, (uint64_t)e + 1);
		t0 = now();
		for (int s = 0; s < steps; s++) {
			train_gather(&set, perm, s * batch, batch, x, y);
			hpcp_nn_cpu.forward(nn, x, y, batch, &loss, NULL);
			hpcp_nn_cpu.backward(nn, 1.0f / (float)batch, NULL,
					     NULL);
			hpcp_nn_cpu.update(nn, 0.05f, 0.9f);
		}
		t += now() - t0;
	}
	printf("samples_per_s=%.6g\n", (double)epochs * steps * batch / t);
	hpcp_nn_cpu.destroy(nn);
	train_set_free(&set);
	free(perm), free(x), free(y);
	return 0;
}
