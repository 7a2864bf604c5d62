/*
 * The CPU model backend (nn.h) against known answers: gradients against
 * central finite differences of forward's loss, hand-computed losses,
 * the ready callback's order and timing, momentum by hand, seeding, spec
 * validation, a least-squares fit with a known solution, and the memory
 * and flop formulas of a 784-256-128-10 net.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/blas.h"
#include "hpcp/nn.h"
#include "tap.h"

static const struct hpcp_nn_backend *be = &hpcp_nn_cpu;

static struct hpcp_nn_spec spec_of(int n_layers, const int *width,
				   enum hpcp_nn_loss loss, int batch,
				   uint64_t seed)
{
	struct hpcp_nn_spec s = {
		.n_layers = n_layers, .loss = loss, .max_batch = batch,
		.seed = seed,
	};

	memcpy(s.width, width, (size_t)(n_layers + 1) * sizeof(int));
	return s;
}

/* The model, or NULL with a diagnostic (the caller's tap_ok fails). */
static struct hpcp_nn *build(const struct hpcp_nn_spec *s)
{
	struct hpcp_nn *nn;
	char why[256] = "";

	if (be->create(s, &nn, why, sizeof(why)) == 0)
		return nn;
	tap_diag(why);
	return NULL;
}

/* Test data in [-1, 1) from a seed: Knuth's MMIX LCG, its high bits. */
static void fill(float *v, int count, uint64_t seed)
{
	uint64_t s = seed;

	for (int i = 0; i < count; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		v[i] = (float)((double)(s >> 40) / 8388608.0 - 1.0);
	}
}

static double loss_of(struct hpcp_nn *nn, const float *x, const float *y,
		      int n)
{
	double loss;

	be->forward(nn, x, y, n, &loss, NULL);
	return loss;
}

/*
 * Tolerances of a float net: forward rounds each output to ~6e-8
 * relative, so the double loss sum of a few samples carries ~1e-6 of
 * noise, ~5e-5 once divided by 2 EPS; the central difference's own error
 * is O(EPS^2), ~1e-4 relative.  A smaller EPS would drown in the float
 * noise; a larger one would step over ReLU kinks.  ATOL keeps gradients
 * near 0 from failing on that noise alone.
 */
#define EPS 1e-2f
#define RTOL 2e-2
#define ATOL 1e-3

/* The worst |analytic - numeric| / tolerance over every parameter of every
 * layer, the analytic side from backward(scale): <= 1 passes. */
static double grad_check(struct hpcp_nn *nn, int n_layers, const float *x,
			 const float *y, int n, float scale)
{
	double worst = 0, loss;

	be->forward(nn, x, y, n, &loss, NULL);
	be->backward(nn, scale, NULL, NULL);
	for (int l = 0; l < n_layers; l++) {
		size_t count;
		float *p = be->params(nn, l, &count);
		float *g = be->grad(nn, l, NULL);

		for (size_t i = 0; i < count; i++) {
			float keep = p[i], up = keep + EPS, down = keep - EPS;
			double plus, minus, num, err;

			p[i] = up;
			plus = loss_of(nn, x, y, n);
			p[i] = down;
			minus = loss_of(nn, x, y, n);
			p[i] = keep;
			num = scale * (plus - minus) / ((double)up - down);
			err = fabs(num - g[i]) /
			      (RTOL * fmax(fabs(num), fabs(g[i])) + ATOL);
			worst = fmax(worst, err);
		}
	}
	return worst;
}

/* One layer of one sample in double, ReLU after; returns the smallest
 * |pre-activation|. */
static double relu_layer(const float *p, int in, int out, const double *x,
			 double *y)
{
	const float *b = p + (size_t)in * out;
	double margin = INFINITY;

	for (int u = 0; u < out; u++) {
		double z = b[u];

		for (int j = 0; j < in; j++)
			z += (double)p[u * in + j] * x[j];
		margin = fmin(margin, fabs(z));
		y[u] = fmax(z, 0);
	}
	return margin;
}

/* The hidden layers' smallest |pre-activation| over the samples: a
 * finite difference across a ReLU kink measures nothing. */
