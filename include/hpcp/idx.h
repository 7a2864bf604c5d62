/*
 * IDX files, the MNIST format: two zero bytes, a type byte, a dimension
 * count, that many big-endian 32-bit sizes, then the values row-major,
 * big-endian.  Read plain or gzip-compressed (told apart by content, not
 * by name); only src/idx.c sees zlib.
 */
#ifndef HPCP_IDX_H
#define HPCP_IDX_H

#include <stddef.h>
#include <stdint.h>

#define HPCP_IDX_MAX_DIMS 4
/* More values than this in one file is taken as a corrupt header. */
#define HPCP_IDX_MAX_VALUES (1u << 30)

enum hpcp_idx_type {
	HPCP_IDX_U8 = 0x08,
	HPCP_IDX_S8 = 0x09,
	HPCP_IDX_I16 = 0x0B,
	HPCP_IDX_I32 = 0x0C,
	HPCP_IDX_F32 = 0x0D,
	HPCP_IDX_F64 = 0x0E,
};

struct hpcp_idx {
	enum hpcp_idx_type type;        /* as stored */
	int ndims;                      /* 1..HPCP_IDX_MAX_DIMS */
	uint32_t dims[HPCP_IDX_MAX_DIMS];
	size_t count;                   /* product of dims */
	float *data;                    /* count values, converted to float */
};

/*
 * Read path into out (zeroed first).  Returns 0; -ENOENT when the file
 * does not exist; -EBADMSG when it is not a whole IDX file (bad magic or
 * type, 0 or too many dimensions, a zero size, more than
 * HPCP_IDX_MAX_VALUES values, data shorter than the header says, or bytes
 * after the data), with why naming the file and the byte offset in the
 * (uncompressed) stream where it went wrong; -ENOMEM; another -errno when
 * it cannot be opened or read.  why is set on every failure.
 */
int hpcp_idx_read(const char *path, struct hpcp_idx *out, char *why,
		  size_t len);

/* Frees out->data; out may be zeroed or already freed. */
void hpcp_idx_free(struct hpcp_idx *out);

/*
 * Write an uncompressed IDX file of type HPCP_IDX_F32 (test and synthetic
 * datasets).  Returns 0 or -errno with why.
 */
int hpcp_idx_write_f32(const char *path, int ndims, const uint32_t *dims,
		       const float *data, char *why, size_t len);

#endif
