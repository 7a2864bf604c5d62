/* A growing text buffer: the exports and the HTML report are built in
 * one, then published whole. */
#include "config.h"

#include "hpcpdoc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hpcp_put(struct hpcp_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL,
			      t->buf ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = 1;
			return;
		}
		if (t->buf && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		{
			/* Grow geometrically: reports run to hundreds of KB. */
			size_t cap = (t->cap ? t->cap * 2 : 65536) + (size_t)n;
			char *nb = realloc(t->buf, cap);

			if (!nb) {
				t->oom = 1;
				return;
			}
			t->buf = nb;
			t->cap = cap;
		}
	}
}