static double kink_margin(struct hpcp_nn *nn, int n_layers,
			  const int *width, const float *x, int n)
{
	double margin = INFINITY, a[2][8];

	for (int i = 0; i < n; i++) {
		for (int j = 0; j < width[0]; j++)
			a[0][j] = x[i * width[0] + j];
		for (int l = 0; l + 1 < n_layers; l++) {
			const float *p = be->params(nn, l, NULL);

			margin = fmin(margin, relu_layer(p, width[l],
				      width[l + 1], a[l & 1], a[!(l & 1)]));
		}
	}
	return margin;
}

/* Widths up to 8, batch 4; the first input (of a few seeds) whose hidden
 * pre-activations keep clear of the kinks by 2 EPS: one parameter moved
 * by EPS moves them by about EPS at most (inputs and weights are ~1). */
static void check_net(int n_layers, const int *width,
		      enum hpcp_nn_loss loss, const float *y, float scale,
		      const char *what)
{
	struct hpcp_nn_spec s = spec_of(n_layers, width, loss, 4, 7);
	struct hpcp_nn *nn = build(&s);
	float x[4 * 8];
	double worst = 1e9, margin = 0;

	for (uint64_t seed = 11; nn && seed < 43 && margin <= 2 * EPS;
	     seed++) {
		fill(x, 4 * width[0], seed);
		margin = kink_margin(nn, n_layers, width, x, 4);
	}
	if (nn && margin > 2 * EPS)
		worst = grad_check(nn, n_layers, x, y, 4, scale);
	tap_ok(worst <= 1, "%s: every parameter's gradient matches central "
	       "differences (worst error %.3f of the tolerance, kinks %.3f "
	       "away)", what, worst, margin);
	be->destroy(nn);
}

static void gradient_tests(void)
{
	const int w543[3] = { 5, 4, 3 }, w32[2] = { 3, 2 };
	const int w4653[4] = { 4, 6, 5, 3 };
	const float classes[4] = { 0, 2, 1, 2 };
	float y[8];

	fill(y, 8, 5);
	check_net(2, w543, HPCP_NN_SOFTMAX_XENT, classes, 1.0f,
		  "5-4-3 softmax cross-entropy, batch 4, scale 1");
	check_net(1, w32, HPCP_NN_MSE, y, 0.25f,
		  "3-2 MSE, batch 4, scale 1/4");
	check_net(3, w4653, HPCP_NN_SOFTMAX_XENT, classes, 0.5f,
		  "4-6-5-3 softmax cross-entropy, batch 4, scale 1/2");
}

/* No samples: loss 0 and a zero gradient, whatever came before. */
static void empty_batch_test(void)
{
	const int w[3] = { 5, 4, 3 };
	struct hpcp_nn_spec s = spec_of(2, w, HPCP_NN_SOFTMAX_XENT, 4, 3);
	struct hpcp_nn *nn = build(&s);
	float x[20], y[4] = { 0, 1, 2, 0 };
	double loss = -1;
	int zero = 1, correct = -1;

	fill(x, 20, 2);
	if (nn) {
		be->forward(nn, x, y, 4, &loss, NULL);
		be->backward(nn, 1.0f, NULL, NULL);
		be->forward(nn, x, y, 0, &loss, &correct);
		be->backward(nn, 1.0f, NULL, NULL);
		for (int l = 0; l < 2; l++) {
			size_t count;
			float *g = be->grad(nn, l, &count);

			for (size_t i = 0; i < count; i++)
				zero &= g[i] == 0;
		}
	}
	tap_ok(nn && loss == 0 && correct == 0 && zero,
	       "n = 0: loss 0, correct 0, every gradient 0");
	be->destroy(nn);
}

/* y = W x + b with W = [1 2; 3 4], b = [0.5 -1]: for x = (1, 1) and (2, 0)
 * outputs (3.5, 6) and (2.5, 5); against (3, 6) and (2, 7) the loss is
 * 0.5 (0.25 + 0 + 0.25 + 4) = 2.25, exact in floats. */
static void mse_forward_test(void)
{
	const int w[2] = { 2, 2 };
	const float p[6] = { 1, 2, 3, 4, 0.5f, -1 };
	const float x[4] = { 1, 1, 2, 0 }, y[4] = { 3, 6, 2, 7 };
	struct hpcp_nn_spec s = spec_of(1, w, HPCP_NN_MSE, 2, 1);
	struct hpcp_nn *nn = build(&s);
	double loss = -1;
	int correct = -1;

	if (nn) {
		memcpy(be->params(nn, 0, NULL), p, sizeof(p));
		be->forward(nn, x, y, 2, &loss, &correct);
	}
	tap_ok(loss == 2.25 && correct == 0,
	       "1-layer MSE with known W, b: loss 2.25 exactly (%g), "
	       "correct 0", loss);
	be->destroy(nn);
}

