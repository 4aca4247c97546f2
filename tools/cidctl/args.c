// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static const struct {
	const char *name;
	enum cidctl_verb verb;
} verbs[] = {
	{ "reserve", V_RESERVE }, { "release", V_RELEASE }, { "show", V_SHOW },
	{ "list", V_LIST }, { "transfer", V_TRANSFER }, { "monitor", V_MONITOR },
	{ "stats", V_STATS }, { "status", V_STATUS }, { "config", V_CONFIG },
	{ "trust", V_TRUST }, { "untrust", V_UNTRUST }, { "help", V_HELP },
	{ "--help", V_HELP }, { "-h", V_HELP }, { "--version", V_VERSION },
};

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

	if (!parse_u32(netns, &pid))
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
	static const char * const modes[] = { "off", "audit", "enforce" };
	struct cidreg_config *c = &a->config;
	int i, bad;
	unsigned int m;

	for (i = 0; i < a->nkv; i++) {
		const char *k = a->key[i], *v = a->value[i];

		bad = 0;
		if (!strcmp(k, "mode")) {
			a->config_mask |= CIDREG_CONFIG_MODE;
			for (m = 0; m < 3 && strcmp(v, modes[m]); m++)
				;
			c->mode = m;
			bad = m == 3;
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
	return false;
}

int cidctl_parse(int argc, char **argv, struct cidctl_args *a, char *err,
		 int errlen)
{
	const char *verb = NULL;
	unsigned int v;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			a->json = true;
			continue;
		}
		if (!verb) {
			for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
				if (!strcmp(s, verbs[v].name))
					a->verb = verbs[v].verb;
			if (a->verb == V_NONE)
				FAIL("unknown command '%s' (try: cidctl help)", s);
			verb = s;
			continue;
		}
		if (!strcmp(s, "--")) {
			if (a->verb != V_RESERVE)
				FAIL("%s: '--' COMMAND is for reserve only", verb);
			if (i + 1 >= argc)
				FAIL("reserve: nothing after '--': give a command to run");
			a->command = argv + i + 1;
			break;
		}
		if (s[0] == '-' && s[1] == '-') {
			if (!takes(a->verb, s))
				FAIL("%s: unknown option '%s'", verb, s);
			if (!strcmp(s, "--persistent")) {
				a->persistent = true;
			} else if (!strcmp(s, "--lowest")) {
				a->lowest = true;
			} else if (!strcmp(s, "--all")) {
				a->all = true;
			} else if (!strcmp(s, "--every-netns")) {
				a->every_netns = true;
			} else {
				const char *val = i + 1 < argc ? argv[++i] : NULL;

				if (!val || !*val)
					FAIL("%s: %s needs a value", verb, s);
				if (!strcmp(s, "--netns")) {
					a->netns = val;
				} else if (!strcmp(s, "--label")) {
					if (strlen(val) > 63)
						FAIL("reserve: label longer than 63 characters");
					a->label = val;
				} else {	/* --range MIN-MAX */
					char lo[16], hi[16];
					const char *dash = strchr(val, '-');

					if (!dash || dash - val >= 16 ||
					    strlen(dash + 1) >= 16)
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
			}
			continue;
		}
		if (a->verb == V_CONFIG) {
			if (a->nkv == CIDCTL_MAX_KV)
				FAIL("config: too many settings");
			if (i + 1 >= argc)
				FAIL("config: '%s' needs a value", s);
			a->key[a->nkv] = s;
			a->value[a->nkv++] = argv[++i];
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

	switch (a->verb) {
	case V_NONE:
		FAIL("no command given (try: cidctl help)");
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
	default:
		break;
	}
	return 0;
}
