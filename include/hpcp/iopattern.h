/*
 * The storage phase's data pattern: what every byte written must read back
 * as, from a seed, a file number and the byte's offset alone.  Each
 * 8-byte word is a hash of (seed, file, word offset), so a block read from
 * the wrong offset, the wrong file or an older run does not match, and any
 * offset can be filled or checked without the rest of the file (the hard
 * sub-phase's 47 008 B transfers start anywhere).  No MPI: unit-tested.
 */
#ifndef HPCP_IOPATTERN_H
#define HPCP_IOPATTERN_H

#include <stddef.h>
#include <stdint.h>

/* The byte at offset off of file `file`. */
uint8_t hpcp_iopat_byte(uint64_t seed, uint64_t file, uint64_t off);

/* buf[0..len) = the bytes at offsets off..off+len. */
void hpcp_iopat_fill(void *buf, size_t len, uint64_t seed, uint64_t file,
		     uint64_t off);

/* The index in buf of the first byte that differs from the pattern, or -1
 * when all len bytes match. */
int64_t hpcp_iopat_check(const void *buf, size_t len, uint64_t seed,
			 uint64_t file, uint64_t off);

#endif