/* Sets layer 0's biases (weights 0) of a 2-input net and forwards n
 * samples: the outputs are the biases whatever x is. */
static double xent_with_bias(struct hpcp_nn *nn, const float *b, int k,
			     const float *y, int n, int *correct)
{
	float x[8] = { 1, -1, 2, 3, -4, 5, 0.5f, 7 };
	size_t count;
	float *p = be->params(nn, 0, &count);
	double loss = -1;

	memset(p, 0, count * sizeof(float));
	memcpy(p + count - k, b, (size_t)k * sizeof(float));
	be->forward(nn, x, y, n, &loss, correct);
	return loss;
}

static void xent_forward_tests(void)
{
	const int w4[3] = { 2, 3, 4 }, w3[2] = { 2, 3 };
	struct hpcp_nn_spec s = spec_of(2, w4, HPCP_NN_SOFTMAX_XENT, 4, 1);
	struct hpcp_nn *nn;
	const float y4[4] = { 0, 1, 0, 3 }, zero8[8] = { 0 };
	const float y3[4] = { 2, 0, 1, 2 }, bad[4] = { -1, 7, NAN, 2 };
	const float b3[3] = { 1, 2, 3 }, big[3] = { 1000, 0, -1000 };
	double loss = -1, want;
	int correct = -1;

	s.zero_init = 1;
	nn = build(&s);
	if (nn)
		be->forward(nn, zero8, y4, 4, &loss, &correct);
	/* Equal outputs: p = 1/4 each; the first largest is class 0. */
	tap_ok(fabs(loss - 4 * log(4.0)) < 1e-9 && correct == 2,
	       "zero weights, 4 classes, 4 samples: loss 4 log 4 (%.9f), "
	       "2 correct (targets 0, 1, 0, 3; ties go to class 0)", loss);
	be->destroy(nn);

	s = spec_of(1, w3, HPCP_NN_SOFTMAX_XENT, 4, 1);
	nn = build(&s);
	if (!nn) {
		tap_ok(0, "3-class net for the known-logit tests");
		return;
	}
	want = 2 * (log(exp(1) + exp(2) + exp(3)) - 3) +
	       (log(exp(1) + exp(2) + exp(3)) - 1) +
	       (log(exp(1) + exp(2) + exp(3)) - 2);
	loss = xent_with_bias(nn, b3, 3, y3, 4, &correct);
	tap_ok(fabs(loss - want) < 1e-5 && correct == 2,
	       "logits (1, 2, 3), targets 2, 0, 1, 2: loss %.6f = %.6f, "
	       "2 correct", loss, want);
	loss = xent_with_bias(nn, big, 3, y3, 2, &correct);
	tap_ok(fabs(loss - 2000) < 1e-3 && correct == 1,
	       "logits (1000, 0, -1000), targets 2, 0: loss 2000 + 0, "
	       "1 correct, no overflow (%.6f)", loss);
	loss = xent_with_bias(nn, zero8, 3, bad, 4, &correct);
	tap_ok(fabs(loss - 4 * log(3.0)) < 1e-9,
	       "targets -1, 7, NaN clamped into 0..2: loss 4 log 3 (%.9f)",
	       loss);
	be->destroy(nn);
}

struct ready_log {
	struct hpcp_nn *nn;
	int calls, order[HPCP_NN_MAX_LAYERS];
	int handed_own;         /* grad and count were the layer's own */
	float *copy[HPCP_NN_MAX_LAYERS];
};

/* Copies the gradient as handed: backward must not change it later. */
static void on_ready(int layer, float *grad, size_t count, void *arg)
{
	struct ready_log *r = arg;
	size_t own;

	if (r->calls < HPCP_NN_MAX_LAYERS)
		r->order[r->calls] = layer;
	r->calls++;
	if (grad != be->grad(r->nn, layer, &own) || count != own) {
		r->handed_own = 0;
		return;
	}
	memcpy(r->copy[layer], grad, count * sizeof(float));
}

