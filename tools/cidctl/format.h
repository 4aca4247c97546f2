/* SPDX-License-Identifier: GPL-2.0 */
/* cidctl's output: tables for people, JSON with stable names for programs. */
#ifndef CIDCTL_FORMAT_H
#define CIDCTL_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "cidreg.h"

const char *cidctl_kind_name(uint32_t kind);
void cidctl_json_string(FILE *f, const char *s);
void cidctl_entry_json(FILE *f, const struct cidreg_entry *e);
void cidctl_entry_header(FILE *f);
void cidctl_entry_row(FILE *f, const struct cidreg_entry *e);
void cidctl_stats_print(FILE *f, const struct cidreg_stats *st, bool json);
void cidctl_config_print(FILE *f, const struct cidreg_config *c, bool json);
void cidctl_event_print(FILE *f, const struct cidreg_event *ev, bool json);

#endif
