// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

const struct cidctl_cmd cidctl_cmds[] = {
	{ "reserve", V_RESERVE,
	  "[CID | --range MIN-MAX [--lowest]] [--netns NETNS] [--label TEXT]\n"
	  "        [--persistent] [-- COMMAND ARGS...]",
	  "Reserve a CID, or any free one (of the range), for the caller's netns\n"
	  "or NETNS. Prints it; with COMMAND, holds it as a lease while COMMAND\n"
	  "runs ({cid} in ARGS and $VSOCK_CID are the CID). Without COMMAND the\n"
	  "reservation is persistent." },
	{ "release", V_RELEASE, "CID | --all [--netns NETNS | --every-netns]",
	  "End a reservation, or all of a netns (every netns: CAP_NET_ADMIN)." },
	{ "show", V_SHOW, "CID", "Show one reservation." },
	{ "list", V_LIST, "[--netns NETNS] [--label-prefix TEXT] [--holder PID]",
	  "List the reservations (of NETNS; labelled TEXT...; held by a device\n"
	  "of process PID); others' entries are hidden to whoever lacks\n"
	  "CAP_NET_ADMIN, and match no filter but the netns." },
	{ "transfer", V_TRANSFER, "CID --netns NETNS [--persistent]",
	  "Give a reservation to another netns." },
	{ "monitor", V_MONITOR, "",
	  "Print each event as it happens (-t: with its time): all of them\n"
	  "with CAP_NET_ADMIN, else those about the caller's netns." },
	{ "stats", V_STATS, "[--format text|prometheus]",
	  "Counters of the hooks per operation. --format prometheus: the text\n"
	  "exposition format (node_exporter's textfile collector), with the\n"
	  "events dropped and, to CAP_NET_ADMIN, the entries of each netns." },
	{ "status", V_STATUS, "",
	  "Whether the module is installed and loaded; its settings and hooks." },
	{ "config", V_CONFIG, "[KEY VALUE]...",
	  "Show or change the settings (CAP_NET_ADMIN), all or none. KEY:\n"
	  "mode off|audit|enforce, strict yes|no, cid-min N, cid-max N,\n"
	  "quota N (0: none), protected-ports P,P,...|none." },
	{ "apply", V_APPLY, "FILE",
	  "Apply a settings file (/etc/vsock-cidreg.conf; vsock-cidreg.service\n"
	  "applies it at boot): lines KEY VALUE, with the keys of config, and\n"
	  "trust NETNS. Every line is checked before anything changes; the\n"
	  "settings change together, then each netns is trusted." },
	{ "trust", V_TRUST, "--netns NETNS",
	  "Add a netns to the trusted set (CAP_NET_ADMIN; from an untrusted\n"
	  "netns, CAP_SYS_ADMIN too). A node agent in a pod: --netns self." },
	{ "untrust", V_UNTRUST, "--netns NETNS",
	  "Remove a netns from the trusted set (CAP_NET_ADMIN)." },
	{ "help", V_HELP, "[COMMAND]", "Show this, or the help of COMMAND." },
};

const unsigned int cidctl_ncmds = sizeof(cidctl_cmds) / sizeof(cidctl_cmds[0]);

void cidctl_usage(FILE *f, const struct cidctl_cmd *cmd)
{
	unsigned int i;

	if (cmd) {
		fprintf(f, "usage: cidctl [OPTIONS] %s%s%s\n\n%s\n", cmd->name,
			cmd->args[0] ? " " : "", cmd->args, cmd->help);
		return;
	}
	fputs("usage: cidctl [OPTIONS] COMMAND [ARGS]\n"
	      "       cidctl [OPTIONS] -b FILE\n\ncommands:\n", f);
	for (i = 0; i < cidctl_ncmds; i++)
		fprintf(f, "  %-9s%s\n", cidctl_cmds[i].name, cidctl_cmds[i].args);
	fputs("\noptions:\n"
	      "  -j, --json        JSON output\n"
	      "  -p, --pretty      indented JSON (with -j)\n"
	      "  -t, --timestamp   monitor: each event's time\n"
	      "  -H, --no-header   no header line over list and show\n"
	      "  -b, --batch FILE  run the commands of FILE (-: standard input)\n"
	      "  -V, --version     the version\n"
	      "  -h, --help        this\n"
	      "NETNS: a path (/run/netns/NAME), a PID, an ip-netns name, or self.\n"
	      "cidctl COMMAND help: the help of COMMAND. See cidctl(8).\n", f);
}

