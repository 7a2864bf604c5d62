/*
 * The preflight checks' judges (src/pfcheck.c) on made-up values, each
 * verdict reached both ways; the readers on fake trees (devices, an FSx
 * path); the metadata client (src/imds.c) against tests/imds_server.py on
 * 127.0.0.1 in every mode it has, and its response parser on hand-written
 * answers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hpcp/imds.h"
#include "hpcp/interfere.h"
#include "hpcp/pfcheck.h"
#include "tap.h"

static struct hpcp_pf_check c, cs[4];

static int is(int status, const char *name)
{
	int ok = c.status == status;

	if (!ok)
		printf("# %s: got %s (%s)\n", name, hpcp_pf_status_name(c.status),
		       c.value);
	return tap_ok(ok, "%s: %s (%s)", name, hpcp_pf_status_name(status),
		      c.value);
}

static void instance(struct hpcp_pf_instance *in, const char *type)
{
	memset(in, 0, sizeof(*in));
	if (type) {
		snprintf(in->type, sizeof(in->type), "%s", type);
		in->known = 1;
	}
}

static void judges(void)
{
	struct hpcp_pf_instance in;

	instance(&in, "c5n.18xlarge");
	hpcp_pf_check_efa_adapters(1, &in, &c);
	is(HPCP_PF_PASS, "efa.adapters: 1 on c5n.18xlarge");
	instance(&in, "p4d.24xlarge");
	hpcp_pf_check_efa_adapters(2, &in, &c);
	is(HPCP_PF_FAIL, "efa.adapters: 2 of p4d.24xlarge's 4");
	tap_ok(strstr(c.fix, "NetworkCardIndex 0..3") != NULL,
	       "its fix names the network cards: %s", c.fix);
	instance(&in, NULL);
	hpcp_pf_check_efa_adapters(0, &in, &c);
	is(HPCP_PF_SKIP, "efa.adapters: none, off EC2");
	tap_ok(hpcp_pf_efa_expected("nosuch.type") == -1 &&
	       hpcp_pf_efa_expected("p5.48xlarge") == 32,
	       "unknown instance type: -1; p5.48xlarge: 32");

	hpcp_pf_check_provider(0, "efa", "", 1, &c);
	is(HPCP_PF_PASS, "efa.provider: efa");
	hpcp_pf_check_provider(0, "tcp;ofi_rxm", "EFA was not found", 1, &c);
	is(HPCP_PF_FAIL, "efa.provider: tcp with EFA present");
	tap_ok(strstr(c.fix, "AND to itself") != NULL,
	       "the fall-back's fix is the self-referencing egress rule");
	hpcp_pf_check_provider(0, "tcp;ofi_rxm", "", 0, &c);
	is(HPCP_PF_SKIP, "efa.provider: tcp without EFA");

	hpcp_pf_check_mpi(1, "cm", "ofi", "", 1, 1, &c);
	is(HPCP_PF_PASS, "mpi.transport: cm/ofi");
	hpcp_pf_check_mpi(1, "ob1", "", "self,tcp,vader", 1, 1, &c);
	is(HPCP_PF_FAIL, "mpi.transport: ob1 over tcp between EFA nodes");
	tap_ok(strstr(c.value, "over TCP") && strstr(c.fix, "egress"),
	       "names TCP and the security group");
	hpcp_pf_check_mpi(1, "ob1", "", "self,vader", 0, 1, &c);
	is(HPCP_PF_PASS, "mpi.transport: ob1 without EFA");
	hpcp_pf_check_mpi(0, "", "", "", 1, 1, &c);
	is(HPCP_PF_SKIP, "mpi.transport: not Open MPI");

	hpcp_pf_check_memlock(UINT64_MAX, 1, &c);
	is(HPCP_PF_PASS, "limits.memlock unlimited");
	hpcp_pf_check_memlock(8 << 20, 1, &c);
	is(HPCP_PF_FAIL, "limits.memlock 8 MiB with EFA");
	hpcp_pf_check_memlock(8 << 20, 0, &c);
	is(HPCP_PF_WARN, "limits.memlock 8 MiB without EFA");

	hpcp_pf_check_shm(0, 64ull << 20, &c);
	is(HPCP_PF_FAIL, "limits.shm 64 MiB (Docker's default)");
	hpcp_pf_check_shm(0, 512ull << 20, &c);
	is(HPCP_PF_WARN, "limits.shm 512 MiB");
	hpcp_pf_check_shm(0, 8ull << 30, &c);
	is(HPCP_PF_PASS, "limits.shm 8 GiB");
	hpcp_pf_check_shm(-ENOENT, 0, &c);
	is(HPCP_PF_FAIL, "limits.shm missing");

	hpcp_pf_check_open_files(1024, 1000, &c);
	is(HPCP_PF_FAIL, "limits.open_files 1024 for 1000 ranks");
	hpcp_pf_check_open_files(1024, 2, &c);
	is(HPCP_PF_WARN, "limits.open_files 1024 for 2 ranks");
	hpcp_pf_check_open_files(65536, 1000, &c);
	is(HPCP_PF_PASS, "limits.open_files 65536 for 1000 ranks");

	hpcp_pf_judge_fstype(HPCP_PF_LUSTRE_MAGIC, &c);
	is(HPCP_PF_PASS, "storage.lustre: the Lustre magic");
	hpcp_pf_judge_fstype(0xEF53, &c);
	is(HPCP_PF_FAIL, "storage.lustre: ext4");
	hpcp_pf_judge_free(512ull << 20, &c);
	is(HPCP_PF_FAIL, "storage.free_space 512 MiB");
	hpcp_pf_judge_free(2ull << 40, &c);
	is(HPCP_PF_PASS, "storage.free_space 2 TiB");
}

static void hugepages(void)
{
	static const char some[] = "MemTotal:       24000000 kB\n"
				   "HugePages_Total:      16\n"
				   "HugePages_Free:        4\n"
				   "HugePages_Rsvd:        0\n"
				   "Hugepagesize:       2048 kB\n";
	static const char used[] = "HugePages_Total: 16\nHugePages_Free: 0\n"
				   "Hugepagesize: 2048 kB\n";
	static const char none[] = "HugePages_Total: 0\nHugePages_Free: 0\n"
				   "Hugepagesize: 2048 kB";
	static const char *const bad[] = {
		"HugePages_Total: 16\nHugePages_Free: 17\nHugepagesize: 2048 kB\n",
		"HugePages_Total: x\nHugePages_Free: 0\nHugepagesize: 2048 kB\n",
		"HugePages_Total: 16\nHugepagesize: 2048 kB\n",
		"HugePages_Total: 16\nHugePages_Free: 4 MB\nHugepagesize: 2048 kB\n",
		"HugePages_Total: 99999999999999999999\nHugePages_Free: 0\n"
		"Hugepagesize: 2048 kB\n",
		"",
	};
	struct hpcp_pf_hugepages h;
	int rc;

	rc = hpcp_pf_parse_meminfo(some, sizeof(some) - 1, &h);
	tap_ok(rc == 0 && h.total == 16 && h.free == 4 && h.size_kb == 2048,
	       "meminfo: 16 hugepages, 4 free, 2048 kB");
	hpcp_pf_check_hugepages(rc, &h, &c);
	is(HPCP_PF_PASS, "limits.hugepages some free");
	rc = hpcp_pf_parse_meminfo(used, sizeof(used) - 1, &h);
	hpcp_pf_check_hugepages(rc, &h, &c);
	is(HPCP_PF_WARN, "limits.hugepages all in use");
	rc = hpcp_pf_parse_meminfo(none, sizeof(none) - 1, &h);
	hpcp_pf_check_hugepages(rc, &h, &c);
	is(HPCP_PF_PASS, "limits.hugepages none configured");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(hpcp_pf_parse_meminfo(bad[i], strlen(bad[i]), &h) ==
			       -EPROTO,
		       "malformed meminfo %zu refused", i);
	hpcp_pf_check_hugepages(-EPROTO, &h, &c);
	is(HPCP_PF_SKIP, "limits.hugepages unreadable: a reason");
}

static const char *fake_env(const char *name, void *arg)
{
	const char *const *kv = arg;

	for (; kv[0]; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static void job(void)
{
	const char *batch[] = { "AWS_BATCH_JOB_NUM_NODES", "4", NULL };
	const char *slurm[] = { "SLURM_JOB_NUM_NODES", "2", "SLURM_NTASKS",
				"16", NULL };
	const char *step[] = { "SLURM_JOB_NUM_NODES", "4", "SLURM_NTASKS",
			       "32", "SLURM_STEP_NUM_NODES", "2",
			       "SLURM_STEP_NUM_TASKS", "16", NULL };
	const char *none[] = { NULL };
	const char *hosts[] = { "a", "b", "c", "d" };
	const char *same[] = { "1.0", "1.0", "1.0", "1.0" };
	const char *odd[] = { "1.0", "1.0", "2.0", "1.0" };
	const char *unk[] = { "", "", "", "" };
	const char *group[] = { "pg", "pg", "pg", "pg" };
	const char *spot[] = { "on-demand", "spot", "on-demand", "on-demand" };
	double off[] = { 0, 2e5, -3e5, 1e5 }, unc[] = { 0, 1e4, 1e4, 1e4 };
	double far[] = { 0, 2e5, -5e6, 1e5 }, vague[] = { 0, 9e5, 0, 0 };
	double vunc[] = { 0, 2e5, 1e4, 1e4 };

	hpcp_pf_check_scheduler(fake_env, batch, 4, 4, &c);
	is(HPCP_PF_PASS, "job.scheduler: Batch 4 nodes, MPI 4");
	hpcp_pf_check_scheduler(fake_env, batch, 3, 3, &c);
	is(HPCP_PF_FAIL, "job.scheduler: Batch 4 nodes, MPI 3");
	hpcp_pf_check_scheduler(fake_env, slurm, 16, 2, &c);
	is(HPCP_PF_PASS, "job.scheduler: Slurm 2 x 8");
	hpcp_pf_check_scheduler(fake_env, slurm, 8, 2, &c);
	is(HPCP_PF_FAIL, "job.scheduler: Slurm 16 tasks, MPI 8 ranks");
	hpcp_pf_check_scheduler(fake_env, step, 16, 2, &c);
	is(HPCP_PF_PASS, "job.scheduler: the step's counts win");
	hpcp_pf_check_scheduler(fake_env, none, 2, 1, &c);
	is(HPCP_PF_SKIP, "job.scheduler: mpirun alone");

	hpcp_pf_check_same("job.v", "version", same, hosts, 4, &c);
	is(HPCP_PF_PASS, "same version on 4 nodes");
	hpcp_pf_check_same("job.v", "version", odd, hosts, 4, &c);
	is(HPCP_PF_FAIL, "one node differs");
	tap_ok(strstr(c.value, "c: 2.0") && !strstr(c.value, "a: "),
	       "the odd host is named, the others not: %s", c.value);
	hpcp_pf_check_same("job.v", "version", unk, hosts, 4, &c);
	is(HPCP_PF_SKIP, "unknown everywhere");
	hpcp_pf_check_group(group, hosts, 4, &c);
	is(HPCP_PF_PASS, "one placement group");
	hpcp_pf_check_group(unk, hosts, 4, &c);
	is(HPCP_PF_WARN, "no placement group");
	hpcp_pf_check_group(odd, hosts, 4, &c);
	is(HPCP_PF_FAIL, "two placement groups");
	hpcp_pf_check_lifecycle(spot, hosts, 4, &c);
	is(HPCP_PF_WARN, "a Spot node in a multi-node job");
	tap_ok(strstr(c.value, "b: spot") != NULL, "named: %s", c.value);
	hpcp_pf_check_lifecycle(group, hosts, 1, &c);
	is(HPCP_PF_PASS, "one node");

	hpcp_pf_check_clocks(off, unc, hosts, 4, &c);
	is(HPCP_PF_PASS, "clocks within 0.3 ms");
	hpcp_pf_check_clocks(far, unc, hosts, 4, &c);
	is(HPCP_PF_FAIL, "a clock 5 ms off");
	tap_ok(strstr(c.value, "c: -5.000 ms") != NULL, "named: %s", c.value);
	hpcp_pf_check_clocks(vague, vunc, hosts, 4, &c);
	is(HPCP_PF_WARN, "0.9 ms +- 0.2 ms: cannot be judged");
	hpcp_pf_check_clocks(off, unc, hosts, 1, &c);
	is(HPCP_PF_SKIP, "one node: no clock to compare");
}

static void instance_fields(void)
{
	static const struct {
		char kind;
		const char *text;
		int ok;
	} cases[] = {
		{ 't', "c5n.18xlarge", 1 }, { 't', "hpc7g.16xlarge", 1 },
		{ 't', "C5N.18xlarge", 0 }, { 't', "c5n", 0 },
		{ 't', "c5n.", 0 }, { 't', ".large", 0 },
		{ 't', "a.b.c", 0 }, { 't', "c5n 18xlarge", 0 },
		{ 't', "c5n.18xlarge-and-a-very-long-tail-past-39", 0 },
		{ 'z', "us-east-1a", 1 }, { 'z', "", 0 }, { 'z', "us east", 0 },
		{ 'l', "spot", 1 }, { 'l', "on-demand", 1 }, { 'l', "Spot!", 0 },
		{ 'g', "hpcprobe-pg", 1 }, { 'g', "a b", 0 },
		{ 'g', "tab\there", 0 },
	};
	struct hpcp_pf_instance in;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		memset(&in, 0, sizeof(in));
		rc = hpcp_pf_instance_field(&in, cases[i].kind, cases[i].text,
					    strlen(cases[i].text));
		tap_ok((rc == 0) == cases[i].ok, "%c '%s' %s", cases[i].kind,
		       cases[i].text, cases[i].ok ? "kept" : "refused");
	}
	memset(&in, 0, sizeof(in));
	tap_ok(hpcp_pf_instance_field(&in, 't', "c5n.x\0large", 11) ==
		       -EPROTO && in.type[0] == '\0',
	       "a NUL inside an answer is refused");
	instance(&in, NULL);
	snprintf(in.reason, sizeof(in.reason), "token: timed out");
	hpcp_pf_check_instance(&in, 1, &c);
	is(HPCP_PF_FAIL, "instance.metadata silent with EFA adapters");
	tap_ok(strstr(c.fix, "HopLimit=2") != NULL, "fix: the hop limit");
	hpcp_pf_check_instance(&in, 0, &c);
	is(HPCP_PF_SKIP, "instance.metadata silent off EC2");
}

/* Fake /dev: infiniband/uverbs* as files, a dangling link. */
static void devices(const char *tmp)
{
	char root[512], path[600];

	snprintf(root, sizeof(root), "%s/dev", tmp);
	mkdir(root, 0755);
	hpcp_pf_check_uverbs(root, 0, 0, &c);
	is(HPCP_PF_SKIP, "efa.devices: none, no EFA");
	hpcp_pf_check_uverbs(root, 1, 1, &c);
	is(HPCP_PF_FAIL, "efa.devices: none, one adapter");
	snprintf(path, sizeof(path), "%s/infiniband", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/infiniband/uverbs0", root);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	hpcp_pf_check_uverbs(root, 1, 1, &c);
	is(HPCP_PF_PASS, "efa.devices: uverbs0 for one adapter");
	hpcp_pf_check_uverbs(root, 2, 1, &c);
	is(HPCP_PF_FAIL, "efa.devices: uverbs0 for two adapters");
	snprintf(path, sizeof(path), "%s/infiniband/uverbs1", root);
	tap_ok(symlink("/nonexistent/uverbs1", path) == 0, "a dangling uverbs1");
	hpcp_pf_check_uverbs(root, 2, 1, &c);
	is(HPCP_PF_FAIL, "efa.devices: uverbs1 cannot be opened");
	tap_ok(strstr(c.value, "uverbs1: No such file") != NULL,
	       "the device and why: %s", c.value);
}

static void storage(const char *tmp)
{
	char file[600];

	hpcp_pf_check_storage(NULL, cs);
	tap_ok(cs[0].status == HPCP_PF_SKIP && !cs[1].name[0],
	       "storage: no path, one skip");
	hpcp_pf_check_storage(tmp, cs);
	tap_ok(cs[0].status == HPCP_PF_PASS && cs[1].status == HPCP_PF_FAIL &&
	       cs[2].status == HPCP_PF_PASS && cs[3].status != HPCP_PF_NONE,
	       "storage on a temporary folder: exists, not Lustre (%s), "
	       "writable, free %s", cs[1].value, cs[3].value);
	snprintf(file, sizeof(file), "%s/dev/infiniband/uverbs0", tmp);
	hpcp_pf_check_storage(file, cs);
	tap_ok(cs[0].status == HPCP_PF_FAIL && !cs[1].name[0],
	       "storage on a file: fail (%s)", cs[0].value);
	hpcp_pf_check_storage("/nonexistent/fsx", cs);
	tap_ok(cs[0].status == HPCP_PF_FAIL &&
	       strstr(cs[0].value, "No such file"),
	       "storage missing: fail (%s)", cs[0].value);
}

static void parser(void)
{
	static const struct {
		const char *resp;
		int status;
		const char *body;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200,
		  "hello" },
		{ "HTTP/1.0 200 OK\r\n\r\nto the end", 200, "to the end" },
		{ "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404,
		  "" },
		{ "HTTP/1.1 200 OK\r\ncontent-length:  3 \r\n\r\nabcdef", 200,
		  "abc" },
		{ "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", 200, "ok" },
		{ "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 200, "ok" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", -EPROTO,
		  NULL },
		{ "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nok", -EPROTO,
		  NULL },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3"
		  "\r\n\r\nokk", -EPROTO, NULL },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
		  -EPROTO, NULL },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok"
		  "\r\n0\r\n\r\n", -EPROTO, NULL },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", -EPROTO, NULL },
		{ "SSH-2.0-OpenSSH_9.2\r\n\r\n", -EPROTO, NULL },
		{ "HTTP/1.1 20 OK\r\n\r\n", -EPROTO, NULL },
		{ "HTTP/1.1 099 OK\r\n\r\n", -EPROTO, NULL },
		{ "HTTP/1.1 200OK\r\n\r\n", -EPROTO, NULL },
		{ "", -EPROTO, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *body = NULL;
		size_t blen = 0;
		int rc = hpcp_imds_parse_response(cases[i].resp,
						  strlen(cases[i].resp), &body,
						  &blen);
		int ok = rc == cases[i].status &&
			 (!cases[i].body || (blen == strlen(cases[i].body) &&
					     memcmp(body, cases[i].body,
						    blen) == 0));

		tap_ok(ok, "response %zu: %d (got %d)", i, cases[i].status, rc);
	}
}

