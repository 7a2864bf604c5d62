/*
 * The preflight checks (see hpcp/pfcheck.h).  Each judge is a function of
 * what was found, so the unit tests reach every verdict with made-up
 * values; the few readers (devices, statfs, a file written) take their
 * roots from the environment so tests can point them at fake trees.
 */
#include "config.h"

#include "hpcp/pfcheck.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hpcp/imds.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)
/* Below this /dev/shm fails (Docker's and Batch's default is 64 MiB);
 * below the second it warns. */
#define SHM_FAIL_BYTES (256ull << 20)
#define SHM_WARN_BYTES (1ull << 30)
#define FREE_FAIL_BYTES (1ull << 30)
#define NOFILE_WARN 4096

static const char SG_HINT[] =
	"let the security group allow all traffic from AND to itself (an "
	"egress rule to its own id, not only ingress)";

const char *hpcp_pf_status_name(int status)
{
	switch (status) {
	case HPCP_PF_PASS:
		return "pass";
	case HPCP_PF_SKIP:
		return "skip";
	case HPCP_PF_WARN:
		return "warn";
	case HPCP_PF_FAIL:
		return "fail";
	default:
		return "none";
	}
}

__attribute__((format(printf, 4, 5)))
static void set(struct hpcp_pf_check *c, int status, const char *expected,
		const char *fmt, ...)
{
	va_list ap;

	c->status = status;
	snprintf(c->expected, sizeof(c->expected), "%s", expected);
	va_start(ap, fmt);
	vsnprintf(c->value, sizeof(c->value), fmt, ap);
	va_end(ap);
	c->fix[0] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void fix(struct hpcp_pf_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

static void named(struct hpcp_pf_check *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
}

/* --- the instance ---------------------------------------------------------- */

static int all_of(const char *s, size_t len, const char *extra)
{
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) &&
		    (!s[i] || !strchr(extra, s[i])))
			return 0;
	return 1;
}

int hpcp_pf_instance_field(struct hpcp_pf_instance *inst, char kind,
			   const char *text, size_t len)
{
	char *dst;
	size_t cap;
	int ok;

	switch (kind) {
	case 't': {
		const char *dot = memchr(text, '.', len);

		dst = inst->type, cap = sizeof(inst->type);
		ok = dot && dot > text && dot < text + len - 1 &&
		     all_of(text, len, "-.") &&
		     !memchr(dot + 1, '.', len - (size_t)(dot + 1 - text));
		break;
	}
	case 'z':
		dst = inst->az, cap = sizeof(inst->az);
		ok = len > 0 && all_of(text, len, "-");
		break;
	case 'l':
		dst = inst->lifecycle, cap = sizeof(inst->lifecycle);
		ok = len > 0 && all_of(text, len, "-");
		break;
	case 'g':
		dst = inst->group, cap = sizeof(inst->group);
		ok = len > 0;
		for (size_t i = 0; ok && i < len; i++)
			ok = text[i] > ' ' && text[i] <= '~';
		break;
	default:
		return -EINVAL;
	}
	dst[0] = '\0';
	if (!ok || len >= cap)
		return -EPROTO;
	memcpy(dst, text, len);
	dst[len] = '\0';
	return 0;
}

static void note(struct hpcp_pf_instance *inst, const char *what, int rc)
{
	size_t n = strlen(inst->reason);

	snprintf(inst->reason + n, sizeof(inst->reason) - n, "%s%s: %s",
		 n ? "; " : "", what, hpcp_imds_strerror(rc));
}