/* The subcommand @s names, in full or by a prefix of it alone. */
static const struct cidctl_cmd *find_cmd(const char *s)
{
	const struct cidctl_cmd *found = NULL;
	unsigned int i, n = 0;
	size_t len = strlen(s);

	for (i = 0; i < cidctl_ncmds; i++) {
		if (!strcmp(s, cidctl_cmds[i].name))
			return &cidctl_cmds[i];
		if (len && !strncmp(s, cidctl_cmds[i].name, len)) {
			found = &cidctl_cmds[i];
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+')
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

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int parse_bool(const char *s, bool *v)
{
	static const char * const yes[] = { "yes", "on", "1", "Y", "true" };
	static const char * const no[] = { "no", "off", "0", "N", "false" };
	unsigned int i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*v = !strcmp(s, yes[i]);
			return 0;
		}
	}
	return -1;
}

static int parse_ports(const char *s, struct cidreg_config *c)
{
	const char *p = s;
	char num[16];
	size_t n;

	c->nports = 0;
	if (!strcmp(s, "none") || !*s)
		return 0;
	for (;;) {
		n = strcspn(p, ",");
		if (!n || n >= sizeof(num) ||
		    c->nports == sizeof(c->ports) / sizeof(c->ports[0]))
			return -1;
		memcpy(num, p, n);
		num[n] = 0;
		if (parse_u32(num, &c->ports[c->nports++]))
			return -1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* config KEY VALUE...: into a->config and a->config_mask. */
static int parse_config(struct cidctl_args *a, char *err, int errlen)
{
	struct cidreg_config *c = &a->config;
	int i, bad, m;

	for (i = 0; i < a->nkv; i++) {
		const char *k = a->key[i], *v = a->value[i];

		bad = 0;
		if (!strcmp(k, "mode")) {
			a->config_mask |= CIDREG_CONFIG_MODE;
			m = cidreg_mode_parse(v);
			c->mode = m;
			bad = m < 0;
		} else if (!strcmp(k, "strict")) {
			a->config_mask |= CIDREG_CONFIG_STRICT;
			bad = parse_bool(v, &c->strict);
		} else if (!strcmp(k, "cid-min")) {
			a->config_mask |= CIDREG_CONFIG_CID_MIN;
			bad = parse_u32(v, &c->cid_min);
		} else if (!strcmp(k, "cid-max")) {
			a->config_mask |= CIDREG_CONFIG_CID_MAX;
			bad = parse_u32(v, &c->cid_max);
		} else if (!strcmp(k, "quota")) {
			a->config_mask |= CIDREG_CONFIG_QUOTA;
			bad = parse_u32(v, &c->quota);
		} else if (!strcmp(k, "protected-ports")) {
			a->config_mask |= CIDREG_CONFIG_PORTS;
			bad = parse_ports(v, c);
		} else {
			FAIL("config: unknown key '%s'; keys: mode strict cid-min cid-max quota protected-ports",
			     k);
		}
		if (bad)
			FAIL("config: bad value '%s' for %s; see cidctl(8)", v, k);
	}
	return 0;
}

static bool takes(enum cidctl_verb v, const char *opt)
{
	if (!strcmp(opt, "--netns"))
		return v == V_RESERVE || v == V_RELEASE || v == V_LIST ||
		       v == V_TRANSFER || v == V_TRUST || v == V_UNTRUST;
	if (!strcmp(opt, "--persistent"))
		return v == V_RESERVE || v == V_TRANSFER;
	if (!strcmp(opt, "--range") || !strcmp(opt, "--lowest") ||
	    !strcmp(opt, "--label"))
		return v == V_RESERVE;
	if (!strcmp(opt, "--all") || !strcmp(opt, "--every-netns"))
		return v == V_RELEASE;
	if (!strcmp(opt, "--label-prefix") || !strcmp(opt, "--holder"))
		return v == V_LIST;
	if (!strcmp(opt, "--format"))
		return v == V_STATS;
	return false;
}

/* Short options, alone or together (-jp); 1 if @s is not one of them. */
static int global_short(const char *s, struct cidctl_args *a, char **argv,
			int argc, int *i, char *err, int errlen)
{
	const char *p;

	if (s[0] != '-' || s[1] == '-' || !s[1] ||
	    strspn(s + 1, "jptHVhb") != strlen(s + 1))
		return 1;
	for (p = s + 1; *p; p++) {
		switch (*p) {
		case 'j': a->json = true; break;
		case 'p': a->pretty = true; break;
		case 't': a->timestamp = true; break;
		case 'H': a->no_header = true; break;
		case 'V': a->verb = V_VERSION; break;
		case 'h': a->verb = V_HELP; break;
		case 'b':
			if (p[1]) {
				a->batch = p + 1;
			} else if (*i + 1 < argc) {
				a->batch = argv[++*i];
			} else {
				FAIL("-b needs a file (-: standard input)");
			}
			return 0;
		}
	}
	return 0;
}

/* Long options that apply to every command; 1 if @s is none of them. */
static int global_long(const char *s, const char *val, struct cidctl_args *a,
		       char *err, int errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
		{ "--json", offsetof(struct cidctl_args, json) },
		{ "--pretty", offsetof(struct cidctl_args, pretty) },
		{ "--timestamp", offsetof(struct cidctl_args, timestamp) },
		{ "--no-header", offsetof(struct cidctl_args, no_header) },
	};
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (strcmp(s, flags[i].name))
			continue;
		if (val)
			FAIL("%s takes no value", s);
		*(bool *)((char *)a + flags[i].off) = true;
		return 0;
	}
	if (!strcmp(s, "--version") || !strcmp(s, "--help")) {
		if (val)
			FAIL("%s takes no value", s);
		if (a->verb == V_NONE || s[2] == 'h')
			a->verb = s[2] == 'h' ? V_HELP : V_VERSION;
		return 0;
	}
	if (!strcmp(s, "--batch")) {
		if (!val || !*val)
			FAIL("--batch needs a file (-: standard input)");
		a->batch = val;
		return 0;
	}
	return 1;
}

int cidctl_parse(int argc, char **argv, struct cidctl_args *a, char *err,
		 int errlen)
{
	const struct cidctl_cmd *cmd = NULL;
	const char *verb = NULL;
	char opt[64];
	int i, r;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		const char *s = argv[i], *val = NULL, *eq;

		if (!strcmp(s, "--")) {
			if (a->verb != V_RESERVE)
				FAIL("%s: '--' COMMAND is for reserve only",
				     verb ? verb : "cidctl");
			if (i + 1 >= argc)
				FAIL("reserve: nothing after '--': give a command to run");
			a->command = argv + i + 1;
			break;
		}
		r = global_short(s, a, argv, argc, &i, err, errlen);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (s[0] == '-' && s[1] == '-') {
			/* --opt=value is --opt value. */
			eq = strchr(s, '=');
			if (eq) {
				if ((size_t)(eq - s) >= sizeof(opt))
					FAIL("%s: unknown option '%s'", verb ? verb : "cidctl", s);
				memcpy(opt, s, eq - s);
				opt[eq - s] = 0;
				s = opt;
				val = eq + 1;
			}
			if (verb && !strcmp(s, "--help")) {
				a->help_for = cmd;
				a->verb = V_HELP;
				return 0;
			}
			r = global_long(s, val, a, err, errlen);
			if (r < 0)
				return -1;
			if (!r)
				continue;
			if (!verb)
				FAIL("unknown option '%s' (try: cidctl help)", s);
			if (!takes(a->verb, s))
				FAIL("%s: unknown option '%s' (try: cidctl %s help)",
				     verb, s, verb);
			if (!strcmp(s, "--persistent") || !strcmp(s, "--lowest") ||
			    !strcmp(s, "--all") || !strcmp(s, "--every-netns")) {
				if (val)
					FAIL("%s: %s takes no value", verb, s);
				if (!strcmp(s, "--persistent"))
					a->persistent = true;
				else if (!strcmp(s, "--lowest"))
					a->lowest = true;
				else if (!strcmp(s, "--all"))
					a->all = true;
				else
					a->every_netns = true;
				continue;
			}
			if (!val)
				val = i + 1 < argc ? argv[++i] : NULL;
			if (!val || !*val)
				FAIL("%s: %s needs a value", verb, s);
			if (!strcmp(s, "--netns")) {
				a->netns = val;
			} else if (!strcmp(s, "--format")) {
				if (strcmp(val, "text") && strcmp(val, "prometheus"))
					FAIL("stats: bad --format '%s': text or prometheus", val);
				a->prometheus = !strcmp(val, "prometheus");
			} else if (!strcmp(s, "--label-prefix")) {
				if (strlen(val) > 63)
					FAIL("list: label prefix longer than 63 characters");
				a->label_prefix = val;
			} else if (!strcmp(s, "--holder")) {
				if (parse_u32(val, &a->holder) || !a->holder)
					FAIL("list: bad --holder '%s': a process ID", val);
			} else if (!strcmp(s, "--label")) {
				if (strlen(val) > 63)
					FAIL("reserve: label longer than 63 characters");
				a->label = val;
			} else {	/* --range MIN-MAX */
				char lo[16], hi[16];
				const char *dash = strchr(val, '-');

				if (!dash || dash - val >= 16 || strlen(dash + 1) >= 16)
					FAIL("reserve: --range wants MIN-MAX, e.g. 1000-1999");
				memcpy(lo, val, dash - val);
				lo[dash - val] = 0;
				strcpy(hi, dash + 1);
				if (cidctl_parse_cid(lo, &a->cid_min) ||
				    cidctl_parse_cid(hi, &a->cid_max) ||
				    a->cid_min > a->cid_max)
					FAIL("reserve: bad range '%s': CIDs from 3 to 4294967294, MIN <= MAX", val);
				a->range = true;
			}
			continue;
		}
		if (s[0] == '-' && s[1])
			FAIL("%s: unknown option '%s' (try: cidctl help)",
			     verb ? verb : "cidctl", s);
		if (!verb) {
			if (a->verb == V_VERSION || a->verb == V_HELP)
				FAIL("unexpected argument '%s' after -V or -h", s);
			cmd = find_cmd(s);
			if (!cmd)
				FAIL("unknown command '%s' (try: cidctl help)", s);
			a->verb = cmd->verb;
			verb = cmd->name;
			continue;
		}
		/* cidctl COMMAND help, cidctl help COMMAND */
		if (!strcmp(s, "help") && a->verb != V_HELP && a->verb != V_CONFIG) {
			a->help_for = cmd;
			a->verb = V_HELP;
			return 0;
		}
		if (a->verb == V_HELP) {
			a->help_for = find_cmd(s);
			if (!a->help_for)
				FAIL("help: unknown command '%s'", s);
			return 0;
		}
		if (a->verb == V_CONFIG) {
			if (!strcmp(s, "help") && !a->nkv) {
				a->help_for = cmd;
				a->verb = V_HELP;
				return 0;
			}
			if (a->nkv == CIDCTL_MAX_KV)
				FAIL("config: too many settings");
			if (i + 1 >= argc)
				FAIL("config: '%s' needs a value", s);
			a->key[a->nkv] = s;
			a->value[a->nkv++] = argv[++i];
			continue;
		}
		if (a->verb == V_APPLY && !a->file) {
			a->file = s;
			continue;
		}
		if ((a->verb == V_RESERVE || a->verb == V_RELEASE ||
		     a->verb == V_SHOW || a->verb == V_TRANSFER) && !a->has_cid) {
			if (cidctl_parse_cid(s, &a->cid))
				FAIL("%s: '%s' is not a guest CID (3 to 4294967294)", verb, s);
			a->has_cid = true;
			continue;
		}
		FAIL("%s: unexpected argument '%s'", verb, s);
	}
	if (a->batch) {
		if (verb)
			FAIL("-b runs the commands of a file: give no command");
		return 0;
	}

	switch (a->verb) {
	case V_NONE:
		FAIL("no command given (try: cidctl help)");
	case V_MONITOR:
		break;
	case V_RESERVE:
		if (a->has_cid && a->range)
			FAIL("reserve: give a CID or --range, not both");
		if (a->lowest && a->has_cid)
			FAIL("reserve: --lowest is for --range or any CID");
		break;
	case V_RELEASE:
		if (a->has_cid == a->all)
			FAIL("release: give a CID or --all");
		if ((a->netns || a->every_netns) && !a->all)
			FAIL("release: --netns and --every-netns go with --all");
		if (a->netns && a->every_netns)
			FAIL("release: give --netns or --every-netns, not both");
		break;
	case V_SHOW:
		if (!a->has_cid)
			FAIL("show: which CID?");
		break;
	case V_TRANSFER:
		if (!a->has_cid || !a->netns)
			FAIL("transfer: give a CID and --netns");
		break;
	case V_TRUST:
	case V_UNTRUST:
		if (!a->netns)
			FAIL("%s: which netns? give --netns PATH|PID|NAME", verb);
		break;
	case V_CONFIG:
		return parse_config(a, err, errlen);
	case V_STATS:
		if (a->prometheus && a->json)
			FAIL("stats: --format prometheus and -j are two formats: give one");
		break;
	case V_APPLY:
		if (!a->file)
			FAIL("apply: which file? e.g. cidctl apply /etc/vsock-cidreg.conf");
		break;
	default:
		break;
	}
	return 0;
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

/* Copies the settings @mask names from @from into @to. */
static void settings_merge(struct cidreg_config *to,
			   const struct cidreg_config *from, unsigned int mask)
{
	if (mask & CIDREG_CONFIG_MODE)
		to->mode = from->mode;
	if (mask & CIDREG_CONFIG_STRICT)
		to->strict = from->strict;
	if (mask & CIDREG_CONFIG_CID_MIN)
		to->cid_min = from->cid_min;
	if (mask & CIDREG_CONFIG_CID_MAX)
		to->cid_max = from->cid_max;
	if (mask & CIDREG_CONFIG_QUOTA)
		to->quota = from->quota;
	if (mask & CIDREG_CONFIG_PORTS) {
		to->nports = from->nports;
		memcpy(to->ports, from->ports, sizeof(to->ports));
	}
}

/* One line of a settings file, split into @argv (@n words). */
static int settings_line(struct cidctl_settings *s, char **argv, int n,
			 char *err, int errlen)
{
	char *cargv[3], msg[256];
	struct cidctl_args a;

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
	cargv[0] = "config";
	cargv[1] = argv[0];
	cargv[2] = argv[1];
	if (cidctl_parse(3, cargv, &a, msg, sizeof(msg)))
		FAIL("%s", msg + (strncmp(msg, "config: ", 8) ? 0 : 8));
	if (a.verb != V_CONFIG || !a.config_mask)
		FAIL("'%s' is not a setting; keys: mode strict cid-min cid-max quota protected-ports, and trust",
		     argv[0]);
	if (s->mask & a.config_mask)
		FAIL("%s is set twice", argv[0]);
	settings_merge(&s->config, &a.config, a.config_mask);
	s->mask |= a.config_mask;
	return 0;
}

int cidctl_settings_read(FILE *f, const char *name, struct cidctl_settings *s,
			 char *err, int errlen)
{
	char *line = NULL, *argv[8], msg[256];
	size_t size = 0;
	int n, lineno = 0, rc = 0;

	memset(s, 0, sizeof(*s));
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
