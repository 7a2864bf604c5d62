/* A trained model kept between phases (hpcp/nnkeep.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/nnkeep.h"

static struct hpcp_nn_spec kept_spec;
static float *kept[HPCP_NN_MAX_LAYERS];
static size_t kept_count[HPCP_NN_MAX_LAYERS];
static int have;

void hpcp_nn_keep_clear(void)
{
	for (int l = 0; l < HPCP_NN_MAX_LAYERS; l++) {
		free(kept[l]);
		kept[l] = NULL;
		kept_count[l] = 0;
	}
	have = 0;
}

int hpcp_nn_keep(const struct hpcp_nn_spec *spec,
		 const struct hpcp_nn_backend *be, struct hpcp_nn *nn)
{
	hpcp_nn_keep_clear();
	for (int l = 0; l < spec->n_layers; l++) {
		size_t count;
		const float *p = be->params(nn, l, &count);

		kept[l] = malloc(count * sizeof(float));
		if (!kept[l]) {
			hpcp_nn_keep_clear();
			return -ENOMEM;
		}
		memcpy(kept[l], p, count * sizeof(float));
		kept_count[l] = count;
	}
	kept_spec = *spec;
	have = 1;
	return 0;
}

const struct hpcp_nn_spec *hpcp_nn_kept(void)
{
	return have ? &kept_spec : NULL;
}

int hpcp_nn_kept_load(const struct hpcp_nn_backend *be, struct hpcp_nn *nn)
{
	if (!have)
		return -ENOENT;
	for (int l = 0; l < kept_spec.n_layers; l++) {
		size_t count;
		float *p = be->params(nn, l, &count);

		if (count != kept_count[l])
			return -EINVAL;
		memcpy(p, kept[l], count * sizeof(float));
	}
	return 0;
}