void hpcp_pf_instance_read(struct hpcp_pf_instance *inst)
{
	static const struct {
		char kind;
		const char *path, *what;
	} items[] = {
		{ 't', "/latest/meta-data/instance-type", "instance type" },
		{ 'z', "/latest/meta-data/placement/availability-zone",
		  "availability zone" },
		{ 'g', "/latest/meta-data/placement/group-name",
		  "placement group" },
		{ 'l', "/latest/meta-data/instance-life-cycle", "life-cycle" },
	};
	struct hpcp_imds s;
	char buf[256];
	int rc;

	memset(inst, 0, sizeof(*inst));
	rc = hpcp_imds_open(&s);
	if (rc) {
		note(inst, "token", rc);
		return;
	}
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		rc = hpcp_imds_fetch(&s, items[i].path, buf, sizeof(buf));
		/* Not in a placement group: the item is absent. */
		if (rc == -ENOENT && items[i].kind == 'g')
			continue;
		if (rc >= 0)
			rc = hpcp_pf_instance_field(inst, items[i].kind, buf,
						    (size_t)rc);
		if (rc < 0)
			note(inst, items[i].what, rc);
		/* Nothing answers: do not spend a second on each item. */
		if (rc == -ETIMEDOUT || rc == -ECONNREFUSED)
			break;
	}
	inst->known = inst->type[0] != '\0';
}

int hpcp_pf_efa_expected(const char *type)
{
	/* EFA-capable network cards per type, from the EC2 user guide's
	 * table of network cards; a type not listed is unknown. */
	static const struct {
		const char *type;
		int efa;
	} known[] = {
		{ "c5n.18xlarge", 1 }, { "c5n.metal", 1 },
		{ "c6gn.16xlarge", 1 }, { "c7gn.16xlarge", 1 },
		{ "hpc6a.48xlarge", 1 }, { "hpc6id.32xlarge", 1 },
		{ "hpc7g.4xlarge", 1 }, { "hpc7g.8xlarge", 1 },
		{ "hpc7g.16xlarge", 1 }, { "hpc7a.96xlarge", 2 },
		{ "p4d.24xlarge", 4 }, { "p4de.24xlarge", 4 },
		{ "p5.48xlarge", 32 }, { "trn1.32xlarge", 8 },
		{ "trn1n.32xlarge", 16 },
		/* Types without EFA that tests and small jobs use. */
		{ "t3.micro", 0 }, { "t3.large", 0 }, { "m5.large", 0 },
		{ "c5.large", 0 }, { "c5.xlarge", 0 },
	};

	if (!type || !*type)
		return -1;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].type, type) == 0)
			return known[i].efa;
	return -1;
}

int hpcp_pf_efa_wanted(int found, const struct hpcp_pf_instance *inst)
{
	return found > 0 ||
	       (inst->known && hpcp_pf_efa_expected(inst->type) > 0);
}

void hpcp_pf_check_instance(const struct hpcp_pf_instance *inst, int found,
			    struct hpcp_pf_check *c)
{
	named(c, "instance.metadata");
	if (inst->known && !inst->reason[0]) {
		set(c, HPCP_PF_PASS, "instance type, zone and life-cycle from "
		    "IMDSv2", "%s in %s, %s, placement group %s", inst->type,
		    inst->az, inst->lifecycle,
		    inst->group[0] ? inst->group : "none");
		return;
	}
	if (inst->known) {
		set(c, HPCP_PF_WARN, "instance type, zone and life-cycle from "
		    "IMDSv2", "%s; %s", inst->type, inst->reason);
		return;
	}
	/* EFA adapters mean EC2: then an unanswered service is a fault. */
	set(c, found > 0 ? HPCP_PF_FAIL : HPCP_PF_SKIP,
	    "instance type, zone and life-cycle from IMDSv2", "%s",
	    inst->reason[0] ? inst->reason : "no answer");
	if (found > 0)
		fix(c, "set the launch template's metadata options "
		       "HttpTokens=required, HttpEndpoint=enabled, "
		       "HttpPutResponseHopLimit=2 (containers)");
}

/* --- EFA -------------------------------------------------------------------- */

void hpcp_pf_check_efa_adapters(int found,
				const struct hpcp_pf_instance *inst,
				struct hpcp_pf_check *c)
{
	int want = inst->known ? hpcp_pf_efa_expected(inst->type) : -1;
	char exp[96];

