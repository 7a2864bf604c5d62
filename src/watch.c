#include "config.h"

#include "hpcp/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hpcp/ctx.h"
#include "hpcp/interfere.h"
#include "hpcp/log.h"
#include "hpcp/report.h"
#include "hpcp/timer.h"

/* Exit statuses: the watchdog's end and 128 + signal for a signal. */
#define EXIT_TIMEOUT 124
/* Ranks waiting on all ranks or idling give those that wait on a peer
 * this long to report first. */
#define GRACE_NS (5ull * 1000000000ull)
#define IDLE_FACTOR 10
/* On a signal, look up to this long for progress, in steps: none while
 * waiting on a peer means the launcher is most likely ending the job
 * because it died.  A healthy loop beats within microseconds, so the look
 * ends at once; the bound is long because on a busy host the main thread
 * can wait tens of milliseconds for a CPU (a 30 ms look once called a
 * plain SIGTERM a dead peer there). */
#define PROGRESS_LOOK_NS (500 * 1000000L)
#define PROGRESS_STEP_NS (1 * 1000000L)
/* How long the watchdog waits for rank 0's write in progress (a slow
 * fsync) before recording the end itself; and how long another rank,
 * interrupted, waits before it exits, so that a launcher that ends the
 * job when one rank exits does not kill rank 0 while it records. */
#define WRITE_WAIT_S 10
#define OTHERS_WAIT_S 5
/* A silence that held this much run-queue time says so: a thread that
 * could not get a CPU is not a hang, and the host's load is the finding. */
#define RUNQ_SAY_NS (100 * 1000000ull)

/*
 * One writer of the document at a time: the main thread holds this while
 * it writes (hpcp_watch_write_begin/end), the watchdog from the moment it
 * records the end until the process ends.  Before, the watchdog renamed
 * an older copy over the one the main thread had just written.
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

_Atomic uint64_t hpcp_watch_beats;
_Atomic int hpcp_watch_peer_rank = HPCP_WATCH_ALL;

static struct {
	const struct hpcp_ctx *ctx;
	uint64_t timeout_ns;
	const char *output;       /* rank 0, file output only */
	pthread_t thread;
	int running;
	int pipe_r, pipe_w;
	_Atomic int stopping;
	_Atomic int interrupted;
	_Atomic(const char *) phase;
	_Atomic uint64_t phase_start_ns;
	_Atomic int final;        /* the end is recorded: no more saves */
	_Atomic int phase_done;   /* the phase ended; its entry is final */
	uint64_t last_beat_ns;    /* watchdog thread only */
	int main_schedstat_fd;    /* the beating thread's schedstat, or -1 */
	void (*_Atomic on_end)(void *arg, char *note, size_t len);
	void *_Atomic on_end_arg;
} w = { .pipe_r = -1, .pipe_w = -1, .main_schedstat_fd = -1 };

void hpcp_watch_phase(const char *name)
{
	atomic_store(&w.phase_done, 0);
	atomic_store(&w.phase, name);
	w.phase_start_ns = hpcp_now_ns();
	hpcp_watch_beat();
}

unsigned hpcp_watch_timeout_s(void)
{
	return (unsigned)(w.timeout_ns / 1000000000ull);
}

int hpcp_watch_interrupted(void)
{
	return atomic_load(&w.interrupted);
}

int hpcp_watch_final(void)
{
	return atomic_load(&w.final);
}

void hpcp_watch_on_end(void (*fn)(void *arg, char *note, size_t len),
		       void *arg)
{
	atomic_store(&w.on_end_arg, arg);
	atomic_store(&w.on_end, fn);
}

/* Undo what the running phase asked to (on_end), into note: "; what". */
static void run_on_end(char *note, size_t len)
{
	void (*fn)(void *, char *, size_t) = atomic_load(&w.on_end);
	char said[256] = "";

	note[0] = '\0';
	if (!fn)
		return;
	fn(atomic_load(&w.on_end_arg), said, sizeof(said));
	if (said[0])
		snprintf(note, len, "; %s", said);
}

void hpcp_watch_phase_done(void)
{
	atomic_store(&w.phase_done, 1);
}

int hpcp_watch_write_begin(void)
{
	pthread_mutex_lock(&write_lock);
	if (atomic_load(&w.final)) {
		pthread_mutex_unlock(&write_lock);
		return 0;
	}
	return 1;
}

void hpcp_watch_write_end(void)
{
	pthread_mutex_unlock(&write_lock);
}

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	/* Only async-signal-safe work here: wake the watchdog thread. */
	if (w.pipe_w >= 0 && write(w.pipe_w, &b, 1) < 0) {
		/* Nothing safe to do about it. */
	}
	errno = saved;
}

