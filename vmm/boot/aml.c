// SPDX-License-Identifier: GPL-2.0-only
/*
 * AML encoding, ACPI 6.5 chapter 20. Section numbers below are that
 * spec's. Opcodes are listed in section 20.3 ("AML Byte Stream Byte
 * Values").
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/aml.h"

/* Section 20.2.3, Data Objects Encoding. */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_ONES_OP		0xff
/* Section 20.2.2, Name Objects Encoding. */
#define AML_NULL_NAME		0x00
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_ROOT_CHAR		0x5c
#define AML_PARENT_PREFIX	0x5e
/* Section 20.2.5, Term Objects Encoding. */
#define AML_NAME_OP		0x08
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_EXT_OP_PREFIX	0x5b
#define AML_EXT_DEVICE_OP	0x82

/* Resource descriptor tags, section 6.4. */
#define RES_IO			0x47	/* small item 0x08, 7 bytes (6.4.2.5) */
#define RES_END_TAG		0x79	/* small item 0x0f, 1 byte (6.4.2.9) */
#define RES_MEMORY32_FIXED	0x86	/* large item 0x06 (6.4.3.4) */
#define RES_DWORD_ADDRESS	0x87	/* large item 0x07 (6.4.3.5.2) */
#define RES_WORD_ADDRESS	0x88	/* large item 0x08 (6.4.3.5.3) */
#define RES_QWORD_ADDRESS	0x8a	/* large item 0x0a (6.4.3.5.1) */

/* Address space descriptor fields (section 6.4.3.5). */
#define RES_TYPE_MEMORY		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
/* General flags: bit 3 _MAF, bit 2 _MIF, bit 1 _DEC (0: positive
 * decode), bit 0: 1 consumer, 0 producer. */
#define RES_FLAG_MAX_FIXED	(1u << 3)
#define RES_FLAG_MIN_FIXED	(1u << 2)
/* I/O type specific flags (6.4.3.5.5): _RNG = 3, ISA and non-ISA. */
#define RES_IO_ENTIRE_RANGE	3
/* Memory type specific flags (6.4.3.5.5): bit 0 _RW, bits 2:1 _MEM. */
#define RES_MEM_READ_WRITE	1

static void fail(struct aml *a, const char *why)
{
	if (!a->error)
		a->error = why;
}

static bool reserve(struct aml *a, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (a->error)
		return false;
	if (n <= a->cap - a->len)
		return true;
	if (n > SIZE_MAX / 2 - a->len) {
		fail(a, "AML too large");
		return false;
	}
	cap = a->cap ? a->cap : 256;
	while (cap - a->len < n)
		cap *= 2;
	p = realloc(a->buf, cap);
	if (!p) {
		fail(a, "out of memory");
		return false;
	}
	a->buf = p;
	a->cap = cap;
	return true;
}

/* Insert n bytes at pos, moving what follows. */
static void insert(struct aml *a, size_t pos, const uint8_t *p, size_t n)
{
	if (pos > a->len)
		fail(a, "AML object closed out of order");
	if (!reserve(a, n))
		return;
	memmove(a->buf + pos + n, a->buf + pos, a->len - pos);
	memcpy(a->buf + pos, p, n);
	a->len += n;
}

void aml_init(struct aml *a)
{
	*a = (struct aml){ 0 };
}

void aml_free(struct aml *a)
{
	free(a->buf);
	*a = (struct aml){ 0 };
}

void aml_byte(struct aml *a, uint8_t b)
{
	if (reserve(a, 1))
		a->buf[a->len++] = b;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (n && reserve(a, n)) {
		memcpy(a->buf + a->len, p, n);
		a->len += n;
	}
}

static void le(struct aml *a, uint64_t v, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		aml_byte(a, v >> (8 * i));
}

/*
 * Section 20.2.4. PkgLength counts its own bytes and what follows up to
 * the end of the object. One byte holds up to 63 (bits 5:0). Otherwise
 * bits 7:6 of the lead byte say how many bytes follow (1 to 3), bits 3:0
 * hold the low nibble of the length and each following byte the next
 * eight bits: 12, 20 or 28 bits in all. Bits 5:4 of that lead byte are 0.
 */
unsigned int aml_pkglen_encode(uint8_t out[4], size_t content_len)
{
	if (content_len > AML_PKGLEN_MAX)
		return 0;
	for (unsigned int bytes = 1; bytes <= 4; bytes++) {
		size_t total = content_len + bytes;
		size_t max = bytes == 1 ? 0x3f : ((size_t)1 << (8 * bytes - 4)) - 1;

		if (total > max)
			continue;
		if (bytes == 1) {
			out[0] = total;
			return 1;
		}
		out[0] = ((bytes - 1) << 6) | (total & 0x0f);
		for (unsigned int i = 1; i < bytes; i++)
			out[i] = total >> (8 * i - 4);
		return bytes;
	}
	return 0;
}

