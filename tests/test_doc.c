/* The document builder: shape, strict JSON, atomic writes. */
#include "config.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hpcp/ctx.h"
#include "hpcp/report.h"
#include "tap.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static cJSON *path_get(cJSON *root, const char *dotted)
{
	char buf[256];
	cJSON *cur = root;

	snprintf(buf, sizeof(buf), "%s", dotted);
	for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
		cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(tok)) :
					   cJSON_GetObjectItemCaseSensitive(cur, tok);
	return cur;
}

static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
}

static int exists(const char *dir, const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

/* A writer in another process: holds the lock on dir/name until killed. */
static pid_t live_writer(const char *dir, const char *name)
{
	char p[512], c;
	int ready[2];
	pid_t pid;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (pipe(ready) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(p, O_RDWR | O_CREAT, 0600);

		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

/* Temporary files left by killed writers: removed only when the writer is
 * provably gone (its lock free), never a live writer's (issue 19). */
static void test_stale(const char *dir)
{
	char out[512], link_to[512], p[512];
	struct hpcp_stale st;
	pid_t writer;

	snprintf(out, sizeof(out), "%s/out.json", dir);
	touch(dir, "out.json.tmp.AbC123");   /* its writer died */
	touch(dir, "out.json.tmp.abc");      /* not mkstemp's name */
	touch(dir, "out.json.tmp.AbC12!");
	touch(dir, "other.json.tmp.AbC123"); /* another output's */
	snprintf(link_to, sizeof(link_to), "%s/target", dir);
	touch(dir, "target");
	snprintf(p, sizeof(p), "%s/out.json.tmp.Sym123", dir);
	tap_ok(symlink(link_to, p) == 0, "a link named like a temporary file");
	writer = live_writer(dir, "out.json.tmp.Live01");
	tap_ok(writer > 0, "a live writer holds its temporary file's lock");

	tap_ok(hpcp_output_stale(out, &st) == 0, "stale files looked for");
	tap_is_int(st.removed, 1, "the dead writer's file removed");
	tap_ok(!exists(dir, "out.json.tmp.AbC123") &&
	       strstr(st.removed_name, "out.json.tmp.AbC123"),
	       "it is gone, and named: %s", st.removed_name);
	tap_is_int(st.live, 1, "the live writer's file counted as live");
	tap_ok(exists(dir, "out.json.tmp.Live01"), "and left in place");
	tap_is_int(st.unknown, 1, "the link: cannot tell, left");
	tap_ok(exists(dir, "out.json.tmp.Sym123") && exists(dir, "target"),
	       "the link and its target left");
	tap_ok(exists(dir, "out.json.tmp.abc") &&
	       exists(dir, "out.json.tmp.AbC12!") &&
	       exists(dir, "other.json.tmp.AbC123"),
	       "names that are not out.json's temporary files left");

	/* The writer killed mid-write: the kernel drops its lock. */
	if (writer > 0) {
		kill(writer, SIGKILL);
		waitpid(writer, NULL, 0);
	}
	tap_ok(hpcp_output_stale(out, &st) == 0 && st.removed == 1 &&
	       st.live == 0 && !exists(dir, "out.json.tmp.Live01"),
	       "once its writer is killed, its file is removed");
	tap_ok(hpcp_output_stale("-", &st) == 0 && st.removed == 0,
	       "stdout has no temporary files");

	const char *left[] = { "out.json.tmp.abc", "out.json.tmp.AbC12!",
			       "other.json.tmp.AbC123", "out.json.tmp.Sym123",
			       "target", NULL };
	for (int i = 0; left[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, left[i]);
		unlink(p);
	}
}

static void fake_ctx(struct hpcp_ctx *ctx, struct hpcp_rank_info *ranks,
		     struct hpcp_host_info *hosts, struct hpcp_host_topo *topo)
{
	char err[256];
	char *argv[] = { "hpcprobe", "--sizes", "8,1k", NULL };

	memset(ctx, 0, sizeof(*ctx));
	hpcp_opt_parse(3, argv, &ctx->cfg, err, sizeof(err));
	ctx->size = 2;
	ctx->n_nodes = 1;
	ctx->ranks = ranks;
	ctx->hosts = hosts;
	ctx->host_topo = topo;
	snprintf(ctx->mpi_library, sizeof(ctx->mpi_library), "Test MPI 1.0");
	ctx->mpi_version = 3;
	ctx->mpi_subversion = 1;
	ctx->launcher.kind = HPCP_LAUNCHER_SLURM;
	ctx->launcher.n_ids = 1;
	ctx->launcher.ids[0].key = "job_id";
	snprintf(ctx->launcher.ids[0].value, 16, "42");
	memset(ranks, 0, 2 * sizeof(*ranks));
	ranks[0].rank = 0;
	ranks[1].rank = 1;
	ranks[0].cpuset = "0";
	ranks[1].cpuset = "1";
	memset(hosts, 0, sizeof(*hosts));
	snprintf(hosts[0].name, sizeof(hosts[0].name), "node\"1");
	hosts[0].n_ranks = 2;
	memset(topo, 0, sizeof(*topo));
	topo->valid = 1;
	topo->pus = 2;
	topo->memory_bytes = 25769803776ull;
}

int main(void)
{
	char dir[] = "/tmp/hpcp-test-report.XXXXXX";
	char path[512], err[256];
	struct hpcp_rank_info ranks[2];
	struct hpcp_host_info hosts[1];
	struct hpcp_host_topo topo;
	struct hpcp_ctx ctx;
	struct hpcp_doc *doc;
	struct hpcp_res *ph, *arr;
	char *argv[] = { "hpcprobe", "--weird\"arg\\", NULL };
	cJSON *root;
	char *text;

	if (!mkdtemp(dir))
		tap_skip_all("cannot make a temporary directory");
	snprintf(path, sizeof(path), "%s/out.json", dir);

	doc = hpcp_doc_new(2, argv);
	tap_ok(doc != NULL, "document created");
	fake_ctx(&ctx, ranks, hosts, &topo);
	hpcp_doc_set_context(doc, &ctx);
	ph = hpcp_doc_phase(doc, "demo");
	hpcp_res_int(ph, "count", 7);
	hpcp_res_double(ph, "nan_value_s", NAN);
	hpcp_res_double(ph, "inf_value_s", INFINITY);
	hpcp_res_int(ph, "big_bytes", 9007199254740992ll);
	hpcp_res_int(ph, "counter_bytes", 123456789012345678ll);
	arr = hpcp_res_array(ph, "warnings");
	hpcp_res_str(arr, NULL, "host x is oversubscribed");
	hpcp_res_int(NULL, "ignored", 1);  /* NULL parents are harmless */
	hpcp_res_str(ph, "latin1", "caf\xe9 \xc3\xa9t\xc3\xa9 \xed\xa0\x80");
	/* Keys too (an environment or counter file name, issue 19). */
	hpcp_res_str(ph, "key\xc0\xaf\xf4\x90\x80\x80", "v");
	hpcp_doc_phase_done(doc, "demo", HPCP_PHASE_OK, NULL, 0.5);
	hpcp_doc_phase(doc, "broken");
	hpcp_doc_phase_done(doc, "broken", HPCP_PHASE_FAILED,
			    "rank 1 (node2): peer lost", 0.1);
	hpcp_doc_finish(doc, HPCP_RUN_PARTIAL, 1, 1.25);

	tap_ok(hpcp_doc_write(doc, path, err, sizeof(err)) == 0,
	       "document written: %s", err);
	tap_is_int(files_in(dir), 1, "only the target is left, no temporary");
	text = slurp(path);
	root = text ? cJSON_Parse(text) : NULL;
	tap_ok(root != NULL, "written file is valid JSON");
	tap_ok(text && !strstr(text, "NaN") && !strstr(text, "Infinity") &&
	       !strstr(text, ":\tnan") && !strstr(text, ":\tinf"),
	       "no NaN or Infinity in the text");
	tap_is_str(cJSON_GetStringValue(path_get(root, "schema.name")),
		   HPCP_SCHEMA_NAME, "schema.name");
	tap_is_str(cJSON_GetStringValue(path_get(root, "schema.version")),
		   HPCP_SCHEMA_VERSION, "schema.version");
	tap_is_str(cJSON_GetStringValue(path_get(root, "status")), "partial",
		   "status as finished");
	tap_is_str(cJSON_GetStringValue(path_get(root, "run.argv.1")),
		   "--weird\"arg\\", "argv with quotes and backslash survives");
	tap_ok(cJSON_IsTrue(path_get(root, "run.complete")), "run.complete");
	{
		const char *t = cJSON_GetStringValue(
			path_get(root, "run.finished_utc"));

		tap_ok(t && strlen(t) == 24 && t[23] == 'Z',
		       "finished_utc is UTC with Z: %s", t ? t : "(null)");
	}
	tap_ok(cJSON_IsNull(path_get(root, "phases.demo.nan_value_s")),
	       "NaN stored as null");
	tap_ok(cJSON_IsNull(path_get(root, "phases.demo.inf_value_s")),
	       "Infinity stored as null");
	tap_ok(path_get(root, "phases.demo.big_bytes") &&
	       path_get(root, "phases.demo.big_bytes")->valuedouble ==
		       9007199254740992.0,
	       "2^53 survives exactly");
	tap_ok(text && strstr(text, "123456789012345678"),
	       "a 64-bit counter is written with every digit");
	tap_is_str(cJSON_GetStringValue(path_get(root, "phases.demo.status")),
		   "ok", "phase status ok");
	tap_ok(path_get(root, "phases.demo.reason") == NULL,
	       "an ok phase has no reason");
	tap_is_str(cJSON_GetStringValue(path_get(root, "phases.broken.status")),
		   "failed", "failed phase status");
	tap_is_str(cJSON_GetStringValue(path_get(root, "phases.broken.reason")),
		   "rank 1 (node2): peer lost", "failed phase keeps its reason");
	tap_is_str(cJSON_GetStringValue(path_get(root, "warnings.0")),
		   "demo: host x is oversubscribed",
		   "phase warnings reach the top-level list");
	tap_is_str(cJSON_GetStringValue(path_get(root, "context.launcher")),
		   "slurm", "context.launcher");
	tap_is_str(cJSON_GetStringValue(path_get(root, "context.job.job_id")),
		   "42", "context.job.job_id");
	tap_ok(cJSON_GetNumberValue(path_get(root, "context.mpi.ranks")) == 2,
	       "context.mpi.ranks");
	tap_is_str(cJSON_GetStringValue(path_get(root, "context.hosts.0.name")),
		   "node\"1", "host name with a quote survives");
	tap_ok(cJSON_GetNumberValue(path_get(
		       root, "context.hosts.0.topology.memory_bytes")) ==
		       25769803776.0,
	       "memory beyond 32 bits is exact");
	tap_is_str(cJSON_GetStringValue(path_get(root, "context.ranks.1.cpuset")),
		   "1", "rank 1's cpuset");
	tap_ok(cJSON_GetArraySize(path_get(root, "run.config.sizes_bytes")) == 2,
	       "config echo has the sizes in bytes");
	tap_ok(cJSON_IsString(path_get(root, "run.config.iterations")),
	       "config echo says an unset option is per phase");
	tap_ok(cJSON_IsArray(path_get(root, "checks")), "checks is a list");
	tap_is_str(cJSON_GetStringValue(path_get(root, "phases.demo.latin1")),
		   "caf? \xc3\xa9t\xc3\xa9 ???",
		   "invalid UTF-8 becomes '?', valid UTF-8 stays");
	tap_is_str(cJSON_GetStringValue(path_get(root, "phases.demo.key??????")),
		   "v", "an ill-formed key: each bad byte becomes '?'");
	cJSON_Delete(root);
	free(text);

	/* A rewrite replaces the file whole. */
	hpcp_doc_finish(doc, HPCP_RUN_OK, 1, 2.0);
	tap_ok(hpcp_doc_write(doc, path, err, sizeof(err)) == 0 &&
	       (text = slurp(path)) && strstr(text, "\"status\":\t\"ok\""),
	       "rewrite replaces the document");
	free(text);

	/* Modes (issue 19): a new file 0666 less the umask, a replaced one
	 * keeps its own; each umask with a new file and three old modes. */
	{
		static const mode_t masks[] = { 022, 077, 027, 002 };
		static const mode_t olds[] = { 0, 0600, 0640, 0664 };
		mode_t saved = umask(022);  /* single-threaded: safe here */
		struct stat st;
		size_t i, j;
		mode_t want;

		for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
			for (j = 0; j < sizeof(olds) / sizeof(olds[0]); j++) {
				unlink(path);
				if (olds[j]) {
					FILE *f = fopen(path, "w");

					if (f)
						fclose(f);
					chmod(path, olds[j]);
				}
				umask(masks[i]);
				want = olds[j] ? olds[j] : 0666 & ~masks[i];
				tap_ok(hpcp_doc_write(doc, path, err,
						      sizeof(err)) == 0 &&
				       stat(path, &st) == 0 &&
				       (st.st_mode & 07777) == want,
				       "umask %03o, %s file: mode %03o",
				       (unsigned)masks[i],
				       olds[j] ? "an existing" : "a new",
				       (unsigned)want);
			}
		umask(saved);
	}

	/* How a run ended, marked in the file: the reason quotes a host
	 * name, which may hold any byte; the phase is new to the file. */
	tap_ok(hpcp_doc_mark_file(path, "interrupted", "gone\xed\xa0\x80",
				  "failed", "rank 1 (n\xff\xfe): lost", 1.0,
				  err, sizeof(err)) == 0 &&
	       (text = slurp(path)) && (root = cJSON_Parse(text)),
	       "marked how the run ended: %s", err);
	tap_is_str(cJSON_GetStringValue(path_get(root, "run.end_reason")),
		   "rank 1 (n\?\?): lost", "end reason: bad bytes become '?'");
	tap_is_str(cJSON_GetStringValue(path_get(root, "phases.gone???.status")),
		   "failed", "a phase name marked: bad bytes become '?'");
	cJSON_Delete(root);
	free(text);

	snprintf(path, sizeof(path), "%s/missing/out.json", dir);
	tap_ok(hpcp_doc_write(doc, path, err, sizeof(err)) < 0 && err[0],
	       "write into a missing directory fails with a reason: %s", err);
	tap_ok(hpcp_output_check(path, "--output", err, sizeof(err)) == -ENOENT &&
	       strstr(err, "--output") && strstr(err, "does not exist"),
	       "output check names the missing directory: %s", err);
	snprintf(path, sizeof(path), "%s/", dir);
	tap_ok(hpcp_output_check(path, "--output", err, sizeof(err)) < 0,
	       "a directory is not an output file");
	tap_ok(hpcp_output_check("-", "--output", err, sizeof(err)) == 0,
	       "- (stdout) is a valid output");
	tap_ok(hpcp_output_check("plain.json", "--output", err, sizeof(err)) == 0,
	       "a file in the current directory is a valid output");
	tap_is_int(files_in(dir), 1, "failed writes leave nothing behind");

	test_stale(dir);
	tap_is_int(files_in(dir), 1, "the stale-file cases leave nothing");

	hpcp_doc_free(doc);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
