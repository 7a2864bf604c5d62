/*
 * Interference signals around a timed region: the thread's CPU clock, its
 * run-queue delay (/proc/thread-self/schedstat, 2nd field, ns) and the
 * host's steal time (/proc/stat, "cpu" line, 8th value, USER_HZ ticks).
 * A region whose wall time is not matched by CPU time, or during which
 * the thread waited on a run queue or the hypervisor stole time, measured
 * the machine rather than the code: it is "disturbed".
 *
 * Rank-local, no MPI.  hpcp_interfere_begin()/end() neither allocate nor
 * log (two pread()s into stack buffers and one clock read), so it may sit
 * right outside a timed region; never inside one.
 */
#ifndef HPCP_INTERFERE_H
#define HPCP_INTERFERE_H

#include <stdint.h>

/* wall - CPU above max(HPCP_DISTURB_MIN_NS, HPCP_DISTURB_FRACTION x wall)
 * is time the thread did not run: timer ticks and page-fault handling
 * stay well below it on an undisturbed core. */
#define HPCP_DISTURB_MIN_NS 20000
#define HPCP_DISTURB_FRACTION 0.01

/* Why a region is disturbed (bits of hpcp_interfere_disturbed()). */
#define HPCP_DISTURB_CPU 1u     /* wall - CPU over the threshold */
#define HPCP_DISTURB_RUNQ 2u    /* run-queue delay grew */
#define HPCP_DISTURB_STEAL 4u   /* host steal time grew */

struct hpcp_interfere {
	int schedstat_fd;     /* /proc/thread-self/schedstat, or -1 */
	int stat_fd;          /* /proc/stat, or -1 */
};

struct hpcp_interfere_sample {
	uint64_t cpu_ns;      /* CLOCK_THREAD_CPUTIME_ID */
	uint64_t runq_ns;     /* run-queue delay so far; 0 when unknown */
	uint64_t steal_ticks; /* host steal so far; 0 when unknown */
};

/* Opens the sources for the calling thread (later reads must come from
 * the same thread).  0, or -ENOENT when some source is missing: then the
 * missing ones read as 0 (never disturbing) and *why (may be NULL) says
 * which, for the document. */
int hpcp_interfere_open(struct hpcp_interfere *f, const char **why);
void hpcp_interfere_close(struct hpcp_interfere *f);

/* Samples around a timed region: begin right before the caller's first
 * wall-clock read, end right after its last (the CPU clock is read next
 * to the wall clock on both sides). */
void hpcp_interfere_begin(const struct hpcp_interfere *f,
			  struct hpcp_interfere_sample *s);
void hpcp_interfere_end(const struct hpcp_interfere *f,
			struct hpcp_interfere_sample *s);

/* The calling thread's run-queue delay file, to be read later from any
 * thread: /proc/thread-self resolves when opened, so the file stays this
 * thread's (the watchdog reads the main thread's).  An fd, or -1. */
int hpcp_interfere_runq_open(void);
/* The run-queue delay so far (ns) of the thread whose file fd is; 0 when
 * fd is -1 or the file cannot be read. */
uint64_t hpcp_interfere_runq_ns(int fd);

/* Parsers, exposed for tests.  0, or -EINVAL when the text is not what
 * the kernel writes. */
int hpcp_interfere_parse_schedstat(const char *text, uint64_t *runq_ns);
int hpcp_interfere_parse_steal(const char *text, uint64_t *steal_ticks);

/* The disturbed rule for a region of wall_ns between samples a and b:
 * 0 when undisturbed, else HPCP_DISTURB_* bits. */
unsigned hpcp_interfere_disturbed(uint64_t wall_ns,
				  const struct hpcp_interfere_sample *a,
				  const struct hpcp_interfere_sample *b);

#endif
