/* The train phase's data: IDX sets from a folder, read once a node into
 * memory its ranks share, the seeded shuffle and a rank's shard of each
 * global batch (train_int.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpcp/ctx.h"
#include "hpcp/idx.h"
#include "hpcp/log.h"
#include "hpcp/pop.h"
#include "hpcp/rand.h"
#include "hpcp/timer.h"

#include "train_int.h"

/* Classes beyond this: the labels are not class indices. */
#define MAX_CLASSES 1000

/* DIR/<prefix>-<what>-idx<k>-ubyte, then with .gz, k = 1..4. */
static int find_file(const char *dir, const char *prefix, const char *what,
		     char *path, size_t len)
{
	static const char *const ext[] = { "", ".gz" };

	for (int k = 1; k <= HPCP_IDX_MAX_DIMS; k++)
		for (int e = 0; e < 2; e++) {
			snprintf(path, len, "%s/%s-%s-idx%d-ubyte%s", dir,
				 prefix, what, k, ext[e]);
			if (access(path, F_OK) == 0)
				return 0;
		}
	snprintf(path, len, "%s/%s-%s-idx?-ubyte[.gz]", dir, prefix, what);
	return -ENOENT;
}

static size_t inner(const struct hpcp_idx *f)
{
	size_t d = 1;

	for (int i = 1; i < f->ndims; i++)
		d *= f->dims[i];
	return d;
}

static int missing(const char *dir, const char *path, char *why, size_t len)
{
	if (strcmp(dir, TRAIN_DEFAULT_DATA) == 0)
		snprintf(why, len, "%s not found: install %s (apt-get install "
			 "%s) or give --train-data DIR", path,
			 TRAIN_DATA_PACKAGE, TRAIN_DATA_PACKAGE);
	else
		snprintf(why, len, "%s not found (--train-data %s)", path,
			 dir);
	return -ENOENT;
}

/* The labels as class indices: whole numbers in 0..MAX_CLASSES-1. */
static int class_count(const struct hpcp_idx *lab, const char *path,
		       char *why, size_t len)
{
	int top = 0;

	for (size_t i = 0; i < lab->count; i++) {
		float v = lab->data[i];

		if (!(v >= 0 && v < MAX_CLASSES) || v != floorf(v)) {
			snprintf(why, len, "%s: label %zu is %g, not a class "
				 "index 0..%d", path, i, (double)v,
				 MAX_CLASSES - 1);
			return -EBADMSG;
		}
		top = (int)v > top ? (int)v : top;
	}
	if (top < 1) {
		snprintf(why, len, "%s: every label is 0: one class", path);
		return -EBADMSG;
	}
	return top + 1;
}

static int check_shapes(struct train_set *set, const struct hpcp_idx *img,
			const struct hpcp_idx *lab, char *why, size_t len)
{
	int integer = lab->type != HPCP_IDX_F32 && lab->type != HPCP_IDX_F64;

	if (img->dims[0] != lab->dims[0]) {
		snprintf(why, len, "%s holds %u samples but %s %u labels",
			 set->files[0], img->dims[0], set->files[1],
			 lab->dims[0]);
		return -EBADMSG;
	}
	if (img->dims[0] > (uint32_t)INT32_MAX / 2 || inner(img) > 1u << 24 ||
	    inner(lab) > 1u << 16) {
		snprintf(why, len, "%s: %u samples of %zu values: too large",
			 set->files[0], img->dims[0], inner(img));
		return -EBADMSG;
	}
	set->n = (int)img->dims[0];
	set->d = (int)inner(img);
	set->t = (int)inner(lab);
	set->classes = 0;
	if (integer && set->t == 1) {
		int c = class_count(lab, set->files[1], why, len);

		if (c < 0)
			return c;
		set->classes = c;
	} else if (integer) {
		snprintf(why, len, "%s: integer labels of %d values a sample: "
			 "class labels are one value, regression targets "
			 "floats", set->files[1], set->t);
		return -EBADMSG;
	}
	return 0;
}

int train_set_read(const char *dir, const char *prefix, struct train_set *set,
		   char *why, size_t len)
{
	struct hpcp_idx img = { 0 }, lab = { 0 };
	int rc;

	memset(set, 0, sizeof(*set));
	if (find_file(dir, prefix, "images", set->files[0],
		      sizeof(set->files[0])))
		return missing(dir, set->files[0], why, len);
	if (find_file(dir, prefix, "labels", set->files[1],
		      sizeof(set->files[1])))
		return missing(dir, set->files[1], why, len);
	rc = hpcp_idx_read(set->files[0], &img, why, len);
	if (!rc)
		rc = hpcp_idx_read(set->files[1], &lab, why, len);
	if (!rc)
		rc = check_shapes(set, &img, &lab, why, len);
	if (rc) {
		hpcp_idx_free(&img);
		hpcp_idx_free(&lab);
		return rc;
	}
	/* Pixels as read are 0..255; the model wants inputs of order 1. */
	if (img.type == HPCP_IDX_U8)
		for (size_t i = 0; i < img.count; i++)
			img.data[i] *= 1.0f / 255;
	set->x = img.data;
	set->y = lab.data;
	return 0;
}

void train_set_free(struct train_set *set)
{
	free(set->x);
	free(set->y);
	set->x = set->y = NULL;
}

