/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal AML encoder (ACPI 6.5 chapter 20, "ACPI Machine Language
 * (AML) Specification") for the objects ursa's DSDT declares: names,
 * integers, strings, EISA IDs, packages, scopes, devices and resource
 * template buffers (ACPI 6.5 section 6.4).
 *
 * Bytes go to a growable buffer. Errors (an invalid name, a package too
 * long, out of memory) are sticky: the first one is recorded in
 * aml->error and every later call does nothing, so a builder checks once
 * at the end.
 *
 * Objects with a PkgLength (Scope, Device, Package, Buffer) are written
 * as begin ... end pairs: begin returns a mark, end inserts the
 * PkgLength, whose size (1 to 4 bytes) is only known once the contents
 * are (section 20.2.4).
 */
#ifndef URSA_VMM_BOOT_AML_H
#define URSA_VMM_BOOT_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len, cap;
	const char *error;	/* NULL, or why encoding stopped */
};

/* The largest PkgLength: 28 bits (section 20.2.4). */
#define AML_PKGLEN_MAX		0x0fffffffu

void aml_init(struct aml *a);
void aml_free(struct aml *a);

/* Raw bytes, for tests and for what the helpers below do not cover. */
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);

/*
 * Encode the PkgLength of an object whose contents after the PkgLength
 * take content_len bytes: the value counts its own bytes too. Writes 1 to
 * 4 bytes to out and returns how many, or 0 if it does not fit 28 bits.
 */
unsigned int aml_pkglen_encode(uint8_t out[4], size_t content_len);

/* NameString (section 20.2.2): "\\_SB.PCI0", "^FOO", "_S5", "" (NullName).
 * Segments shorter than four characters are padded with '_'. */
void aml_namestring(struct aml *a, const char *name);

/* Integers (section 20.2.3): the shortest of ZeroOp, OneOp, BytePrefix,
 * WordPrefix, DWordPrefix and QWordPrefix that holds v. */
void aml_integer(struct aml *a, uint64_t v);
/* OnesOp: all ones in the table's integer width (64 bits in a revision 2
 * DSDT). */
void aml_ones(struct aml *a);
/* StringPrefix AsciiCharList NullChar; only 0x01..0x7f characters. */
void aml_string(struct aml *a, const char *s);
/* EISAID("PNP0A08"): the 32-bit compressed EISA ID, as a DWordConst
 * (ASL EISAID, section 19.6; the encoding is section 6.1.5, _HID). */
void aml_eisaid(struct aml *a, const char *id);
/* The compressed value itself; false for a malformed id. */
bool aml_eisaid_value(const char *id, uint32_t *out);

/* NameOp NameString DataRefObject: the object is what the caller emits
 * next (an integer, string, package or buffer). */
void aml_name(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, uint64_t v);
void aml_name_string(struct aml *a, const char *name, const char *s);
void aml_name_eisaid(struct aml *a, const char *name, const char *id);

/* Scope(name) { ... } and Device(name) { ... }. */
size_t aml_scope_begin(struct aml *a, const char *name);
size_t aml_device_begin(struct aml *a, const char *name);
/* Closes a Scope, a Device or a Buffer. */
void aml_end(struct aml *a, size_t mark);

/* Package(n) { ... }: the caller emits exactly nelems elements. */
size_t aml_package_begin(struct aml *a);
void aml_package_end(struct aml *a, size_t mark, unsigned int nelems);

/*
 * Buffer() { ... } holding a resource template (section 6.4): begin, add
 * descriptors, then aml_resource_end(), which appends the End Tag and
 * closes the buffer.
 */
size_t aml_resource_begin(struct aml *a);
void aml_resource_end(struct aml *a, size_t mark);

/* Address space descriptors (section 6.4.3.5): a producer is a bridge
 * window, a consumer a range the device itself decodes. */
enum aml_producer {
	AML_PRODUCER = 0,
	AML_CONSUMER = 1,
};

/* Memory attributes, _MEM (section 6.4.3.5.5, memory resource flags). */
enum aml_cache {
	AML_NON_CACHEABLE = 0,
	AML_CACHEABLE = 1,
	AML_WRITE_COMBINING = 2,
	AML_PREFETCHABLE = 3,
};

/* IO(Decode16, min, max, align, len) (section 6.4.2.5). */
void aml_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
	    uint8_t len);
/* Memory32Fixed(ReadWrite, base, len) (section 6.4.3.4). */
void aml_memory32_fixed(struct aml *a, uint32_t base, uint32_t len);
/* WordBusNumber(..., MinFixed, MaxFixed, PosDecode, 0, min, max, 0, n). */
void aml_word_bus_number(struct aml *a, enum aml_producer p, uint16_t min,
			 uint16_t max);
/* WordIO(..., MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max,
 * 0, n). */
void aml_word_io(struct aml *a, enum aml_producer p, uint16_t min,
		 uint16_t max);
/* DWordMemory / QWordMemory(..., PosDecode, MinFixed, MaxFixed, cache,
 * ReadWrite, 0, min, max, 0, n). */
void aml_dword_memory(struct aml *a, enum aml_producer p, enum aml_cache c,
		      uint32_t min, uint32_t max);
void aml_qword_memory(struct aml *a, enum aml_producer p, enum aml_cache c,
		      uint64_t min, uint64_t max);

#endif
