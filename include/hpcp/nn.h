/*
 * The train phase's model: a multi-layer perceptron behind a backend
 * interface, so that a GPU backend can be added without touching the
 * phase.  Dense layers with ReLU between them and a loss on the last
 * layer's output:
 *   HPCP_NN_SOFTMAX_XENT  softmax cross-entropy; a sample's target is its
 *                         class index, stored as a float (0, 1, ...);
 *   HPCP_NN_MSE           half the squared error, 0.5 sum_j (out_j - y_j)^2;
 *                         a sample's target is width[n_layers] floats.
 * Layer l (0-based) maps width[l] inputs to width[l + 1] outputs with
 * y = W x + b; its parameters are W (width[l+1] x width[l], row-major)
 * then b (width[l+1]), contiguous, and its gradient lies in the same
 * layout in its own contiguous buffer, so one layer's gradient can be
 * all-reduced as soon as backward has produced it, while backward goes
 * on with the layers below.
 *
 * Seeded: the same spec (seed included) gives bit-identical parameters on
 * every rank and every run.  Forward and backward take any n up to
 * max_batch samples (n may be 0: loss 0, zero gradient).
 */
#ifndef HPCP_NN_H
#define HPCP_NN_H

#include <stddef.h>
#include <stdint.h>

#define HPCP_NN_MAX_LAYERS 8

enum hpcp_nn_loss {
	HPCP_NN_SOFTMAX_XENT,
	HPCP_NN_MSE,
};

struct hpcp_nn_spec {
	int n_layers;                           /* 1..HPCP_NN_MAX_LAYERS */
	int width[HPCP_NN_MAX_LAYERS + 1];      /* inputs, ..., outputs */
	enum hpcp_nn_loss loss;
	int max_batch;                          /* samples per call, >= 1 */
	uint64_t seed;                          /* initialisation */
	int zero_init;  /* 1: all parameters 0 (a convex model's start) */
};

/* Bytes the model holds, by what for. */
struct hpcp_nn_memory {
	size_t params, grads, optimizer, activations;
};

/* Called by backward for each layer, last to first, as soon as that
 * layer's gradient is final: grad has count floats (W then b). */
typedef void (*hpcp_nn_ready_fn)(int layer, float *grad, size_t count,
				 void *arg);

struct hpcp_nn;

struct hpcp_nn_backend {
	const char *name;           /* "cpu-sgemm" */
	/* 0, or -ENOTSUP with what to install (no BLAS in this build). */
	int (*available)(char *why, size_t len);
	/* 0, -EINVAL (a bad spec) or -ENOMEM, with why. */
	int (*create)(const struct hpcp_nn_spec *spec, struct hpcp_nn **out,
		      char *why, size_t len);
	/*
	 * Forward n samples, x: n x width[0] row-major, y: the targets (see
	 * above).  *loss_sum: the loss summed (not averaged) over the n
	 * samples, in double; *correct (may be NULL): samples whose largest
	 * output is at the target class (classification; 0 for MSE).
	 * Keeps what backward needs.
	 */
	void (*forward)(struct hpcp_nn *nn, const float *x, const float *y,
			int n, double *loss_sum, int *correct);
	/* The last forward's outputs, n x width[n_layers] row-major: the
	 * last layer's values before the loss (logits). */
	const float *(*output)(const struct hpcp_nn *nn);
	/*
	 * The gradient of scale x (the last forward's loss sum) into each
	 * layer's gradient buffer (overwritten, not added), last layer
	 * first, calling ready (may be NULL) after each layer.
	 */
	void (*backward)(struct hpcp_nn *nn, float scale,
			 hpcp_nn_ready_fn ready, void *arg);
	/* SGD with momentum, the gradient buffers as they are now:
	 * v = momentum v + g; p = p - lr v (v starts at 0). */
	void (*update)(struct hpcp_nn *nn, float lr, float momentum);
	/* Layer l's parameters, gradient or optimiser state (the momentum
	 * velocity), W then b, and their count. */
	float *(*params)(struct hpcp_nn *nn, int layer, size_t *count);
	float *(*grad)(struct hpcp_nn *nn, int layer, size_t *count);
	float *(*state)(struct hpcp_nn *nn, int layer, size_t *count);
	void (*memory)(const struct hpcp_nn *nn, struct hpcp_nn_memory *m);
	/* Floating-point operations of one sample's forward and backward
	 * (multiply-adds of the matrix products counted as 2). */
	double (*flops_per_sample)(const struct hpcp_nn *nn);
	void (*destroy)(struct hpcp_nn *nn);
};

/* On CBLAS sgemm (OpenBLAS), one thread per rank (blas.h). */
extern const struct hpcp_nn_backend hpcp_nn_cpu;

#endif
