/*
 * libFuzzer target: hpcprobe-report's reading of an untrusted results
 * document (src/doc/read.c) and what it makes of one it accepts: the
 * summary and the HTML report.  Besides not crashing, the page must hold
 * no element the input could plant: the report has no script, so any
 * "<script" in it came from the document unescaped.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file (the loader reads paths), and the page's path:
 * both in memory-backed /dev/shm when there is one. */
static char in_path[64], out_path[64];

static void paths(void)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	if (in_path[0])
		return;
	snprintf(in_path, sizeof(in_path), "%s/hpcp-fuzz-load-%d.json", dir,
		 (int)getpid());
	snprintf(out_path, sizeof(out_path), "%s/hpcp-fuzz-load-%d.html", dir,
		 (int)getpid());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *page;
	FILE *f, *sink;
	cJSON *root;

	paths();
	f = fopen(in_path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	root = hpcp_doc_load(in_path, err, sizeof(err));
	if (!root)
		return 0;
	sink = fopen("/dev/null", "w");
	if (sink) {
		hpcp_summary_print(root, sink);
		fclose(sink);
	}
	if (hpcp_report_html(root, out_path, err, sizeof(err)) == 0) {
		page = hpcp_doc_read_file(out_path, err, sizeof(err));
		if (page && strstr(page, "<script"))
			abort();
		free(page);
		unlink(out_path);
	}
	cJSON_Delete(root);
	return 0;
}
