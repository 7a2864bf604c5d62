/* Between the train phase's files: train.c runs it (options, epochs),
 * train_data.c reads and shards the dataset, train_step.c runs and times
 * the steps, train_report.c turns the records into results. */
#ifndef HPCP_TRAIN_INT_H
#define HPCP_TRAIN_INT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "hpcp/nn.h"

struct hpcp_ctx;
struct hpcp_res;

#define TRAIN_DEFAULT_DATA "/usr/share/datasets/fashion-mnist"
#define TRAIN_DATA_PACKAGE "dataset-fashion-mnist"
/* Relative change of the epoch's training loss below which the curve is
 * taken as converged. */
#define TRAIN_CONVERGED_CHANGE 0.01

/* One split of a dataset: n samples of d inputs and t target values
 * (t = 1: a class index; the model's loss follows). */
struct train_set {
	int n, d, t;
	int classes;            /* max label + 1 (classification), else 0 */
	float *x, *y;           /* n x d, n x t */
	char files[2][4096];    /* what was read: images, labels */
};

/*
 * Read DIR/<prefix>-images-idx?-ubyte[.gz] and -labels- into set.  u8
 * images are scaled to [0, 1].  Returns 0; -ENOENT (why: what is missing
 * and, for the default folder, the package); -EBADMSG (why: file, offset
 * or the shape that does not fit); -ENOMEM.
 */
int train_set_read(const char *dir, const char *prefix, struct train_set *set,
		   char *why, size_t len);
void train_set_free(struct train_set *set);

/* perm[0..n) a seeded permutation of 0..n-1 (Fisher-Yates). */
void train_shuffle(int *perm, int n, uint64_t seed);

/* Rows perm[first..first+count) of set into x (count x d) and y. */
void train_gather(const struct train_set *set, const int *perm, int first,
		  int count, float *x, float *y);

/* Per step, this rank's times (ns). */
struct train_step {
	double data, compute, wait, optimizer, step;
	double ar_span;         /* first bucket's start to the last's end */
	double ready;           /* data + compute: when its gradient was in */
};

/* One epoch, the same on every rank after the all-reduces. */
struct train_epoch {
	double train_loss;      /* mean over the epoch's samples */
	double test_loss, test_accuracy;
	double epoch_ns;        /* the epoch's steps, wall */
	double eval_ns;
	double samples_per_s;
	double elapsed_ns;      /* since the clock started, after eval */
};

/* One rank's summary of its steps, gathered to rank 0. */
struct train_rank {
	double total[5];        /* data, compute, exposed, skew, optimizer */
	double p50[5], p99[5];
	double step_p50, step_p99;
	double samples_per_s;   /* local samples / its own busy time */
	double flops_per_s;     /* model FLOP in its compute time */
	double sgemm_ref_flops_per_s;
	double load_ns;         /* reading the dataset */
	double peak_rss_bytes;  /* hpcp_peak_rss_self() */
	int slowest_steps;      /* steps where its gradient came in last */
};

#define TRAIN_PARTS 5
extern const char *const train_part_names[TRAIN_PARTS];

/* Rank 0: the run's results into out. */
struct train_run_info {
	const char *data_dir;
	int ranks, local_batch, global_batch, epochs_run, steps_per_epoch;
	int overlap, n_train, n_test;
	double lr, momentum, target;
	uint64_t seed;
	const struct hpcp_nn_spec *spec;
	struct hpcp_nn_memory mem;
	double flops_per_sample;
	double grad_bytes;
	double ar_alone_ns;     /* the step's buckets all-reduced alone, p50 */
	double ar_span_p50_ns;  /* during training */
	double exposed_p50_ns;  /* the job's median exposed communication */
	double weights_sum, weights_abs_sum;
	int target_epoch;       /* 1-based; 0: not reached */
	double target_ns;
	int converged_epoch;    /* 1-based; 0: not */
	int weights_identical;  /* the same on every rank */
	const char *straggler_spec, *input_delay_spec;
	const char *backend;
	const struct train_set *train, *test;
	const struct train_ckpt *ckpt;
};