static pid_t server;
static char sent_file[640];   /* the server's PORTFILE.sent */

static void server_stop(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	server = 0;
}

/* tests/imds_server.py MODE on a free port; HPCPROBE_IMDS_ENDPOINT set. */
static int server_start(const char *tmp, const char *mode)
{
	static const char script[] = HPCP_TEST_DATADIR "/../imds_server.py";
	char portfile[600], ep[64];
	FILE *f;
	int port = 0;

	snprintf(portfile, sizeof(portfile), "%s/port-%s", tmp, mode);
	unlink(portfile);
	snprintf(sent_file, sizeof(sent_file), "%s.sent", portfile);
	unlink(sent_file);
	server = fork();
	if (server == 0) {
		execl("/usr/bin/python3", "python3", script, mode, portfile,
		      "instance-type=c5n.18xlarge",
		      "availability-zone=us-east-1a",
		      "instance-life-cycle=on-demand", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && server > 0; i++) {
		f = fopen(portfile, "r");
		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
			break;
		}
		usleep(25000);
	}
	if (!port) {
		server_stop();
		return -1;
	}
	snprintf(ep, sizeof(ep), "127.0.0.1:%d", port);
	setenv(HPCP_IMDS_ENV_ENDPOINT, ep, 1);
	return 0;
}

