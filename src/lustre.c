#include "config.h"

#include "hpcp/lustre.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define KIND_STATS 1u
#define KIND_RA 2u
#define KIND_RPC 4u

static const char *const names[HPCP_LU_N] = {
	[HPCP_LU_READ_COUNT] = "read_count",
	[HPCP_LU_READ_BYTES] = "read_bytes",
	[HPCP_LU_WRITE_COUNT] = "write_count",
	[HPCP_LU_WRITE_BYTES] = "write_bytes",
	[HPCP_LU_OPEN] = "open_count",
	[HPCP_LU_CLOSE] = "close_count",
	[HPCP_LU_GETATTR] = "getattr_count",
	[HPCP_LU_CREATE] = "create_count",
	[HPCP_LU_UNLINK] = "unlink_count",
	[HPCP_LU_MKDIR] = "mkdir_count",
	[HPCP_LU_FSYNC] = "fsync_count",
	[HPCP_LU_RA_HITS] = "read_ahead_hits_count",
	[HPCP_LU_RA_MISSES] = "read_ahead_misses_count",
	[HPCP_LU_READ_RPCS] = "read_rpcs_count",
	[HPCP_LU_READ_RPC_PAGES] = "read_rpc_pages_count",
	[HPCP_LU_READ_INFLIGHT_SUM] = "read_rpcs_in_flight_sum_count",
	[HPCP_LU_WRITE_RPCS] = "write_rpcs_count",
	[HPCP_LU_WRITE_RPC_PAGES] = "write_rpc_pages_count",
	[HPCP_LU_WRITE_INFLIGHT_SUM] = "write_rpcs_in_flight_sum_count",
};

const char *hpcp_lustre_counter_name(int i)
{
	return i >= 0 && i < HPCP_LU_N ? names[i] : NULL;
}

/* A counter line "<name words> <count> samples [unit] min max sum ...":
 * the name normalised (words joined by '_', lower case, '-' as '_'), so
 * "readpage not consecutive" and "readpage_not_consecutive" agree. */
static int stats_line(const char *line, char *name, size_t nlen,
		      uint64_t *count, uint64_t *sum, int *has_sum)
{
	const char *s = strstr(line, " samples");
	const char *p, *num;
	size_t n = 0;
	char *end;

	*has_sum = 0;
	if (!s)
		return 0;   /* snapshot_time and the like */
	/* The count is the last word before " samples". */
	for (num = s; num > line && num[-1] == ' '; num--)
		;
	for (; num > line && isdigit((unsigned char)num[-1]); num--)
		;
	if (!isdigit((unsigned char)*num))
		return -EINVAL;
	*count = strtoull(num, &end, 10);
	for (p = line; p < num && n + 1 < nlen; p++) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '-') {
			if (n && name[n - 1] != '_')
				name[n++] = '_';
			continue;
		}
		name[n++] = (char)tolower((unsigned char)c);
	}
	while (n && name[n - 1] == '_')
		n--;
	name[n] = '\0';
	if (!n)
		return -EINVAL;
	/* "[unit] min max sum": the sum is the third number after it. */
	p = strchr(s, ']');
	if (p) {
		uint64_t v[3];
		int k = 0;

		p++;
		while (k < 3) {
			v[k] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
			k++;
		}
		if (k == 3) {
			*sum = v[2];
			*has_sum = 1;
		}
	}
	return 1;
}

static void add_stat(struct hpcp_lustre_counters *c, unsigned kind,
		     const char *name, uint64_t count, uint64_t sum,
		     int has_sum)
{
	static const struct { const char *name; int count, sum; } llite[] = {
		{ "read_bytes", HPCP_LU_READ_COUNT, HPCP_LU_READ_BYTES },
		{ "write_bytes", HPCP_LU_WRITE_COUNT, HPCP_LU_WRITE_BYTES },
		{ "open", HPCP_LU_OPEN, -1 }, { "close", HPCP_LU_CLOSE, -1 },
		{ "getattr", HPCP_LU_GETATTR, -1 },
		{ "create", HPCP_LU_CREATE, -1 },
		{ "unlink", HPCP_LU_UNLINK, -1 }, { "mkdir", HPCP_LU_MKDIR, -1 },
		{ "fsync", HPCP_LU_FSYNC, -1 },
	};

	if (kind == KIND_RA) {
		if (strcmp(name, "hits") == 0)
			c->v[HPCP_LU_RA_HITS] += count;
		else if (strcmp(name, "misses") == 0)
			c->v[HPCP_LU_RA_MISSES] += count;
		return;
	}
	for (size_t i = 0; i < sizeof(llite) / sizeof(llite[0]); i++)
		if (strcmp(name, llite[i].name) == 0) {
			c->v[llite[i].count] += count;
			if (llite[i].sum >= 0 && has_sum)
				c->v[llite[i].sum] += sum;
		}
}