/* Each layer's gradient after backward equals what ready was handed. */
static int same_as_handed(struct ready_log *r, int n_layers)
{
	int same = 1;

	for (int l = 0; l < n_layers; l++) {
		size_t count;
		float *g = be->grad(r->nn, l, &count);

		same &= memcmp(g, r->copy[l], count * sizeof(float)) == 0;
	}
	return same;
}

static void ready_test(void)
{
	const int w[4] = { 6, 5, 4, 3 };
	const float y[3] = { 2, 0, 1 };
	struct hpcp_nn_spec s = spec_of(3, w, HPCP_NN_SOFTMAX_XENT, 3, 9);
	struct ready_log r = { .handed_own = 1 };
	float x[18];
	double loss;
	int ok = 0;

	fill(x, 18, 4);
	r.nn = build(&s);
	for (int l = 0; l < 3; l++)
		r.copy[l] = calloc((size_t)(w[l] + 1) * w[l + 1],
				   sizeof(float));
	if (r.nn && r.copy[0] && r.copy[1] && r.copy[2]) {
		be->forward(r.nn, x, y, 3, &loss, NULL);
		be->backward(r.nn, 1.0f / 3, on_ready, &r);
		ok = 1;
	}
	tap_ok(ok && r.calls == 3 && r.order[0] == 2 && r.order[1] == 1 &&
	       r.order[2] == 0 && r.handed_own,
	       "ready: once per layer, layers 2, 1, 0, each with its own "
	       "gradient buffer and count (%d calls)", r.calls);
	tap_ok(ok && same_as_handed(&r, 3),
	       "ready: each gradient was final when handed over");
	if (ok) {
		be->backward(r.nn, 1.0f / 3, NULL, NULL);
		ok = same_as_handed(&r, 3);
	}
	tap_ok(ok, "backward without ready: the same gradient");
	for (int l = 0; l < 3; l++)
		free(r.copy[l]);
	be->destroy(r.nn);
}

/*
 * lr = momentum = 1/2, p = (3, -1, 0.5).  g1 = (1, 2, -4): v = g1,
 * p = (2.5, -2, 2.5).  g2 = (2, -2, 1): v = v/2 + g2 = (2.5, -1, -1),
 * p = (1.25, -1.5, 3).  Dyadic values: exact in floats.
 */
static void momentum_test(void)
{
	const int w[2] = { 2, 1 };
	const float p0[3] = { 3, -1, 0.5f }, g1[3] = { 1, 2, -4 };
	const float g2[3] = { 2, -2, 1 }, p1[3] = { 2.5f, -2, 2.5f };
	const float p2[3] = { 1.25f, -1.5f, 3 };
	struct hpcp_nn_spec s = spec_of(1, w, HPCP_NN_MSE, 1, 1);
	struct hpcp_nn *nn = build(&s);
	float *p, *g;
	int one = 0, two = 0;

	if (nn) {
		p = be->params(nn, 0, NULL);
		g = be->grad(nn, 0, NULL);
		memcpy(p, p0, sizeof(p0));
		memcpy(g, g1, sizeof(g1));
		be->update(nn, 0.5f, 0.5f);
		one = memcmp(p, p1, sizeof(p1)) == 0;
		memcpy(g, g2, sizeof(g2));
		be->update(nn, 0.5f, 0.5f);
		two = memcmp(p, p2, sizeof(p2)) == 0;
	}
	tap_ok(one, "momentum step 1: v = g, p = p - lr g exactly");
	tap_ok(two, "momentum step 2: v = m v + g, p = p - lr v exactly");
	be->destroy(nn);
}

/* Compares a and b over every layer: 1 when all parameters are equal. */
static int same_params(struct hpcp_nn *a, struct hpcp_nn *b, int n_layers)
{
	for (int l = 0; l < n_layers; l++) {
		size_t count;
		float *pa = be->params(a, l, &count);

		if (memcmp(pa, be->params(b, l, NULL), count * sizeof(float)))
			return 0;
	}
	return 1;
}

/* Weights within He-uniform's bound and not all 0, biases 0; or, with
 * zero_init, every parameter 0. */
