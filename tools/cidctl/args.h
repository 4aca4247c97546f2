/* SPDX-License-Identifier: GPL-2.0 */
/* cidctl's command line, parsed without side effects (unit-tested). */
#ifndef CIDCTL_ARGS_H
#define CIDCTL_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cidreg.h"

enum cidctl_verb {
	V_NONE, V_RESERVE, V_RELEASE, V_SHOW, V_LIST, V_TRANSFER, V_MONITOR,
	V_STATS, V_STATUS, V_CONFIG, V_APPLY, V_TRUST, V_UNTRUST, V_HELP,
	V_VERSION,
};

/* A subcommand: its name, what it takes, what it does. */
struct cidctl_cmd {
	const char *name;
	enum cidctl_verb verb;
	const char *args;
	const char *help;
};

extern const struct cidctl_cmd cidctl_cmds[];
extern const unsigned int cidctl_ncmds;

#define CIDCTL_MAX_KV 12

struct cidctl_args {
	enum cidctl_verb verb;
	const struct cidctl_cmd *help_for;	/* V_HELP: of one subcommand */
	bool json, pretty, timestamp, no_header;
	const char *batch;	/* -b FILE ("-": standard input) */
	uint32_t cid;		/* reserve, release, show, transfer */
	bool has_cid;
	bool range;		/* reserve --range */
	uint32_t cid_min, cid_max;
	bool lowest, persistent, all, every_netns;
	const char *netns;	/* --netns, as given */
	const char *label;
	const char *label_prefix;	/* list --label-prefix */
	uint32_t holder;	/* list --holder PID; 0: any */
	char **command;		/* after "--", NULL-terminated */
	int nkv;		/* config KEY VALUE pairs */
	const char *key[CIDCTL_MAX_KV], *value[CIDCTL_MAX_KV];
	struct cidreg_config config;	/* the pairs, parsed */
	unsigned int config_mask;	/* CIDREG_CONFIG_*: which are set */
	const char *file;	/* apply FILE */
	bool prometheus;	/* stats --format=prometheus */
};

#define CIDCTL_MAX_TRUST 64

/* A settings file (apply): the settings, and the netns paths to trust. */
struct cidctl_settings {
	struct cidreg_config config;
	unsigned int mask;	/* CIDREG_CONFIG_*: which the file sets */
	int ntrust;
	char *trust[CIDCTL_MAX_TRUST];	/* as given (a path, PID, name) */
};

/*
 * Parses argv (after the program name). Returns 0, or -1 with a one-line
 * message in @err (usage error: exit status 2).
 */
int cidctl_parse(int argc, char **argv, struct cidctl_args *a, char *err,
		 int errlen);
/* Prints the usage of every subcommand, or of @cmd. */
void cidctl_usage(FILE *f, const struct cidctl_cmd *cmd);
/*
 * Splits a line of a batch file into words, in place: blanks separate,
 * double quotes group (with \" and \\ inside), # starts a comment.
 * Returns how many words (at most @max - 1; argv ends with NULL), or -1
 * for an unterminated quote or too many words.
 */
int cidctl_split(char *line, char **argv, int max);
/* The netns path of a --netns value: a path, a PID, or an ip-netns name. */
void cidctl_netns_path(const char *netns, char *buf, int len);
/*
 * Reads a settings file: lines "KEY VALUE" (the keys of config, each at
 * most once) and "trust NETNS", blank lines and # comments. Returns 0, or
 * -1 with "NAME:LINE: what is wrong" in @err. Free with
 * cidctl_settings_free(), either way.
 */
int cidctl_settings_read(FILE *f, const char *name, struct cidctl_settings *s,
			 char *err, int errlen);
void cidctl_settings_free(struct cidctl_settings *s);
/* Parses a CID: 3 to 4294967294. */
int cidctl_parse_cid(const char *s, uint32_t *cid);

#endif
