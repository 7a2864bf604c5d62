/*
 * Chart: per-rank useful time and MPI time of the compute phase (the
 * load balance at a glance).
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_MPI "#ffbb78"
#define LOAD_MAX_RANKS 4096     /* per-rank bars drawn */

struct rank_load {
	double useful_ms, mpi_ms;
	const char *host;
	int seen;
};

void hpcp_html_chart_load(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *c = hpcp_phase_at(root, "compute"), *k, *pr;
	const cJSON *lb = hpcp_at(c, "load_balance");
	struct rank_load *r = NULL;
	int nr = 0, shown = 0, label_every = 1;
	double max = 0, slow = hpcp_num_at(lb, "slowest_rank", -1);
	char kernels[256] = "";
	size_t kl = 0;

	hpcp_html_fig_open(t, "chart-load", "Per-rank compute load");
	if (hpcp_phase_ok(root, "compute")) {
		/* ranks: the highest rank number seen, capped */
		cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
			const char *s = hpcp_str_at(k, "status");

			if (!s || strcmp(s, "ok") != 0)
				continue;
			cJSON_ArrayForEach(pr, hpcp_at(k, "per_rank")) {
				double rk;

				if (hpcp_num_of(hpcp_at(pr, "rank"), &rk) && rk >= 0 &&
				    rk < LOAD_MAX_RANKS && rk + 1 > nr)
					nr = (int)rk + 1;
			}
		}
		if (nr > 0)
			r = calloc((size_t)nr, sizeof(*r));
		if (nr > 0 && !r) {
			t->oom = 1;
			return;
		}
		cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
			const char *s = hpcp_str_at(k, "status");
			int used = 0;

			if (!s || strcmp(s, "ok") != 0)
				continue;
			cJSON_ArrayForEach(pr, hpcp_at(k, "per_rank")) {
				double rk, u, m;

				if (!hpcp_num_of(hpcp_at(pr, "rank"), &rk) || rk < 0 ||
				    rk >= nr)
					continue;
				if (!hpcp_num_of(hpcp_at(pr, "useful_ns"), &u))
					u = 0;
				if (!hpcp_num_of(hpcp_at(pr, "mpi_ns"), &m))
					m = 0;
				r[(int)rk].useful_ms += u / 1e6;
				r[(int)rk].mpi_ms += m / 1e6;
				r[(int)rk].seen = 1;
				if (!r[(int)rk].host)
					r[(int)rk].host = hpcp_str_at(pr, "host");
				used = 1;
			}
			if (used && kl < sizeof(kernels) - 1) {
				int w = snprintf(kernels + kl, sizeof(kernels) - kl,
						 "%s%s", kl ? ", " : "",
						 k->string ? k->string : "?");

				kl += w > 0 ? (size_t)w : 0;
				if (kl > sizeof(kernels) - 1)
					kl = sizeof(kernels) - 1;
			}
		}
		for (int i = 0; i < nr; i++)
			if (r[i].seen) {
				shown++;
				max = fmax(max, r[i].useful_ms + r[i].mpi_ms);
			}
	}
	if (!shown || !(max > 0)) {
		hpcp_html_no_data(t);
		if (!hpcp_phase_ok(root, "compute"))
			hpcp_html_phase_state(t, root, "compute");
		else {
			int any = 0;

			hpcp_put(t, "no kernel finished");
			cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
				hpcp_put(t, "%s", any++ ? "; " : " (");
				hpcp_html_esc(t, k->string);
				hpcp_put(t, " ");
				hpcp_html_esc(t, hpcp_str_at(k, "status"));
				if (hpcp_str_at(k, "reason")) {
					hpcp_put(t, ": ");
					hpcp_html_esc(t, hpcp_str_at(k, "reason"));
				}
			}
			hpcp_put(t, "%s", any ? ")" : "");
		}
		hpcp_put(t, "</p>\n<figcaption>Useful and MPI time per rank."
		       "</figcaption>\n</figure>\n");
		free(r);
		return;
	}
	hpcp_put(t, "<p class=\"sub\">load balance ");
	hpcp_html_put_ratio(t, hpcp_num_at(lb, "load_balance_ratio", NAN));
	{
		char rb[1024];

		/* Beside the raw value: the robust one, or "noisy host". */
		if (hpcp_summary_robust_lb(hpcp_at(c, "load_balance_robust"), rb,
					  sizeof(rb))) {
			hpcp_put(t, " (robust: ");
			hpcp_html_esc(t, rb);
			hpcp_put(t, ")");
		}
	}
	hpcp_put(t, " \u00b7 parallel efficiency ");
	hpcp_html_put_ratio(t, hpcp_num_at(lb, "parallel_efficiency_ratio", NAN));
	hpcp_put(t, " \u00b7 communication efficiency ");
	hpcp_html_put_ratio(t, hpcp_num_at(lb, "communication_efficiency_ratio", NAN));
	if (isfinite(hpcp_num_at(c, "expected_load_balance_ratio", NAN))) {
		hpcp_put(t, " \u00b7 expected load balance ");
		hpcp_html_put_ratio(t, hpcp_num_at(c, "expected_load_balance_ratio", NAN));
		hpcp_put(t, " for --imbalance ");
		hpcp_html_put_val(t, hpcp_num_at(c, "imbalance_factor", NAN));
	}
	hpcp_put(t, "</p>\n");
	{
		double bar = 440.0 / shown, step = hpcp_html_nice_step(max, 6), top;
		struct hpcp_frame f;
		int W = 900, H, row = 0, slow_row = -1;

		if (bar > 26)
			bar = 26;
		if (bar < 3)
			bar = 3;
		while (bar * label_every < 13)
			label_every++;
		top = ceil(max / step) * step;
		for (int i = 0, nth = 0; i < nr; i++)
			if (r[i].seen) {
				if (slow == i)
					slow_row = nth;
				nth++;
			}
		f.xlog = f.ylog = 0;
		f.x = 150;
		f.y = 30;
		f.w = W - f.x - 90;
		f.h = bar * shown;
		f.xlo = 0;
		f.xhi = top;
		f.ylo = 0;
		f.yhi = 1;
		H = (int)(f.y + f.h + 52);
		hpcp_html_svg_open(t, W, H, "useful and MPI time per rank");
		/* legend */
		hpcp_put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" height=\"12\" "
		       "fill=\"%s\"/><text x=\"%.1f\" y=\"16\">useful (kernel "
		       "compute)</text>\n", f.x, HPCP_SIG_LOAD, f.x + 20);
		hpcp_put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" height=\"12\" "
		       "fill=\"%s\"/><text x=\"%.1f\" y=\"16\">MPI "
		       "(communication)</text>\n", f.x + 190, LOAD_MPI, f.x + 210);
		for (int i = 0; i * step <= top + step / 2; i++) {
			double v = i * step, x = hpcp_html_fx(&f, v);
			char b[48];

			hpcp_html_sfmt(b, sizeof(b), "%.10g", v);
			hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, f.y, x, f.y + f.h);
			hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, f.y + f.h, x,
			    f.y + f.h + 5);
			hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
			       "%s</text>\n", x, f.y + f.h + 17, b);
		}
		hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"middle\">time summed over kernels (ms)"
		       "</text>\n", f.x + f.w / 2, f.y + f.h + 38);
		for (int i = 0; i < nr; i++) {
			double y, h = bar > 6 ? bar * 0.72 : bar * 0.85;
			double x0 = f.x, x1 = hpcp_html_fx(&f, r[i].useful_ms),
			       x2 = hpcp_html_fx(&f, r[i].useful_ms + r[i].mpi_ms);
			int is_slow = slow == i;

			if (!r[i].seen)
				continue;
			y = f.y + row * bar + (bar - h) / 2;
			hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			       "height=\"%.2f\" fill=\"%s\"/>\n", x0, y, x1 - x0,
			    h, HPCP_SIG_LOAD);
			hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			       "height=\"%.2f\" fill=\"%s\"/>\n", x1, y, x2 - x1,
			    h, LOAD_MPI);
			if (is_slow)
				hpcp_put(t, "<rect class=\"slow\" x=\"%.1f\" y=\"%.1f\" "
				       "width=\"%.2f\" height=\"%.2f\"/>\n"
				       "<text class=\"note\" x=\"%.1f\" y=\"%.1f\">"
				       "\u25c0 slowest</text>\n", x0, y, x2 - x0, h,
				    x2 + 6, y + h / 2 + 4);
			if (is_slow || (row % label_every == 0 &&
					(slow_row < 0 ||
					 abs(row - slow_row) >= label_every))) {
				hpcp_put(t, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
				       "text-anchor=\"end\">r%d", is_slow ? "hl b" :
				    "hl", f.x - 6, y + h / 2 + 4, i);
				if (r[i].host) {
					hpcp_put(t, " (");
					hpcp_html_esc_host(t, r[i].host, 14);
					hpcp_put(t, ")");
				}
				hpcp_put(t, "</text>\n");
			}
			row++;
		}
		hpcp_put(t, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/>\n", f.x, f.y, f.x, f.y + f.h);
		hpcp_put(t, "</svg>\n");
	}
	hpcp_put(t, "<figcaption>Per-rank time over all rounds of the kernels that "
	       "finished (");
	hpcp_html_esc(t, kernels);
	hpcp_put(t, "): useful time is the kernels' compute, MPI time their "
	       "communication, in milliseconds.");
	if (slow >= 0) {
		hpcp_put(t, " The slowest rank, r%.0f", slow);
		if (hpcp_str_at(lb, "slowest_host")) {
			hpcp_put(t, " on ");
			hpcp_html_esc(t, hpcp_str_at(lb, "slowest_host"));
		}
		hpcp_put(t, ", is outlined.");
	}
	if (label_every > 1)
		hpcp_put(t, " Every %d%s rank is labelled.", label_every,
		    label_every == 2 ? "nd" : label_every == 3 ? "rd" : "th");
	cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
		const char *s = hpcp_str_at(k, "status");

		if (s && strcmp(s, "ok") == 0)
			continue;
		hpcp_put(t, " Kernel ");
		hpcp_html_esc(t, k->string);
		hpcp_put(t, " ");
		hpcp_html_esc(t, s ? s : "without status");
		if (hpcp_str_at(k, "reason")) {
			hpcp_put(t, ": ");
			hpcp_html_esc(t, hpcp_str_at(k, "reason"));
		}
		hpcp_put(t, " (not included).");
	}
	hpcp_put(t, "</figcaption>\n</figure>\n");
	free(r);
}
