/*
 * The CPU model backend (nn.h): a multi-layer perceptron whose matrix
 * products are CBLAS sgemm calls (blas.h).
 *
 * Everything is allocated by create, so forward, backward and update
 * allocate nothing and print nothing: they run in the phase's timed loop.
 * Forward keeps a copy of the input (the caller may reuse its buffer
 * before backward), each layer's output (post-ReLU for the hidden layers,
 * whose sign is the ReLU mask backward needs) and the loss's gradient with
 * respect to the last layer's output, per sample and not yet scaled.
 * Backward walks down with two n x max(width[1..]) delta buffers in turn.
 */
#include "config.h"

#include "hpcp/nn.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/blas.h"
#include "hpcp/rand.h"

struct nn_layer {
	int in, out;
	size_t count;   /* out x in weights, then out biases */
	float *p, *g, *v;
};

struct hpcp_nn {
	struct hpcp_nn_spec spec;
	struct nn_layer layer[HPCP_NN_MAX_LAYERS];
	int n;                  /* the last forward's samples */
	int max_width;          /* of width[1..n_layers]: a delta's row */
	float *x;               /* max_batch x width[0] */
	float *act[HPCP_NN_MAX_LAYERS]; /* max_batch x width[l + 1] */
	float *dout;            /* dloss/dout, max_batch x outputs */
	float *delta[2];        /* max_batch x max_width each */
	size_t act_floats;      /* x, act, dout and delta together */
};

static int nn_available(char *why, size_t len)
{
	return hpcp_blas_available(why, len);
}