void train_shuffle(int *perm, int n, uint64_t seed)
{
	uint64_t st = seed;

	for (int i = 0; i < n; i++)
		perm[i] = i;
	for (int i = n - 1; i > 0; i--) {
		/* The modulo's bias is below 2^-40 for any n here. */
		int j = (int)(hpcp_splitmix64(&st) % (uint64_t)(i + 1));
		int t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

void train_gather(const struct train_set *set, const int *perm, int first,
		  int count, float *x, float *y)
{
	for (int i = 0; i < count; i++) {
		int s = perm[first + i];

		memcpy(x + (size_t)i * set->d, set->x + (size_t)s * set->d,
		       (size_t)set->d * sizeof(float));
		memcpy(y + (size_t)i * set->t, set->y + (size_t)s * set->t,
		       (size_t)set->t * sizeof(float));
	}
}

void train_percentiles(double *v, int n, double *p50, double *p99)
{
	double q1, q3;

	*p50 = *p99 = -1;
	/* Sorts v; its median is the p50. */
	if (hpcp_round_stats(v, n, p50, &q1, &q3) != 0)
		return;
	/* The nearest-rank p99 is an order statistic only from 100 on. */
	if (n >= 100)
		*p99 = v[(int)ceil(0.99 * n) - 1];
}

static int load(struct train_state *st, char *why, size_t len)
{
	const char *dir = st->o->data;
	int rc = train_set_read(dir, "train", &st->train, why, len);

	if (!rc)
		rc = train_set_read(dir, "t10k", &st->test, why, len);
	if (!rc && (st->test.d != st->train.d || st->test.t != st->train.t ||
		    !st->train.classes != !st->test.classes)) {
		snprintf(why, len, "%s and %s differ in shape: %d and %d "
			 "inputs a sample", st->train.files[0],
			 st->test.files[0], st->train.d, st->test.d);
		rc = -EBADMSG;
	}
	return rc;
}

/* What the ranks of a node need to know of the sets their leader read. */
struct set_shape {
	int rc;
	int n[2], d, t, classes[2];
};

/* Point the sets into the node's shared copy at base. */
static void use_shared(struct train_state *st, float *base)
{
	struct train_set *s[2] = { &st->train, &st->test };

	for (int i = 0; i < 2; i++) {
		s[i]->x = base;
		base += (size_t)s[i]->n * s[i]->d;
		s[i]->y = base;
		base += (size_t)s[i]->n * s[i]->t;
	}
}

/*
 * One copy of the data per node: its leader reads the files into a shared
 * window the node's other ranks map, so memory and reading do not grow
 * with the ranks on a node (Fashion-MNIST is 188 MB as floats).
 * Collective over the node; returns the leader's status.
 */
int train_load_node(struct train_state *st, char *why, size_t len)
{
	struct hpcp_ctx *ctx = st->ctx;
	struct set_shape sh = { 0 };
	struct train_set *s[2] = { &st->train, &st->test };
	uint64_t t0 = hpcp_now_ns();
	MPI_Aint bytes = 0, size;
	float *base = NULL;
	int leader = ctx->node_rank == 0, unit;

	if (leader) {
		sh.rc = load(st, why, len);
		for (int i = 0; i < 2; i++) {
			sh.n[i] = s[i]->n;
			sh.classes[i] = s[i]->classes;
		}
		sh.d = st->train.d;
		sh.t = st->train.t;
	}
	hpcp_mpi_or_die(MPI_Bcast(&sh, sizeof(sh), MPI_BYTE, 0, ctx->node_comm),
			"train: the dataset's shape");
	if (sh.rc) {
		if (!leader)
			snprintf(why, len, "the node's first rank could not "
				 "read the dataset");
		return sh.rc;
	}
	for (int i = 0; i < 2; i++) {
		s[i]->n = sh.n[i];
		s[i]->classes = sh.classes[i];
		s[i]->d = sh.d;
		s[i]->t = sh.t;
		bytes += (MPI_Aint)s[i]->n * (sh.d + sh.t) * (MPI_Aint)4;
	}
	if (MPI_Win_allocate_shared(leader ? bytes : 0, sizeof(float),
				    MPI_INFO_NULL, ctx->node_comm, &base,
				    &st->win) != MPI_SUCCESS)
		hpcp_die(71, "train: no shared memory for the dataset "
			     "(%.0f MB)", (double)bytes / 1e6);
	if (!leader)
		hpcp_mpi_or_die(MPI_Win_shared_query(st->win, 0, &size, &unit,
						     &base),
				"train: the node's dataset window");
	hpcp_mpi_or_die(MPI_Win_fence(0, st->win), "train: fence");
	if (leader) {
		float *p = base;

		for (int i = 0; i < 2; i++) {
			size_t nx = (size_t)s[i]->n * sh.d;
			size_t ny = (size_t)s[i]->n * sh.t;

			memcpy(p, s[i]->x, nx * sizeof(float));
			memcpy(p + nx, s[i]->y, ny * sizeof(float));
			p += nx + ny;
			train_set_free(s[i]);
		}
	}
	hpcp_mpi_or_die(MPI_Win_fence(0, st->win), "train: fence");
	use_shared(st, base);
	st->load_ns = (double)(hpcp_now_ns() - t0);
	return 0;
}
