#include "config.h"

#include "hpcp/log.h"
#include "hpcp/line.h"

#include <errno.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_rank = -1;
static char log_host[64];

void hpcp_log_identity(int rank, const char *host)
{
	log_rank = rank;
	/* A host name is outside text too: printable in every prefix. */
	hpcp_line_escape(host ? host : "?", log_host, sizeof(log_host));
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
	char prefix[160];

	/* The message is escaped (hpcp/line.h): an option value, a path or
	 * a host name in it cannot split the line or drive the terminal. */
	if (log_rank >= 0)
		snprintf(prefix, sizeof(prefix), "hpcprobe[%d@%s]: %s",
			 log_rank, log_host, level_name(level));
	else
		snprintf(prefix, sizeof(prefix), "hpcprobe: %s",
			 level_name(level));
	hpcp_line_vprint(stderr, prefix, fmt, ap);
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
	hpcp_line_vprint(stderr, "hpcprobe: ", fmt, ap);
	va_end(ap);
}

static void (*_Atomic die_fn)(void);

void hpcp_die_on(void (*fn)(void))
{
	atomic_store(&die_fn, fn);
}

void hpcp_die(int code, const char *fmt, ...)
{
	void (*fn)(void);
	int initialized = 0;
	int finalized = 0;
	va_list ap;

	va_start(ap, fmt);
	vlog(HPCP_LOG_ERR, fmt, ap);
	va_end(ap);
	/* Neither the hook (removing files from a hung file system) nor
	 * MPI_Abort (a launcher that lost a node may never answer) has a time
	 * limit of its own: the process ends in 10 s regardless. */
	alarm(10);
	fn = atomic_load(&die_fn);
	if (fn)
		fn();
	MPI_Initialized(&initialized);
	MPI_Finalized(&finalized);
	if (initialized && !finalized)
		MPI_Abort(MPI_COMM_WORLD, code);
	_exit(code);
}
