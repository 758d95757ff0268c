// SPDX-License-Identifier: GPL-2.0-only
/*
 * The whole virtio-blk device (devices/virtio/blk.c) with its I/O thread
 * running, against a hostile driver on another thread, as in a VM: the
 * harness is the vCPU. It writes guest RAM (rings, descriptors, buffers),
 * reads and writes anywhere in the device's BAR (common configuration,
 * doorbells, device configuration, MSI-X), and lets time pass, while the
 * I/O thread polls the queues, takes requests, does their I/O on a 1 MiB
 * file and completes them, sleeps and wakes on doorbells. The device has
 * two queues (VIRTIO_BLK_F_MQ) and offers EVENT_IDX and indirect
 * descriptors, on a PCI host in slot 1 (INTx goes nowhere); guest RAM is
 * 64 KiB.
 *
 * Input: operations, each an opcode byte and its operands:
 *   0 RAM write (gpa u16, length u8, bytes)   1 BAR write (offset u16,
 *   size code, value u64)   2 BAR read (offset u16, size code)
 *   3 a driver's queue set-up (queue u8, size code, three gpas u16)
 *   4 status write (u8)   5 wait (u8: that many times 20 us)
 * Checked, besides memory safety (ASan, UBSan):
 * - after a reset (status 0) returns, no request is in flight on any
 *   queue: the I/O thread can no longer write into RAM the driver took
 *   back (VIRTIO 1.2 2.4);
 * - every queue's slots in flight plus free add up to its slot count, and
 *   a queue never has more heads outstanding than its size;
 * - the device's configuration reads num_queues 2 and the disk's capacity.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <unistd.h>

#include "fuzz.h"
#include "devices/virtio/blk.h"
#include "vmm/bus.h"
#include "vmm/irq.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

#define RAM_SIZE	(64u << 10)
#define DISK_BYTES	(1u << 20)
#define NR_QUEUES	2
#define DEVICE_CFG	0x2000	/* the device configuration in the BAR */

static struct guest_memory mem;
static struct irq_router router;
static struct layout layout;
static struct bus pio, mmio;
static struct pci_host host;
static char disk_path[] = "/tmp/fuzz-blk-queues-XXXXXX";
static struct virtio_blk *blk;

static void fail_stop(void *opaque)
{
	(void)opaque;
	FUZZ_CHECK(!"the I/O thread failed");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct layout ram = {
		.ram = { { 0, RAM_SIZE } },
		.nr_ram = 1,
		.ram_below_4g = RAM_SIZE,
		.gpa_limit = 1ull << 40,
	};
	char err[256];
	int fd = mkstemp(disk_path);

	(void)argc;
	(void)argv;
	FUZZ_CHECK(fd >= 0 && !ftruncate(fd, DISK_BYTES));
	close(fd);
	FUZZ_CHECK(!layout_compute(1ull << 30, 40, &layout, err, sizeof(err)));
	FUZZ_CHECK(!memory_create(&mem, &ram, err, sizeof(err)));
	FUZZ_CHECK(!irq_router_init(&router, -1, false));
	blk = calloc(1, sizeof(*blk));
	FUZZ_CHECK(blk);
	return 0;
}

static void bar_write(uint64_t off, unsigned int size, uint64_t v)
{
	uint8_t data[8];
	const struct pci_bar *bar = &blk->vp.pci.bars[VIRTIO_PCI_BAR];

	for (unsigned int i = 0; i < size; i++)
		data[i] = v >> (8 * i);
	bar->ops->write(bar->opaque, off, data, size);
}

