/*
 * The storage phase's data pattern: what every byte written must read back
 * as, from a seed, a file number and the byte's offset alone.  Each 4 KiB
 * block has a key, a hash of (seed, file, block index), and each 8-byte
 * word is its block's key xor a fixed word for its place in the block, so
 * a block read from the wrong offset, the wrong file or an older run does
 * not match, a word moved within a block does not either, and any offset
 * can be filled or checked without the rest of the file (the hard
 * sub-phase's 47 008 B transfers start anywhere).  Checking is one hash
 * per block and an exclusive or per word against a 4 KiB table that stays
 * in L1, as cheap as fio's verify=pattern (a hash per word cost more than
 * a buffered 4 KiB read; comparing with a copy of the file, memory
 * traffic).  No MPI: unit-tested.
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

/*
 * Who reads back whose file: src[r] = the rank whose file rank r reads,
 * given node[r], each rank's node index (n ranks).  A permutation (every
 * file read exactly once): ranks ordered by (node, rank), each reading the
 * file of the rank that many places on in that order as the largest node
 * has ranks (1 on a single node), so a read crosses nodes whatever the
 * placement (block or round-robin) whenever no node holds more than half
 * the ranks.  *shift = that many places (0 for one rank).  Returns 1 when
 * every read crosses nodes, 0 when not, -ENOMEM.
 */
int hpcp_iopat_readback(const int *node, int n, int *src, int *shift);

#endif
