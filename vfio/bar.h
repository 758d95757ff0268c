/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The BAR state machine of an assigned device (README, "BARs of assigned
 * devices"). Every BAR with a usable guest address is on ursa's MMIO (or
 * port) bus; on top of that a memory BAR's mmap-able pages may be KVM
 * memslots backed by the device itself:
 *
 *   MAPPED    memslots at the guest address: the guest reaches the device
 *             without exits, except for the pages holding the MSI-X table
 *             and PBA, which are always trapped.
 *   TRAPPED   no memslot: every access exits and is forwarded to the
 *             region with pread/pwrite (I/O BARs, the ROM, BARs that
 *             cannot be mmapped or mapped at this address).
 *   DISABLED  the guest turned decoding off: no memslot, and accesses get
 *             PCIe Unsupported Request semantics (PCIe 6.0 2.3.1): reads
 *             return all ones, writes are dropped. They never reach the
 *             device.
 *
 * Every change goes through vfio_bar_sync(), under a lock that accesses
 * take for reading. Turning decode off removes the memslots before the
 * caller lets the COMMAND write reach the device: vfio-pci zaps the BAR's
 * mappings when memory decode goes off (vfio_pci_zap_bars()), and a vCPU
 * that touched a still-present memslot then would make KVM_RUN fail with
 * EFAULT.
 */
#ifndef URSA_VFIO_BAR_H
#define URSA_VFIO_BAR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci.h"
#include "vfio/config.h"

struct bus;
struct guest_memory;
struct msix;
struct vfio_device;

#define VFIO_BAR_MAX_PIECES	8

enum vfio_bar_state { VFIO_BAR_DISABLED, VFIO_BAR_TRAPPED, VFIO_BAR_MAPPED };

/* An mmap of part of a BAR that becomes one memslot when MAPPED. */
struct vfio_bar_piece {
	uint64_t offset;	/* in the BAR, page-aligned */
	uint64_t size;
	void *hva;
	uint32_t slot;
};

struct vfio_bars;

struct vfio_bar {
	struct vfio_bars *owner;
	unsigned int index;
	enum pci_bar_kind kind;	/* PCI_BAR_NONE: absent */
	uint64_t size;
	enum vfio_bar_state state;
	bool map_pending;	/* TRAPPED, wanted MAPPED: vfio_bars_map_pending() */
	bool on_bus;		/* its range is on the bus, at addr */
	uint64_t addr;
	unsigned int nr_pieces;
	struct vfio_bar_piece pieces[VFIO_BAR_MAX_PIECES];
	/* The MSI-X table and PBA when they live in this BAR (len 0: not). */
	uint64_t table_off, table_len, pba_off, pba_len;
};

/* What the state machine did, for --stats. */
struct vfio_bar_stats {
	atomic_ulong ur_reads;		/* DISABLED: answered all ones */
	atomic_ulong dropped_writes;	/* DISABLED: never reached the device */
	atomic_ulong transitions;	/* state changes */
	atomic_ulong demotions;		/* MAPPED taken down after a fault */
};

struct vfio_bars {
	const char *name;	/* the device, for messages */
	struct vfio_device *dev;
	struct msix *msix;	/* NULL without MSI-X */
	int vm_fd;
	bool use_region2;
	uint64_t gpa_limit;
	struct bus *mmio, *pio;
	pthread_rwlock_t lock;	/* accesses: read; transitions: write */
	/* Set: memslots are added only by vfio_bars_map_pending(), which
	 * map_later(map_opaque) asks for (vfio_bars_defer_maps()). */
	void (*map_later)(void *opaque);
	void *map_opaque;
	struct vfio_bar bar[VFIO_NR_BARS];
	struct vfio_bar_stats stats;
};

/*
 * Set up the BARs config describes, mmapping what the kernel allows
 * (all off the buses, DISABLED). msix may be NULL. 0, or -1 with err.
 */
int vfio_bars_init(struct vfio_bars *b, const char *name,
		   struct vfio_device *dev, const struct vfio_config *config,
		   struct msix *msix, struct guest_memory *mem, int vm_fd,
		   bool use_region2, struct bus *mmio, struct bus *pio,
		   char *err, size_t errlen);
/* Every BAR off the buses and unmapped. */
void vfio_bars_destroy(struct vfio_bars *b);

/*
 * The one way a BAR changes state: the guest's decode enable for it and
 * the address it programmed (0: none usable). Called with the PCI host's
 * lock held, from config writes.
 */
void vfio_bar_sync(struct vfio_bars *b, unsigned int index, bool decode,
		   uint64_t addr);

/*
 * From now on a BAR that becomes MAPPED in vfio_bar_sync() stays TRAPPED,
 * with its memslots still to add, and map_later(opaque) is called (with
 * the lock held: it must only note the request). The caller then calls
 * vfio_bars_map_pending() at a time no vCPU can be inside KVM_RUN.
 *
 * Why: KVM emulates a guest access that faulted on a BAR without a
 * memslot (an MMIO access), and the vCPU thread can be preempted inside
 * that emulation. If the memslot is added meanwhile, the emulation finds
 * it and reads or writes the device through ursa's mapping with
 * copy_from_user()/copy_to_user() (emulator_read_write_onepage() ->
 * kvm_vcpu_read_guest()): one byte at a time, not the guest's 4 or 8.
 * A device that wants dword accesses (NVMe, QEMU's edu) then misreads
 * (tests/nested/README.md, "The zero reads").
 */
void vfio_bars_defer_maps(struct vfio_bars *b, void (*map_later)(void *opaque),
			  void *opaque);
/* Add the memslots of the BARs that wait for them (see above). */
void vfio_bars_map_pending(struct vfio_bars *b);

/*
 * After KVM failed to fault in a BAR page (the mapping was zapped under
 * the memslot): take the MAPPED BAR holding gpa off its memslots, to
 * DISABLED when the device does not decode memory now or TRAPPED when it
 * does; with all_mapped, take every MAPPED BAR to DISABLED, and only if
 * the device does not decode. decodes(opaque) reads the device's state
 * under the lock every state change takes, so no COMMAND, D3hot or FLR
 * transition can come between the answer and the demotion: a stale "off"
 * would leave a BAR DISABLED over a device that decodes again. Returns
 * whether the device decoded. A guest access then exits as MMIO and gets
 * the state's answer.
 */
bool vfio_bars_demote(struct vfio_bars *b, bool all_mapped, uint64_t gpa,
		      bool (*decodes)(void *opaque), void *opaque);

/* Whether gpa lies in one of the BARs' ranges on the bus. */
bool vfio_bars_hold(struct vfio_bars *b, uint64_t gpa);

/* "BAR0 0xc0000000+0x100000 MAPPED ..." for a diagnosis. */
void vfio_bars_describe(struct vfio_bars *b, char *buf, size_t len);

#endif