	named(c, "efa.adapters");
	if (want >= 0)
		snprintf(exp, sizeof(exp), "%d, as %s has", want, inst->type);
	else
		snprintf(exp, sizeof(exp), "at least 1 (instance type %s)",
			 inst->known ? "not in the table" : "unknown");
	if (want > 0 && found < want) {
		set(c, HPCP_PF_FAIL, exp, "%d EFA adapters", found);
		fix(c, "give the launch template one EFA interface per network "
		       "card (InterfaceType efa, NetworkCardIndex 0..%d)",
		    want - 1);
	} else if (want == 0 && found == 0) {
		set(c, HPCP_PF_SKIP, exp, "no EFA adapter: %s has none",
		    inst->type);
	} else if (found > 0) {
		set(c, HPCP_PF_PASS, exp, "%d EFA adapters", found);
	} else {
		set(c, HPCP_PF_SKIP, exp, "no EFA adapter, instance type "
		    "unknown (not on EC2?)");
	}
}

void hpcp_pf_check_uverbs(const char *devroot, int found, int wanted,
			  struct hpcp_pf_check *c)
{
	char dir[512], bad[160] = "";
	int n = 0, usable = 0, dfd;
	struct dirent *d;
	DIR *dp;

	named(c, "efa.devices");
	snprintf(dir, sizeof(dir), "%s/infiniband", devroot);
	dp = opendir(dir);
	while (dp && (d = readdir(dp))) {
		int fd;

		if (strncmp(d->d_name, "uverbs", 6) != 0)
			continue;
		n++;
		dfd = dirfd(dp);
		fd = openat(dfd, d->d_name, O_RDWR | O_CLOEXEC | O_NONBLOCK |
					    O_NOCTTY);
		if (fd >= 0) {
			usable++;
			close(fd);
		} else if (!bad[0]) {
			snprintf(bad, sizeof(bad), "%.64s: %s", d->d_name,
				 strerror(errno));
		}
	}
	if (dp)
		closedir(dp);
	if (n == 0 && !wanted) {
		set(c, HPCP_PF_SKIP, "none without EFA", "no %s/uverbs*",
		    dir);
		return;
	}
	if (n == 0 || usable < n || usable < found) {
		set(c, HPCP_PF_FAIL, "one readable, writable uverbs device "
		    "per EFA adapter", "%d of %d %s/uverbs* usable for %d "
		    "adapters%s%s", usable, n, dir, found, bad[0] ? "; " : "",
		    bad);
		fix(c, "pass every /dev/infiniband/uverbsN into the container "
		       "read-write (job definition linuxParameters.devices)");
		return;
	}
	set(c, HPCP_PF_PASS, "one readable, writable uverbs device per EFA "
	    "adapter", "%d of %d usable", usable, n);
}

void hpcp_pf_check_provider(int rc, const char *provider, const char *note,
			    int wanted, struct hpcp_pf_check *c)
{
	named(c, "efa.provider");
	if (rc == 0 && strcmp(provider, "efa") == 0) {
		set(c, HPCP_PF_PASS, "efa", "efa");
		return;
	}
	if (!wanted) {
		set(c, HPCP_PF_SKIP, "efa when EFA adapters are present",
		    "%s (no EFA here)", rc ? "no RDM provider" : provider);
		return;
	}
	set(c, HPCP_PF_FAIL, "efa", "%s%s%s", rc ? "no RDM provider" : provider,
	    note && *note ? ": " : "", note ? note : "");
	fix(c, "use the EFA installer's libfabric (/opt/amazon/efa), pass the "
	       "uverbs devices, do not force FI_PROVIDER; a fall-back to "
	       "tcp or sockets also needs: %s", SG_HINT);
}

void hpcp_pf_check_mpi(int known, const char *pml, const char *mtl,
		       const char *btls, int wanted, int multi,
		       struct hpcp_pf_check *c)
{
	const char *exp = "pml cm with mtl ofi (EFA) between nodes";