static const char *host_of(int rank)
{
	const struct hpcp_ctx *ctx = w.ctx;

	if (!ctx || rank < 0 || rank >= ctx->size || !ctx->ranks || !ctx->hosts)
		return "?";
	return ctx->hosts[ctx->ranks[rank].node].name;
}

static void describe_wait(int peer, char *buf, size_t len)
{
	if (peer >= 0)
		snprintf(buf, len, "waiting on rank %d (%s)", peer,
			 host_of(peer));
	else if (peer == HPCP_WATCH_IDLE)
		snprintf(buf, len, "waiting for the other ranks to finish "
				   "measuring");
	else
		snprintf(buf, len, "waiting on all ranks in a collective (a "
				   "rank stopped, died or lost its link)");
}

/*
 * Rank 0's watchdog becomes the document's only writer: it waits for a
 * write in progress to end (bounded), so the file is the newest document;
 * the lock is kept, so the main thread never writes again (the process
 * ends after this).  1 when it owns the document.
 */
static int own_document(void)
{
	static int owned;
	struct timespec until;

	if (owned || !w.output || !w.ctx || w.ctx->rank != 0)
		return owned;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WRITE_WAIT_S;
	if (pthread_mutex_timedlock(&write_lock, &until) != 0) {
		hpcp_log(HPCP_LOG_ERR, "could not record the end in %s: a "
			 "write of it has not ended in %d s", w.output,
			 WRITE_WAIT_S);
		return 0;
	}
	atomic_store(&w.final, 1);
	owned = 1;
	return 1;
}

/* Rank 0 records the end in the file already on disk. */
static void mark_document(const char *run_status, const char *phase_status,
			  const char *reason)
{
	char err[256];
	const char *phase;

	if (!own_document())
		return;
	phase = atomic_load(&w.phase);
	/* Outside a phase there is no phase entry to mark, nor once the
	 * phase has ended: its entry, as written, is final. */
	if (phase && (strcmp(phase, "setup") == 0 ||
		      strcmp(phase, "finish") == 0 ||
		      atomic_load(&w.phase_done)))
		phase = NULL;
	if (hpcp_doc_mark_file(w.output, run_status, phase,
			       phase_status, reason,
			       (double)(hpcp_now_ns() - w.phase_start_ns) / 1e9,
			       err, sizeof(err)) != 0)
		hpcp_log(HPCP_LOG_ERR, "could not record the end in %s: %s",
			 w.output, err);
}

static void fire(int peer, uint64_t silent_ns, uint64_t runq_ns)
{
	const char *phase = atomic_load(&w.phase);
	char wait[160], note[300], busy[160] = "", reason[1024];

	describe_wait(peer, wait, sizeof(wait));
	run_on_end(note, sizeof(note));
	if (runq_ns >= RUNQ_SAY_NS)
		snprintf(busy, sizeof(busy),
			 "; %.2f s of it the rank's main thread waited for a "
			 "CPU (an overloaded host)", (double)runq_ns / 1e9);
	snprintf(reason, sizeof(reason),
		 "watchdog: rank %d (%s) made no progress for %.0f s in phase "
		 "%s, %s%s%s",
		 w.ctx->rank, w.ctx->host, (double)silent_ns / 1e9,
		 phase ? phase : "setup", wait, busy, note);
	hpcp_log(HPCP_LOG_ERR, "%s; ending the job", reason);
	mark_document("failed", "failed", reason);
	/* Let rank 0 write the document when it, too, noticed. */
	if (w.ctx->rank != 0) {
		struct timespec pause = { 2, 0 };

		nanosleep(&pause, NULL);
	}
	hpcp_die(EXIT_TIMEOUT, "watchdog timeout in phase %s",
		 phase ? phase : "setup");
}

