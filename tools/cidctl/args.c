// SPDX-License-Identifier: GPL-2.0
/*
 * cidctl's command line, read from the rows of cidctl_cmds[] and
 * cidctl_globals[]: parsing, usage, completion. No side effects but the
 * completion's reading of /run/netns and of directories.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

const struct cidctl_cmd *cidctl_find_cmd(const char *s)
{
	const struct cidctl_cmd *found = NULL, *c;
	unsigned int n = 0;
	size_t len = strlen(s);

	for (c = cidctl_cmds; c->name; c++) {
		if (!strcmp(s, c->name))
			return c;
		if (len && !strncmp(s, c->name, len)) {
			found = c;
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

const struct cidctl_cmd *cidctl_help_cmd(void)
{
	const struct cidctl_cmd *c;

	for (c = cidctl_cmds; c->name && c->pos != P_COMMAND; c++)
		;
	return c;
}

static const struct cidctl_opt *find_opt(const struct cidctl_opt * const *o,
					 const char *name, char short_name)
{
	for (; o && *o; o++)
		if ((name && !strcmp(name, (*o)->name)) ||
		    (short_name && short_name == (*o)->short_name))
			return *o;
	return NULL;
}

static const struct cidctl_opt *cmd_opt(const struct cidctl_cmd *cmd,
					const char *name)
{
	return cmd ? find_opt(cmd->opts, name, 0) : NULL;
}

/* The choices of @o as "a, b or c". */
static void choices_text(const struct cidctl_opt *o, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; o->choices[i] && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s",
			      !i ? "" : o->choices[i + 1] ? ", " : " or ",
			      o->choices[i]);
}

void cidctl_usage(FILE *f, const struct cidctl_cmd *cmd)
{
	const struct cidctl_opt * const *o;
	const struct cidreg_setting *s;
	unsigned int i;
	char opt[40];

	if (cmd) {
		fprintf(f, "usage: cidctl [OPTIONS] %s%s%s\n\n%s\n", cmd->name,
			cmd->synopsis[0] ? " " : "", cmd->synopsis, cmd->help);
		if (cmd->pos != P_SETTINGS)
			return;
		fputs("\nsettings (KEY VALUE):\n", f);
		for (i = 0; (s = cidreg_setting(i)); i++)
			fprintf(f, "  %-16s %-18s %s\n", s->name, s->values,
				s->help);
		return;
	}
	fputs("usage: cidctl [OPTIONS] COMMAND [ARGS]\n"
	      "       cidctl [OPTIONS] -b FILE\n\ncommands:\n", f);
	for (i = 0; cidctl_cmds[i].name; i++)
		fprintf(f, "  %-9s%s\n", cidctl_cmds[i].name,
			cidctl_cmds[i].synopsis);
	fputs("\noptions:\n", f);
	for (o = cidctl_globals; *o; o++) {
		snprintf(opt, sizeof(opt), "-%c, %s%s%s", (*o)->short_name,
			 (*o)->name, (*o)->arg ? " " : "",
			 (*o)->arg ? (*o)->arg : "");
		fprintf(f, "  %-21s %s\n", opt, (*o)->help);
	}
	fputs("NETNS: a path (/run/netns/NAME), a PID, an ip-netns name, or self.\n"
	      "cidctl COMMAND help: the help of COMMAND. See cidctl(8).\n", f);
}

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > 0xffffffffULL)
		return -1;
	*v = x;
	return 0;
}

int cidctl_parse_cid(const char *s, uint32_t *cid)
{
	if (parse_u32(s, cid) || *cid < 3 || *cid == 0xffffffffU)
		return -1;
	return 0;
}

void cidctl_netns_path(const char *netns, char *buf, int len)
{
	uint32_t pid;

	if (!strcmp(netns, "self"))
		snprintf(buf, len, "/proc/self/ns/net");
	else if (!parse_u32(netns, &pid))
		snprintf(buf, len, "/proc/%u/ns/net", pid);
	else if (!strchr(netns, '/'))
		snprintf(buf, len, "/run/netns/%s", netns);
	else
		snprintf(buf, len, "%s", netns);
}