	named(c, "mpi.transport");
	if (!known) {
		set(c, HPCP_PF_SKIP, exp, "Open MPI's components unknown "
		    "(another MPI, or built in)");
		return;
	}
	if (strcmp(pml, "cm") == 0 && strcmp(mtl, "ofi") == 0) {
		set(c, HPCP_PF_PASS, exp, "pml cm, mtl ofi");
		return;
	}
	if (!wanted || !multi) {
		set(c, HPCP_PF_PASS, wanted ? "any within one node" :
		    "any without EFA", "pml %s%s%s, btl %s", pml,
		    mtl[0] ? ", mtl " : "", mtl, btls[0] ? btls : "none");
		return;
	}
	set(c, HPCP_PF_FAIL, exp, "pml %s%s%s, btl %s: inter-node traffic "
	    "%s", pml, mtl[0] ? ", mtl " : "", mtl, btls[0] ? btls : "none",
	    strstr(btls, "tcp") ? "over TCP" : "not over EFA");
	fix(c, "run mpirun --mca pml cm --mca mtl ofi; if EFA then hangs "
	       "(unresponsive receiver) or falls back to TCP, %s", SG_HINT);
}

/* --- limits ----------------------------------------------------------------- */

void hpcp_pf_check_memlock(uint64_t bytes, int wanted,
			   struct hpcp_pf_check *c)
{
	named(c, "limits.memlock");
	if (bytes == UINT64_MAX) {
		set(c, HPCP_PF_PASS, "unlimited", "unlimited");
		return;
	}
	set(c, wanted ? HPCP_PF_FAIL : HPCP_PF_WARN, "unlimited",
	    "%.0f KiB", (double)bytes / 1024);
	fix(c, "job definition ulimits memlock -1/-1 (docker --ulimit "
	       "memlock=-1:-1; ulimit -l unlimited)");
}

void hpcp_pf_check_shm(int rc, uint64_t bytes, struct hpcp_pf_check *c)
{
	const char *exp = "at least 1 GiB (fail below 256 MiB)";

	named(c, "limits.shm");
	if (rc) {
		set(c, HPCP_PF_FAIL, exp, "/dev/shm: %s", strerror(-rc));
	} else if (bytes < SHM_FAIL_BYTES) {
		set(c, HPCP_PF_FAIL, exp, "%.0f MiB", (double)bytes / MIB);
	} else if (bytes < SHM_WARN_BYTES) {
		set(c, HPCP_PF_WARN, exp, "%.0f MiB", (double)bytes / MIB);
	} else {
		set(c, HPCP_PF_PASS, exp, "%.1f GiB", (double)bytes / GIB);
		return;
	}
	fix(c, "job definition linuxParameters.sharedMemorySize (MiB; "
	       "docker --shm-size): Open MPI's shared memory lives there");
}

void hpcp_pf_check_open_files(uint64_t limit, int ranks,
			      struct hpcp_pf_check *c)
{
	/* A few descriptors per peer (TCP out-of-band, sockets) and some
	 * for the process itself. */
	uint64_t need = 64 + 4 * (uint64_t)(ranks > 0 ? ranks : 1);
	char exp[96];

	named(c, "limits.open_files");
	snprintf(exp, sizeof(exp), "at least %llu for %d ranks (%d advised)",
		 (unsigned long long)need, ranks, NOFILE_WARN);
	if (limit == UINT64_MAX) {
		set(c, HPCP_PF_PASS, exp, "unlimited");
		return;
	}
	set(c, limit < need ? HPCP_PF_FAIL : limit < NOFILE_WARN ?
	    HPCP_PF_WARN : HPCP_PF_PASS, exp, "%llu",
	    (unsigned long long)limit);
	if (c->status != HPCP_PF_PASS)
		fix(c, "job definition ulimits nofile (e.g. 65536), or "
		       "ulimit -n");
}

