/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entering a vCPU straight in 64-bit mode, shared by the stub and Linux
 * boot paths: flat segments and their GDT encoding, an identity map of the
 * low 4 GiB, and the control registers of long mode with paging.
 */
#ifndef URSA_VMM_BOOT_LONGMODE_H
#define URSA_VMM_BOOT_LONGMODE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/kvm_uapi.h"

struct guest_memory;

/* Segment types (SDM Vol. 3A 3.4.5.1, 3.5). */
#define SEG_TYPE_DATA_RW	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE_RX	0xb	/* execute/read, accessed */
#define SEG_TYPE_TSS64_BUSY	0xb

/* Page-table pages the identity map needs: PML4, PDPT, four PDs. */
#define LONGMODE_PT_PAGES	6

/* A flat 4 GiB segment; code segments are 64-bit (L=1). */
struct kvm_segment longmode_flat_segment(uint16_t sel, uint8_t type,
					 uint8_t dpl, bool code);

/* The 8-byte descriptor the CPU would load to get s (SDM Vol. 3A 3.4.5). */
uint64_t longmode_descriptor(const struct kvm_segment *s);

/*
 * Identity-map [0, 4 GiB) with 2 MiB pages at pt_gpa (LONGMODE_PT_PAGES
 * pages of RAM). user makes the pages accessible at CPL3. The 32-bit MMIO
 * hole is uncacheable: PCD and PWT select PAT entry 3, UC after reset
 * (SDM Vol. 3A 12.12.3, 12.12.4), so device registers are never cached or
 * read speculatively. Returns 0, or -1 when the pages are not in RAM.
 */
int longmode_identity_map(struct guest_memory *mem, uint64_t pt_gpa, bool user);

/* CR0/CR3/CR4/EFER for 64-bit mode with paging, CS and the data segments
 * set; the caller adjusts what its entry convention needs beyond that. */
void longmode_sregs(struct kvm_sregs *sregs, uint64_t pt_gpa,
		    const struct kvm_segment *cs, const struct kvm_segment *ds);

#endif