#define FIELD(a, o, type) ((type *)((char *)(a) + (o)->off))

/* Option @o of command @who ("" for a global) with value @val. */
static int set_opt(struct cidctl_args *a, const struct cidctl_opt *o,
		   const char *who, const char *val, char *err, int errlen)
{
	char lo[16], hi[16], buf[128];
	const char *dash;
	size_t i;

	if (o->type == T_FLAG) {
		if (val)
			FAIL("%s%s takes no value", who, o->name);
		*FIELD(a, o, bool) = true;
		return 0;
	}
	if (!val || !*val)
		FAIL("%s%s needs a value: %s", who, o->name, o->arg);
	switch (o->type) {
	case T_LABEL:
		for (i = 0; val[i]; i++)
			if (val[i] < 0x20 || val[i] > 0x7e)
				break;
		if (val[i] || i > 63)
			FAIL("%s%s takes at most 63 printable ASCII characters",
			     who, o->name);
		break;
	case T_RANGE:
		dash = strchr(val, '-');
		if (!dash || dash - val >= 16 || strlen(dash + 1) >= 16)
			FAIL("%s%s wants MIN-MAX, e.g. 1000-1999", who, o->name);
		memcpy(lo, val, dash - val);
		lo[dash - val] = 0;
		strcpy(hi, dash + 1);
		if (cidctl_parse_cid(lo, &a->range.min) ||
		    cidctl_parse_cid(hi, &a->range.max) ||
		    a->range.min > a->range.max)
			FAIL("%sbad range '%s': CIDs from 3 to 4294967294, MIN <= MAX",
			     who, val);
		a->range.set = true;
		return 0;
	case T_PID:
		if (parse_u32(val, FIELD(a, o, uint32_t)) ||
		    !*FIELD(a, o, uint32_t))
			FAIL("%sbad %s '%s': a process ID", who, o->name, val);
		return 0;
	case T_CHOICE:
		for (i = 0; o->choices[i]; i++) {
			if (!strcmp(val, o->choices[i])) {
				*FIELD(a, o, int) = i;
				return 0;
			}
		}
		choices_text(o, buf, sizeof(buf));
		FAIL("%sbad %s '%s': %s", who, o->name, val, buf);
	default:
		break;
	}
	*FIELD(a, o, const char *) = val;
	return 0;
}

/* A setting given as KEY VALUE: into a->config and a->config_mask. */
static int set_setting(struct cidctl_args *a, const char *key,
		       const char *val, char *err, int errlen)
{
	const struct cidreg_setting *s = cidreg_setting_find(key);
	char keys[160];
	unsigned int i;
	size_t n = 0;

	if (!s || strcmp(key, s->name)) {
		for (i = 0; (s = cidreg_setting(i)); i++)
			n += snprintf(keys + n, sizeof(keys) - n, " %s",
				      s->name);
		FAIL("config: unknown key '%s'; keys:%s", key, keys);
	}
	if (!val)
		FAIL("config: '%s' needs a value", key);
	if (a->config_mask & s->bit)
		FAIL("config: %s is set twice", key);
	if (cidreg_setting_parse(s, val, &a->config))
		FAIL("config: bad value '%s' for %s (%s); see cidctl config help",
		     val, key, s->values);
	a->config_mask |= s->bit;
	return 0;
}

/* help, COMMAND help, -h, --help: shows @cmd's help, or all. */
static int help(struct cidctl_args *a, const struct cidctl_cmd *cmd)
{
	a->cmd = cidctl_help_cmd();
	a->help_for = cmd;
	return 0;
}

