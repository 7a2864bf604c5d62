/*
 * Foreign CPU load during a region (hostload.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hpcp/hostload.h"
#include "hpcp/log.h"
#include "hpcp/report.h"
#include "hpcp/timer.h"

int hpcp_hostload_parse_stat(const char *text, uint64_t *busy_ticks,
			     uint64_t *steal_ticks)
{
	unsigned long long v[8];
	char *end;

	if (!text || strncmp(text, "cpu ", 4) != 0)
		return -EINVAL;
	text += 4;
	/* user nice system idle iowait irq softirq steal: interrupt time is
	 * left out, it runs on behalf of whoever sent the packet. */
	for (int i = 0; i < 8; i++) {
		while (*text == ' ')
			text++;
		errno = 0;
		v[i] = strtoull(text, &end, 10);
		if (end == text || errno || (*end != ' ' && *end != '\n' &&
					     *end != '\0'))
			return -EINVAL;
		text = end;
	}
	*busy_ticks = v[0] + v[1] + v[2];
	*steal_ticks = v[7];
	return 0;
}

double hpcp_hostload_foreign(uint64_t busy_ticks, uint64_t steal_ticks,
			     long ticks_per_s, double job_cpu_ns,
			     double wall_ns, int ncpus, double *resolution)
{
	double tick_ns, foreign;

	if (ticks_per_s <= 0 || wall_ns <= 0 || ncpus <= 0) {
		if (resolution)
			*resolution = 1;
		return 0;
	}
	tick_ns = 1e9 / (double)ticks_per_s;
	if (resolution)
		*resolution = 2 * tick_ns / wall_ns;
	foreign = ((double)(busy_ticks + steal_ticks) * tick_ns - job_cpu_ns) /
		  ((double)ncpus * wall_ns);
	return foreign < 0 ? 0 : foreign > 1 ? 1 : foreign;
}

static int read_stat(uint64_t *busy, uint64_t *steal)
{
	char buf[512];
	ssize_t got;
	int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -ENOENT;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return -EIO;
	buf[got] = '\0';
	return hpcp_hostload_parse_stat(buf, busy, steal);
}

static uint64_t process_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) *
		       1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) *
		       1000ull;
}

