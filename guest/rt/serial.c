// SPDX-License-Identifier: GPL-2.0-only
/* COM1, polled: formatted output (one lock for all vCPUs) and input. */
#include "rt.h"

#define UART_THR	0	/* transmit holding register */
#define UART_RBR	0	/* receive buffer register */
#define UART_LSR	5	/* line status register */
#define UART_LSR_DR	0x01	/* a received byte is waiting */
#define UART_LSR_THRE	0x20	/* THR empty: may write the next byte */

static struct rt_lock print_lock;

static void serial_putc(char c)
{
	while (!(inb(STUB_COM1_PORT + UART_LSR) & UART_LSR_THRE))
		;
	outb(STUB_COM1_PORT + UART_THR, c);
}

/* v in base, zero-padded to width digits. */
static void put_unsigned(uint64_t v, unsigned int base, unsigned int width)
{
	char digits[20];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (; width > n; width--)
		serial_putc('0');
	while (n)
		serial_putc(digits[--n]);
}

static void put_signed(int64_t v, unsigned int width)
{
	if (v < 0) {
		serial_putc('-');
		put_unsigned(-(uint64_t)v, 10, width);
	} else {
		put_unsigned(v, 10, width);
	}
}

void rt_vprintf(const char *fmt, va_list ap)
{
	rt_lock(&print_lock);
	for (; *fmt; fmt++) {
		unsigned int width = 0;
		bool is_long = false;
		const char *s;

		if (*fmt != '%') {
			serial_putc(*fmt);
			continue;
		}
		if (*++fmt == '0')
			while (*++fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt - '0');
		if (*fmt == 'l') {
			is_long = true;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			put_signed(is_long ? va_arg(ap, long) : va_arg(ap, int), width);
			break;
		case 'u':
		case 'x':
			put_unsigned(is_long ? va_arg(ap, unsigned long) :
					       va_arg(ap, unsigned int),
				     *fmt == 'u' ? 10 : 16, width);
			break;
		case 'c':
			serial_putc((char)va_arg(ap, int));
			break;
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				serial_putc(*s);
			break;
		case '%':
			serial_putc('%');
			break;
		default:	/* unknown conversion, or a '%' at the end */
			serial_putc('?');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	rt_unlock(&print_lock);
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vprintf(fmt, ap);
	va_end(ap);
}

char rt_getc(void)
{
	while (!(inb(STUB_COM1_PORT + UART_LSR) & UART_LSR_DR))
		;
	return inb(STUB_COM1_PORT + UART_RBR);
}