/* rpc_stats: which histogram the bucket lines belong to. */
enum rpc_section { RPC_NONE, RPC_PAGES, RPC_INFLIGHT };

/* A bucket line "N[K|M]:  read % cum% | write % cum%". */
static int rpc_bucket(const char *line, enum rpc_section sec,
		      struct hpcp_lustre_counters *c)
{
	const char *bar = strchr(line, '|');
	char *end;
	uint64_t n = strtoull(line, &end, 10), r, w;

	if (end == line)
		return 0;
	if (*end == 'K' || *end == 'M')
		n <<= *end++ == 'K' ? 10 : 20;
	if (*end != ':' || !bar)
		return 0;
	r = strtoull(end + 1, &end, 10);
	w = strtoull(bar + 1, &end, 10);
	if (sec == RPC_PAGES) {
		c->v[HPCP_LU_READ_RPCS] += r;
		c->v[HPCP_LU_READ_RPC_PAGES] += n * r;
		c->v[HPCP_LU_WRITE_RPCS] += w;
		c->v[HPCP_LU_WRITE_RPC_PAGES] += n * w;
	} else if (sec == RPC_INFLIGHT) {
		c->v[HPCP_LU_READ_INFLIGHT_SUM] += n * r;
		c->v[HPCP_LU_WRITE_INFLIGHT_SUM] += n * w;
	}
	return 1;
}

/* The kind a "param.name=" header names, 0 for another parameter. */
static unsigned header_kind(const char *line, size_t n)
{
	static const struct { const char *suffix; unsigned kind; } k[] = {
		{ ".read_ahead_stats=", KIND_RA }, { ".rpc_stats=", KIND_RPC },
		{ ".stats=", KIND_STATS },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		size_t m = strlen(k[i].suffix);

		/* llite's stats and read-ahead, osc's RPCs: another
		 * module's "stats" has other counters of the same names. */
		if (n >= m && strncmp(line + n - m, k[i].suffix, m) == 0)
			return strncmp(line, k[i].kind == KIND_RPC ? "osc." :
					     "llite.",
				       k[i].kind == KIND_RPC ? 4 : 6) == 0 ?
				       k[i].kind : 0;
	}
	return 0;
}

int hpcp_lustre_parse(const char *text, unsigned kind,
		      struct hpcp_lustre_counters *c)
{
	enum rpc_section sec = RPC_NONE;
	const char *p = text;
	char line[512], name[64];

