/* SPDX-License-Identifier: GPL-2.0-only */
/* The modern virtio-pci transport and virtio-blk, as guest stubs drive
 * them (VIRTIO 1.2 2, 4.1, 5.2). */
#ifndef URSA_GUEST_RT_VIRTIO_H
#define URSA_GUEST_RT_VIRTIO_H

#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_BLK_DEVICE	0x1042

/* Virtio PCI capability types (4.1.4). */
#define VIRTIO_CAP_COMMON	1
#define VIRTIO_CAP_NOTIFY	2
#define VIRTIO_CAP_ISR		3
#define VIRTIO_CAP_DEVICE	4

/* Common configuration registers (4.1.4.3). */
#define COMMON_DF_SELECT	0x00
#define COMMON_DF		0x04
#define COMMON_GF_SELECT	0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFGGEN		0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOTIFY_OFF	0x1e
#define COMMON_Q_DESC		0x20
#define COMMON_Q_DRIVER		0x28
#define COMMON_Q_DEVICE		0x30
#define COMMON_END		0x38	/* the 1.0 fields end here */
#define VIRTIO_NO_VECTOR	0xffff

/* Device status bits (2.1). */
#define STATUS_ACK		0x01
#define STATUS_DRIVER		0x02
#define STATUS_DRIVER_OK	0x04
#define STATUS_FEATURES_OK	0x08
#define STATUS_NEEDS_RESET	0x40

/* Split virtqueue flags (2.7.5, 2.7.6, 2.7.8). */
#define DESC_F_NEXT		1
#define DESC_F_WRITE		2
#define DESC_F_INDIRECT		4
#define AVAIL_F_NO_INTERRUPT	1
#define USED_F_NO_NOTIFY	1

/* virtio-blk requests and status (5.2.6). */
#define BLK_T_IN		0
#define BLK_T_OUT		1
#define BLK_T_FLUSH		4
#define BLK_T_GET_ID		8
#define BLK_S_OK		0
#define BLK_S_IOERR		1
#define BLK_S_UNSUPP		2

#endif
