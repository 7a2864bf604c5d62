/*
 * IDX reader and writer on hand-built big-endian files with known values,
 * plain and gzip-compressed; every malformed header or length refused at
 * its byte offset; the Fashion-MNIST files when they are installed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "hpcp/idx.h"
#include "tap.h"

#define FASHION "/usr/share/datasets/fashion-mnist"

static char dir[] = "/tmp/hpcp-test-idx.XXXXXX";

static const char *path_of(const char *name)
{
	static char path[sizeof(dir) + 256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* A header for type and dims, then n raw value bytes, as name. */
static const char *put(const char *name, int type, int ndims,
		       const uint32_t *dims, const void *values, size_t n)
{
	const char *path = path_of(name);
	unsigned char h[4 + 4 * HPCP_IDX_MAX_DIMS] = {
		0, 0, (unsigned char)type, (unsigned char)ndims
	};
	size_t hlen = 4 + 4 * (size_t)ndims;
	FILE *f = fopen(path, "wb");

	for (int i = 0; i < ndims; i++)
		for (int b = 0; b < 4; b++)
			h[4 + 4 * i + b] = (unsigned char)(dims[i] >>
							   (24 - 8 * b));
	if (!f || fwrite(h, 1, hlen, f) != hlen ||
	    (n && fwrite(values, 1, n, f) != n) || fclose(f))
		tap_diag("cannot write a test file");
	return path;
}

/* Raw bytes as name (headers too broken for put). */
static const char *put_raw(const char *name, const void *bytes, size_t n)
{
	const char *path = path_of(name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(bytes, 1, n, f) != n || fclose(f))
		tap_diag("cannot write a test file");
	return path;
}

static int same(const struct hpcp_idx *x, int type, int ndims,
		const uint32_t *dims, const float *want, size_t count)
{
	if ((int)x->type != type || x->ndims != ndims || x->count != count ||
	    !x->data)
		return 0;
	for (int i = 0; i < ndims; i++)
		if (x->dims[i] != dims[i])
			return 0;
	return memcmp(x->data, want, count * sizeof(float)) == 0;
}

/* Read path and compare with the expected type, dims and values. */
static void expect(const char *path, int type, int ndims,
		   const uint32_t *dims, const float *want, size_t count,
		   const char *what)
{
	struct hpcp_idx x;
	char why[512] = "";
	int rc = hpcp_idx_read(path, &x, why, sizeof(why));

	if (rc)
		tap_diag(why);
	tap_ok(rc == 0 && same(&x, type, ndims, dims, want, count), "%s",
	       what);
	hpcp_idx_free(&x);
}