static void interrupt(int sig, int peer, uint64_t silent_ns)
{
	const char *phase = atomic_load(&w.phase);
	struct timespec step = { 0, PROGRESS_STEP_NS };
	uint64_t before = atomic_load(&hpcp_watch_beats);
	char note[300], reason[1024];

	atomic_store(&w.interrupted, 1);
	/* After a write in flight, so the reason says where the run was. */
	own_document();
	phase = atomic_load(&w.phase);
	for (long t = 0; peer >= 0 && t < PROGRESS_LOOK_NS &&
			 atomic_load(&hpcp_watch_beats) == before;
	     t += PROGRESS_STEP_NS)
		nanosleep(&step, NULL);
	run_on_end(note, sizeof(note));
	if (peer >= 0 && atomic_load(&hpcp_watch_beats) == before) {
		/* The launcher ends everyone when one rank dies; the rank we
		 * were waiting on is the likely one. */
		snprintf(reason, sizeof(reason),
			 "ended by signal %d (%s) while rank %d (%s) had waited "
			 "%.2f s on rank %d (%s) in phase %s: rank %d most "
			 "likely failed%s",
			 sig, strsignal(sig), w.ctx->rank, w.ctx->host,
			 (double)silent_ns / 1e9, peer, host_of(peer),
			 phase ? phase : "setup", peer, note);
		hpcp_log(HPCP_LOG_ERR, "%s", reason);
		mark_document("failed", "failed", reason);
	} else {
		snprintf(reason, sizeof(reason),
			 "interrupted by signal %d (%s) %s phase %s%s", sig,
			 strsignal(sig),
			 atomic_load(&w.phase_done) ? "after" : "in",
			 phase ? phase : "setup", note);
		hpcp_log(HPCP_LOG_WARN, "%s", reason);
		mark_document("interrupted", "failed", reason);
	}
	/* Rank 0 records the end, after a write in progress (a slow disk:
	 * seconds); a launcher ends the job as soon as one rank exits. */
	if (w.ctx->rank != 0) {
		struct timespec pause = { OTHERS_WAIT_S, 0 };

		nanosleep(&pause, NULL);
	}
	_exit(128 + sig);
}

static void *watch_main(void *arg)
{
	uint64_t last = atomic_load(&hpcp_watch_beats);
	uint64_t since = hpcp_now_ns();
	uint64_t runq_since = hpcp_interfere_runq_ns(w.main_schedstat_fd);
	struct pollfd pfd = { .fd = w.pipe_r, .events = POLLIN };

	(void)arg;
	while (!atomic_load(&w.stopping)) {
		uint64_t beats, now, limit;
		int peer;

		if (poll(&pfd, 1, 200) > 0) {
			unsigned char sig = 0;

			if (read(w.pipe_r, &sig, 1) == 1 && sig &&
			    !atomic_load(&w.stopping)) {
				peer = atomic_load(&hpcp_watch_peer_rank);
				interrupt(sig, peer, hpcp_now_ns() - since);
			}
			continue;
		}
		beats = atomic_load_explicit(&hpcp_watch_beats,
					     memory_order_relaxed);
		now = hpcp_now_ns();
		if (beats != last) {
			last = beats;
			since = now;
			runq_since =
				hpcp_interfere_runq_ns(w.main_schedstat_fd);
			continue;
		}
		peer = atomic_load(&hpcp_watch_peer_rank);
		limit = w.timeout_ns;
		if (peer == HPCP_WATCH_IDLE)
			limit *= IDLE_FACTOR;
		if (peer < 0)
			limit += GRACE_NS;
		if (now - since > limit) {
			uint64_t runq =
				hpcp_interfere_runq_ns(w.main_schedstat_fd);

			fire(peer, now - since,
			     runq > runq_since ? runq - runq_since : 0);
		}
	}
	return NULL;
}

int hpcp_watch_start(const struct hpcp_ctx *ctx, unsigned timeout_s,
		     struct hpcp_doc *doc, const char *output)
{
	struct sigaction sa;
	int fds[2];

	(void)doc;
	w.ctx = ctx;
	w.timeout_ns = (uint64_t)timeout_s * 1000000000ull;
	w.output = output && strcmp(output, "-") != 0 ? output : NULL;
	atomic_store(&w.stopping, 0);
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	w.pipe_r = fds[0];
	w.pipe_w = fds[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A closed terminal or session (ssh dropped) ends the run like
	 * SIGTERM: recorded, not a torn or silent end. */
	sigaction(SIGHUP, &sa, NULL);
	/* The caller is the thread that beats. */
	w.main_schedstat_fd = hpcp_interfere_runq_open();
	if (pthread_create(&w.thread, NULL, watch_main, NULL) != 0) {
		close(w.pipe_r);
		close(w.pipe_w);
		w.pipe_r = w.pipe_w = -1;
		if (w.main_schedstat_fd >= 0)
			close(w.main_schedstat_fd);
		w.main_schedstat_fd = -1;
		return -EAGAIN;
	}
	w.running = 1;
	return 0;
}

void hpcp_watch_stop(void)
{
	unsigned char wake = 0;

	if (!w.running)
		return;
	atomic_store(&w.stopping, 1);
	if (write(w.pipe_w, &wake, 1) < 0) {
		/* The thread also wakes by itself within 200 ms. */
	}
	pthread_join(w.thread, NULL);
	w.running = 0;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	close(w.pipe_r);
	close(w.pipe_w);
	w.pipe_r = w.pipe_w = -1;
	if (w.main_schedstat_fd >= 0)
		close(w.main_schedstat_fd);
	w.main_schedstat_fd = -1;
}