/* Writes why (if there is room) and returns rc. */
__attribute__((format(printf, 4, 5)))
static int say(int rc, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int check_spec(const struct hpcp_nn_spec *s, char *why, size_t len)
{
	int outputs;

	if (s->n_layers < 1 || s->n_layers > HPCP_NN_MAX_LAYERS)
		return say(-EINVAL, why, len, "n_layers %d: must be 1..%d",
			   s->n_layers, HPCP_NN_MAX_LAYERS);
	for (int l = 0; l <= s->n_layers; l++)
		if (s->width[l] < 1)
			return say(-EINVAL, why, len,
				   "width[%d] = %d: must be >= 1", l,
				   s->width[l]);
	if (s->max_batch < 1)
		return say(-EINVAL, why, len, "max_batch %d: must be >= 1",
			   s->max_batch);
	if (s->loss != HPCP_NN_SOFTMAX_XENT && s->loss != HPCP_NN_MSE)
		return say(-EINVAL, why, len, "loss %d: neither softmax "
			   "cross-entropy nor MSE", (int)s->loss);
	outputs = s->width[s->n_layers];
	if (s->loss == HPCP_NN_SOFTMAX_XENT && outputs < 2)
		return say(-EINVAL, why, len, "softmax cross-entropy over %d "
			   "output: needs >= 2 classes", outputs);
	return 0;
}

/*
 * He-uniform weights for ReLU, U[-sqrt(6 / fan_in), sqrt(6 / fan_in)),
 * biases 0.  24 random bits make u exact, and sqrt and the products are
 * correctly rounded in IEEE double, so the floats are bit-identical on
 * every platform.
 */
static void init_layer(struct nn_layer *ly, uint64_t *state)
{
	double bound = sqrt(6.0 / ly->in);
	size_t weights = (size_t)ly->out * ly->in;

	for (size_t i = 0; i < weights; i++) {
		double u = (double)(hpcp_splitmix64(state) >> 40) / 16777216.0;

		ly->p[i] = (float)((2 * u - 1) * bound);
	}
}

static void free_nn(struct hpcp_nn *nn)
{
	if (!nn)
		return;
	for (int l = 0; l < HPCP_NN_MAX_LAYERS; l++) {
		free(nn->layer[l].p);
		free(nn->layer[l].g);
		free(nn->layer[l].v);
		free(nn->act[l]);
	}
	free(nn->x);
	free(nn->dout);
	free(nn->delta[0]);
	free(nn->delta[1]);
	free(nn);
}

/* Floats, zeroed, counted into the activations' total. */
static float *scratch(struct hpcp_nn *nn, size_t floats)
{
	nn->act_floats += floats;
	return calloc(floats, sizeof(float));
}

static int alloc_layers(struct hpcp_nn *nn)
{
	const struct hpcp_nn_spec *s = &nn->spec;
	size_t batch = (size_t)s->max_batch;

	for (int l = 0; l < s->n_layers; l++) {
		struct nn_layer *ly = &nn->layer[l];

		ly->in = s->width[l];
		ly->out = s->width[l + 1];
		ly->count = (size_t)ly->out * ly->in + ly->out;
		ly->p = calloc(ly->count, sizeof(float));
		ly->g = calloc(ly->count, sizeof(float));
		ly->v = calloc(ly->count, sizeof(float));
		nn->act[l] = scratch(nn, batch * ly->out);
		if (!ly->p || !ly->g || !ly->v || !nn->act[l])
			return -ENOMEM;
		if (ly->out > nn->max_width)
			nn->max_width = ly->out;
	}
	nn->x = scratch(nn, batch * s->width[0]);
	nn->dout = scratch(nn, batch * s->width[s->n_layers]);
	nn->delta[0] = scratch(nn, batch * nn->max_width);
	nn->delta[1] = scratch(nn, batch * nn->max_width);
	if (!nn->x || !nn->dout || !nn->delta[0] || !nn->delta[1])
		return -ENOMEM;
	return 0;
}

/* Widths near INT_MAX would overflow the byte counts: refuse up front. */
static int too_big(const struct hpcp_nn_spec *s)
{
	double floats = 0;

	for (int l = 0; l < s->n_layers; l++)
		floats += 3.0 * ((double)s->width[l] + 1) * s->width[l + 1] +
			  4.0 * s->max_batch * s->width[l + 1];
	floats += (double)s->max_batch * s->width[0];
	return floats * sizeof(float) > (double)(SIZE_MAX / 2);
}

static int nn_create(const struct hpcp_nn_spec *spec, struct hpcp_nn **out,
		     char *why, size_t len)
{
	struct hpcp_nn *nn = NULL;
	uint64_t state = spec->seed;
	int rc = check_spec(spec, why, len);

	*out = NULL;
	if (rc)
		return rc;
	if (!too_big(spec))
		nn = calloc(1, sizeof(*nn));
	if (nn) {
		nn->spec = *spec;
		rc = alloc_layers(nn);
	}
	if (!nn || rc) {
		free_nn(nn);
		return say(-ENOMEM, why, len, "out of memory for a %d-layer "
			   "model of batch %d", spec->n_layers,
			   spec->max_batch);
	}
	if (!spec->zero_init)
		for (int l = 0; l < spec->n_layers; l++)
			init_layer(&nn->layer[l], &state);
	*out = nn;
	return 0;
}

/* Row i of z (n x out) starts as b, then z += x W^T; hidden layers ReLU. */
static void forward_layer(struct nn_layer *ly, const float *x, float *z,
			  int n, int relu)
{
	const float *w = ly->p, *b = ly->p + (size_t)ly->out * ly->in;
	size_t all = (size_t)n * ly->out;

	for (int i = 0; i < n; i++)
		memcpy(z + (size_t)i * ly->out, b, ly->out * sizeof(float));
	hpcp_blas_sgemm(0, 1, n, ly->out, ly->in, 1.0f, x, ly->in, w, ly->in,
			1.0f, z, ly->out);
	if (relu)
		for (size_t i = 0; i < all; i++)
			z[i] = z[i] > 0 ? z[i] : 0;
}

/* A class index stored as a float; NaN and out-of-range values are
 * clamped so that no bad target reads outside the row. */
static int target_class(float t, int classes)
{
	if (!(t >= 0))
		return 0;
	if (t >= (float)classes)
		return classes - 1;
	return (int)t;
}

/*
 * Log-softmax of one row through its largest entry (no overflow in exp):
 * the loss -log p[t] = lse - z[t], d = p - onehot(t).  Returns the loss;
 * *hit says whether the first largest entry is the target.
 */
static double xent_row(const float *z, float target, int classes, float *d,
		       int *hit)
{
	int t = target_class(target, classes), best = 0;
	double sum = 0, lse;

	for (int j = 1; j < classes; j++)
		if (z[j] > z[best])
			best = j;
	for (int j = 0; j < classes; j++)
		sum += exp((double)z[j] - z[best]);
	lse = z[best] + log(sum);
	for (int j = 0; j < classes; j++)
		d[j] = (float)exp((double)z[j] - lse);
	d[t] -= 1.0f;
	*hit = best == t;
	return lse - z[t];
}

static double output_loss(struct hpcp_nn *nn, const float *y, int n,
			  int *correct)
{
	int k = nn->spec.width[nn->spec.n_layers], hit;
	const float *z = nn->act[nn->spec.n_layers - 1];
	size_t all = (size_t)n * k;
	double loss = 0;

	*correct = 0;
	if (nn->spec.loss == HPCP_NN_MSE) {
		for (size_t i = 0; i < all; i++) {
			nn->dout[i] = z[i] - y[i];
			loss += 0.5 * (double)nn->dout[i] * nn->dout[i];
		}
		return loss;
	}
	for (int i = 0; i < n; i++) {
		loss += xent_row(z + (size_t)i * k, y[i], k,
				 nn->dout + (size_t)i * k, &hit);
		*correct += hit;
	}
	return loss;
}

static void nn_forward(struct hpcp_nn *nn, const float *x, const float *y,
		       int n, double *loss_sum, int *correct)
{
	int last = nn->spec.n_layers - 1, hits = 0;

	/* A contract breach, not a check of data: more than max_batch
	 * samples would overrun the activations, fewer than 0 backward's
	 * loops. */
	if (n > nn->spec.max_batch)
		n = nn->spec.max_batch;
	if (n < 0)
		n = 0;
	nn->n = n;
	*loss_sum = 0;
	if (correct)
		*correct = 0;
	if (n <= 0)
		return;
	memcpy(nn->x, x, (size_t)n * nn->spec.width[0] * sizeof(float));
	for (int l = 0; l <= last; l++)
		forward_layer(&nn->layer[l], l ? nn->act[l - 1] : nn->x,
			      nn->act[l], n, l < last);
	*loss_sum = output_loss(nn, y, n, &hits);
	if (correct)
		*correct = hits;
}

static const float *nn_output(const struct hpcp_nn *nn)
{
	return nn->act[nn->spec.n_layers - 1];
}

/* dW = delta^T x (out x in), db = delta's column sums. */
static void layer_grad(struct nn_layer *ly, const float *delta,
		       const float *x, int n)
{
	float *db = ly->g + (size_t)ly->out * ly->in;

	hpcp_blas_sgemm(1, 0, ly->out, ly->in, n, 1.0f, delta, ly->out, x,
			ly->in, 0.0f, ly->g, ly->in);
	memset(db, 0, ly->out * sizeof(float));
	for (int i = 0; i < n; i++)
		for (int j = 0; j < ly->out; j++)
			db[j] += delta[(size_t)i * ly->out + j];
}

/* The delta below: (delta W) where the layer below's ReLU passed. */
static void delta_below(const struct nn_layer *ly, const float *delta,
			const float *act, float *below, int n)
{
	size_t all = (size_t)n * ly->in;

	hpcp_blas_sgemm(0, 0, n, ly->in, ly->out, 1.0f, delta, ly->out, ly->p,
			ly->in, 0.0f, below, ly->in);
	for (size_t i = 0; i < all; i++)
		if (!(act[i] > 0))
			below[i] = 0;
}

static void nn_backward(struct hpcp_nn *nn, float scale,
			hpcp_nn_ready_fn ready, void *arg)
{
	int n = nn->n, last = nn->spec.n_layers - 1, cur = 0;
	size_t top = (size_t)n * nn->spec.width[last + 1];

	for (size_t i = 0; i < top; i++)
		nn->delta[cur][i] = scale * nn->dout[i];
	for (int l = last; l >= 0; l--) {
		struct nn_layer *ly = &nn->layer[l];

		if (n > 0) {
			layer_grad(ly, nn->delta[cur], l ? nn->act[l - 1] :
				   nn->x, n);
		} else {
			memset(ly->g, 0, ly->count * sizeof(float));
		}
		if (ready)
			ready(l, ly->g, ly->count, arg);
		if (l > 0 && n > 0) {
			delta_below(ly, nn->delta[cur], nn->act[l - 1],
				    nn->delta[!cur], n);
			cur = !cur;
		}
	}
}

static void nn_update(struct hpcp_nn *nn, float lr, float momentum)
{
	for (int l = 0; l < nn->spec.n_layers; l++) {
		struct nn_layer *ly = &nn->layer[l];

		for (size_t i = 0; i < ly->count; i++) {
			ly->v[i] = momentum * ly->v[i] + ly->g[i];
			ly->p[i] -= lr * ly->v[i];
		}
	}
}

static struct nn_layer *layer_at(struct hpcp_nn *nn, int layer,
				 size_t *count)
{
	struct nn_layer *ly = NULL;

	if (layer >= 0 && layer < nn->spec.n_layers)
		ly = &nn->layer[layer];
	if (count)
		*count = ly ? ly->count : 0;
	return ly;
}

static float *nn_params(struct hpcp_nn *nn, int layer, size_t *count)
{
	struct nn_layer *ly = layer_at(nn, layer, count);

	return ly ? ly->p : NULL;
}

static float *nn_grad(struct hpcp_nn *nn, int layer, size_t *count)
{
	struct nn_layer *ly = layer_at(nn, layer, count);

	return ly ? ly->g : NULL;
}

static float *nn_state(struct hpcp_nn *nn, int layer, size_t *count)
{
	struct nn_layer *ly = layer_at(nn, layer, count);

	return ly ? ly->v : NULL;
}

/*
 * Parameters, gradients and momentum are one float per parameter each;
 * activations: max_batch x (width[0] for the input's copy, width[1..L]
 * for the layers' outputs, width[L] for dloss/dout, 2 max width[1..L]
 * for the deltas) floats.
 */
static void nn_memory(const struct hpcp_nn *nn, struct hpcp_nn_memory *m)
{
	size_t count = 0;

	for (int l = 0; l < nn->spec.n_layers; l++)
		count += nn->layer[l].count;
	m->params = count * sizeof(float);
	m->grads = count * sizeof(float);
	m->optimizer = count * sizeof(float);
	m->activations = nn->act_floats * sizeof(float);
}

/*
 * The matrix products only, a multiply-add as 2: per layer 2 in out for
 * forward and 2 in out for dW, and 2 in out for dX above the first layer
 * (the input needs no gradient).  Biases, ReLU and the loss are not
 * counted: they are O(width), the products O(width^2).
 */
static double nn_flops_per_sample(const struct hpcp_nn *nn)
{
	double flops = 0;

	for (int l = 0; l < nn->spec.n_layers; l++) {
		double mac = (double)nn->layer[l].in * nn->layer[l].out;

		flops += (l ? 6 : 4) * mac;
	}
	return flops;
}

const struct hpcp_nn_backend hpcp_nn_cpu = {
	.name = "cpu-sgemm",
	.available = nn_available,
	.create = nn_create,
	.forward = nn_forward,
	.output = nn_output,
	.backward = nn_backward,
	.update = nn_update,
	.params = nn_params,
	.grad = nn_grad,
	.state = nn_state,
	.memory = nn_memory,
	.flops_per_sample = nn_flops_per_sample,
	.destroy = free_nn,
};