static int init_ok(struct hpcp_nn *nn, const int *width, int n_layers,
		   int zero)
{
	int nonzero = 0;

	for (int l = 0; l < n_layers; l++) {
		size_t count, weights = (size_t)width[l] * width[l + 1];
		float *p = be->params(nn, l, &count);
		double bound = sqrt(6.0 / width[l]);

		for (size_t i = 0; i < count; i++) {
			if (i >= weights || zero) {
				if (p[i] != 0)
					return 0;
			} else if (fabs(p[i]) > bound) {
				return 0;
			}
			nonzero |= p[i] != 0;
		}
	}
	return zero ? !nonzero : nonzero;
}

static void seed_tests(void)
{
	const int w[4] = { 7, 6, 5, 4 };
	struct hpcp_nn_spec s = spec_of(3, w, HPCP_NN_SOFTMAX_XENT, 2, 42);
	struct hpcp_nn *a = build(&s), *b = build(&s), *c, *z;

	s.seed = 43;
	c = build(&s);
	s.zero_init = 1;
	z = build(&s);
	tap_ok(a && b && same_params(a, b, 3),
	       "same spec, same seed: bit-identical parameters");
	tap_ok(a && c && !same_params(a, c, 3),
	       "seed 42 and seed 43: different parameters");
	tap_ok(a && init_ok(a, w, 3, 0),
	       "weights within +-sqrt(6 / fan_in), biases 0");
	tap_ok(z && init_ok(z, w, 3, 1), "zero_init: every parameter 0");
	be->destroy(a);
	be->destroy(b);
	be->destroy(c);
	be->destroy(z);
}

static void bad_spec_tests(void)
{
	static const struct {
		struct hpcp_nn_spec s;
		const char *what;
	} bad[] = {
		{ { .n_layers = 0, .width = { 2, 2 }, .max_batch = 1 },
		  "no layer" },
		{ { .n_layers = HPCP_NN_MAX_LAYERS + 1, .max_batch = 1,
		    .width = { 2, 2, 2, 2, 2, 2, 2, 2, 2 } },
		  "more layers than HPCP_NN_MAX_LAYERS" },
		{ { .n_layers = 2, .width = { 3, 0, 2 }, .max_batch = 1 },
		  "a hidden width 0" },
		{ { .n_layers = 1, .width = { -1, 2 }, .max_batch = 1 },
		  "an input width -1" },
		{ { .n_layers = 1, .width = { 3, 2 }, .max_batch = 0 },
		  "max_batch 0" },
		{ { .n_layers = 1, .width = { 3, 2 }, .max_batch = 1,
		    .loss = (enum hpcp_nn_loss)7 }, "loss 7" },
		{ { .n_layers = 1, .width = { 3, 1 }, .max_batch = 1 },
		  "cross-entropy over 1 class" },
	};
	const struct hpcp_nn_spec mse1 = {
		.n_layers = 1, .width = { 3, 1 }, .max_batch = 1,
		.loss = HPCP_NN_MSE,
	};
	struct hpcp_nn *nn;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		why[0] = 0;
		nn = (struct hpcp_nn *)&why;
		rc = be->create(&bad[i].s, &nn, why, sizeof(why));
		tap_ok(rc == -EINVAL && !nn && why[0],
		       "rejects %s: -EINVAL, \"%s\"", bad[i].what, why);
	}
	nn = build(&mse1);
	tap_ok(nn != NULL, "accepts MSE over 1 output");
	be->destroy(nn);
	be->destroy(NULL);
	tap_ok(1, "destroy(NULL) is a no-op");
}

/*
 * y = 2x + 1 at x = 0..3 from w = b = 0, plain gradient descent on the
 * mean loss: an exact fit, so the least-squares solution is w = 2, b = 1.
 * The loss's Hessian [3.5 1.5; 1.5 1] has eigenvalues 4.20 and 0.30:
 * lr 0.2 is stable and shrinks the error by 0.94 a step.
 */
static void fit_test(void)
{
	const int w[2] = { 1, 1 };
	const float x[4] = { 0, 1, 2, 3 }, y[4] = { 1, 3, 5, 7 };
	struct hpcp_nn_spec s = spec_of(1, w, HPCP_NN_MSE, 4, 1);
	struct hpcp_nn *nn;
	double loss = -1;
	float *p = NULL;

	s.zero_init = 1;
	nn = build(&s);
	for (int step = 0; nn && step < 1000; step++) {
		be->forward(nn, x, y, 4, &loss, NULL);
		be->backward(nn, 0.25f, NULL, NULL);
		be->update(nn, 0.2f, 0);
	}
	if (nn)
		p = be->params(nn, 0, NULL);
	tap_ok(p && fabs(p[0] - 2) < 1e-3 && fabs(p[1] - 1) < 1e-3,
	       "least squares y = 2x + 1: w = %.6f, b = %.6f after 1000 "
	       "steps", p ? p[0] : NAN, p ? p[1] : NAN);
	be->destroy(nn);
}