/* A word that is not an option, for the command given (or none yet). */
static int positional(struct cidctl_args *a, char **argv, int argc, int *i,
		      char *err, int errlen)
{
	const struct cidctl_cmd *cmd = a->cmd;
	const char *s = argv[*i];

	if (!cmd) {
		a->cmd = cidctl_find_cmd(s);
		if (!a->cmd)
			FAIL("unknown command '%s' (try: cidctl help)", s);
		return 0;
	}
	/* cidctl COMMAND help; config help (before any KEY) */
	if (!strcmp(s, "help") && cmd->pos != P_COMMAND &&
	    (cmd->pos != P_SETTINGS || !a->config_mask))
		return help(a, cmd);
	switch (cmd->pos) {
	case P_CID:
		if (a->has_cid)
			break;
		if (cidctl_parse_cid(s, &a->cid))
			FAIL("%s: '%s' is not a guest CID (3 to 4294967294)",
			     cmd->name, s);
		a->has_cid = true;
		return 0;
	case P_FILE:
		if (a->file)
			break;
		a->file = s;
		return 0;
	case P_SETTINGS:
		++*i;
		return set_setting(a, s, *i < argc ? argv[*i] : NULL, err,
				   errlen);
	case P_COMMAND:
		if (a->help_for)
			break;
		a->help_for = cidctl_find_cmd(s);
		if (!a->help_for)
			FAIL("%s: unknown command '%s'", cmd->name, s);
		return 0;
	case P_NONE:
		break;
	}
	FAIL("%s: unexpected argument '%s'", cmd->name, s);
}

/* -jp, -b FILE, -bFILE: short options, each a global one. */
static int short_opts(struct cidctl_args *a, char **argv, int argc, int *i,
		      char *err, int errlen)
{
	const char *s = argv[*i], *p;
	const struct cidctl_opt *o;

	for (p = s + 1; *p; p++) {
		if (*p == 'h')
			return help(a, a->cmd == cidctl_help_cmd() ? NULL : a->cmd);
		o = find_opt(cidctl_globals, NULL, *p);
		if (!o && a->cmd)
			FAIL("%s: unknown option '-%c' (try: cidctl %s help)",
			     a->cmd->name, *p, a->cmd->name);
		if (!o)
			FAIL("unknown option '-%c' (try: cidctl help)", *p);
		if (o->type == T_FLAG)
			*FIELD(a, o, bool) = true;
		else
			return set_opt(a, o, "", p[1] ? p + 1 :
				       *i + 1 < argc ? argv[++*i] : NULL,
				       err, errlen);
	}
	return 0;
}

/* --opt, --opt=value, --opt value. */
static int long_opt(struct cidctl_args *a, char **argv, int argc, int *i,
		    char *err, int errlen)
{
	const char *s = argv[*i], *val = NULL, *eq = strchr(s, '=');
	const struct cidctl_cmd *cmd = a->cmd;
	const struct cidctl_opt *o;
	char name[64], who[32];

	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
	if (eq)
		val = eq + 1;
	snprintf(who, sizeof(who), "%s%s", cmd ? cmd->name : "", cmd ? ": " : "");
	if (!strcmp(name, "--help")) {
		if (val)
			FAIL("%s--help takes no value", who);
		return help(a, cmd == cidctl_help_cmd() ? NULL : cmd);
	}
	o = find_opt(cidctl_globals, name, 0);
	if (!o)
		o = cmd_opt(cmd, name);
	if (!o && cmd)
		FAIL("%s: unknown option '%s' (try: cidctl %s help)", cmd->name,
		     name, cmd->name);
	if (!o)
		FAIL("unknown option '%s' (try: cidctl help)", name);
	if (!val && o->type != T_FLAG)
		val = *i + 1 < argc ? argv[++*i] : NULL;
	return set_opt(a, o, find_opt(cidctl_globals, name, 0) ? "" : who, val,
		       err, errlen);
}

