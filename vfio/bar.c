// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/msix.h"
#include "vfio/bar.h"
#include "vfio/config.h"
#include "vfio/device.h"
#include "vmm/bus.h"
#include "vmm/log.h"
#include "vmm/memory.h"

#define PAGE_SIZE	4096ull

/* A BAR's index is its VFIO region index. */
_Static_assert(VFIO_BAR_ROM == VFIO_PCI_ROM_REGION_INDEX &&
	       VFIO_PCI_BAR0_REGION_INDEX == 0, "BAR numbering is VFIO's");

static uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* [off, off + len) lies in [start, start + n). */
static bool inside(uint64_t off, unsigned int len, uint64_t start, uint64_t n)
{
	return n && off >= start && off - start < n && len <= n - (off - start);
}

static void bar_read(void *opaque, uint64_t off, uint8_t *data, unsigned int size)
{
	struct vfio_bar *bar = opaque;
	struct vfio_bars *b = bar->owner;

	pthread_rwlock_rdlock(&b->lock);
	if (bar->state == VFIO_BAR_DISABLED) {
		memset(data, 0xff, size);
		atomic_fetch_add(&b->stats.ur_reads, 1);
	} else if (inside(off, size, bar->table_off, bar->table_len)) {
		msix_table_read(b->msix, off - bar->table_off, data, size);
	} else if (inside(off, size, bar->pba_off, bar->pba_len)) {
		msix_pba_read(b->msix, off - bar->pba_off, data, size);
	} else if (!vfio_region_read(b->dev, bar->index, off, data, size)) {
		memset(data, 0xff, size);
	}
	pthread_rwlock_unlock(&b->lock);
}

static void bar_write(void *opaque, uint64_t off, const uint8_t *data,
		      unsigned int size)
{
	struct vfio_bar *bar = opaque;
	struct vfio_bars *b = bar->owner;

	pthread_rwlock_rdlock(&b->lock);
	if (bar->state == VFIO_BAR_DISABLED)
		atomic_fetch_add(&b->stats.dropped_writes, 1);
	else if (bar->index == VFIO_BAR_ROM || inside(off, size, bar->pba_off, bar->pba_len))
		;	/* read-only: the ROM, the PBA */
	else if (inside(off, size, bar->table_off, bar->table_len))
		msix_table_write(b->msix, off - bar->table_off, data, size);
	else
		vfio_region_write(b->dev, bar->index, off, data, size);
	pthread_rwlock_unlock(&b->lock);
}

static const struct bus_ops bar_ops = { bar_read, bar_write };

/* Memslots for [start, end) of the BAR (page-aligned), less the trapped
 * MSI-X pages; mmapped now, registered when the BAR is MAPPED. */
static int add_pieces(struct vfio_bar *bar, struct guest_memory *mem,
		      uint64_t start, uint64_t end)
{
	struct vfio_bars *b = bar->owner;
	uint64_t holes[2][2] = {
		{ page_down(bar->table_off), page_up(bar->table_off + bar->table_len) },
		{ page_down(bar->pba_off), page_up(bar->pba_off + bar->pba_len) },
	};

	while (start < end) {
		uint64_t stop = end;
		struct vfio_bar_piece *p;

		/* Step over holes until start is in none (they may overlap,
		 * the table and PBA can share a page), then stop at the next. */
		for (bool moved = true; moved;) {
			moved = false;
			for (unsigned int h = 0; h < 2; h++) {
				if (start >= holes[h][0] && start < holes[h][1]) {
					start = holes[h][1];
					moved = true;
				}
			}
		}
		if (start >= end)
			break;
		for (unsigned int h = 0; h < 2; h++)
			if (holes[h][0] > start && holes[h][0] < stop)
				stop = holes[h][0];
		if (bar->nr_pieces == VFIO_BAR_MAX_PIECES)
			return 0;	/* the rest stays trapped */
		p = &bar->pieces[bar->nr_pieces];
		p->hva = mmap(NULL, stop - start, PROT_READ | PROT_WRITE, MAP_SHARED,
			      b->dev->fd, b->dev->regions[bar->index].offset + start);
		if (p->hva == MAP_FAILED)
			return -errno;
		p->offset = start;
		p->size = stop - start;
		p->slot = memory_alloc_slot(mem);
		bar->nr_pieces++;
		start = stop;
	}
	return 0;
}