	while (*p) {
		size_t n = strcspn(p, "\n");
		uint64_t count = 0, sum = 0;
		int has_sum, rc;

		snprintf(line, sizeof(line), "%.*s",
			 (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		p += n + (p[n] == '\n');
		n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
			     line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n && line[n - 1] == '=' && !strchr(line, ' ')) {
			kind = header_kind(line, n);
			sec = RPC_NONE;
			if (kind == KIND_STATS)
				c->instances++;
			continue;
		}
		if (!kind || !n)
			continue;
		c->found |= kind;
		if (kind == KIND_RPC) {
			if (strncmp(line, "pages per rpc", 13) == 0)
				sec = RPC_PAGES;
			else if (strncmp(line, "rpcs in flight", 14) == 0)
				sec = RPC_INFLIGHT;
			else if (!isdigit((unsigned char)line[0]) &&
				 strchr(line, '|'))
				sec = RPC_NONE;   /* offset, discontiguous... */
			else if (isdigit((unsigned char)line[0]))
				rpc_bucket(line, sec, c);
			continue;
		}
		rc = stats_line(line, name, sizeof(name), &count, &sum,
				&has_sum);
		if (rc < 0)
			return rc;
		if (rc > 0)
			add_stat(c, kind, name, count, sum, has_sum);
	}
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 8192, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int read_kind(const char *root, const char *pattern, unsigned kind,
		     struct hpcp_lustre_counters *c)
{
	char pat[4096];
	glob_t g;
	int read = 0;

	snprintf(pat, sizeof(pat), "%s/%s", root, pattern);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *text = slurp(g.gl_pathv[i]);

		if (text && hpcp_lustre_parse(text, kind, c) == 0) {
			read = 1;
			if (kind == KIND_STATS)
				c->instances++;
		}
		free(text);
	}
	globfree(&g);
	return read;
}

int hpcp_lustre_snapshot(const char *root, struct hpcp_lustre_counters *c,
			 char *why, size_t len)
{
	const char *roots[] = { "/sys/kernel/debug/lustre", "/proc/fs/lustre" };
	static const struct { const char *pattern; unsigned kind; } files[] = {
		{ "llite/*/stats", KIND_STATS },
		{ "llite/*/read_ahead_stats", KIND_RA },
		{ "osc/*/rpc_stats", KIND_RPC },
	};
	int n_roots = root ? 1 : 2;

	memset(c, 0, sizeof(*c));
	/* Each kind from the first root that has it: a counter is never
	 * counted twice when both trees show it. */
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
		for (int r = 0; r < n_roots; r++)
			if (read_kind(root ? root : roots[r], files[k].pattern,
				      files[k].kind, c))
				break;
	if (c->found)
		return 0;
	snprintf(why, len, "no Lustre client statistics under %s",
		 root ? root : "/sys/kernel/debug/lustre or /proc/fs/lustre "
			       "(debugfs not mounted, or not readable)");
	return -ENOENT;
}

void hpcp_lustre_delta(const struct hpcp_lustre_counters *a,
		       const struct hpcp_lustre_counters *b,
		       struct hpcp_lustre_counters *d)
{
	for (int i = 0; i < HPCP_LU_N; i++)
		d->v[i] = b->v[i] >= a->v[i] ? b->v[i] - a->v[i] : 0;
	d->found = a->found & b->found;
	d->instances = a->instances > b->instances ? a->instances :
						     b->instances;
}

double hpcp_lustre_ra_hit_ratio(const struct hpcp_lustre_counters *d)
{
	uint64_t all = d->v[HPCP_LU_RA_HITS] + d->v[HPCP_LU_RA_MISSES];

	return all ? (double)d->v[HPCP_LU_RA_HITS] / (double)all : -1;
}

/* The layouts as the client gives them (lustre_user.h), little endian.
 * lov_user_md v1/v3: magic, pattern, a 16-byte object id, then stripe
 * size (32 bits) and stripe count (16 bits).  lov_comp_md v1 (the server
 * stamps one holding extension components with the SEL magic): a 32-byte
 * header (magic, size, generation, flags, entry count at 14) and 48-byte
 * entries: id (mirror id in bits 16-30), flags, extent start and end,
 * then the offset and size of the entry's own v1/v3 blob. */
#define LOV_MAGIC_V1 0x0BD10BD0u
#define LOV_MAGIC_V3 0x0BD30BD0u
#define LOV_MAGIC_SPECIFIC 0x0BD50BD0u   /* v3's shape, OSTs chosen */
#define LOV_MAGIC_COMP_V1 0x0BD60BD0u
#define LOV_MAGIC_SEL 0x0BD80BD0u        /* a composite with extensions */
#define LOV_PLAIN_MIN 32u
#define COMP_HEADER 32u
#define COMP_ENTRY 48u
#define LCME_FL_INIT 0x10u
#define LCME_FL_EXTENSION 0x40u
#define LOV_PATTERN_RAID0 0x001u
#define LOV_PATTERN_MDT 0x100u
#define LOV_PATTERN_OVERSTRIPING 0x200u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int parse_plain(const unsigned char *p, size_t len,
		       struct hpcp_lustre_component *c)
{
	uint32_t magic;

	if (len < LOV_PLAIN_MIN)
		return -EINVAL;
	magic = le32(p);
	if (magic != LOV_MAGIC_V1 && magic != LOV_MAGIC_V3 &&
	    magic != LOV_MAGIC_SPECIFIC)
		return -EINVAL;
	c->pattern = le32(p + 4);
	c->stripe_size = le32(p + 24);
	c->stripe_count = (int32_t)((uint32_t)p[28] | (uint32_t)p[29] << 8);
	if (c->stripe_count == 0xFFFF)
		c->stripe_count = -1;
	return 0;
}

int hpcp_lustre_parse_layout(const void *buf, size_t len,
			     struct hpcp_lustre_layout *l)
{
	const unsigned char *p = buf;
	uint32_t size;
	unsigned count;

