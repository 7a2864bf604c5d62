#include "config.h"

#include "hpcp/log.h"

#include <errno.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_rank = -1;
static char log_host[64];

void hpcp_log_identity(int rank, const char *host)
{
	log_rank = rank;
	snprintf(log_host, sizeof(log_host), "%s", host ? host : "?");
}

static const char *level_name(enum hpcp_log_level level)
{
	switch (level) {
	case HPCP_LOG_ERR:
		return "error: ";
	case HPCP_LOG_WARN:
		return "warning: ";
	default:
		return "";
	}
}

static void vlog(enum hpcp_log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	/* One buffered write per line, so ranks sharing a terminal do not
	 * interleave inside a line. */
	if (log_rank >= 0)
		n = snprintf(line, sizeof(line), "hpcprobe[%d@%s]: %s",
			     log_rank, log_host, level_name(level));
	else
		n = snprintf(line, sizeof(line), "hpcprobe: %s",
			     level_name(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

void hpcp_log(enum hpcp_log_level level, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (level == HPCP_LOG_INFO && log_rank > 0)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

void hpcp_usage_error(const char *fmt, ...)
{
	va_list ap;

	if (log_rank > 0)
		return;
	va_start(ap, fmt);
	fputs("hpcprobe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	va_end(ap);
}

void hpcp_die(int code, const char *fmt, ...)
{
	int initialized = 0;
	int finalized = 0;
	va_list ap;

	va_start(ap, fmt);
	vlog(HPCP_LOG_ERR, fmt, ap);
	va_end(ap);
	MPI_Initialized(&initialized);
	MPI_Finalized(&finalized);
	/* MPI_Abort has no time limit of its own (a launcher that lost a
	 * node may never answer): the process ends in 10 s regardless. */
	alarm(10);
	if (initialized && !finalized)
		MPI_Abort(MPI_COMM_WORLD, code);
	_exit(code);
}
