/*
 * An LD_PRELOAD shim for mpi_tests/shutdown.sh: a slow disk, and a signal
 * that arrives while a write waits on it.  Test code only, never linked
 * into hpcprobe.
 *
 *   HPCP_SHIM_FSYNC_MS   every fsync() from call HPCP_SHIM_AT on takes
 *                        this much longer (the earlier ones: the test's
 *                        time, not its subject)
 *   HPCP_SHIM_AT         the call (1, 2, ...) inside which to act
 *   HPCP_SHIM_SIGNAL     signal number to send then (0: none)
 *   HPCP_SHIM_TARGET     "self" or "parent" (mpirun, which forwards it)
 *   HPCP_SHIM_MARK       a file created then, for a script to act on
 *   HPCP_SHIM_RANK       act (signal, mark, hold) only in the process of
 *                        this MPI rank (OMPI_COMM_WORLD_RANK); the delay
 *                        applies in every process
 *   HPCP_SHIM_HOLD       call AT, instead of its delay, waits for an event
 *                        (at most HOLD_CAP_S): "signal", a SIGTERM, SIGINT
 *                        or SIGHUP handled by the program (its handlers
 *                        are wrapped as it installs them, so none is
 *                        missed whichever thread runs it and whenever it
 *                        comes); or a path, that file existing
 *
 * The signal goes out at the start of the delay, so it is delivered while
 * the write is still in flight: the window the test is about.  A hold
 * makes that window an event instead of a time: a test on a busy host can
 * take as long as it needs to act inside it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOLD_CAP_S 60

static volatile sig_atomic_t handled;
static void (*program_handler[NSIG])(int);

static void relay(int sig)
{
	handled = 1;
	if (sig > 0 && sig < NSIG && program_handler[sig])
		program_handler[sig](sig);
}

static int held_signal(int sig)
{
	const char *until = getenv("HPCP_SHIM_HOLD");

	return until && strcmp(until, "signal") == 0 &&
	       (sig == SIGTERM || sig == SIGINT || sig == SIGHUP);
}

/* The program's own handler for the signals a hold waits on, behind one
 * that notes the signal came. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int (*real)(int, const struct sigaction *, struct sigaction *) =
		(int (*)(int, const struct sigaction *, struct sigaction *))
			dlsym(RTLD_NEXT, "sigaction");
	struct sigaction mine;

	if (!real)
		return -1;
	if (!act || !held_signal(sig) || (act->sa_flags & SA_SIGINFO) ||
	    act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN)
		return real(sig, act, old);
	program_handler[sig] = act->sa_handler;
	mine = *act;
	mine.sa_handler = relay;
	return real(sig, &mine, old);
}

static long env_long(const char *name)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 10) : 0;
}

/* Until the event HPCP_SHIM_HOLD names, or HOLD_CAP_S (a broken test
 * then fails on what it checks rather than hanging). */
static void hold(const char *until)
{
	int by_signal = strcmp(until, "signal") == 0;

	for (long t = 0; t < HOLD_CAP_S * 100L; t++) {
		struct timespec step = { 0, 10 * 1000000L };

		if (by_signal ? handled : access(until, F_OK) == 0)
			return;
		nanosleep(&step, NULL);
	}
}

int fsync(int fd)
{
	static _Atomic int calls;
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	long ms = env_long("HPCP_SHIM_FSYNC_MS");
	int n = atomic_fetch_add(&calls, 1) + 1;
	const char *only = getenv("HPCP_SHIM_RANK");
	const char *rank = getenv("OMPI_COMM_WORLD_RANK");
	int mine = !only || !*only || (rank && strcmp(rank, only) == 0);
	long at = env_long("HPCP_SHIM_AT");
	const char *until = getenv("HPCP_SHIM_HOLD");
	int acting = mine && n == at;

	if (acting) {
		const char *target = getenv("HPCP_SHIM_TARGET");
		const char *mark = getenv("HPCP_SHIM_MARK");
		int sig = (int)env_long("HPCP_SHIM_SIGNAL");

		if (mark && *mark) {
			int m = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

			if (m >= 0)
				close(m);
		}
		if (sig > 0)
			kill(target && strcmp(target, "parent") == 0 ?
				     getppid() : getpid(), sig);
	}
	if (acting && until && *until)
		hold(until);
	else if (ms > 0 && n >= at) {
		struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

		while (nanosleep(&d, &d) != 0)
			;
	}
	return real ? real(fd) : 0;
}
