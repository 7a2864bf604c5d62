/*
 * delayline: a point-to-point Ethernet wire with a fixed one-way delay,
 * for tests on kernels without netem.
 *
 * usage: delayline NETNS_A NETNS_B DELAY_US [TAP_NAME]
 *
 * Creates the TAP device TAP_NAME (default dl0) in each of the two network
 * namespaces (/run/netns/NAME) and copies every frame from one to the
 * other DELAY_US microseconds after it arrived.  Both directions are
 * delayed, so a round trip grows by twice the delay.  Runs until killed;
 * the TAP devices vanish with it.  Prints "ready" once both ends exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096
#define FRAME_MAX 2048

struct frame {
	uint64_t due_ns;
	uint16_t len;
	unsigned char data[FRAME_MAX];
};

/* One queue per direction, in arrival order, so due times are sorted. */
struct queue {
	struct frame *slots;
	unsigned head, count;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Open a TAP device inside network namespace ns. */
static int tap_in(const char *ns, const char *name)
{
	char path[256];
	struct ifreq ifr;
	int self, target, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	self = open("/proc/self/ns/net", O_RDONLY);
	target = open(path, O_RDONLY);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
		fprintf(stderr, "delayline: cannot enter %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0) {
		fprintf(stderr, "delayline: cannot create %s in %s: %s\n", name,
			ns, strerror(errno));
		exit(1);
	}
	/* Back home, so the next namespace is entered from a known place. */
	if (setns(self, CLONE_NEWNET) != 0)
		exit(1);
	close(self);
	close(target);
	return fd;
}

static void take(int fd, struct queue *q, uint64_t delay_ns)
{
	for (;;) {
		struct frame *f;
		ssize_t n;

		if (q->count == SLOTS) {
			/* A full queue drops, like a full switch port. */
			unsigned char sink[FRAME_MAX];

			if (read(fd, sink, sizeof(sink)) <= 0)
				return;
			continue;
		}
		f = &q->slots[(q->head + q->count) % SLOTS];
		n = read(fd, f->data, sizeof(f->data));
		if (n <= 0)
			return;
		f->len = (uint16_t)n;
		f->due_ns = now_ns() + delay_ns;
		q->count++;
	}
}

static void give(int fd, struct queue *q, uint64_t now)
{
	while (q->count && q->slots[q->head].due_ns <= now) {
		struct frame *f = &q->slots[q->head];

		if (write(fd, f->data, f->len) < 0 && errno == EAGAIN)
			return;
		q->head = (q->head + 1) % SLOTS;
		q->count--;
	}
}

int main(int argc, char **argv)
{
	struct queue ab = { 0 }, ba = { 0 };
	const char *name = argc > 4 ? argv[4] : "dl0";
	uint64_t delay_ns;
	int a, b;

	if (argc < 4) {
		fprintf(stderr, "usage: delayline NETNS_A NETNS_B DELAY_US "
				"[TAP_NAME]\n");
		return 2;
	}
	delay_ns = strtoull(argv[3], NULL, 10) * 1000ull;
	ab.slots = calloc(SLOTS, sizeof(*ab.slots));
	ba.slots = calloc(SLOTS, sizeof(*ba.slots));
	if (!ab.slots || !ba.slots)
		return 1;
	/* Wake up on time: the default 50 us timer slack would add to D. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	a = tap_in(argv[1], name);
	b = tap_in(argv[2], name);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd p[2] = { { .fd = a, .events = POLLIN },
				       { .fd = b, .events = POLLIN } };
		struct timespec wait = { 0, 100000000 };
		uint64_t now = now_ns(), next = UINT64_MAX;

		give(b, &ab, now);
		give(a, &ba, now);
		if (ab.count)
			next = ab.slots[ab.head].due_ns;
		if (ba.count && ba.slots[ba.head].due_ns < next)
			next = ba.slots[ba.head].due_ns;
		if (next != UINT64_MAX) {
			uint64_t left = next > now ? next - now : 0;

			wait.tv_sec = (time_t)(left / 1000000000ull);
			wait.tv_nsec = (long)(left % 1000000000ull);
		}
		if (ppoll(p, 2, &wait, NULL) > 0) {
			if (p[0].revents & POLLIN)
				take(a, &ab, delay_ns);
			if (p[1].revents & POLLIN)
				take(b, &ba, delay_ns);
		}
	}
	return 0;
}