void aml_end(struct aml *a, size_t mark)
{
	uint8_t pkglen[4];
	unsigned int n;

	if (a->error)
		return;
	if (mark > a->len) {
		fail(a, "AML object closed out of order");
		return;
	}
	n = aml_pkglen_encode(pkglen, a->len - mark);
	if (!n) {
		fail(a, "AML object longer than a PkgLength can say");
		return;
	}
	insert(a, mark, pkglen, n);
}

/* NameSeg := LeadNameChar NameChar NameChar NameChar (section 20.2.2);
 * LeadNameChar is 'A'-'Z' or '_', NameChar also '0'-'9'. ASL pads short
 * names with '_'. Returns the characters consumed, or 0 if invalid. */
static size_t nameseg(struct aml *a, const char *s)
{
	size_t n = 0;
	char seg[4] = { '_', '_', '_', '_' };

	while (s[n] && s[n] != '.') {
		char c = s[n];
		bool lead_ok = (c >= 'A' && c <= 'Z') || c == '_';

		if (n == 4 || !(lead_ok || (n && c >= '0' && c <= '9')))
			return 0;
		seg[n++] = c;
	}
	if (n)
		aml_bytes(a, seg, 4);
	return n;
}

void aml_namestring(struct aml *a, const char *name)
{
	const char *p = name;
	size_t count = 1;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		for (; *p == '^'; p++)
			aml_byte(a, AML_PARENT_PREFIX);
	}
	if (!*p) {
		/* "\" alone, or "": NullName, no segments. */
		aml_byte(a, AML_NULL_NAME);
		return;
	}
	for (const char *q = p; *q; q++)
		count += *q == '.';
	if (count > 255) {
		fail(a, "AML name with too many segments");
		return;
	}
	if (count == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (count > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, count);
	}
	for (size_t i = 0; i < count; i++) {
		size_t n = nameseg(a, p);

		if (!n) {
			fail(a, "invalid AML name");
			return;
		}
		p += n;
		if (*p == '.')
			p++;
	}
}

/* Section 20.2.3: ComputationalData and ConstObj. */
static unsigned int integer_encode(uint8_t out[9], uint64_t v)
{
	unsigned int size;

	if (v == 0 || v == 1) {
		out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		size = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		size = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		size = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		size = 8;
	}
	for (unsigned int i = 0; i < size; i++)
		out[1 + i] = v >> (8 * i);
	return 1 + size;
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t enc[9];

	aml_bytes(a, enc, integer_encode(enc, v));
}

void aml_ones(struct aml *a)
{
	aml_byte(a, AML_ONES_OP);
}

void aml_string(struct aml *a, const char *s)
{
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p > 0x7f) {
			fail(a, "AML string with a non-ASCII character");
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

/*
 * A compressed EISA ID (section 6.1.5): three uppercase letters, five
 * bits each ('A' is 1), then four hex digits, packed big-endian into 32
 * bits and stored as a little-endian DWord, so "PNP0A03" is 0x030ad041.
 */
bool aml_eisaid_value(const char *id, uint32_t *out)
{
	uint32_t be = 0;

	if (strlen(id) != 7)
		return false;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return false;
		be = (be << 5) | (uint32_t)(id[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		char c = id[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		be = (be << 4) | d;
	}
	/* 15 + 16 bits: bit 31 stays 0. Store the bytes big-endian. */
	*out = __builtin_bswap32(be);
	return true;
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v;
	uint8_t enc[5] = { AML_DWORD_PREFIX };

	if (!aml_eisaid_value(id, &v)) {
		fail(a, "invalid EISA ID");
		return;
	}
	/* Always a DWordConst, as ASL compilers emit it, even when a
	 * shorter encoding would hold the value. */
	for (int i = 0; i < 4; i++)
		enc[1 + i] = v >> (8 * i);
	aml_bytes(a, enc, sizeof(enc));
}

/* DefName := NameOp NameString DataRefObject (section 20.2.5.1). */
void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

void aml_name_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

void aml_name_eisaid(struct aml *a, const char *name, const char *id)
{
	aml_name(a, name);
	aml_eisaid(a, id);
}

/* DefScope := ScopeOp PkgLength NameString TermList (section 20.2.5.1). */
size_t aml_scope_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = a->len;
	aml_namestring(a, name);
	return mark;
}

/* DefDevice := DeviceOp PkgLength NameString TermList, DeviceOp being
 * ExtOpPrefix 0x82 (section 20.2.5.2). */
size_t aml_device_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_EXT_DEVICE_OP);
	mark = a->len;
	aml_namestring(a, name);
	return mark;
}