static uint64_t bar_read(uint64_t off, unsigned int size)
{
	const struct pci_bar *bar = &blk->vp.pci.bars[VIRTIO_PCI_BAR];
	uint8_t data[8] = { 0 };
	uint64_t v = 0;

	bar->ops->read(bar->opaque, off, data, size);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

/* Sizes the common configuration takes: 1, 2, 4 and 8 bytes. */
static unsigned int size_of(uint8_t code)
{
	return 1u << (code % 4);
}

static void check_slots(bool after_reset)
{
	pthread_mutex_lock(&blk->vp.lock);
	for (unsigned int i = 0; i < blk->nr_queues; i++) {
		const struct blk_queue *q = &blk->queues[i];
		const struct virtq *vq = &blk->vp.queues[i].vq;

		FUZZ_CHECK(q->nr_free <= VIRTIO_BLK_QUEUE_SIZE);
		FUZZ_CHECK(!after_reset || q->nr_free == VIRTIO_BLK_QUEUE_SIZE);
		FUZZ_CHECK(!vq->enabled || vq->inflight <= vq->size);
	}
	FUZZ_CHECK(!after_reset || !blk->stale);
	pthread_mutex_unlock(&blk->vp.lock);
}

/* What a driver does for queue q (4.1.5.1.3), with the input's values. */
static void set_up_queue(struct fuzz_input *in)
{
	uint8_t q = fz_u8(in) % (NR_QUEUES + 1);

	bar_write(VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	bar_write(VIRTIO_PCI_COMMON_Q_SIZE, 2, 1u << (fz_u8(in) % 9));
	bar_write(VIRTIO_PCI_COMMON_Q_DESCLO, 8, fz_u16(in));
	bar_write(VIRTIO_PCI_COMMON_Q_AVAILLO, 8, fz_u16(in));
	bar_write(VIRTIO_PCI_COMMON_Q_USEDLO, 8, fz_u16(in));
	bar_write(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

/* FEATURES_OK with everything offered, then DRIVER_OK: a head start. */
static void negotiate(void)
{
	bar_write(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	for (unsigned int w = 0; w < 2; w++) {
		bar_write(VIRTIO_PCI_COMMON_DFSELECT, 4, w);
		bar_write(VIRTIO_PCI_COMMON_GFSELECT, 4, w);
		bar_write(VIRTIO_PCI_COMMON_GF, 4, bar_read(VIRTIO_PCI_COMMON_DF, 4));
	}
	bar_write(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		  VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct virtio_blk_params p = {
		.path = disk_path, .queues = NR_QUEUES, .poll_us = 20,
	};
	struct fuzz_input in = { data, size };
	uint8_t *ram = gpa_to_hva(&mem, 0, RAM_SIZE);
	char err[256];

	memset(ram, 0, RAM_SIZE);
	FUZZ_CHECK(!bus_init(&pio, "pio") && !bus_init(&mmio, "mmio"));
	FUZZ_CHECK(!pci_host_init(&host, &pio, &mmio, &layout, NULL, NULL, err, sizeof(err)));
	FUZZ_CHECK(!virtio_blk_init(blk, &p, &mem, &router, -1, err, sizeof(err)));
	FUZZ_CHECK(!pci_host_add_device(&host, &blk->vp.pci, 1, err, sizeof(err)));
	FUZZ_CHECK(!virtio_blk_start(blk, SECCOMP_OFF, fail_stop, NULL));
	FUZZ_CHECK(bar_read(DEVICE_CFG + offsetof(struct virtio_blk_config, num_queues), 2) ==
		   NR_QUEUES);
	FUZZ_CHECK(bar_read(DEVICE_CFG, 8) == DISK_BYTES / 512);
	negotiate();
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);
		const uint8_t *bytes;
		uint64_t off, v;
		size_t n;

		switch (op % 6) {
		case 0:
			off = fz_u16(&in) % RAM_SIZE;
			n = fz_bytes(&in, fz_u8(&in), &bytes);
			if (n > RAM_SIZE - off)
				n = RAM_SIZE - off;
			memcpy(ram + off, bytes, n);
			break;
		case 1:
			off = fz_u16(&in) % VIRTIO_PCI_BAR_SIZE;
			n = size_of(fz_u8(&in));
			v = fz_u64(&in);
			bar_write(off, n, v);
			/* Status 0 is a reset (4.1.4.3.1). */
			check_slots(off == VIRTIO_PCI_COMMON_STATUS && n == 1 && !(uint8_t)v);
			break;
		case 2:
			off = fz_u16(&in) % VIRTIO_PCI_BAR_SIZE;
			bar_read(off, size_of(fz_u8(&in)));
			break;
		case 3:
			set_up_queue(&in);
			break;
		case 4:
			v = fz_u8(&in);
			bar_write(VIRTIO_PCI_COMMON_STATUS, 1, v);
			check_slots(!v);
			break;
		default:
			usleep(20 * (fz_u8(&in) % 16));
			break;
		}
		check_slots(false);
	}
	/* The thread first, then the device: as at ursa's exit. */
	virtio_blk_stop(blk);
	check_slots(false);
	virtio_blk_destroy(blk);
	pci_host_destroy(&host);
	bus_destroy(&pio);
	bus_destroy(&mmio);
	return 0;
}
