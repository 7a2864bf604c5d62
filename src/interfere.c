#include "config.h"

#include "hpcp/hostload.h"
#include "hpcp/interfere.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "run_ns runq_delay_ns timeslices\n" */
int hpcp_interfere_parse_schedstat(const char *text, uint64_t *runq_ns)
{
	char *end;
	unsigned long long run, delay;

	if (!text)
		return -EINVAL;
	errno = 0;
	run = strtoull(text, &end, 10);
	if (end == text || *end != ' ' || errno)
		return -EINVAL;
	text = end;
	delay = strtoull(text, &end, 10);
	if (end == text || (*end != ' ' && *end != '\n' && *end != '\0') ||
	    errno)
		return -EINVAL;
	(void)run;
	*runq_ns = delay;
	return 0;
}

/* "cpu  user nice system idle iowait irq softirq steal ...": steal is the
 * 8th value, absent on kernels before 2.6.11 (then: not measurable). */
int hpcp_interfere_parse_steal(const char *text, uint64_t *steal_ticks)
{
	uint64_t busy;

	return hpcp_hostload_parse_stat(text, &busy, steal_ticks);
}

static int read_at0(int fd, char *buf, size_t len)
{
	ssize_t got;

	if (fd < 0)
		return -ENOENT;
	got = pread(fd, buf, len - 1, 0);
	if (got <= 0)
		return -EIO;
	buf[got] = '\0';
	return 0;
}

int hpcp_interfere_runq_open(void)
{
	return open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
}

uint64_t hpcp_interfere_runq_ns(int fd)
{
	char buf[128];
	uint64_t runq = 0;

	if (read_at0(fd, buf, sizeof(buf)) ||
	    hpcp_interfere_parse_schedstat(buf, &runq))
		return 0;
	return runq;
}

int hpcp_interfere_open(struct hpcp_interfere *f, const char **why)
{
	struct hpcp_interfere_sample s;

	f->schedstat_fd = hpcp_interfere_runq_open();
	f->stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	/* Readable and parseable now, or treated as missing. */
	if (f->schedstat_fd >= 0) {
		char buf[128];

		if (read_at0(f->schedstat_fd, buf, sizeof(buf)) ||
		    hpcp_interfere_parse_schedstat(buf, &s.runq_ns)) {
			close(f->schedstat_fd);
			f->schedstat_fd = -1;
		}
	}
	if (f->stat_fd >= 0) {
		char buf[256];

		if (read_at0(f->stat_fd, buf, sizeof(buf)) ||
		    hpcp_interfere_parse_steal(buf, &s.steal_ticks)) {
			close(f->stat_fd);
			f->stat_fd = -1;
		}
	}
	if (why)
		*why = f->schedstat_fd < 0 && f->stat_fd < 0 ?
			       "no /proc/thread-self/schedstat (run-queue "
			       "delay) and no steal time in /proc/stat" :
		       f->schedstat_fd < 0 ?
			       "no /proc/thread-self/schedstat: run-queue "
			       "delay not measured" :
		       f->stat_fd < 0 ? "no steal time in /proc/stat" : NULL;
	return f->schedstat_fd < 0 || f->stat_fd < 0 ? -ENOENT : 0;
}

void hpcp_interfere_close(struct hpcp_interfere *f)
{
	if (f->schedstat_fd >= 0)
		close(f->schedstat_fd);
	if (f->stat_fd >= 0)
		close(f->stat_fd);
	f->schedstat_fd = f->stat_fd = -1;
}

static void read_procs(const struct hpcp_interfere *f,
		       struct hpcp_interfere_sample *s)
{
	/* The "cpu" line comes first: a short read is enough. */
	char buf[256];

	s->steal_ticks = 0;
	if (read_at0(f->stat_fd, buf, sizeof(buf)) == 0)
		(void)hpcp_interfere_parse_steal(buf, &s->steal_ticks);
	s->runq_ns = hpcp_interfere_runq_ns(f->schedstat_fd);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CPU clock sits next to the caller's wall-clock read on both sides,
 * so the files' read cost is outside the CPU span compared with wall. */
void hpcp_interfere_begin(const struct hpcp_interfere *f,
			  struct hpcp_interfere_sample *s)
{
	read_procs(f, s);
	s->cpu_ns = thread_cpu_ns();
}

void hpcp_interfere_end(const struct hpcp_interfere *f,
			struct hpcp_interfere_sample *s)
{
	s->cpu_ns = thread_cpu_ns();
	read_procs(f, s);
}

unsigned hpcp_interfere_disturbed(uint64_t wall_ns,
				  const struct hpcp_interfere_sample *a,
				  const struct hpcp_interfere_sample *b)
{
	uint64_t cpu = b->cpu_ns > a->cpu_ns ? b->cpu_ns - a->cpu_ns : 0;
	double limit = HPCP_DISTURB_FRACTION * (double)wall_ns;
	unsigned why = 0;

	if (limit < HPCP_DISTURB_MIN_NS)
		limit = HPCP_DISTURB_MIN_NS;
	if (wall_ns > cpu && (double)(wall_ns - cpu) > limit)
		why |= HPCP_DISTURB_CPU;
	if (b->runq_ns > a->runq_ns)
		why |= HPCP_DISTURB_RUNQ;
	if (b->steal_ticks > a->steal_ticks)
		why |= HPCP_DISTURB_STEAL;
	return why;
}
