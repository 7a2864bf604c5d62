/*
 * IDX files, the MNIST format (idx.h).  zlib's gzread passes plain files
 * through unchanged, so one path reads both; the gzip magic in the content
 * decides, never the name.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "hpcp/idx.h"

/* Bytes per read: large enough that zlib inflates straight into it. */
#define IDX_CHUNK (1u << 20)

/* One open input: where we are in the uncompressed stream, for messages. */
struct idx_src {
	gzFile gz;
	const char *path;
	unsigned long long off;
	char *why;
	size_t len;
};

/* "PATH: offset N: what" into why; returns rc. */
__attribute__((format(printf, 4, 5)))
static int src_fail(struct idx_src *s, unsigned long long off, int rc,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!s->why || !s->len)
		return rc;
	n = snprintf(s->why, s->len, "%s: offset %llu: ", s->path, off);
	if (n >= 0 && (size_t)n < s->len) {
		va_start(ap, fmt);
		vsnprintf(s->why + n, s->len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/*
 * After gzread returned 0 or -1 (err: its errno): 0 at a clean end of the
 * stream, else why it stopped.
 */
static int src_error(struct idx_src *s, int err)
{
	size_t plen = strlen(s->path);
	int zerr;
	const char *msg = gzerror(s->gz, &zerr);

	switch (zerr) {
	case Z_OK:
		return 0;
	case Z_BUF_ERROR:
		/* zlib's word for a gzip stream that stops early. */
		return src_fail(s, s->off, -EBADMSG, "gzip data cut short");
	case Z_ERRNO:
		return src_fail(s, s->off, err ? -err : -EIO, "read: %s",
				strerror(err ? err : EIO));
	case Z_MEM_ERROR:
		return src_fail(s, s->off, -ENOMEM, "out of memory");
	default:
		/* zlib's message starts with the path, already in ours. */
		if (!strncmp(msg, s->path, plen) &&
		    !strncmp(msg + plen, ": ", 2))
			msg += plen + 2;
		return src_fail(s, s->off, -EBADMSG, "bad gzip data: %s",
				msg);
	}
}

/* Read up to n bytes; fewer in *got only at the end of the stream. */
static int src_read(struct idx_src *s, void *buf, size_t n, size_t *got)
{
	unsigned char *p = buf;

	*got = 0;
	while (*got < n) {
		size_t want = n - *got;
		int r;

		errno = 0;
		r = gzread(s->gz, p + *got,
			   want > IDX_CHUNK ? IDX_CHUNK : (unsigned)want);
		if (r <= 0)
			return src_error(s, errno);
		*got += (size_t)r;
		s->off += (unsigned long long)r;
	}
	return 0;
}

static size_t type_size(int type)
{
	switch (type) {
	case HPCP_IDX_U8:
	case HPCP_IDX_S8:
		return 1;
	case HPCP_IDX_I16:
		return 2;
	case HPCP_IDX_I32:
	case HPCP_IDX_F32:
		return 4;
	case HPCP_IDX_F64:
		return 8;
	default:
		return 0;
	}
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* n big-endian values of type at src into floats at dst. */
static void to_float(int type, const unsigned char *src, float *dst,
		     size_t n)
{
	size_t i;

	switch (type) {
	case HPCP_IDX_U8:
		for (i = 0; i < n; i++)
			dst[i] = src[i];
		break;
	case HPCP_IDX_S8:
		for (i = 0; i < n; i++)
			dst[i] = (int8_t)src[i];
		break;
	case HPCP_IDX_I16:
		for (i = 0; i < n; i++)
			dst[i] = (int16_t)(src[2 * i] << 8 | src[2 * i + 1]);
		break;
	case HPCP_IDX_I32:
		for (i = 0; i < n; i++)
			dst[i] = (float)(int32_t)be32(src + 4 * i);
		break;
	case HPCP_IDX_F32:
		for (i = 0; i < n; i++) {
			uint32_t u = be32(src + 4 * i);

			memcpy(&dst[i], &u, sizeof(u));
		}
		break;
	case HPCP_IDX_F64:
		for (i = 0; i < n; i++) {
			uint64_t u = be64(src + 8 * i);
			double d;

			memcpy(&d, &u, sizeof(d));
			dst[i] = (float)d;
		}
		break;
	}
}

/* Magic, type, dimension count and sizes into x; fails at the field. */
static int read_header(struct idx_src *s, struct hpcp_idx *x)
{
	unsigned char h[4 * HPCP_IDX_MAX_DIMS];
	uint64_t count = 1;
	size_t got;
	int rc;

	rc = src_read(s, h, 4, &got);
	if (rc)
		return rc;
	if ((got > 0 && h[0]) || (got > 1 && h[1]))
		return src_fail(s, 0, -EBADMSG,
				"bad magic %02x %02x, want 00 00", h[0],
				got > 1 ? h[1] : 0);
	if (got < 4)
		return src_fail(s, 0, -EBADMSG,
				"header ends after %zu of 4 bytes", got);
	if (!type_size(h[2]))
		return src_fail(s, 2, -EBADMSG, "unknown type 0x%02x", h[2]);
	if (h[3] < 1 || h[3] > HPCP_IDX_MAX_DIMS)
		return src_fail(s, 3, -EBADMSG, "%d dimensions, want 1..%d",
				h[3], HPCP_IDX_MAX_DIMS);
	x->type = (enum hpcp_idx_type)h[2];
	x->ndims = h[3];
	rc = src_read(s, h, 4 * (size_t)x->ndims, &got);
	if (rc)
		return rc;
	if (got < 4 * (size_t)x->ndims)
		return src_fail(s, 4, -EBADMSG,
				"sizes end after %zu of %d bytes", got,
				4 * x->ndims);
	for (int i = 0; i < x->ndims; i++) {
		unsigned long long off = 4 + 4 * (unsigned)i;

		x->dims[i] = be32(h + 4 * i);
		if (!x->dims[i])
			return src_fail(s, off, -EBADMSG,
					"dimension %d has size 0", i);
		/* count <= 2^30 before, so this product fits 64 bits. */
		count *= x->dims[i];
		if (count > HPCP_IDX_MAX_VALUES)
			return src_fail(s, off, -EBADMSG,
					"more than %u values",
					HPCP_IDX_MAX_VALUES);
	}
	x->count = (size_t)count;
	return 0;
}

/* x->count values after the header into x->data, then the end. */
static int read_data(struct idx_src *s, struct hpcp_idx *x,
		     unsigned char *buf)
{
	size_t size = type_size(x->type), per = IDX_CHUNK / size, done = 0;
	unsigned long long start = s->off;
	unsigned char extra;
	size_t got;
	int rc;

	while (done < x->count) {
		size_t n = x->count - done < per ? x->count - done : per;

		rc = src_read(s, buf, n * size, &got);
		if (rc)
			return rc;
		if (got < n * size)
			return src_fail(s, start, -EBADMSG,
					"data ends after %llu of %llu bytes",
					(unsigned long long)(done * size + got),
					(unsigned long long)x->count * size);
		to_float(x->type, buf, x->data + done, n);
		done += n;
	}
	rc = src_read(s, &extra, 1, &got);
	if (rc)
		return rc;
	if (got)
		return src_fail(s, s->off - 1, -EBADMSG,
				"bytes after the %llu bytes of data",
				(unsigned long long)x->count * size);
	return 0;
}

static int read_open(struct idx_src *s, struct hpcp_idx *x)
{
	unsigned char *buf;
	int rc = read_header(s, x);

	if (rc)
		return rc;
	if (x->count > SIZE_MAX / sizeof(float))
		return src_fail(s, s->off, -ENOMEM, "%zu values too many here",
				x->count);
	x->data = malloc(x->count * sizeof(float));
	buf = malloc(IDX_CHUNK);
	if (!x->data || !buf)
		rc = src_fail(s, s->off, -ENOMEM, "out of memory");
	else
		rc = read_data(s, x, buf);
	free(buf);
	return rc;
}

int hpcp_idx_read(const char *path, struct hpcp_idx *out, char *why,
		  size_t len)
{
	struct idx_src s = { .path = path, .why = why, .len = len };
	struct hpcp_idx x = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	errno = 0;
	s.gz = gzopen(path, "rbe");
	if (!s.gz) {
		/* zlib leaves errno 0 when its own allocation failed. */
		rc = errno ? -errno : -ENOMEM;
		if (why && len)
			snprintf(why, len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* Fewer, larger reads of the compressed input. */
	gzbuffer(s.gz, 1u << 17);
	rc = read_open(&s, &x);
	gzclose(s.gz);
	if (rc) {
		free(x.data);
		return rc;
	}
	*out = x;
	return 0;
}

void hpcp_idx_free(struct hpcp_idx *out)
{
	if (!out)
		return;
	free(out->data);
	out->data = NULL;
	out->count = 0;
}

/*
 * The header of an ndims float32 file into h and its value count into
 * *count; the header's length, or 0 if the shape is refused.
 */
static size_t f32_header(unsigned char *h, int ndims, const uint32_t *dims,
			 size_t *count)
{
	uint64_t c = 1;

	if (ndims < 1 || ndims > HPCP_IDX_MAX_DIMS || !dims)
		return 0;
	h[0] = 0;
	h[1] = 0;
	h[2] = HPCP_IDX_F32;
	h[3] = (unsigned char)ndims;
	for (int i = 0; i < ndims; i++) {
		c *= dims[i];
		if (!dims[i] || c > HPCP_IDX_MAX_VALUES)
			return 0;
		put_be32(h + 4 + 4 * i, dims[i]);
	}
	*count = (size_t)c;
	return 4 + 4 * (size_t)ndims;
}

static int write_values(FILE *f, const float *data, size_t count)
{
	unsigned char buf[1 << 14];
	size_t per = sizeof(buf) / 4;

	for (size_t done = 0; done < count; done += per) {
		size_t n = count - done < per ? count - done : per;

		for (size_t i = 0; i < n; i++) {
			uint32_t u;

			memcpy(&u, &data[done + i], sizeof(u));
			put_be32(buf + 4 * i, u);
		}
		if (fwrite(buf, 4, n, f) != n)
			return -(errno ? errno : EIO);
	}
	return 0;
}

int hpcp_idx_write_f32(const char *path, int ndims, const uint32_t *dims,
		       const float *data, char *why, size_t len)
{
	unsigned char h[4 + 4 * HPCP_IDX_MAX_DIMS];
	size_t count = 0, hlen = f32_header(h, ndims, dims, &count);
	FILE *f;
	int rc = 0;

	if (!hlen || !data) {
		snprintf(why, len, "%s: want 1..%d nonzero sizes, at most %u "
			 "values, and data", path, HPCP_IDX_MAX_DIMS,
			 HPCP_IDX_MAX_VALUES);
		return -EINVAL;
	}
	f = fopen(path, "wb");
	if (!f) {
		rc = -errno;
		snprintf(why, len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	errno = 0;
	if (fwrite(h, 1, hlen, f) != hlen)
		rc = -(errno ? errno : EIO);
	if (!rc)
		rc = write_values(f, data, count);
	/* A full disk may only show when the buffer is flushed. */
	if (fclose(f) && !rc)
		rc = -(errno ? errno : EIO);
	if (rc) {
		snprintf(why, len, "%s: write: %s", path, strerror(-rc));
		unlink(path);
	}
	return rc;
}
