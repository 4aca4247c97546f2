/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cidctl's command line: the commands and their options as rows of one
 * table (cidctl_cmds[], in cidctl.c, beside the functions that run
 * them); parsing, usage, per-command help, usage errors and completion
 * all come from the rows (args.c, without side effects: unit-tested).
 *
 * Adding a command: one row in cidctl_cmds[] and its run function (and,
 * if it takes what no option has yet, one struct cidctl_opt). See
 * "Adding a command to cidctl" in Documentation/libcidreg.md.
 */
#ifndef CIDCTL_ARGS_H
#define CIDCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cidreg.h"

/* How an option's value is read, and completed. */
enum cidctl_type {
	T_FLAG,		/* no value: sets a bool */
	T_NETNS,	/* a path, a PID, an ip-netns name, or self */
	T_FILE,		/* a file, or - (standard input) */
	T_LABEL,	/* at most 63 printable ASCII characters */
	T_RANGE,	/* MIN-MAX, guest CIDs */
	T_PID,		/* a process ID */
	T_CHOICE,	/* one of the option's choices: its index */
};

/* An option: a global one, or one of a command's. */
struct cidctl_opt {
	const char *name;	/* "--netns" */
	char short_name;	/* 'j'; 0: none */
	const char *arg;	/* "NETNS" for help; NULL for a flag */
	enum cidctl_type type;
	size_t off;		/* its field in struct cidctl_args */
	const char * const *choices;	/* T_CHOICE: NULL-terminated */
	const char *help;	/* one line, for the usage */
};

/* What a command's words other than options are. */
enum cidctl_pos {
	P_NONE,
	P_CID,		/* a guest CID (whether it is needed: the check) */
	P_FILE,		/* a file */
	P_SETTINGS,	/* KEY VALUE pairs, of libcidreg's settings table */
	P_COMMAND,	/* a command's name */
};

/* What to do about an errno a command met. */
struct cidctl_hint {
	int err;
	const char *hint;
};

struct cidctl_args;
struct cidctl_ctx;

/* A command: one row. */
struct cidctl_cmd {
	const char *name;
	const char *synopsis;	/* its arguments, for the usage */
	const char *help;
	const struct cidctl_opt * const *opts;	/* NULL-terminated */
	enum cidctl_pos pos;
	bool runs_command;	/* takes "-- COMMAND ARGS..." */
	/* The arguments together, before anything runs; NULL: none. */
	int (*check)(struct cidctl_args *a, char *err, int errlen);
	/* Runs it: the exit status. */
	int (*run)(struct cidctl_ctx *c);
	const struct cidctl_hint *hints;	/* ends with err 0; NULL: none */
};

extern const struct cidctl_cmd cidctl_cmds[];
extern const struct cidctl_opt * const cidctl_globals[];
/* The row that shows help (help, -h, --help, COMMAND help). */
const struct cidctl_cmd *cidctl_help_cmd(void);

#define CIDCTL_MAX_TRUST 64

struct cidctl_args {
	const struct cidctl_cmd *cmd;	/* NULL: none given */
	const struct cidctl_cmd *help_for;	/* help: of this one */
	bool version;		/* -V, --version */
	bool json, pretty, timestamp, no_header;
	const char *batch;	/* -b FILE ("-": standard input) */
	const char *in_netns;	/* -n NETNS: run in it */
	uint32_t cid;		/* reserve, release, show, transfer */
	bool has_cid;
	struct {
		bool set;
		uint32_t min, max;
	} range;		/* reserve --range */
	bool lowest, persistent, all, every_netns;
	const char *netns;	/* --netns, as given */
	const char *label;
	const char *label_prefix;	/* list --label-prefix */
	uint32_t holder;	/* list --holder PID; 0: any */
	int format;		/* stats --format: 0 text, 1 prometheus */
	char **command;		/* after "--", NULL-terminated */
	struct cidreg_config config;	/* config KEY VALUE..., parsed */
	unsigned int config_mask;	/* CIDREG_CONFIG_*: which are set */
	const char *file;	/* apply FILE */
};

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
/* Prints the usage of every command, or of @cmd. */
void cidctl_usage(FILE *f, const struct cidctl_cmd *cmd);
/* The command named @s (in full, or by a prefix of it alone), or NULL. */
const struct cidctl_cmd *cidctl_find_cmd(const char *s);
/*
 * Completion (cidctl __complete LINE, from the bash completion): prints
 * to @f, one a line, the words that can end @line, the command line up
 * to the cursor.
 */
void cidctl_complete(FILE *f, const char *line);
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
