/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef URSA_GUEST_RT_VECTORS_H
#define URSA_GUEST_RT_VECTORS_H

#define RT_NUM_EXCEPTIONS	32
#define RT_IDT_ENTRIES		RT_NUM_EXCEPTIONS

#endif
