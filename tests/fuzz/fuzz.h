/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every harness in tests/fuzz/ shares: libFuzzer's entry points, a
 * reader that turns the input into numbers (past the end it reads zeros,
 * so every input is a complete program), and FUZZ_CHECK(), which aborts on
 * a broken invariant so that libFuzzer keeps the input as a crash.
 */
#ifndef URSA_TESTS_FUZZ_H
#define URSA_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: once, before the first input (set-up that inputs share). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s\n", \
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_more(const struct fuzz_input *in)
{
	return in->n > 0;
}

static inline uint8_t fz_u8(struct fuzz_input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* bytes (1..8) little-endian bytes as a number. */
static inline uint64_t fz_uint(struct fuzz_input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)fz_u8(in) << (8 * i);
	return v;
}

static inline uint16_t fz_u16(struct fuzz_input *in)
{
	return fz_uint(in, 2);
}

static inline uint32_t fz_u32(struct fuzz_input *in)
{
	return fz_uint(in, 4);
}

static inline uint64_t fz_u64(struct fuzz_input *in)
{
	return fz_uint(in, 8);
}

/* Up to want bytes of the input, as they are: how many were left. */
static inline size_t fz_bytes(struct fuzz_input *in, size_t want,
			      const uint8_t **p)
{
	size_t n = want < in->n ? want : in->n;

	*p = in->p;
	in->p += n;
	in->n -= n;
	return n;
}

/* An access size a bus hands a device: 1, 2, 4 or 8. */
static inline unsigned int fz_access_size(struct fuzz_input *in)
{
	return 1u << (fz_u8(in) & 3);
}

/* A one-line error message: non-empty, no newline, NUL-terminated within
 * len bytes. */
static inline bool fz_one_line(const char *err, size_t len)
{
	size_t n = strnlen(err, len);

	return n > 0 && n < len && !memchr(err, '\n', n);
}

#endif