int cidctl_parse(int argc, char **argv, struct cidctl_args *a, char *err,
		 int errlen)
{
	const struct cidctl_cmd *c;
	int i, r;

	memset(a, 0, sizeof(*a));
	a->config.size = sizeof(a->config);
	for (i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--")) {
			for (c = cidctl_cmds; c->name && !c->runs_command; c++)
				;
			if (!a->cmd || !a->cmd->runs_command)
				FAIL("%s%s'--' COMMAND is for %s only",
				     a->cmd ? a->cmd->name : "",
				     a->cmd ? ": " : "", c->name);
			if (i + 1 >= argc)
				FAIL("%s: nothing after '--': give a command to run",
				     a->cmd->name);
			a->command = argv + i + 1;
			break;
		}
		if (s[0] == '-' && s[1] == '-')
			r = long_opt(a, argv, argc, &i, err, errlen);
		else if (s[0] == '-' && s[1])
			r = short_opts(a, argv, argc, &i, err, errlen);
		else
			r = positional(a, argv, argc, &i, err, errlen);
		if (r)
			return r;
		/* Help is shown whatever follows (a help command's name). */
		if (a->cmd == cidctl_help_cmd() && a->help_for)
			return 0;
	}
	if (a->batch) {
		if (a->cmd)
			FAIL("-b runs the commands of a file: give no command");
		return 0;
	}
	if (a->version) {
		if (a->cmd && a->cmd != cidctl_help_cmd())
			FAIL("-V, --version print the version alone: give no command");
		return 0;
	}
	if (!a->cmd)
		FAIL("no command given (try: cidctl help)");
	if (a->command && !a->cmd->runs_command)
		FAIL("%s: '--' COMMAND is not for it", a->cmd->name);
	return a->cmd->check ? a->cmd->check(a, err, errlen) : 0;
}

int cidctl_split(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			break;
		if (n + 1 >= max)
			return -1;
		argv[n++] = w;
		while (*r && *r != ' ' && *r != '\t' && *r != '\n' && *r != '\r') {
			if (*r != '"') {
				*w++ = *r++;
				continue;
			}
			for (r++; *r != '"'; r++) {
				if (!*r)
					return -1;
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			r++;
		}
		if (*r)
			r++;
		*w++ = 0;
	}
	argv[n] = NULL;
	return n;
}

/* One line of a settings file, split into @argv (@n words). */
static int settings_line(struct cidctl_settings *s, char **argv, int n,
			 char *err, int errlen)
{
	struct cidctl_args a = { .config = CIDREG_INIT(cidreg_config) };
	char msg[200];

	if (n < 0 || n > 2)
		FAIL("one KEY VALUE per line (a value with blanks goes in double quotes)");
	if (n == 1)
		FAIL("'%s' needs a value", argv[0]);
	if (!strcmp(argv[0], "trust")) {
		if (s->ntrust == CIDCTL_MAX_TRUST)
			FAIL("more than %d trust lines", CIDCTL_MAX_TRUST);
		s->trust[s->ntrust] = strdup(argv[1]);
		if (!s->trust[s->ntrust])
			FAIL("out of memory");
		s->ntrust++;
		return 0;
	}
	a.config_mask = s->mask;
	if (set_setting(&a, argv[0], argv[1], msg, sizeof(msg))) {
		if (strstr(msg, "unknown key"))
			FAIL("%.180s, and trust", msg + strlen("config: "));
		FAIL("%s", msg + strlen("config: "));
	}
	cidreg_setting_copy(&s->config, &a.config, a.config_mask & ~s->mask);
	s->mask = a.config_mask;
	return 0;
}

