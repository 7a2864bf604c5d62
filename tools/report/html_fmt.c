/*
 * Text for the page: HTML escaping, numbers and sizes for people, a
 * phase's state in words, status badges and pair labels.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Format into a small buffer; output that does not fit is cut. */
__attribute__((format(printf, 3, 4)))
void hpcp_html_sfmt(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(b, n, fmt, ap) < 0 && n)
		b[0] = '\0';
	va_end(ap);
}

/*
 * s escaped for HTML text and attribute values, at most max characters
 * (code points; 0: all) with an ellipsis when cut.
 */
void hpcp_html_esc_n(struct hpcp_text *t, const char *s, size_t max)
{
	size_t chars = 0;

	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80 && max && ++chars > max) {
			hpcp_put(t, "\u2026");
			return;
		}
		switch (c) {
		case '&': hpcp_put(t, "&amp;"); break;
		case '<': hpcp_put(t, "&lt;"); break;
		case '>': hpcp_put(t, "&gt;"); break;
		case '"': hpcp_put(t, "&quot;"); break;
		case '\'': hpcp_put(t, "&#39;"); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				hpcp_put(t, " ");
			else
				hpcp_put(t, "%c", c);
		}
	}
}

void hpcp_html_esc(struct hpcp_text *t, const char *s)
{
	hpcp_html_esc_n(t, s, 0);
}

/*
 * A host name for a label: up to its first dot (the short name) unless it
 * is a numeric address, then at most max characters.
 */
void hpcp_html_esc_host(struct hpcp_text *t, const char *s, size_t max)
{
	const char *dot = s ? strchr(s, '.') : NULL;
	size_t n;
	char *cut;

	if (!dot || strspn(s, "0123456789.") == strlen(s) || dot == s) {
		hpcp_html_esc_n(t, s, max);
		return;
	}
	n = (size_t)(dot - s);
	cut = malloc(n + 1);
	if (!cut) {
		t->oom = 1;
		return;
	}
	memcpy(cut, s, n);
	cut[n] = '\0';
	hpcp_html_esc_n(t, cut, max);
	free(cut);
}

/* A value for people: about three significant digits, no exponent. */
void hpcp_html_fmt_val(char *b, size_t n, double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		hpcp_html_sfmt(b, n, "n/a");
	else if (a >= 1e15)
		hpcp_html_sfmt(b, n, "%.3g", v);
	else if (a >= 100 || a == 0)
		hpcp_html_sfmt(b, n, "%.0f", v);
	else if (a >= 10)
		hpcp_html_sfmt(b, n, "%.1f", v);
	else if (a >= 1)
		hpcp_html_sfmt(b, n, "%.2f", v);
	else if (a >= 0.01)
		hpcp_html_sfmt(b, n, "%.3f", v);
	else
		hpcp_html_sfmt(b, n, "%.2g", v);
}

void hpcp_html_put_val(struct hpcp_text *t, double v)
{
	char b[48];

	hpcp_html_fmt_val(b, sizeof(b), v);
	hpcp_put(t, "%s", b);
}

/* A ratio such as a load balance: three decimals. */
void hpcp_html_put_ratio(struct hpcp_text *t, double v)
{
	if (isfinite(v))
		hpcp_put(t, "%.3f", v);
	else
		hpcp_put(t, "n/a");
}

