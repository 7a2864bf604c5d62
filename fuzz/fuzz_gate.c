/*
 * libFuzzer target: the regression gate's metric collection and
 * comparison (tools/report/gate.c) on two untrusted documents, the input
 * split at its first line "--" (without one, the document against
 * itself).  Besides not crashing, every line it prints must be free of
 * control bytes: a document's names cannot forge gate lines.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[2][64];

static cJSON *load(int i, const uint8_t *data, size_t size)
{
	char err[512];
	FILE *f;

	if (!path[i][0])
		snprintf(path[i], sizeof(path[i]), "%s/hpcp-fuzz-gate-%d-%d.json",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
			 (int)getpid(), i);
	f = fopen(path[i], "wb");
	if (!f)
		return NULL;
	fwrite(data, 1, size, f);
	fclose(f);
	return hpcp_doc_load(path[i], err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = NULL;
	cJSON *old, *new;
	char err[512], *out = NULL;
	size_t out_len = 0;
	FILE *f;

	for (size_t i = 0; i + 4 <= size; i++)
		if (!memcmp(data + i, "\n--\n", 4)) {
			cut = data + i;
			break;
		}
	old = load(0, data, cut ? (size_t)(cut - data) : size);
	new = cut ? load(1, cut + 4, size - (size_t)(cut - data) - 4) :
		    load(1, data, size);
	if (old && new && (f = open_memstream(&out, &out_len))) {
		hpcp_report_gate(old, new, 10, f, err, sizeof(err));
		fclose(f);
		for (size_t i = 0; i < out_len; i++)
			if (((unsigned char)out[i] < 0x20 && out[i] != '\n') ||
			    out[i] == 0x7f)
				abort();
		free(out);
	}
	cJSON_Delete(old);
	cJSON_Delete(new);
	return 0;
}
