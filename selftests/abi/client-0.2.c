// SPDX-License-Identifier: GPL-2.0
/*
 * A binary built against libcidreg at LIBCIDREG_0.2 (cidreg-0.2.h, the
 * structs without their size), linked against a stand-in of that library
 * (stub.c) and run against today's: every old function it calls must
 * read and write the structs as they were.
 *
 *   client-0.2 settings	the settings' table and its functions (no
 *			module needed)
 *   client-0.2 module	reserve, show, list, stats, config, events and
 *			LIBCIDREG_0's monitor against the loaded module
 *
 * Prints what it checked; exits 1 at the first thing that differs.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cidreg-0.2.h"

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("FAIL: " __VA_ARGS__); \
		printf(" (%s:%d)\n", __FILE__, __LINE__); \
		exit(1); \
	} \
} while (0)

static int settings(void)
{
	static const char * const values[] = {
		"audit", "yes", "1000", "1999", "8", "22,1024",
	};
	struct cidreg_config c = {}, d = {};
	const struct cidreg_setting *s;
	char buf[128];
	unsigned int i;

	for (i = 0; (s = cidreg_setting(i)); i++) {
		CHECK(i < 6, "more than 6 settings");
		CHECK(!cidreg_setting_parse(s, values[i], &c), "parse %s %s",
		      s->name, values[i]);
		CHECK(cidreg_setting_format(s, &c, buf, sizeof(buf)) > 0 &&
		      !strcmp(buf, values[i]), "format %s: %s", s->name, buf);
		CHECK(cidreg_setting_find(s->name) == s, "find %s", s->name);
	}
	CHECK(i == 6, "%u settings", i);
	/* Where this binary's struct has them: the old offsets. */
	CHECK(c.mode == 1 && c.strict && c.cid_min == 1000 &&
	      c.cid_max == 1999 && c.quota == 8 && c.nports == 2 &&
	      c.ports[0] == 22 && c.ports[1] == 1024,
	      "fields: mode %u strict %d cid_min %u cid_max %u quota %u nports %u",
	      c.mode, c.strict, c.cid_min, c.cid_max, c.quota, c.nports);
	s = cidreg_setting_find("quota");
	CHECK(s && s->offset == offsetof(struct cidreg_config, quota),
	      "quota's offset %u", s ? s->offset : 0);
	cidreg_setting_copy(&d, &c, CIDREG_CONFIG_QUOTA);
	CHECK(d.quota == 8 && !d.cid_min && !d.mode, "copy");
	printf("ok: settings, at LIBCIDREG_0.2's offsets\n");
	return 0;
}

static int list_one(const struct cidreg_entry *e, void *arg)
{
	if (e->cid == *(uint32_t *)arg && !strcmp(e->label, "abi/0.2"))
		*(uint32_t *)arg = 0;
	return 0;
}

static int event_one(const struct cidreg_event *ev, void *arg)
{
	if (ev->event == 1 && ev->cid == *(uint32_t *)arg &&
	    !strcmp(ev->label, "abi/0.2"))
		*(uint32_t *)arg = 0;
	return 0;
}

/* cidreg_monitor()'s callback: stops at the reserved event of *@arg. */
static int monitor_one(const struct cidreg_event *ev, void *arg)
{
	return ev->event == 1 && !strcmp(ev->label, (const char *)arg);
}

/*
 * LIBCIDREG_0's blocking monitor: a child reserves (a lease, labelled)
 * once the parent listens; the parent's callback must see it.
 */
static void monitor(void)
{
	struct cidreg_reserve_req req = {
		.any = true, .label = "abi/0-monitor",
	};
	struct cidreg *h, *c;
	uint32_t cid;
	pid_t pid;
	int err, status;

	err = cidreg_open(&h);
	CHECK(!err, "open: %s", cidreg_strerror(err));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		/* cidreg_monitor() joins at once; give it a second. */
		sleep(1);
		if (cidreg_open(&c) || cidreg_reserve(c, &req, &cid))
			_exit(1);
		cidreg_close(c);
		_exit(0);
	}
	err = cidreg_monitor(h, monitor_one, (void *)"abi/0-monitor");
	CHECK(err == 1, "monitor: %d (%s)", err, cidreg_strerror(err));
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "the child's reservation");
	cidreg_close(h);
}

static int module(void)
{
	struct cidreg_reserve_req req = {
		.any = true, .persistent = true, .label = "abi/0.2",
	};
	struct cidreg_config c, was;
	struct cidreg_stats st;
	struct cidreg_entry e;
	struct pollfd p = { .events = POLLIN };
	uint32_t cid, want;
	struct cidreg *h;
	int err, i;

	err = cidreg_open(&h);
	CHECK(!err, "open: %s", cidreg_strerror(err));
	p.fd = cidreg_events_open(h);
	CHECK(p.fd >= 0, "events_open: %s", cidreg_strerror(p.fd));
	err = cidreg_reserve(h, &req, &cid);
	CHECK(!err, "reserve: %s", cidreg_strerror(err));
	memset(&e, 0xff, sizeof(e));
	err = cidreg_show(h, cid, &e);
	CHECK(!err && e.cid == cid && e.kind == 2 && e.own &&
	      !strcmp(e.label, "abi/0.2"), "show %u: %s, cid %u kind %u label %.64s",
	      cid, cidreg_strerror(err), e.cid, e.kind, e.label);
	want = cid;
	err = cidreg_list(h, -1, list_one, &want);
	CHECK(!err && !want, "list: %s, entry %u not seen", cidreg_strerror(err),
	      cid);
	memset(&st, 0xff, sizeof(st));
	err = cidreg_stats(h, &st);
	CHECK(!err && st.entries >= 1 && st.entries < 1000000,
	      "stats: %s, entries %u", cidreg_strerror(err), st.entries);
	err = cidreg_get_config(h, &was);
	CHECK(!err && was.mode <= 2 && was.cid_min <= was.cid_max &&
	      was.nports <= 32, "get_config: %s", cidreg_strerror(err));
	c = was;
	c.quota = was.quota + 1;
	err = cidreg_set_config(h, &c, CIDREG_CONFIG_QUOTA);
	CHECK(!err, "set_config: %s", cidreg_strerror(err));
	err = cidreg_get_config(h, &c);
	CHECK(!err && c.quota == was.quota + 1 && c.cid_min == was.cid_min,
	      "quota %u after setting %u", c.quota, was.quota + 1);
	err = cidreg_set_config(h, &was, CIDREG_CONFIG_QUOTA);
	CHECK(!err, "set_config back: %s", cidreg_strerror(err));
	want = cid;
	for (i = 0; i < 50 && want; i++) {
		if (poll(&p, 1, 100) > 0)
			CHECK(cidreg_events_read(h, event_one, &want) >= 0,
			      "events_read");
	}
	CHECK(!want, "no reserved event for %u, label abi/0.2", cid);
	err = cidreg_release(h, cid);
	CHECK(!err, "release: %s", cidreg_strerror(err));
	cidreg_close(h);
	monitor();
	printf("ok: reserve, show, list, stats, config, events and monitor with LIBCIDREG_0.2's structs\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "settings"))
		return settings();
	if (argc == 2 && !strcmp(argv[1], "module"))
		return module();
	fprintf(stderr, "usage: client-0.2 settings|module\n");
	return 2;
}