/* "Name:   123 kB" lines; -1 when the line is absent. */
static int meminfo_value(const char *text, size_t len, const char *key,
			 long long *out)
{
	size_t k = strlen(key);
	const char *p = text, *end = text + len;

	*out = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > k && memcmp(p, key, k) == 0 &&
		    p[k] == ':') {
			const char *v = p + k + 1;
			long long x = 0;
			int digits = 0;

			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			for (; v < le && isdigit((unsigned char)*v);
			     v++, digits++) {
				if (x > (1LL << 50))
					return -EPROTO;
				x = x * 10 + (*v - '0');
			}
			if (!digits)
				return -EPROTO;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			if (v < le && !(le - v == 2 && memcmp(v, "kB", 2) == 0))
				return -EPROTO;
			*out = x;
			return 0;
		}
		p = le + 1;
	}
	return 0;
}

int hpcp_pf_parse_meminfo(const char *text, size_t len,
			  struct hpcp_pf_hugepages *h)
{
	if (meminfo_value(text, len, "HugePages_Total", &h->total) ||
	    meminfo_value(text, len, "HugePages_Free", &h->free) ||
	    meminfo_value(text, len, "Hugepagesize", &h->size_kb) ||
	    h->total < 0 || h->free < 0 || h->free > h->total)
		return -EPROTO;
	return 0;
}

void hpcp_pf_check_hugepages(int rc, const struct hpcp_pf_hugepages *h,
			     struct hpcp_pf_check *c)
{
	const char *exp = "some free when configured (libfabric uses them "
			  "for its buffers)";

	named(c, "limits.hugepages");
	if (rc) {
		set(c, HPCP_PF_SKIP, exp, "meminfo unreadable or malformed: %s",
		    strerror(-rc));
	} else if (h->total == 0) {
		set(c, HPCP_PF_PASS, exp, "none configured");
	} else if (h->free == 0) {
		set(c, HPCP_PF_WARN, exp, "all %lld of %lld kB in use",
		    h->total, h->size_kb);
		fix(c, "raise vm.nr_hugepages, or let libfabric use normal "
		       "pages (FI_EFA_USE_HUGE_PAGE=0)");
	} else {
		set(c, HPCP_PF_PASS, exp, "%lld of %lld free (%lld kB each)",
		    h->free, h->total, h->size_kb);
	}
}

/* --- storage ---------------------------------------------------------------- */

static const char *fs_name(unsigned long magic)
{
	switch (magic) {
	case 0xEF53:
		return "ext2/3/4";
	case 0x58465342:
		return "xfs";
	case 0x01021994:
		return "tmpfs";
	case 0x6969:
		return "nfs";
	case 0x794c7630:
		return "overlay";
	case 0x9123683E:
		return "btrfs";
	default:
		return "another file system";
	}
}

void hpcp_pf_judge_fstype(unsigned long magic, struct hpcp_pf_check *c)
{
	named(c, "storage.lustre");
	if (magic == HPCP_PF_LUSTRE_MAGIC) {
		set(c, HPCP_PF_PASS, "lustre (0x0bd00bd0)", "lustre");
		return;
	}
	set(c, HPCP_PF_FAIL, "lustre (0x0bd00bd0)", "%s (0x%lx)",
	    fs_name(magic), magic);
	fix(c, "mount the FSx for Lustre file system there (mount -t lustre "
	       "<dns>@tcp:/<mountname> PATH) or pass its mount into the "
	       "container");
}

void hpcp_pf_judge_free(uint64_t bytes, struct hpcp_pf_check *c)
{
	named(c, "storage.free_space");
	set(c, bytes < FREE_FAIL_BYTES ? HPCP_PF_FAIL : HPCP_PF_PASS,
	    "at least 1 GiB free", "%.2f GiB", (double)bytes / GIB);
	if (c->status == HPCP_PF_FAIL)
		fix(c, "free space, or raise the FSx storage capacity");
}

