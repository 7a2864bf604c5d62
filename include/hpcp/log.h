/*
 * Diagnostics on stderr and the one way out of a job that cannot continue.
 *
 * Every line starts with "hpcprobe" and, once MPI is up, the rank and host,
 * so a line from a 1000-rank job says who wrote it.
 */
#ifndef HPCP_LOG_H
#define HPCP_LOG_H

#include <stdnoreturn.h>

enum hpcp_log_level {
	HPCP_LOG_ERR,
	HPCP_LOG_WARN,
	HPCP_LOG_INFO,   /* progress: printed by rank 0 only */
};

/* Called once MPI is up, so later lines name their rank and host. */
void hpcp_log_identity(int rank, const char *host);

/* Rank-local; INFO lines are dropped on ranks other than 0. Keeps errno. */
__attribute__((format(printf, 2, 3)))
void hpcp_log(enum hpcp_log_level level, const char *fmt, ...);

/*
 * Bad input: one line "hpcprobe: ..." on stderr from rank 0 (or from a
 * process that does not know its rank yet), nothing else.
 */
__attribute__((format(printf, 1, 2)))
void hpcp_usage_error(const char *fmt, ...);

/*
 * The only MPI_Abort in the program: for states where going on could hang
 * the job (a rank lost mid-collective).  Logs first, then aborts everyone.
 */
__attribute__((format(printf, 2, 3)))
noreturn void hpcp_die(int code, const char *fmt, ...);

/*
 * What hpcp_die must undo before it aborts (the storage phase's files):
 * fn runs once per hpcp_die, on the dying thread, after the log line; it
 * must be safe from any thread (best effort).  NULL: nothing.
 */
void hpcp_die_on(void (*fn)(void));

#endif
