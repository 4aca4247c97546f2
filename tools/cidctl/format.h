/* SPDX-License-Identifier: GPL-2.0 */
/* cidctl's output, through print.h: tables for people, JSON for programs. */
#ifndef CIDCTL_FORMAT_H
#define CIDCTL_FORMAT_H

#include <stdbool.h>

#include "cidreg.h"
#include "print.h"

const char *cidctl_kind_name(uint32_t kind);
void cidctl_entry_header(void);
void cidctl_entry_print(const struct cidreg_entry *e);
void cidctl_stats_print(const struct cidreg_stats *st);
void cidctl_config_print(const struct cidreg_config *c);
void cidctl_event_print(const struct cidreg_event *ev, bool timestamp);
void cidctl_resync_print(const struct cidreg_entry *e, bool timestamp);
void cidctl_resync_mark(const char *what, bool timestamp);

#endif
