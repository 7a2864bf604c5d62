/*
 * libFuzzer target: what the preflight phase reads from outside, the
 * metadata service's HTTP answers (src/imds.c), /proc/meminfo's hugepage
 * lines and the metadata items' text (src/pfcheck.c).  The first byte
 * picks the parser; whatever one accepts must be what it promises.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/imds.h"
#include "hpcp/pfcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	struct hpcp_pf_hugepages h;
	struct hpcp_pf_instance in;
	const char *body = NULL;
	size_t n = size ? size - 1 : 0, blen = 0;
	int rc;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		rc = hpcp_imds_parse_response(s, n, &body, &blen);
		/* A status code, and a body inside the answer. */
		if (rc >= 0 && (rc < 100 || rc > 999 || !body || body < s ||
				body + blen > s + n))
			abort();
		if (rc < 0 && rc != -EPROTO)
			abort();
		break;
	case 1:
		if (hpcp_pf_parse_meminfo(s, n, &h) == 0 &&
		    (h.total < 0 || h.free < 0 || h.free > h.total))
			abort();
		break;
	default:
		memset(&in, 0, sizeof(in));
		for (const char *k = "tzgl"; *k; k++) {
			const char *f = *k == 't' ? in.type : *k == 'z' ?
					in.az : *k == 'g' ? in.group :
					in.lifecycle;

			rc = hpcp_pf_instance_field(&in, *k, s, n);
			/* Kept: exactly the text, printable, no space. */
			if (rc == 0 && (strlen(f) != n || memcmp(f, s, n) != 0))
				abort();
			for (size_t i = 0; rc == 0 && i < n; i++)
				if (s[i] <= ' ' || s[i] > '~')
					abort();
			if (rc != 0 && f[0])
				abort();
		}
	}
	return 0;
}