static void check_writable(const char *path, struct hpcp_pf_check *c)
{
	char name[4096], block[4096];
	int fd, err = 0;

	named(c, "storage.writable");
	if (snprintf(name, sizeof(name), "%s/.hpcprobe-preflight-XXXXXX",
		     path) >= (int)sizeof(name)) {
		set(c, HPCP_PF_FAIL, "a file can be created, written and "
		    "removed", "path too long");
		return;
	}
	memset(block, 0x5a, sizeof(block));
	fd = mkstemp(name);
	if (fd < 0) {
		err = errno;
	} else {
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) ||
		    fsync(fd) != 0)
			err = errno ? errno : EIO;
		if (close(fd) != 0 && !err)
			err = errno;
		if (unlink(name) != 0 && !err)
			err = errno;
	}
	if (err) {
		set(c, HPCP_PF_FAIL, "a file can be created, written and "
		    "removed", "%s", strerror(err));
		fix(c, "mount it read-write (mountPoints readOnly false) and "
		       "give the job's user write access");
		return;
	}
	set(c, HPCP_PF_PASS, "a file can be created, written and removed",
	    "4 KiB written, synced, removed");
}

void hpcp_pf_check_storage(const char *path, struct hpcp_pf_check c[4])
{
	struct statfs fs;
	struct statvfs vfs;
	struct stat st;
	int serr;

	for (int i = 0; i < 4; i++)
		named(&c[i], "");
	named(&c[0], "storage.path");
	if (!path) {
		set(&c[0], HPCP_PF_SKIP, "--preflight-fsx PATH",
		    "no FSx path given");
		return;
	}
	serr = stat(path, &st) != 0 ? errno : 0;
	if (serr || !S_ISDIR(st.st_mode)) {
		set(&c[0], HPCP_PF_FAIL, "an existing folder", "%.160s: %s",
		    path, serr ? strerror(serr) : "not a folder");
		fix(&c[0], "mount FSx for Lustre at that path on every node, "
			   "and into the container (volumes, mountPoints)");
		return;
	}
	set(&c[0], HPCP_PF_PASS, "an existing folder", "%.200s", path);
	if (statfs(path, &fs) == 0) {
		hpcp_pf_judge_fstype((unsigned long)fs.f_type, &c[1]);
	} else {
		named(&c[1], "storage.lustre");
		set(&c[1], HPCP_PF_FAIL, "lustre", "statfs: %s",
		    strerror(errno));
	}
	check_writable(path, &c[2]);
	if (statvfs(path, &vfs) == 0) {
		hpcp_pf_judge_free((uint64_t)vfs.f_bavail * vfs.f_frsize,
				   &c[3]);
	} else {
		named(&c[3], "storage.free_space");
		set(&c[3], HPCP_PF_FAIL, "at least 1 GiB free", "statvfs: %s",
		    strerror(errno));
	}
}

/* --- the job ------------------------------------------------------------------ */

/* A positive integer variable, or -1 (absent), -2 (malformed). */
static long env_count(hpcp_getenv_fn get, void *arg, const char *name)
{
	const char *v = get(name, arg);
	char *end;
	long x;

	if (!v || !*v)
		return -1;
	x = strtol(v, &end, 10);
	return *end || x < 1 || x > 1L << 24 ? -2 : x;
}

