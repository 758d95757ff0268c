/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal test harness: CHECK() records a failure with its location and
 * goes on; main() returns non-zero if anything failed.
 */
#ifndef URSA_TESTS_CHECK_H
#define URSA_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)							\
	do {								\
		check_count++;						\
		if (!(cond)) {						\
			check_failures++;				\
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
		}							\
	} while (0)

#define CHECK_EQ_U64(a, b)						\
	do {								\
		uint64_t a_ = (a), b_ = (b);				\
		check_count++;						\
		if (a_ != b_) {						\
			check_failures++;				\
			fprintf(stderr, "%s:%d: %s == 0x%" PRIx64	\
				", expected %s == 0x%" PRIx64 "\n",	\
				__FILE__, __LINE__, #a, a_, #b, b_);	\
		}							\
	} while (0)

#define CHECK_CONTAINS(haystack, needle)				\
	do {								\
		check_count++;						\
		if (!strstr((haystack), (needle))) {			\
			check_failures++;				\
			fprintf(stderr, "%s:%d: \"%s\" lacks \"%s\"\n",	\
				__FILE__, __LINE__, (haystack), (needle)); \
		}							\
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