static int setup_bar(struct vfio_bars *b, unsigned int i,
		     const struct vfio_config *cfg, struct guest_memory *mem)
{
	struct vfio_bar *bar = &b->bar[i];
	const struct vfio_region *r = &b->dev->regions[i];

	*bar = (struct vfio_bar){ .owner = b, .index = i };
	if (i == VFIO_BAR_ROM) {
		bar->kind = cfg->rom_size ? PCI_BAR_MEM32 : PCI_BAR_NONE;
		bar->size = cfg->rom_size;
		return 0;	/* always trapped: read with pread */
	}
	bar->kind = cfg->bars[i].kind;
	bar->size = cfg->bars[i].size;
	if (b->msix && cfg->msix_table_bar == i) {
		bar->table_off = cfg->msix_table_offset;
		bar->table_len = 16ull * cfg->msix_vectors;
	}
	if (b->msix && cfg->msix_pba_bar == i) {
		bar->pba_off = cfg->msix_pba_offset;
		bar->pba_len = 8ull * ((cfg->msix_vectors + 63) / 64);
	}
	if (bar->kind == PCI_BAR_IO || bar->kind == PCI_BAR_NONE ||
	    bar->size < PAGE_SIZE || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return 0;
	for (unsigned int a = 0; a < r->nr_areas; a++) {
		uint64_t start = page_up(r->areas[a].offset);
		uint64_t end = page_down(r->areas[a].offset + r->areas[a].size);
		int ret = end > start ? add_pieces(bar, mem, start, end) : 0;

		if (ret)
			return ret;
	}
	return 0;
}

int vfio_bars_init(struct vfio_bars *b, const char *name,
		   struct vfio_device *dev, const struct vfio_config *config,
		   struct msix *msix, struct guest_memory *mem, int vm_fd,
		   bool use_region2, struct bus *mmio, struct bus *pio,
		   char *err, size_t errlen)
{
	*b = (struct vfio_bars){
		.name = name, .dev = dev, .msix = msix, .vm_fd = vm_fd,
		.use_region2 = use_region2, .gpa_limit = mem->gpa_limit,
		.mmio = mmio, .pio = pio,
	};
	pthread_rwlock_init(&b->lock, NULL);
	for (unsigned int i = 0; i < VFIO_NR_BARS; i++) {
		int ret = setup_bar(b, i, config, mem);

		if (ret) {
			set_error(err, errlen, "%s: BAR %u: mmap: %s", name, i, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/* Called with the write lock held. */
static void set_state(struct vfio_bar *bar, enum vfio_bar_state state)
{
	if (bar->state != state)
		atomic_fetch_add(&bar->owner->stats.transitions, 1);
	bar->state = state;
}

static void unmap_pieces(struct vfio_bar *bar)
{
	struct vfio_bars *b = bar->owner;

	for (unsigned int p = 0; p < bar->nr_pieces; p++) {
		int ret = kvm_delete_memslot(b->vm_fd, b->use_region2, bar->pieces[p].slot);

		if (ret)
			log_error("%s: BAR %u: deleting memslot %u: %s", b->name, bar->index,
				  bar->pieces[p].slot, strerror(-ret));
	}
}

/* false if KVM refused a memslot (the BAR then stays trapped). */
static bool map_pieces(struct vfio_bar *bar, uint64_t addr)
{
	struct vfio_bars *b = bar->owner;

	for (unsigned int p = 0; p < bar->nr_pieces; p++) {
		struct vfio_bar_piece *piece = &bar->pieces[p];
		int ret = kvm_set_memslot(b->vm_fd, b->use_region2, piece->slot,
					  addr + piece->offset, piece->size, piece->hva,
					  b->gpa_limit);

		if (ret) {
			/* Overlapping RAM or another BAR, or beyond MAXPHYADDR. */
			log_error("%s: BAR %u at 0x%llx: memslot refused (%s); accesses will be trapped",
				  b->name, bar->index, (unsigned long long)addr, strerror(-ret));
			for (unsigned int q = 0; q < p; q++)
				kvm_delete_memslot(b->vm_fd, b->use_region2, bar->pieces[q].slot);
			return false;
		}
	}
	return true;
}

void vfio_bar_sync(struct vfio_bars *b, unsigned int index, bool decode,
		   uint64_t addr)
{
	struct vfio_bar *bar = &b->bar[index];
	struct bus *bus = bar->kind == PCI_BAR_IO ? b->pio : b->mmio;
	enum vfio_bar_state want;
	bool mapped;

	if (bar->kind == PCI_BAR_NONE)
		return;
	want = !decode || !addr ? VFIO_BAR_DISABLED :
	       bar->nr_pieces ? VFIO_BAR_MAPPED : VFIO_BAR_TRAPPED;
	pthread_rwlock_wrlock(&b->lock);
	/* Memslots stay only where they are and are still wanted. */
	mapped = bar->state == VFIO_BAR_MAPPED;
	if (mapped && (want != VFIO_BAR_MAPPED || addr != bar->addr)) {
		unmap_pieces(bar);
		mapped = false;
	}
	if (bar->on_bus && addr != bar->addr) {
		bus_remove(bus, bar->addr, bar);
		bar->on_bus = false;
	}
	/* A place another range already holds leaves this BAR off the bus
	 * (a guest may stack BARs); accesses there reach the first owner. */
	if (addr && !bar->on_bus)
		bar->on_bus = !bus_add(bus, addr, bar->size, b->name, &bar_ops, bar);
	bar->map_pending = false;
	if (want == VFIO_BAR_MAPPED && !mapped && b->map_later) {
		want = VFIO_BAR_TRAPPED;
		bar->map_pending = true;
		b->map_later(b->map_opaque);
	} else if (want == VFIO_BAR_MAPPED && !mapped && !map_pieces(bar, addr)) {
		want = VFIO_BAR_TRAPPED;
	}
	set_state(bar, want);
	bar->addr = addr;
	pthread_rwlock_unlock(&b->lock);
}

void vfio_bars_defer_maps(struct vfio_bars *b, void (*map_later)(void *opaque),
			  void *opaque)
{
	pthread_rwlock_wrlock(&b->lock);
	b->map_later = map_later;
	b->map_opaque = opaque;
	pthread_rwlock_unlock(&b->lock);
}

void vfio_bars_map_pending(struct vfio_bars *b)
{
	pthread_rwlock_wrlock(&b->lock);
	for (unsigned int i = 0; i < VFIO_NR_BARS; i++) {
		struct vfio_bar *bar = &b->bar[i];

		/* A later sync cleared it, or the BAR left TRAPPED. */
		if (!bar->map_pending || bar->state != VFIO_BAR_TRAPPED)
			continue;
		bar->map_pending = false;
		if (map_pieces(bar, bar->addr))
			set_state(bar, VFIO_BAR_MAPPED);
	}
	pthread_rwlock_unlock(&b->lock);
}

bool vfio_bars_demote(struct vfio_bars *b, bool all_mapped, uint64_t gpa,
		      bool (*decodes)(void *opaque), void *opaque)
{
	bool decoding;

	pthread_rwlock_wrlock(&b->lock);
	decoding = decodes(opaque);
	for (unsigned int i = 0; i < VFIO_NR_BARS && !(all_mapped && decoding); i++) {
		struct vfio_bar *bar = &b->bar[i];

		if (bar->state != VFIO_BAR_MAPPED ||
		    (!all_mapped && !inside(gpa, 1, bar->addr, bar->size)))
			continue;
		unmap_pieces(bar);
		set_state(bar, decoding ? VFIO_BAR_TRAPPED : VFIO_BAR_DISABLED);
		atomic_fetch_add(&b->stats.demotions, 1);
	}
	pthread_rwlock_unlock(&b->lock);
	return decoding;
}

bool vfio_bars_hold(struct vfio_bars *b, uint64_t gpa)
{
	bool held = false;

	pthread_rwlock_rdlock(&b->lock);
	for (unsigned int i = 0; i < VFIO_NR_BARS; i++)
		held |= b->bar[i].on_bus && inside(gpa, 1, b->bar[i].addr, b->bar[i].size);
	pthread_rwlock_unlock(&b->lock);
	return held;
}

void vfio_bars_describe(struct vfio_bars *b, char *buf, size_t len)
{
	static const char *const names[] = {
		[VFIO_BAR_DISABLED] = "DISABLED",
		[VFIO_BAR_TRAPPED] = "TRAPPED",
		[VFIO_BAR_MAPPED] = "MAPPED",
	};
	size_t used = 0;

	buf[0] = '\0';
	pthread_rwlock_rdlock(&b->lock);
	for (unsigned int i = 0; i < VFIO_NR_BARS && used < len; i++) {
		const struct vfio_bar *bar = &b->bar[i];
		int n;

		if (bar->kind == PCI_BAR_NONE)
			continue;
		n = snprintf(buf + used, len - used, "%s%s%u 0x%llx+0x%llx %s",
			     used ? ", " : "", i == VFIO_BAR_ROM ? "ROM" : "BAR",
			     i == VFIO_BAR_ROM ? 0 : i, (unsigned long long)bar->addr,
			     (unsigned long long)bar->size, names[bar->state]);
		if (n > 0)
			used += n;
	}
	pthread_rwlock_unlock(&b->lock);
}

void vfio_bars_destroy(struct vfio_bars *b)
{
	for (unsigned int i = 0; i < VFIO_NR_BARS; i++) {
		struct vfio_bar *bar = &b->bar[i];

		if (bar->kind == PCI_BAR_NONE)
			continue;
		vfio_bar_sync(b, i, false, 0);
		for (unsigned int p = 0; p < bar->nr_pieces; p++)
			munmap(bar->pieces[p].hva, bar->pieces[p].size);
		bar->nr_pieces = 0;
	}
	pthread_rwlock_destroy(&b->lock);
}