static double secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* When the server last completed an answer (CLOCK_MONOTONIC, s), once
 * every answer it began is complete (waiting up to 10 s for its thread),
 * or -1. */
static double server_sent(void)
{
	for (int tries = 0; tries < 1000; tries++) {
		FILE *f = fopen(sent_file, "r");
		char line[64];
		double t, last = -1;
		int begun = 0, done = 0;

		while (f && fgets(line, sizeof(line), f)) {
			if (line[0] == 'b')
				begun++;
			else if (sscanf(line, "e %lf", &t) == 1) {
				done++;
				last = t;
			}
		}
		if (f)
			fclose(f);
		if (begun > 0 && done == begun)
			return last;
		usleep(10000);
	}
	return -1;
}

/* This thread's time waiting on the run queue so far (s). */
static double runq_s(void)
{
	char buf[128] = "";
	uint64_t ns = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return hpcp_interfere_parse_schedstat(buf, &ns) ? 0 : (double)ns / 1e9;
}

/*
 * How a call that should not wait is judged on a loaded host: from the
 * server's last complete answer to the call's return, under 0.5 s (the
 * timeout is 1 s).  A wall-clock bound on the whole call failed at load
 * 15 under the sanitizers (0.53 s for a 401): the Python server, not the
 * client, was slow to answer.  A call that must time out: at least the
 * 1 s timeout, and at most 1.25 s once this thread's own run-queue wait
 * is taken out.
 */