static void test_types(void)
{
	const unsigned char u8[] = { 0, 1, 127, 255 };
	const float u8_f[] = { 0, 1, 127, 255 };
	const unsigned char s8[] = { 0x80, 0xff, 0x00, 0x7f };
	const float s8_f[] = { -128, -1, 0, 127 };
	const unsigned char i16[] = { 0x80, 0x00, 0xff, 0xff, 0x01, 0x02,
				      0x7f, 0xff };
	const float i16_f[] = { -32768, -1, 258, 32767 };
	const unsigned char i32[] = { 0xff, 0xff, 0xff, 0x85, 0x00, 0x01,
				      0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
	const float i32_f[] = { -123, 65536, 16777216 };
	const unsigned char f32[] = { 0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0,
				      0, 0, 0, 0, 0x7f, 0x7f, 0xff, 0xff };
	const float f32_f[] = { 1.5f, -2.5f, 0, FLT_MAX };
	const unsigned char f64[] = {
		0x3f, 0xf8, 0, 0, 0, 0, 0, 0,		/* 1.5 */
		0xc0, 0x04, 0, 0, 0, 0, 0, 0,		/* -2.5 */
		0x40, 0x59, 0, 0, 0, 0, 0, 0,		/* 100 */
		0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a,	/* 0.1 */
	};
	const float f64_f[] = { 1.5f, -2.5f, 100, 0.1f };
	const uint32_t d4[] = { 4 }, d22[] = { 2, 2 }, d3[] = { 3 };
	const uint32_t d141[] = { 1, 4, 1 };

	expect(put("u8", HPCP_IDX_U8, 1, d4, u8, 4), HPCP_IDX_U8, 1, d4, u8_f,
	       4, "u8 0 1 127 255 read as those floats");
	expect(put("s8", HPCP_IDX_S8, 1, d4, s8, 4), HPCP_IDX_S8, 1, d4, s8_f,
	       4, "s8 80 ff 00 7f read as -128 -1 0 127");
	expect(put("i16", HPCP_IDX_I16, 2, d22, i16, 8), HPCP_IDX_I16, 2, d22,
	       i16_f, 4, "i16 2x2 big-endian: -32768 -1 258 32767");
	expect(put("i32", HPCP_IDX_I32, 1, d3, i32, 12), HPCP_IDX_I32, 1, d3,
	       i32_f, 3, "i32 big-endian: -123 65536 16777216");
	expect(put("f32", HPCP_IDX_F32, 3, d141, f32, 16), HPCP_IDX_F32, 3,
	       d141, f32_f, 4, "f32 1x4x1 big-endian: 1.5 -2.5 0 FLT_MAX");
	expect(put("f64", HPCP_IDX_F64, 1, d4, f64, 32), HPCP_IDX_F64, 1, d4,
	       f64_f, 4, "f64 big-endian: 1.5 -2.5 100 0.1, rounded to float");
}

static void test_round_trip(void)
{
	const uint32_t dims[] = { 2, 3, 4 }, big[] = { 300000 };
	const unsigned char head[] = { 0, 0, 0x0d, 3, 0, 0, 0, 2, 0, 0, 0, 3,
				       0, 0, 0, 4, 0xc0, 0x40, 0, 0 };
	unsigned char got[sizeof(head)];
	float v[24], *many = malloc(300000 * sizeof(float));
	const char *path = path_of("trip");
	char why[512] = "";
	FILE *f;
	long size = -1;
	int rc;

	for (int i = 0; i < 24; i++)
		v[i] = (float)i * 0.25f - 3;
	v[23] = -FLT_MIN;
	rc = hpcp_idx_write_f32(path, 3, dims, v, why, sizeof(why));
	tap_ok(rc == 0, "write_f32 of 2x3x4 values succeeds (%s)", why);
	f = fopen(path, "rb");
	if (f && fread(got, 1, sizeof(got), f) == sizeof(got) &&
	    fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (f)
		fclose(f);
	tap_ok(size == 16 + 24 * 4 && memcmp(got, head, sizeof(head)) == 0,
	       "written file: 00 00 0d 03, sizes 2 3 4, -3.0 as c0400000, "
	       "112 bytes");
	expect(path, HPCP_IDX_F32, 3, dims, v, 24,
	       "write_f32 then read: same dims, type f32, same bits");

	/* More than one 1 MiB read chunk. */
	for (int i = 0; many && i < 300000; i++)
		many[i] = (float)(i % 1000) - 500.5f;
	rc = many ? hpcp_idx_write_f32(path, 1, big, many, why, sizeof(why))
		  : -ENOMEM;
	if (rc)
		tap_diag(why);
	expect(path, HPCP_IDX_F32, 1, big, many, 300000,
	       "300000 values (1.2 MB, two read chunks) round trip");
	free(many);

	tap_ok(hpcp_idx_write_f32(path, 0, dims, v, why, sizeof(why)) ==
		       -EINVAL && strstr(why, path),
	       "write_f32 of 0 dimensions: -EINVAL naming the file");
	tap_ok(hpcp_idx_write_f32(path_of("no/such"), 1, dims, v, why,
				  sizeof(why)) == -ENOENT,
	       "write_f32 into a missing directory: -ENOENT");
}

/* The hand-built i16 file again through gzip, under names that lie. */
static void test_gzip(void)
{
	const unsigned char raw[] = { 0, 0, HPCP_IDX_I16, 2, 0, 0, 0, 2,
				      0, 0, 0, 2, 0x80, 0x00, 0xff, 0xff,
				      0x01, 0x02, 0x7f, 0xff };
	const float want[] = { -32768, -1, 258, 32767 };
	const uint32_t dims[] = { 2, 2 };
	unsigned char bytes[256];
	struct hpcp_idx x;
	char why[512] = "", path[sizeof(dir) + 32];
	size_t n = 0;
	gzFile gz;
	FILE *f;
	int rc;

	/* Not path_of: put_raw reuses its buffer. */
	snprintf(path, sizeof(path), "%s/gzipped.idx", dir);
	gz = gzopen(path, "wb");
	if (!gz || gzwrite(gz, raw, sizeof(raw)) != (int)sizeof(raw) ||
	    gzclose(gz) != Z_OK)
		tap_diag("cannot write the gzip file");
	expect(path, HPCP_IDX_I16, 2, dims, want, 4,
	       "gzip file named .idx reads like the plain one");
	expect(put_raw("plain.gz", raw, sizeof(raw)), HPCP_IDX_I16, 2, dims,
	       want, 4, "plain file named .gz reads as plain");

	f = fopen(path, "rb");
	if (f) {
		n = fread(bytes, 1, sizeof(bytes), f);
		fclose(f);
	}
	if (n < 20)
		tap_diag("gzip file too short to corrupt");
	/* Half the trailer gone: every value is there, the end is not. */
	rc = hpcp_idx_read(put_raw("cut.gz", bytes, n - 4), &x, why,
			   sizeof(why));
	tap_ok(rc == -EBADMSG && strstr(why, "cut.gz") && !x.data,
	       "gzip without its whole trailer: -EBADMSG (%s)", why);
	/* The CRC-32 sits 8 bytes from the end: one flipped bit. */
	bytes[n - 8] ^= 1;
	rc = hpcp_idx_read(put_raw("badcrc.gz", bytes, n), &x, why,
			   sizeof(why));
	tap_ok(rc == -EBADMSG && strstr(why, "badcrc.gz") && !x.data,
	       "gzip with a wrong CRC: -EBADMSG (%s)", why);
}

/* Reading path fails with -EBADMSG, naming name at "offset N: ". */
static void refused(const char *path, const char *name, unsigned off,
		    const char *more, const char *what)
{
	struct hpcp_idx x;
	char why[512] = "", at[64];
	int rc = hpcp_idx_read(path, &x, why, sizeof(why));
	int ok;

	snprintf(at, sizeof(at), "%s: offset %u: ", name, off);
	ok = rc == -EBADMSG && strstr(why, path) && strstr(why, at) &&
	     (!more || strstr(why, more)) && !x.data && x.count == 0;
	if (!ok)
		printf("# rc %d, why \"%s\"\n", rc, why);
	tap_ok(ok, "%s: -EBADMSG at offset %u", what, off);
}

static void test_refused(void)
{
	const unsigned char magic[] = { 1, 0, 8, 1, 0, 0, 0, 1, 7 };
	const unsigned char magic2[] = { 0, 3, 8, 1, 0, 0, 0, 1, 7 };
	const unsigned char type[] = { 0, 0, 0x0a, 1, 0, 0, 0, 1, 7 };
	const unsigned char nodims[] = { 0, 0, 8, 0 };
	const unsigned char five[] = { 0, 0, 8, 5 };
	const unsigned char shorthead[] = { 0, 0, 8 };
	const unsigned char shortdims[] = { 0, 0, 8, 2, 0, 0, 0, 4, 0, 0 };
	const uint32_t zero[] = { 3, 0 }, huge[] = { 1u << 16, 1u << 15 };
	const uint32_t ff[] = { 0xffffffff, 0xffffffff, 0xffffffff,
				0xffffffff };
	const uint32_t ten[] = { 10 }, four[] = { 4 }, many[] = { 200000 };
	unsigned char *data = calloc(1500000, 1);

	if (!data)
		tap_skip_all("out of memory");

	refused(put_raw("magic", magic, sizeof(magic)), "magic", 0,
		"magic", "first magic byte 01");
	refused(put_raw("magic2", magic2, sizeof(magic2)), "magic2", 0,
		"magic", "second magic byte 03");
	refused(put_raw("type", type, sizeof(type)), "type", 2, "0x0a",
		"unknown type 0x0a");
	refused(put_raw("nodims", nodims, sizeof(nodims)), "nodims", 3,
		"0 dimensions", "zero dimensions");
	refused(put_raw("five", five, sizeof(five)), "five", 3,
		"5 dimensions", "five dimensions");
	refused(put_raw("empty", "", 0), "empty", 0, "0 of 4",
		"empty file");
	refused(put_raw("shorthead", shorthead, sizeof(shorthead)),
		"shorthead", 0, "3 of 4", "3-byte header");
	refused(put_raw("shortdims", shortdims, sizeof(shortdims)),
		"shortdims", 4, "6 of 8", "sizes cut after 6 of 8 bytes");
	refused(put("zero", HPCP_IDX_U8, 2, zero, NULL, 0), "zero", 8,
		"size 0", "second size 0");
	refused(put("huge", HPCP_IDX_U8, 2, huge, NULL, 0), "huge", 8,
		"more than", "65536 x 32768 values, over 2^30");
	refused(put("ff", HPCP_IDX_U8, 4, ff, NULL, 0), "ff", 4,
		"more than", "sizes of 2^32-1 (product overflows 64 bits)");
	refused(put("short", HPCP_IDX_U8, 1, ten, data, 7), "short", 8,
		"data ends after 7 of 10 bytes", "10 u8 values, 7 present");
	refused(put("longshort", HPCP_IDX_F64, 1, many, data, 1500000),
		"longshort", 8, "data ends after 1500000 of 1600000 bytes",
		"200000 f64 values cut in the second read chunk");
	refused(put("trail", HPCP_IDX_U8, 1, four, data, 5), "trail", 12,
		"after the 4 bytes", "one byte after 4 u8 values");
	free(data);
}

static void test_missing_and_free(void)
{
	struct hpcp_idx x, z = { 0 };
	const char *path = path_of("absent");
	char why[512] = "";
	int rc;

	memset(&x, 0x5a, sizeof(x));
	rc = hpcp_idx_read(path, &x, why, sizeof(why));
	tap_ok(rc == -ENOENT && strstr(why, path) && !x.data && !x.count,
	       "missing file: -ENOENT naming it, out zeroed (%s)", why);
	rc = hpcp_idx_read(dir, &x, why, sizeof(why));
	tap_ok(rc < 0 && strstr(why, dir) && !x.data,
	       "a directory: an error naming it (%d, %s)", rc, why);

	hpcp_idx_free(&z);
	hpcp_idx_free(NULL);
	tap_ok(!z.data, "free of a zeroed struct (and of NULL) is safe");
	rc = hpcp_idx_read(path_of("u8"), &x, why, sizeof(why));
	hpcp_idx_free(&x);
	hpcp_idx_free(&x);
	tap_ok(rc == 0 && !x.data && !x.count,
	       "free twice after a read is safe and leaves it empty");
}

static void skip(const char *what)
{
	tap_ok(1, "%s # SKIP %s not installed", what, FASHION);
}

/* Fashion-MNIST has 6000 (train) or 1000 (t10k) of each class. */
static void check_labels(const char *file, uint32_t n)
{
	struct hpcp_idx x;
	char why[512] = "";
	size_t per[10] = { 0 }, bad = 0;
	int rc = hpcp_idx_read(file, &x, why, sizeof(why));
	int even = 1;

	if (rc)
		tap_diag(why);
	for (size_t i = 0; !rc && i < x.count; i++) {
		float v = x.data[i];

		if (v < 0 || v > 9 || v != (float)(int)v)
			bad++;
		else
			per[(int)v]++;
	}
	for (int c = 0; c < 10; c++)
		even = even && per[c] == n / 10;
	tap_ok(rc == 0 && x.type == HPCP_IDX_U8 && x.ndims == 1 &&
	       x.dims[0] == n && !bad && even,
	       "%s: %u u8 labels, all 0..9, %u of each", strrchr(file, '/') + 1,
	       n, n / 10);
	hpcp_idx_free(&x);
}

static void check_images(const char *file, uint32_t n)
{
	struct hpcp_idx x;
	char why[512] = "";
	size_t bad = 0;
	float max = 0;
	int rc = hpcp_idx_read(file, &x, why, sizeof(why));

	if (rc)
		tap_diag(why);
	for (size_t i = 0; !rc && i < x.count; i++) {
		bad += x.data[i] < 0 || x.data[i] > 255;
		max = x.data[i] > max ? x.data[i] : max;
	}
	tap_ok(rc == 0 && x.type == HPCP_IDX_U8 && x.ndims == 3 &&
	       x.dims[0] == n && x.dims[1] == 28 && x.dims[2] == 28 &&
	       x.count == (size_t)n * 784 && !bad && max == 255,
	       "%s: %ux28x28 u8 pixels in 0..255", strrchr(file, '/') + 1, n);
	hpcp_idx_free(&x);
}

static void test_fashion(void)
{
	if (access(FASHION "/train-labels-idx1-ubyte.gz", R_OK) != 0) {
		skip("Fashion-MNIST train images");
		skip("Fashion-MNIST train labels");
		skip("Fashion-MNIST t10k images");
		skip("Fashion-MNIST t10k labels");
		return;
	}
	check_images(FASHION "/train-images-idx3-ubyte.gz", 60000);
	check_labels(FASHION "/train-labels-idx1-ubyte.gz", 60000);
	check_images(FASHION "/t10k-images-idx3-ubyte.gz", 10000);
	check_labels(FASHION "/t10k-labels-idx1-ubyte.gz", 10000);
}

/* The files are flat in dir: remove each, then dir. */
static void clean_up(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(path_of(e->d_name));
	if (d)
		closedir(d);
	if (rmdir(dir))
		tap_diag("temporary directory left behind");
}

int main(void)
{
	if (!mkdtemp(dir))
		tap_skip_all("cannot make a temporary directory");
	test_types();
	test_round_trip();
	test_gzip();
	test_refused();
	test_missing_and_free();
	test_fashion();
	clean_up();
	return tap_done();
}