/* Two clusters on either side of x0 = 0 through a ReLU layer: momentum
 * SGD must classify all 8 samples and cut the loss. */
static void classify_test(void)
{
	const int w[3] = { 2, 8, 2 };
	const float x[16] = { -1, 0.2f, -0.7f, -0.5f, -0.4f, 0.9f, -0.9f, -1,
			      1, 0.3f, 0.6f, -0.8f, 0.5f, 1, 0.8f, -0.2f };
	const float y[8] = { 0, 0, 0, 0, 1, 1, 1, 1 };
	struct hpcp_nn_spec s = spec_of(2, w, HPCP_NN_SOFTMAX_XENT, 8, 5);
	struct hpcp_nn *nn = build(&s);
	double first = -1, loss = -1;
	int correct = -1;

	for (int step = 0; nn && step < 200; step++) {
		be->forward(nn, x, y, 8, &loss, &correct);
		if (step == 0)
			first = loss;
		be->backward(nn, 1.0f / 8, NULL, NULL);
		be->update(nn, 0.1f, 0.9f);
	}
	if (nn)
		be->forward(nn, x, y, 8, &loss, &correct);
	tap_ok(correct == 8 && loss < first / 4,
	       "2-8-2 on two clusters: 8 of 8 correct, loss %.4f from %.4f",
	       loss, first);
	be->destroy(nn);
}

static void size_tests(void)
{
	const int w[4] = { 784, 256, 128, 10 };
	struct hpcp_nn_spec s = spec_of(3, w, HPCP_NN_SOFTMAX_XENT, 64, 1);
	struct hpcp_nn *nn = build(&s);
	struct hpcp_nn_memory m = { 0 };
	size_t params = (784 * 256 + 256) + (256 * 128 + 128) +
			(128 * 10 + 10), count = 0;
	/* Input copy, three outputs, dloss/dout, two deltas of width 256. */
	size_t acts = 64 * (784 + (256 + 128 + 10) + 10 + 2 * 256);
	double fwd = 2.0 * (784 * 256 + 256 * 128 + 128 * 10);
	double dx = 2.0 * (256 * 128 + 128 * 10), flops = -1;

	if (nn) {
		be->memory(nn, &m);
		flops = be->flops_per_sample(nn);
		be->params(nn, 0, &count);
	}
	tap_ok(m.params == params * 4 && m.grads == params * 4 &&
	       m.optimizer == params * 4,
	       "784-256-128-10: params, grads and momentum %zu floats each",
	       params);
	tap_ok(m.activations == acts * 4,
	       "784-256-128-10, batch 64: activations and scratch %zu bytes "
	       "(%zu)", acts * 4, m.activations);
	tap_ok(flops == 2 * fwd + dx,
	       "flops per sample: forward + dW (2 in out each) + dX above "
	       "layer 0 = %.0f (%.0f)", 2 * fwd + dx, flops);
	tap_ok(count == 784 * 256 + 256,
	       "layer 0 holds 784 x 256 weights and 256 biases");
	tap_ok(nn && !be->params(nn, 3, &count) && count == 0 &&
	       !be->grad(nn, -1, NULL), "no layer 3 or -1: NULL, count 0");
	be->destroy(nn);
}

int main(void)
{
	char why[256] = "";

	if (be->available(why, sizeof(why)))
		tap_skip_all("%s", why);
	hpcp_blas_default_threads();
	tap_ok(!strcmp(be->name, "cpu-sgemm") && be->create && be->forward &&
	       be->backward && be->update && be->params && be->grad &&
	       be->memory && be->flops_per_sample && be->destroy,
	       "cpu-sgemm backend: every operation set");
	gradient_tests();
	empty_batch_test();
	mse_forward_test();
	xent_forward_tests();
	ready_test();
	momentum_test();
	seed_tests();
	bad_spec_tests();
	fit_test();
	classify_test();
	size_tests();
	return tap_done();
}
