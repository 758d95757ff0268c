/* SPDX-License-Identifier: GPL-2.0-only */
/* 'ursa repro': reproducers of the bugs ursa exists for (vmm/repro.c). */
#ifndef URSA_VMM_REPRO_H
#define URSA_VMM_REPRO_H

extern const char repro_usage[];

/* argv holds the arguments after "repro"; returns ursa's exit status. */
int cmd_repro(int argc, char **argv);

#endif
