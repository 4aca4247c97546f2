/* SPDX-License-Identifier: GPL-2.0 */
/* cidctl's command line, parsed without side effects (unit-tested). */
#ifndef CIDCTL_ARGS_H
#define CIDCTL_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cidreg.h"

enum cidctl_verb {
	V_NONE, V_RESERVE, V_RELEASE, V_SHOW, V_LIST, V_TRANSFER, V_MONITOR,
	V_STATS, V_STATUS, V_CONFIG, V_TRUST, V_UNTRUST, V_HELP, V_VERSION,
};

#define CIDCTL_MAX_KV 12

struct cidctl_args {
	enum cidctl_verb verb;
	bool json;
	uint32_t cid;		/* reserve, release, show, transfer */
	bool has_cid;
	bool range;		/* reserve --range */
	uint32_t cid_min, cid_max;
	bool lowest, persistent, all, every_netns;
	const char *netns;	/* --netns, as given */
	const char *label;
	char **command;		/* after "--", NULL-terminated */
	int nkv;		/* config KEY VALUE pairs */
	const char *key[CIDCTL_MAX_KV], *value[CIDCTL_MAX_KV];
	struct cidreg_config config;	/* the pairs, parsed */
	unsigned int config_mask;	/* CIDREG_CONFIG_*: which are set */
};

/*
 * Parses argv (after the program name). Returns 0, or -1 with a one-line
 * message in @err (usage error: exit status 2).
 */
int cidctl_parse(int argc, char **argv, struct cidctl_args *a, char *err,
		 int errlen);
/* The netns path of a --netns value: a path, a PID, or an ip-netns name. */
void cidctl_netns_path(const char *netns, char *buf, int len);
/* Parses a CID: 3 to 4294967294. */
int cidctl_parse_cid(const char *s, uint32_t *cid);

#endif
