/* SPDX-License-Identifier: GPL-2.0-only */
/* The runtime's own use of the local APIC (guest/rt/lapic.c). */
#ifndef URSA_GUEST_RT_LAPIC_H
#define URSA_GUEST_RT_LAPIC_H

/* Once per vCPU, before stub_main(): software-enable this vCPU's LAPIC. */
void rt_lapic_init(void);

/* End the handling of the highest-priority in-service interrupt. */
void rt_lapic_eoi(void);

#endif