/* FNV-1a of the boot id: equal on ranks that share a kernel. */
static uint64_t kernel_id(void)
{
	char buf[64] = "";
	uint64_t h = 1469598103934665603ull;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	for (const char *p = buf; *p && *p != '\n'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

int hpcp_hostload_begin(struct hpcp_ctx *ctx, struct hpcp_hostload *h)
{
	int rc = MPI_Barrier(ctx->comm);

	memset(h, 0, sizeof(*h));
	h->cpu0_ns = process_cpu_ns();
	if (ctx->leader_comm != MPI_COMM_NULL)
		h->stat_ok = read_stat(&h->busy0, &h->steal0) == 0;
	h->t0_ns = hpcp_now_ns();
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

/* What each node leader sends rank 0. */
enum { HL_KERNEL, HL_OK, HL_BUSY, HL_STEAL, HL_CPU, HL_WALL, HL_NCPUS, HL_NODE,
       HL_COUNT };

int hpcp_hostload_end(struct hpcp_ctx *ctx, struct hpcp_hostload *h,
		      struct hpcp_hostload_result *r)
{
	uint64_t wall = hpcp_now_ns() - h->t0_ns;
	uint64_t cpu = process_cpu_ns() - h->cpu0_ns, node_cpu = 0;
	uint64_t mine[HL_COUNT] = { 0 }, *all = NULL;
	uint64_t busy = 0, steal = 0;
	int n = ctx->n_nodes, rc;

	memset(r, 0, sizeof(*r));
	rc = MPI_Reduce(&cpu, &node_cpu, 1, MPI_UINT64_T, MPI_SUM, 0,
			ctx->node_comm);
	if (ctx->leader_comm != MPI_COMM_NULL) {
		int ok = h->stat_ok && read_stat(&busy, &steal) == 0;
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		mine[HL_KERNEL] = kernel_id();
		mine[HL_OK] = (uint64_t)ok;
		mine[HL_BUSY] = ok ? busy - h->busy0 : 0;
		mine[HL_STEAL] = ok ? steal - h->steal0 : 0;
		mine[HL_CPU] = node_cpu;
		mine[HL_WALL] = wall;
		mine[HL_NCPUS] = cpus > 0 ? (uint64_t)cpus : 1;
		mine[HL_NODE] = (uint64_t)ctx->node;
		if (ctx->rank == 0) {
			all = malloc((size_t)n * HL_COUNT * sizeof(*all));
			if (!all)
				hpcp_die(71, "out of memory for the host load");
		}
		if (rc == MPI_SUCCESS)
			rc = MPI_Gather(mine, HL_COUNT, MPI_UINT64_T, all,
					HL_COUNT, MPI_UINT64_T, 0,
					ctx->leader_comm);
	}
	if (ctx->rank == 0 && rc == MPI_SUCCESS) {
		long hz = sysconf(_SC_CLK_TCK);

		r->measured = 1;
		r->worst_node = -1;
		/* One kernel at a time: the first node of each kernel adds up
		 * the job's CPU of all nodes on it (same counter, so the
		 * busy ticks are the largest any of them saw). */
		for (int i = 0; i < n; i++) {
			uint64_t *a = &all[i * HL_COUNT], job = 0, b = 0, s = 0;
			uint64_t w = 0;
			int first = 1;
			double frac, res;

			if (!a[HL_OK])
				r->measured = 0;
			for (int j = 0; j < n && first; j++)
				if (j < i && all[j * HL_COUNT + HL_KERNEL] ==
						     a[HL_KERNEL])
					first = 0;
			if (!first)
				continue;
			r->kernels++;
			for (int j = i; j < n; j++) {
				uint64_t *c = &all[j * HL_COUNT];

				if (c[HL_KERNEL] != a[HL_KERNEL])
					continue;
				job += c[HL_CPU];
				b = c[HL_BUSY] > b ? c[HL_BUSY] : b;
				s = c[HL_STEAL] > s ? c[HL_STEAL] : s;
				w = c[HL_WALL] > w ? c[HL_WALL] : w;
			}
			frac = hpcp_hostload_foreign(b, s, hz, (double)job,
						     (double)w, (int)a[HL_NCPUS],
						     &res);
			if (r->worst_node < 0 || frac > r->foreign_fraction) {
				r->foreign_fraction = frac;
				r->resolution = res;
				r->worst_node = (int)a[HL_NODE];
			}
		}
		r->noisy = r->measured &&
			   r->foreign_fraction > HPCP_FOREIGN_MAX + r->resolution;
	}
	free(all);
	if (rc == MPI_SUCCESS)
		rc = MPI_Barrier(ctx->comm);
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

int hpcp_hostload_report(struct hpcp_res *parent, const struct hpcp_ctx *ctx,
			 const struct hpcp_hostload_result *r)
{
	struct hpcp_res *o = hpcp_res_object(parent, "host_load");
	const char *host = r->worst_node >= 0 && r->worst_node < ctx->n_nodes ?
				   ctx->hosts[r->worst_node].name : "?";
	char why[HPCP_HOST_LEN + 200];

	hpcp_res_bool(o, "measured", r->measured);
	hpcp_res_str(o, "definition",
		     "CPU time a kernel spent on anything but this job's ranks "
		     "(user + nice + system of /proc/stat, plus steal, less the "
		     "ranks' getrusage) over its CPUs x the region's wall time; "
		     "the worst kernel (nodes grouped by boot_id)");
	hpcp_res_double(o, "threshold", HPCP_FOREIGN_MAX);
	if (!r->measured) {
		hpcp_res_null(o, "foreign_cpu_fraction");
		hpcp_res_str(o, "reason", "/proc/stat not readable on a node");
		hpcp_res_bool(o, "noisy", 0);
		return 0;
	}
	hpcp_res_double(o, "foreign_cpu_fraction", r->foreign_fraction);
	hpcp_res_double(o, "resolution", r->resolution);
	hpcp_res_int(o, "kernels_count", r->kernels);
	hpcp_res_str(o, "worst_host", host);
	hpcp_res_bool(o, "noisy", r->noisy);
	if (r->noisy) {
		snprintf(why, sizeof(why),
			 "other work took %.0f %% of the CPUs of %s's kernel "
			 "(> %.0f %% + %.0f %% resolution): latencies include "
			 "waits for a time slice",
			 100 * r->foreign_fraction, host, 100 * HPCP_FOREIGN_MAX,
			 100 * r->resolution);
		hpcp_res_str(o, "noisy_reason", why);
	}
	return r->noisy;
}

int hpcp_hostload_report_noisy(struct hpcp_res *parent,
			       const struct hpcp_ctx *ctx,
			       const struct hpcp_hostload_result *r,
			       const char *share, const char *effect)
{
	char why[256];

	if (!hpcp_hostload_report(parent, ctx, r)) {
		hpcp_res_bool(parent, "noisy", 0);
		return 0;
	}
	snprintf(why, sizeof(why), "other work took %.0f %% of %s: %s",
		 100 * r->foreign_fraction, share, effect);
	hpcp_res_bool(parent, "noisy", 1);
	hpcp_res_str(parent, "noisy_reason", why);
	return 1;
}