void train_report(struct hpcp_res *out, const struct hpcp_ctx *ctx,
		  const struct train_run_info *info,
		  const struct train_epoch *epochs,
		  const struct train_rank *ranks);

/* p50 and p99 of v[0..n) (sorted in place); p99 < 0 when n < 100. */
void train_percentiles(double *v, int n, double *p50, double *p99);

/* The phase's options (train.c). */
struct train_opts {
	const char *data;
	const char *hidden;        /* "256,128"; "0": none */
	const char *overlap;       /* "on" or "off" */
	const char *straggler;     /* "R:DURATION", test-only */
	const char *input_delay;   /* "DURATION", test-only */
	const char *checkpoint_dir;
	uint64_t epochs, batch, samples, seed;
	double lr, momentum, target;
	int epochs_given, samples_given;
};

/* Rank 0's checkpoints (train_ckpt.c); status 0 while all went well. */
#define TRAIN_CKPT_HEADER 32
struct train_ckpt {
	const char *target;     /* --train-checkpoint-dir; NULL: none */
	const char *fs_type;
	char dir[4096];         /* the fresh subdirectory */
	char last[4096 + 32];   /* the newest checkpoint */
	unsigned char *image, *back;
	size_t bytes;
	int count;              /* written and read back, equal */
	double *write_ns, *read_ns, *cached;    /* [count] */
	int status;             /* 0, or -errno: the checkpoints stopped */
	int failed, corrupt;    /* at a write or a read; a byte differed */
	char why[4096 + 640];
	char removed[4096 + 400];
};

/* The all-reduces of one step. */
struct train_buckets {
	MPI_Comm comm;
	int overlap, n, err;
	MPI_Request req[HPCP_NN_MAX_LAYERS + 1];
	uint64_t first_start;
	double stat[2], stat_sum[2];   /* loss sum, correct */
};

struct train_state {
	struct hpcp_ctx *ctx;
	const struct train_opts *o;
	const struct hpcp_nn_backend *be;
	struct hpcp_nn *nn;
	struct hpcp_nn_spec spec;
	struct train_set train, test;
	int *perm, local_b, steps, n_train, epochs;
	float *x, *y;
	struct train_step *rec;        /* [epochs x steps] */
	struct train_epoch *ep;
	double straggle_ns, input_ns;
	int straggler;
	struct train_buckets b;
	uint64_t t_start;
	double load_ns;
	MPI_Win win;            /* the node's one copy of the data */
	struct train_ckpt ckpt;
	double ckpt_ns;         /* all checkpoints so far, off the clock */
};

/* train_data.c: collective over the node; the leader's status. */
int train_load_node(struct train_state *st, char *why, size_t len);

/* train_step.c */
/* One step from the global batch at first; its global loss sum. */
double train_step_run(struct train_state *st, int first,
		      struct train_step *r);
/* The test set, each rank its contiguous part: loss and accuracy. */
void train_evaluate(struct train_state *st, double *loss, double *acc);
/* The step's buckets all-reduced alone, blocking (p50 ns). */
double train_allreduce_alone(struct train_state *st);
/* This rank's sgemm rate at the first layer's shape and its batch. */
double train_sgemm_reference(struct train_state *st);
/* After n steps: parts, percentiles, slowest steps into me. */
int train_summarise(struct train_state *st, int n, struct train_rank *me,
		    double *span_p50);
void train_rank_rates(struct train_state *st, int n, struct train_rank *me);
void train_weight_sums(struct train_state *st, double *sum,
		       double *abs_sum);

/* train_ckpt.c, rank 0 (the others only wait at a barrier). */
int train_ckpt_bytes(const struct train_state *st, size_t *bytes);
void train_ckpt_open(struct train_state *st, const char *target);
double train_ckpt_write(struct train_state *st, int epoch);
void train_ckpt_close(struct train_state *st);
void train_ckpt_free(struct train_state *st);

#endif