	memset(l, 0, sizeof(*l));
	if (len >= 4 && le32(p) != LOV_MAGIC_COMP_V1 &&
	    le32(p) != LOV_MAGIC_SEL) {
		struct hpcp_lustre_component *c = &l->c[0];

		if (parse_plain(p, len, c))
			return -EINVAL;
		c->end = UINT64_MAX;
		c->instantiated = 1;
		l->n = l->total = 1;
		return 0;
	}
	if (len < COMP_HEADER)
		return -EINVAL;
	/* lcm_size bounds the entries and blobs when it is the smaller. */
	size = le32(p + 4);
	if (size >= COMP_HEADER && size < len)
		len = size;
	count = (unsigned)p[14] | (unsigned)p[15] << 8;
	if (count == 0 || COMP_HEADER + (size_t)count * COMP_ENTRY > len)
		return -EINVAL;
	l->composite = 1;
	l->total = count;
	for (unsigned i = 0; i < count && l->n < HPCP_LU_MAX_COMPONENTS;
	     i++) {
		const unsigned char *e = p + COMP_HEADER + (size_t)i * COMP_ENTRY;
		struct hpcp_lustre_component *c = &l->c[l->n];
		uint32_t flags = le32(e + 4), off = le32(e + 24),
			 blob = le32(e + 28);

		if (off < COMP_HEADER || blob > len || off > len - blob ||
		    parse_plain(p + off, blob, c))
			return -EINVAL;
		c->start = le64(e + 8);
		c->end = le64(e + 16);
		/* A self-extending layout has zero-length components; an end
		 * is an offset or LUSTRE_EOF (all ones), as the document can
		 * hold it. */
		if (c->end < c->start || c->start > (uint64_t)INT64_MAX ||
		    (c->end > (uint64_t)INT64_MAX && c->end != UINT64_MAX))
			return -EINVAL;
		c->mirror = (uint16_t)((le32(e) & 0x7FFF0000u) >> 16);
		c->instantiated = (flags & LCME_FL_INIT) != 0;
		c->extension = (flags & LCME_FL_EXTENSION) != 0;
		/* An extension's stripe size field holds its size in KiB. */
		if (c->extension) {
			c->extension_size = (uint64_t)c->stripe_size * 1024;
			c->stripe_size = 0;
		}
		l->n++;
	}
	return 0;
}

const char *hpcp_lustre_pattern_name(const struct hpcp_lustre_component *c)
{
	/* The high half holds flags (released, hole), not the pattern. */
	uint32_t p = c->pattern & 0xFFFFu;

	return c->extension ? "extension" :
	       p == LOV_PATTERN_RAID0 ? "raid0" :
	       p == (LOV_PATTERN_RAID0 | LOV_PATTERN_OVERSTRIPING) ?
	       "overstriping" : p == LOV_PATTERN_MDT ? "mdt" : "other";
}

int hpcp_lustre_main_component(const struct hpcp_lustre_layout *l,
			       uint64_t size)
{
	uint64_t best_bytes = 0;
	int best = -1;

	for (unsigned i = 0; i < l->n; i++) {
		const struct hpcp_lustre_component *c = &l->c[i];
		uint64_t end = c->end < size ? c->end : size, bytes;

		/* An uninstantiated component has no objects: no data. */
		if (c->mirror != l->c[0].mirror || c->extension ||
		    !c->instantiated)
			continue;
		if (size == 0) {
			if (c->start == 0)
				return (int)i;
			continue;
		}
		bytes = end > c->start ? end - c->start : 0;
		if (bytes > best_bytes) {
			best_bytes = bytes;
			best = (int)i;
		}
	}
	return best;
}

int hpcp_lustre_layout_of(const char *path, struct hpcp_lustre_layout *l,
			  uint64_t *size)
{
	struct stat st;
	unsigned char *buf;
	ssize_t n = getxattr(path, "lustre.lov", NULL, 0);
	int rc;

	if (n < 0)
		return -errno;
	/* An empty value is no layout (and a size of 0 would ask again). */
	if (n == 0)
		return -EINVAL;
	buf = malloc((size_t)n);
	if (!buf)
		return -ENOMEM;
	n = getxattr(path, "lustre.lov", buf, (size_t)n);
	rc = n < 0 ? -errno : hpcp_lustre_parse_layout(buf, (size_t)n, l);
	free(buf);
	*size = stat(path, &st) == 0 && S_ISREG(st.st_mode) ?
		(uint64_t)st.st_size : 0;
	return rc;
}