void hpcp_pf_check_scheduler(hpcp_getenv_fn get, void *arg, int ranks,
			     int nodes, struct hpcp_pf_check *c)
{
	long n, r;
	char exp[96];

	named(c, "job.scheduler");
	snprintf(exp, sizeof(exp), "the scheduler's counts: %d nodes, %d "
		 "ranks", nodes, ranks);
	n = env_count(get, arg, "AWS_BATCH_JOB_NUM_NODES");
	if (n != -1) {
		if (n == nodes)
			set(c, HPCP_PF_PASS, exp, "AWS Batch: %ld nodes", n);
		else {
			set(c, HPCP_PF_FAIL, exp, "AWS Batch: "
			    "AWS_BATCH_JOB_NUM_NODES=%s, MPI sees %d nodes",
			    get("AWS_BATCH_JOB_NUM_NODES", arg), nodes);
			fix(c, "give mpirun every node's address (the "
			       "entrypoint's hostfile) and one slot set per "
			       "node");
		}
		return;
	}
	/* srun sets the step's counts; mpirun in an allocation, the job's. */
	n = env_count(get, arg, "SLURM_STEP_NUM_NODES");
	r = env_count(get, arg, "SLURM_STEP_NUM_TASKS");
	if (n == -1)
		n = env_count(get, arg, "SLURM_JOB_NUM_NODES");
	if (r == -1)
		r = env_count(get, arg, "SLURM_NTASKS");
	if (n == -1 && r == -1) {
		set(c, HPCP_PF_SKIP, exp, "no AWS Batch or Slurm variables");
		return;
	}
	if (n == -2 || r == -2) {
		set(c, HPCP_PF_WARN, exp, "Slurm variables malformed");
		return;
	}
	if ((n > 0 && n != nodes) || (r > 0 && r != ranks)) {
		set(c, HPCP_PF_FAIL, exp, "Slurm: %ld nodes, %ld tasks; MPI "
		    "sees %d nodes, %d ranks", n, r, nodes, ranks);
		fix(c, "srun --mpi=pmix with -N and --ntasks-per-node as "
		       "allocated (or mpirun without a host list inside the "
		       "allocation)");
		return;
	}
	set(c, HPCP_PF_PASS, exp, "Slurm: %ld nodes, %ld tasks", n, r);
}

/* Append "; host: value" to buf while it fits. */
static void list_add(char *buf, size_t len, const char *host,
		     const char *value, int *listed, int *more)
{
	size_t n = strlen(buf);
	int w;

	if (*more) {
		(*more)++;
		return;
	}
	w = snprintf(buf + n, len - n, "; %s: %s", host,
		     value[0] ? value : "unknown");
	if (w < 0 || (size_t)w >= len - n - 24) {
		buf[n] = '\0';
		(*more)++;
		return;
	}
	(*listed)++;
}

void hpcp_pf_check_same(const char *name, const char *what,
			const char *const *values, const char *const *hosts,
			int n, struct hpcp_pf_check *c)
{
	int best = -1, best_count = 0, known = 0, listed = 0, more = 0;
	char exp[96];

	named(c, name);
	snprintf(exp, sizeof(exp), "the same %s on every node", what);
	/* The most common value is the reference (O(n^2) over nodes is
	 * fine: a handful of strings each). */
	for (int i = 0; i < n; i++) {
		int count = 0;

		if (!values[i][0])
			continue;
		known++;
		for (int j = 0; j < n; j++)
			count += strcmp(values[i], values[j]) == 0;
		if (count > best_count)
			best = i, best_count = count;
	}
	if (!known) {
		set(c, HPCP_PF_SKIP, exp, "unknown on every node");
		return;
	}
	if (best_count == n) {
		set(c, HPCP_PF_PASS, exp, "%s on %d node%s", values[best], n,
		    n == 1 ? "" : "s");
		return;
	}
	set(c, HPCP_PF_FAIL, exp, "%s on %d of %d nodes", values[best],
	    best_count, n);
	for (int i = 0; i < n; i++)
		if (strcmp(values[i], values[best]) != 0)
			list_add(c->value, sizeof(c->value), hosts[i],
				 values[i], &listed, &more);
	if (more) {
		size_t l = strlen(c->value);

		snprintf(c->value + l, sizeof(c->value) - l,
			 "; and %d more", more);
	}
	fix(c, "run one image (or module) and one instance type on every "
	       "node of the job");
}

void hpcp_pf_check_group(const char *const *groups, const char *const *hosts,
			 int n, struct hpcp_pf_check *c)
{
	int none = 0;

	hpcp_pf_check_same("job.placement_group", "cluster placement group",
			   groups, hosts, n, c);
	snprintf(c->name, sizeof(c->name), "job.placement_group");
	for (int i = 0; i < n; i++)
		none += !groups[i][0];
	if (n < 2) {
		c->status = HPCP_PF_SKIP;
		snprintf(c->value, sizeof(c->value), "one node");
		c->fix[0] = '\0';
	} else if (none == n) {
		c->status = HPCP_PF_WARN;
		snprintf(c->value, sizeof(c->value), "no placement group on "
			 "any node (or the instance type is unknown)");
		snprintf(c->fix, sizeof(c->fix), "launch into a cluster "
			 "placement group (the compute environment's "
			 "placementGroup)");
	}
}