static int prompt(double end, double *after)
{
	double sent = server_sent();

	*after = sent < 0 ? -1 : end - sent;
	return sent >= 0 && *after < 0.5;
}

static void client(const char *tmp)
{
	static const struct {
		const char *mode;
		int rc, known;
	} modes[] = {
		{ "badvalue", 14, 0 }, { "toolong", -ENOSPC, 0 },
		{ "garbage", -EPROTO, 0 }, { "shortbody", -EPROTO, 0 },
		{ "chunked", -EPROTO, 0 }, { "silent", -ETIMEDOUT, 0 },
		{ "unauth", -EACCES, 0 },
		/* Complete by its length: not waited for until closed. */
		{ "keepalive", 12, 1 },
	};
	struct hpcp_pf_instance in;
	char out[256];
	double t0, q0, end, after;
	int rc, fast;

	if (access("/usr/bin/python3", X_OK) != 0) {
		tap_ok(1, "# SKIP metadata client: no /usr/bin/python3");
		return;
	}
	if (server_start(tmp, "good") != 0) {
		tap_ok(0, "the metadata server starts");
		return;
	}
	rc = hpcp_imds_get("/latest/meta-data/instance-type", out,
			   sizeof(out));
	tap_ok(rc == 12 && strcmp(out, "c5n.18xlarge") == 0,
	       "hpcp_imds_get: token, then the instance type (%d, %s)", rc,
	       rc > 0 ? out : hpcp_imds_strerror(rc));
	rc = hpcp_imds_get("/latest/meta-data/instance-type", out, 12);
	tap_ok(rc == -ENOSPC, "an answer longer than the buffer: -ENOSPC");
	rc = hpcp_imds_get("/latest/meta-data/nosuch", out, sizeof(out));
	tap_ok(rc == -ENOENT, "a missing item: -ENOENT (%d)", rc);
	rc = hpcp_imds_get("/latest/meta-data/x\r\nEvil: 1", out, sizeof(out));
	tap_ok(rc == -EINVAL, "a path that would add a header: -EINVAL");
	hpcp_pf_instance_read(&in);
	tap_ok(in.known && strcmp(in.type, "c5n.18xlarge") == 0 &&
	       strcmp(in.az, "us-east-1a") == 0 && !in.group[0] &&
	       strcmp(in.lifecycle, "on-demand") == 0 && !in.reason[0],
	       "the instance: c5n.18xlarge, us-east-1a, no group, on-demand "
	       "(%s)", in.reason);
	server_stop();

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (server_start(tmp, modes[i].mode) != 0) {
			tap_ok(0, "the %s server starts", modes[i].mode);
			continue;
		}
		int silent = modes[i].rc == -ETIMEDOUT;

		t0 = secs();
		q0 = runq_s();
		rc = hpcp_imds_get("/latest/meta-data/instance-type", out,
				   sizeof(out));
		end = secs();
		q0 = runq_s() - q0;
		t0 = end - t0;
		fast = silent ? t0 >= 1.0 && t0 - q0 <= 1.25 :
				prompt(end, &after);
		tap_ok(rc == modes[i].rc && fast,
		       silent ? "%s: %d (%s) in %.3f s, %.2f s of it waiting "
				"for a CPU (got %d)" :
				"%s: %d (%s) in %.3f s, %.2f s after the "
				"server's last answer (got %d)",
		       modes[i].mode, modes[i].rc,
		       hpcp_imds_strerror(modes[i].rc), t0,
		       silent ? q0 : after, rc);
		t0 = secs();
		q0 = runq_s();
		hpcp_pf_instance_read(&in);
		end = secs();
		q0 = runq_s() - q0;
		t0 = end - t0;
		fast = silent ? t0 >= 1.0 && t0 - q0 <= 1.25 :
				prompt(end, &after);
		if (modes[i].known)
			tap_ok(in.known && !in.reason[0] && fast,
			       "%s: the instance known in %.3f s, %.2f s after "
			       "the server's last answer", modes[i].mode, t0,
			       after);
		else
			tap_ok(!in.known && in.reason[0] && fast,
			       "%s: the instance unknown, with the reason, "
			       "in %.3f s: %s", modes[i].mode, t0, in.reason);
		server_stop();
	}
	/* A port nobody listens on: refused at once. */
	setenv(HPCP_IMDS_ENV_ENDPOINT, "127.0.0.1:1", 1);
	t0 = secs();
	q0 = runq_s();
	rc = hpcp_imds_get("/latest/meta-data/instance-type", out, sizeof(out));
	q0 = runq_s() - q0;
	t0 = secs() - t0;
	tap_ok(rc == -ECONNREFUSED && t0 - q0 < 0.5,
	       "nothing listening: refused at once (%.3f s, %.3f s of it "
	       "waiting for a CPU)", t0, q0);
	setenv(HPCP_IMDS_ENV_ENDPOINT, "localhost:80", 1);
	tap_ok(hpcp_imds_get("/x", out, sizeof(out)) == -EINVAL,
	       "an endpoint that is not an IPv4 address: -EINVAL");
	setenv(HPCP_IMDS_ENV_ENDPOINT, "127.0.0.1:99999", 1);
	tap_ok(hpcp_imds_get("/x", out, sizeof(out)) == -EINVAL,
	       "a port out of range: -EINVAL");
	tap_ok(strstr(hpcp_imds_strerror(-ETIMEDOUT), "hop limit") != NULL,
	       "the silent service's reason names the hop limit");
	unsetenv(HPCP_IMDS_ENV_ENDPOINT);
}

int main(void)
{
	char tmp[] = "/tmp/test_pfcheck.XXXXXX", cmd[600];

	if (!mkdtemp(tmp))
		tap_skip_all("no temporary folder");
	judges();
	hugepages();
	job();
	instance_fields();
	devices(tmp);
	storage(tmp);
	parser();
	client(tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		tap_diag("could not remove the temporary folder");
	return tap_done();
}
