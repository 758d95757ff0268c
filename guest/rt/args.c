// SPDX-License-Identifier: GPL-2.0-only
/* "key=value" arguments from ursa's --append, as numbers. */
#include "rt.h"

static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s && *s != ' '; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		any = true;
	}
	*out = v;
	return any;
}

enum rt_arg rt_arg_lookup(const char *key, uint64_t *v)
{
	const char *p = rt_boot->cmdline;

	while (*p) {
		const char *k = key;
		const char *word = p;

		while (*k && *p == *k) {
			p++;
			k++;
		}
		if (!*k && *p == '=' && (word == rt_boot->cmdline || word[-1] == ' '))
			return parse_u64(p + 1, v) ? RT_ARG_OK : RT_ARG_MALFORMED;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return RT_ARG_ABSENT;
}

uint64_t rt_arg_u64(const char *key, uint64_t def)
{
	uint64_t v;

	return rt_arg_lookup(key, &v) == RT_ARG_OK ? v : def;
}