/* Bytes as 8, 1 KiB, 4 MiB (binary units when exact), else digits. */
void hpcp_html_fmt_bytes(char *b, size_t n, double v)
{
	const char *unit[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (u < 3 && v >= 1024 && fmod(v, 1024) == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		hpcp_html_sfmt(b, n, "%.0f", v);
	else
		hpcp_html_sfmt(b, n, "%.0f %s", v, unit[u]);
}

/* Axis label of 2^e bytes: 1, 4, 16 ... 1K, 4K ... 1M, 4M ... */
void hpcp_html_fmt_pow2(char *b, size_t n, int e)
{
	const char *sfx[] = { "", "K", "M", "G", "T", "P" };
	int k = e / 10;

	if (e < 0 || k > 5)
		hpcp_html_sfmt(b, n, "2^%d", e);
	else
		hpcp_html_sfmt(b, n, "%.0f%s", ldexp(1.0, e - 10 * k), sfx[k]);
}

/* The "status: reason" of a phase that is not ok, for captions. */
void hpcp_html_phase_state(struct hpcp_text *t, const cJSON *root, const char *name)
{
	const cJSON *ph = hpcp_phase_at(root, name);
	const char *s = hpcp_str_at(ph, "status"), *r = hpcp_str_at(ph, "reason");

	if (!ph) {
		hpcp_put(t, "phase %s not in the document", name);
		return;
	}
	hpcp_put(t, "%s ", name);
	hpcp_html_esc(t, s ? s : "status unknown");
	if (r) {
		hpcp_put(t, ": ");
		hpcp_html_esc(t, r);
	}
}

/* Whether the run was asked for phase name (run.config.phases). */
static int phase_requested(const cJSON *root, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, hpcp_at(hpcp_at(hpcp_at(root, "run"), "config"), "phases"))
		if (cJSON_IsString(p) && strcmp(p->valuestring, name) == 0)
			return 1;
	return 0;
}

/* A narrative sentence for a phase that is not ok. */
void hpcp_html_phase_sentence(struct hpcp_text *t, const cJSON *root, const char *name,
			   const char *title)
{
	const cJSON *ph = hpcp_phase_at(root, name);
	const char *s = hpcp_str_at(ph, "status"), *r = hpcp_str_at(ph, "reason");

	hpcp_put(t, "The %s phase ", title);
	if (!ph)
		hpcp_put(t, "%s", phase_requested(root, name) ?
		    "has no result in this document" : "was not requested");
	else if (!s)
		hpcp_put(t, "has no status");
	else if (strcmp(s, "failed") == 0)
		hpcp_put(t, "failed");
	else if (strcmp(s, "skipped") == 0 || strcmp(s, "unavailable") == 0)
		hpcp_put(t, "was %s", s);
	else {
		hpcp_put(t, "ended with status ");
		hpcp_html_esc(t, s);
	}
	if (r) {
		hpcp_put(t, ": ");
		hpcp_html_esc(t, r);
	}
	hpcp_put(t, ". ");
}

void hpcp_html_status_badge(struct hpcp_text *t, const char *s)
{
	const char *cls = "warn";

	if (!s)
		s = "unknown";
	if (strcmp(s, "ok") == 0)
		cls = "ok";
	else if (strcmp(s, "failed") == 0 || strcmp(s, "interrupted") == 0)
		cls = "bad";
	hpcp_put(t, "<span class=\"badge %s\">", cls);
	hpcp_html_esc(t, s);
	hpcp_put(t, "</span>");
}

/* A pair as "MPI intra-node r0–r1 (vm)" or "... (a ↔ b)". */
void hpcp_html_pair_label(struct hpcp_text *t, const char *what, const cJSON *pair,
		       size_t host_max)
{
	const char *kind = hpcp_str_at(pair, "kind");
	const cJSON *r = hpcp_at(pair, "ranks"), *h = hpcp_at(pair, "hosts");
	const cJSON *h0 = cJSON_GetArrayItem(h, 0), *h1 = cJSON_GetArrayItem(h, 1);
	double r0, r1;

	hpcp_html_esc(t, what);
	if (kind && strcmp(kind, "intra_node") == 0)
		hpcp_put(t, " intra-node");
	else if (kind && strcmp(kind, "inter_node") == 0)
		hpcp_put(t, " inter-node");
	else if (kind) {
		hpcp_put(t, " ");
		hpcp_html_esc(t, kind);
	}
	if (hpcp_num_of(cJSON_GetArrayItem(r, 0), &r0) &&
	    hpcp_num_of(cJSON_GetArrayItem(r, 1), &r1))
		hpcp_put(t, " r%.0f\u2013r%.0f", r0, r1);
	if (cJSON_IsString(h0)) {
		hpcp_put(t, " (");
		hpcp_html_esc_host(t, h0->valuestring, host_max);
		if (cJSON_IsString(h1) &&
		    strcmp(h0->valuestring, h1->valuestring) != 0) {
			hpcp_put(t, " \u2194 ");
			hpcp_html_esc_host(t, h1->valuestring, host_max);
		}
		hpcp_put(t, ")");
	}
}