int cidctl_settings_read(FILE *f, const char *name, struct cidctl_settings *s,
			 char *err, int errlen)
{
	char *line = NULL, *argv[8], msg[256];
	size_t size = 0;
	int n, lineno = 0, rc = 0;

	memset(s, 0, sizeof(*s));
	s->config.size = sizeof(s->config);
	errno = 0;
	while (!rc && getline(&line, &size, f) >= 0) {
		lineno++;
		n = cidctl_split(line, argv, sizeof(argv) / sizeof(argv[0]));
		if (n && settings_line(s, argv, n, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
			rc = -1;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

void cidctl_settings_free(struct cidctl_settings *s)
{
	while (s->ntrust)
		free(s->trust[--s->ntrust]);
}

/* Completion: prints @word if it begins with @cur. */
static void offer(FILE *f, const char *cur, const char *word)
{
	if (!strncmp(word, cur, strlen(cur)))
		fprintf(f, "%s\n", word);
}

static void offer_files(FILE *f, const char *cur)
{
	char pattern[4200];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s*", cur);
	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		fprintf(f, "%s\n", g.gl_pathv[i]);
	globfree(&g);
}

static void offer_value(FILE *f, const struct cidctl_opt *o, const char *cur)
{
	struct dirent *e;
	DIR *d;
	int i;

	switch (o->type) {
	case T_NETNS:
		offer(f, cur, "self");
		d = opendir("/run/netns");
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				offer(f, cur, e->d_name);
		if (d)
			closedir(d);
		if (strchr(cur, '/'))
			offer_files(f, cur);
		break;
	case T_FILE:
		offer_files(f, cur);
		break;
	case T_CHOICE:
		for (i = 0; o->choices[i]; i++)
			offer(f, cur, o->choices[i]);
		break;
	default:
		break;
	}
}

static void offer_opts(FILE *f, const struct cidctl_opt * const *o,
		       const char *cur)
{
	for (; o && *o; o++)
		offer(f, cur, (*o)->name);
}

void cidctl_complete(FILE *f, const char *line)
{
	char *buf = strdup(line), *argv[256], *cur;
	const struct cidctl_opt *pending = NULL, *o;
	const struct cidctl_cmd *cmd = NULL, *c;
	const struct cidreg_setting *s, *key = NULL;
	bool batch = false, command = false;
	size_t len = strlen(line);
	int n, i, pos = 0;
	unsigned int k;

	if (!buf)
		return;
	n = cidctl_split(buf, argv, sizeof(argv) / sizeof(argv[0]));
	if (n < 1)
		goto out;
	/* The word under the cursor: the last one, or a new one after a blank. */
	if (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		argv[n++] = "";
	cur = argv[n - 1];
	/* What the words before it (after the program's name) make. */
	for (i = 1; i < n - 1; i++) {
		const char *w = argv[i];

		if (pending) {
			pending = NULL;
			continue;
		}
		if (command)
			continue;
		if (!strcmp(w, "--")) {
			command = true;
		} else if (w[0] == '-' && w[1] == '-') {
			o = find_opt(cidctl_globals, w, 0);
			if (!o)
				o = cmd_opt(cmd, w);
			if (o && o->type != T_FLAG && !strchr(w, '='))
				pending = o;
			if (o && o->off == offsetof(struct cidctl_args, batch))
				batch = true;
		} else if (w[0] == '-' && w[1]) {
			/* -jb FILE, -bFILE: the value ends the cluster */
			for (k = 1; w[k]; k++) {
				o = find_opt(cidctl_globals, NULL, w[k]);
				if (!o || o->type == T_FLAG)
					continue;
				if (o->off == offsetof(struct cidctl_args, batch))
					batch = true;
				if (!w[k + 1])
					pending = o;
				break;
			}
		} else if (!cmd) {
			cmd = cidctl_find_cmd(w);
		} else if (cmd->pos == P_SETTINGS) {
			key = pos++ % 2 ? NULL : cidreg_setting_find(w);
		} else {
			pos++;
		}
	}
	if (command)
		goto out;
	if (pending) {
		offer_value(f, pending, cur);
		goto out;
	}
	/* --opt=value: the value alone (readline breaks words at '='). */
	if (cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		*strchr(cur, '=') = 0;
		o = find_opt(cidctl_globals, cur, 0);
		if (!o)
			o = cmd_opt(cmd, cur);
		if (o)
			offer_value(f, o, cur + strlen(cur) + 1);
		goto out;
	}
	if (cur[0] == '-') {
		offer_opts(f, cidctl_globals, cur);
		if (cmd)
			offer_opts(f, cmd->opts, cur);
		goto out;
	}
	if (batch)
		goto out;
	if (!cmd) {
		for (c = cidctl_cmds; c->name; c++)
			offer(f, cur, c->name);
		goto out;
	}
	switch (cmd->pos) {
	case P_COMMAND:
		if (!pos)
			for (c = cidctl_cmds; c->name; c++)
				offer(f, cur, c->name);
		break;
	case P_FILE:
		if (!pos)
			offer_files(f, cur);
		break;
	case P_SETTINGS:
		if (pos % 2 == 0) {
			for (k = 0; (s = cidreg_setting(k)); k++)
				offer(f, cur, s->name);
			if (!pos)
				offer(f, cur, "help");
		} else if (key) {
			for (k = 0; k < key->nchoices; k++)
				if (key->choices[k])
					offer(f, cur, key->choices[k]);
		}
		break;
	default:
		if (!pos)
			offer(f, cur, "help");
		break;
	}
out:
	free(buf);
}
