/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 16550A UART (National Semiconductor PC16550D datasheet). Transmission
 * is instant: bytes the guest writes go straight to the console, so THR
 * is always empty. Received bytes wait in a FIFO until the guest reads.
 * Its interrupt output is passed to set_irq when one is wired.
 */
#ifndef URSA_DEVICES_UART8250_H
#define URSA_DEVICES_UART8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"

struct console;

#define UART_NR_PORTS	8
#define UART_RX_SIZE	1024

/* Drives the UART's interrupt line; called with the UART's lock held. */
typedef void (*uart_irq_fn)(void *opaque, bool level);

struct uart8250 {
	pthread_mutex_t lock;
	struct console *console;
	uart_irq_fn set_irq;	/* NULL: no interrupt line wired */
	void *irq_opaque;
	bool irq_level;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t lsr_errors;	/* overrun, sticky until LSR is read */
	/* THR-empty interrupt: raised when THR empties (at once, here) or
	 * when enabled; cleared by reading IIR while it is the source, or by
	 * writing THR (datasheet table 4). */
	bool thri_pending;
	uint8_t rx[UART_RX_SIZE];
	size_t rx_head, rx_count;
	unsigned long rx_dropped;
};

extern const struct bus_ops uart8250_ops;

void uart8250_init(struct uart8250 *u, struct console *console,
		   uart_irq_fn set_irq, void *irq_opaque);
void uart8250_destroy(struct uart8250 *u);
/* Host input for the guest; bytes beyond the FIFO's room are dropped. */
void uart8250_receive(struct uart8250 *u, const uint8_t *buf, size_t n);

#endif
