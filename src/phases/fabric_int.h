/*
 * The fabric phase's parts: the libfabric all-reduce (fabric_ar.c) runs on
 * the endpoint the phase opened, after the ping-pong.
 */
#ifndef HPCP_PHASES_FABRIC_INT_H
#define HPCP_PHASES_FABRIC_INT_H

#include <stddef.h>
#include <stdint.h>

struct hpcp_ctx;
struct hpcp_fabric;
struct hpcp_res;

/* Test-only: "RANK:ELEMENT" adds 1 to that element of that rank's result
 * after every timed call, so a test sees the check name them. */
#define HPCP_ENV_TEST_FABRIC_AR_CORRUPT "HPCPROBE_TEST_FABRIC_AR_CORRUPT"
/* Test-only: "RANK" stops that rank (SIGSTOP) before the first timed call,
 * so a test sees a silent peer caught by the fabric's waits and the
 * watchdog. */
#define HPCP_ENV_TEST_FABRIC_AR_STOP "HPCPROBE_TEST_FABRIC_AR_STOP"
/* Test-only: "RANK" stops that rank (SIGSTOP) as it enters its first
 * ping-pong, so its peer waits on the fabric, not in the setup's MPI
 * collectives: a test then sees the fabric's own wait limit speak. */
#define HPCP_ENV_TEST_FABRIC_PP_STOP "HPCPROBE_TEST_FABRIC_PP_STOP"

struct hpcp_fabric_ar_job {
	struct hpcp_ctx *ctx;
	struct hpcp_fabric *fab;
	const char *algorithm;     /* "ring", "rd" or "auto" */
	const char *provider;      /* the one in use */
	uint64_t max_msg_size;     /* the provider's */
	int efa_devices;           /* every rank reads EFA counters */
	/* Rank 0: the phase object, its checks and warnings. */
	struct hpcp_res *out, *checks, *warnings;
};

/* Collective: the all-reduce sweep, reported under out's "allreduce".
 * 0, or a negative errno code with the reason in why (a wrong sum names
 * the rank, the element and the iteration). */
int hpcp_fabric_ar_run(const struct hpcp_fabric_ar_job *job, char *why,
		       size_t len);

/* "ring", "rd" or "auto", else -EINVAL with the words for the option. */
int hpcp_fabric_ar_check_option(const char *v, char *err, size_t len);

#endif