void hpcp_pf_check_lifecycle(const char *const *cycles,
			     const char *const *hosts, int n,
			     struct hpcp_pf_check *c)
{
	int spot = 0, listed = 0, more = 0;

	named(c, "job.life_cycle");
	for (int i = 0; i < n; i++)
		spot += strcmp(cycles[i], "spot") == 0;
	if (n < 2 || !spot) {
		int known = 0;

		for (int i = 0; i < n; i++)
			known += cycles[i][0] != 0;
		set(c, known ? HPCP_PF_PASS : HPCP_PF_SKIP,
		    "on-demand for a multi-node job", "%s",
		    known ? (spot ? "spot, one node" : "no Spot node") :
			    "unknown");
		return;
	}
	set(c, HPCP_PF_WARN, "on-demand for a multi-node job",
	    "%d of %d nodes Spot (a reclaim ends the whole job)", spot, n);
	for (int i = 0; i < n; i++)
		if (strcmp(cycles[i], "spot") == 0)
			list_add(c->value, sizeof(c->value), hosts[i],
				 "spot", &listed, &more);
	fix(c, "run multi-node jobs on an On-Demand compute environment "
	       "(AWS Batch multi-node jobs cannot use Spot)");
}

void hpcp_pf_check_clocks(const double *offset_ns, const double *unc_ns,
			  const char *const *hosts, int n,
			  struct hpcp_pf_check *c)
{
	double worst = 0, worst_unc = 0;
	int far = 0, vague = 0, listed = 0, more = 0, wi = 0;
	char exp[96], v[48];

	named(c, "job.clocks");
	snprintf(exp, sizeof(exp), "every node's clock within %.0f ms of "
		 "rank 0's host", HPCP_PF_CLOCK_LIMIT_NS / 1e6);
	if (n < 2) {
		set(c, HPCP_PF_SKIP, exp, "one node");
		return;
	}
	for (int i = 1; i < n; i++) {
		double a = offset_ns[i] < 0 ? -offset_ns[i] : offset_ns[i];

		if (a > worst)
			worst = a, wi = i;
		if (unc_ns[i] > worst_unc)
			worst_unc = unc_ns[i];
		/* Beyond the limit even at the near end of the interval. */
		if (a - unc_ns[i] > HPCP_PF_CLOCK_LIMIT_NS)
			far++;
		else if (a + unc_ns[i] > HPCP_PF_CLOCK_LIMIT_NS)
			vague++;
	}
	if (far) {
		set(c, HPCP_PF_FAIL, exp, "%d of %d nodes off by more", far,
		    n - 1);
		for (int i = 1; i < n; i++) {
			double a = offset_ns[i] < 0 ? -offset_ns[i] :
						      offset_ns[i];

			if (a - unc_ns[i] <= HPCP_PF_CLOCK_LIMIT_NS)
				continue;
			snprintf(v, sizeof(v), "%+.3f ms +- %.3f",
				 offset_ns[i] / 1e6, unc_ns[i] / 1e6);
			list_add(c->value, sizeof(c->value), hosts[i], v,
				 &listed, &more);
		}
		fix(c, "run chrony against the Amazon Time Sync Service "
		       "(169.254.169.123) on every node");
	} else if (vague) {
		set(c, HPCP_PF_WARN, exp, "largest offset %.3f ms on %s, "
		    "uncertainty up to %.3f ms: too busy to judge",
		    worst / 1e6, hosts[wi], worst_unc / 1e6);
	} else {
		set(c, HPCP_PF_PASS, exp, "largest offset %.3f ms (%s), "
		    "uncertainty up to %.3f ms", worst / 1e6, hosts[wi],
		    worst_unc / 1e6);
	}
}
