/*
 * A trained model kept for a later phase of the same run: the train
 * phase keeps its final parameters here, and the infer phase serves them
 * (else it serves seeded weights of the same shape, whose forward pass
 * costs the same).  Rank-local: each rank keeps its own copy (they are
 * identical after training).  Not thread-safe; phases run one at a time.
 */
#ifndef HPCP_NNKEEP_H
#define HPCP_NNKEEP_H

#include "hpcp/nn.h"

/* Copy nn's parameters (spec's shape) over any kept before.  0 or
 * -ENOMEM (nothing kept then). */
int hpcp_nn_keep(const struct hpcp_nn_spec *spec,
		 const struct hpcp_nn_backend *be, struct hpcp_nn *nn);

/* The kept model's spec, or NULL when none was kept. */
const struct hpcp_nn_spec *hpcp_nn_kept(void);

/* The kept parameters into nn, a model of the kept spec's widths (its
 * max_batch may differ).  0, or -ENOENT (none kept), -EINVAL (another
 * shape). */
int hpcp_nn_kept_load(const struct hpcp_nn_backend *be, struct hpcp_nn *nn);

/* Forget the kept model. */
void hpcp_nn_keep_clear(void);

#endif
