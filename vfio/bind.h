/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Moving a host PCI device to vfio-pci and back through sysfs
 * (Documentation/ABI/testing/sysfs-bus-pci: driver_override, unbind,
 * drivers_probe), so that ursa can pass it through.
 */
#ifndef URSA_VFIO_BIND_H
#define URSA_VFIO_BIND_H

#include <stddef.h>

/* "BB:DD.F" or "DDDD:BB:DD.F" (hex) into "DDDD:BB:DD.F". 0, or -1. Pure. */
int pci_bdf_parse(const char *s, char out[16]);

/* Give bdf to vfio-pci (a no-op when it has it). 0, or -1 with err. */
int vfio_bind(const char *bdf, char *err, size_t errlen);

/* Take bdf from vfio-pci and let the kernel find its usual driver, if
 * any. 0, or -1 with err. */
int vfio_unbind(const char *bdf, char *err, size_t errlen);

#endif