/* DefPackage := PackageOp PkgLength NumElements PackageElementList, with
 * NumElements one byte (section 20.2.5.4). */
size_t aml_package_begin(struct aml *a)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE_OP);
	mark = a->len;
	aml_byte(a, 0);		/* NumElements, set by aml_package_end() */
	return mark;
}

void aml_package_end(struct aml *a, size_t mark, unsigned int nelems)
{
	if (a->error)
		return;
	if (nelems > 255) {
		fail(a, "AML Package with more than 255 elements");
		return;
	}
	if (mark >= a->len) {
		fail(a, "AML object closed out of order");
		return;
	}
	a->buf[mark] = nelems;
	aml_end(a, mark);
}

/* DefBuffer := BufferOp PkgLength BufferSize ByteList (section
 * 20.2.5.4); BufferSize is an integer known once the bytes are. */
size_t aml_resource_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	return a->len;
}

void aml_resource_end(struct aml *a, size_t mark)
{
	uint8_t size[9];

	/* End Tag (6.4.2.9): a checksum byte of 0 means "treat the
	 * template as correctly summed". */
	aml_byte(a, RES_END_TAG);
	aml_byte(a, 0);
	if (a->error)
		return;
	if (mark > a->len) {
		fail(a, "AML object closed out of order");
		return;
	}
	insert(a, mark, size, integer_encode(size, a->len - mark));
	aml_end(a, mark);
}

/* I/O Port Descriptor (6.4.2.5): bit 0 of the information byte set
 * means the device decodes all 16 address bits. */
void aml_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
	    uint8_t len)
{
	aml_byte(a, RES_IO);
	aml_byte(a, 1);
	le(a, min, 2);
	le(a, max, 2);
	aml_byte(a, align);
	aml_byte(a, len);
}

/* 32-bit Fixed Memory Range Descriptor (6.4.3.4): bit 0 of the
 * information byte set means writeable. */
void aml_memory32_fixed(struct aml *a, uint32_t base, uint32_t len)
{
	aml_byte(a, RES_MEMORY32_FIXED);
	le(a, 9, 2);
	aml_byte(a, 1);
	le(a, base, 4);
	le(a, len, 4);
}

/*
 * The Word, DWord and QWord Address Space Descriptors (6.4.3.5.1-3) share
 * a layout: tag, length (2 bytes), resource type, general flags, type
 * specific flags, then _GRA, _MIN, _MAX, _TRA and _LEN of 2, 4 or 8 bytes
 * each. All of ours have a fixed minimum and maximum (_MIF = _MAF = 1),
 * so _LEN = _MAX - _MIN + 1 and the granularity is 0 (6.4.3.5, Table
 * "Valid combinations of Address Space Descriptor fields").
 */
static void address_space(struct aml *a, uint8_t tag, unsigned int size,
			  uint8_t type, enum aml_producer p, uint8_t specific,
			  uint64_t min, uint64_t max)
{
	uint64_t field_max = size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
	uint64_t len = max - min + 1;

	if (max < min || max > field_max || len == 0 || len > field_max) {
		fail(a, "address range does not fit its descriptor");
		return;
	}
	aml_byte(a, tag);
	le(a, 3 + 5 * size, 2);
	aml_byte(a, type);
	aml_byte(a, RES_FLAG_MAX_FIXED | RES_FLAG_MIN_FIXED | p);
	aml_byte(a, specific);
	le(a, 0, size);		/* _GRA */
	le(a, min, size);
	le(a, max, size);
	le(a, 0, size);		/* _TRA: no translation */
	le(a, len, size);
}

void aml_word_bus_number(struct aml *a, enum aml_producer p, uint16_t min,
			 uint16_t max)
{
	address_space(a, RES_WORD_ADDRESS, 2, RES_TYPE_BUS, p, 0, min, max);
}

void aml_word_io(struct aml *a, enum aml_producer p, uint16_t min,
		 uint16_t max)
{
	address_space(a, RES_WORD_ADDRESS, 2, RES_TYPE_IO, p,
		      RES_IO_ENTIRE_RANGE, min, max);
}

void aml_dword_memory(struct aml *a, enum aml_producer p, enum aml_cache c,
		      uint32_t min, uint32_t max)
{
	address_space(a, RES_DWORD_ADDRESS, 4, RES_TYPE_MEMORY, p,
		      RES_MEM_READ_WRITE | (c << 1), min, max);
}

void aml_qword_memory(struct aml *a, enum aml_producer p, enum aml_cache c,
		      uint64_t min, uint64_t max)
{
	address_space(a, RES_QWORD_ADDRESS, 8, RES_TYPE_MEMORY, p,
		      RES_MEM_READ_WRITE | (c << 1), min, max);
}
