// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of cidctl: argument parsing and output formatting,
 * no kernel needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "args.h"
#include "format.h"

static int parse(struct cidctl_args *a, char *err, const char *line)
{
	static char buf[512];
	char *argv[32], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return cidctl_parse(argc, argv, a, err, 256);
}

TEST(reserve_forms)
{
	struct cidctl_args a;
	char err[256];

	ASSERT_EQ(0, parse(&a, err, "reserve 42"));
	EXPECT_EQ(V_RESERVE, (int)a.verb);
	EXPECT_TRUE(a.has_cid);
	EXPECT_EQ(42, (int)a.cid);
	ASSERT_EQ(0, parse(&a, err, "-j reserve --range 100-200 --lowest --netns 1234 --label ns/vm --persistent"));
	EXPECT_TRUE(a.json && a.range && a.lowest && a.persistent);
	EXPECT_EQ(100, (int)a.cid_min);
	EXPECT_EQ(200, (int)a.cid_max);
	EXPECT_STREQ("1234", a.netns);
	EXPECT_STREQ("ns/vm", a.label);
	ASSERT_EQ(0, parse(&a, err, "reserve -- qemu guest-cid={cid} -S"));
	ASSERT_NE(NULL, a.command);
	EXPECT_STREQ("qemu", a.command[0]);
	EXPECT_STREQ("-S", a.command[2]);
	EXPECT_EQ(NULL, a.command[3]);
	ASSERT_EQ(0, parse(&a, err, "list -j"));
	EXPECT_TRUE(a.json);
}

TEST(usage_errors_say_what_is_wrong)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "", "no command given (try: cidctl help)" },
		{ "frobnicate", "unknown command 'frobnicate' (try: cidctl help)" },
		{ "reserve 2", "reserve: '2' is not a guest CID (3 to 4294967294)" },
		{ "reserve 4294967295", "reserve: '4294967295' is not a guest CID (3 to 4294967294)" },
		{ "reserve 12abc", "reserve: '12abc' is not a guest CID (3 to 4294967294)" },
		{ "reserve 5 --range 3-9", "reserve: give a CID or --range, not both" },
		{ "reserve --range 9-3", "reserve: bad range '9-3': CIDs from 3 to 4294967294, MIN <= MAX" },
		{ "reserve --range 9", "reserve: --range wants MIN-MAX, e.g. 1000-1999" },
		{ "reserve --label", "reserve: --label needs a value" },
		{ "reserve --", "reserve: nothing after '--': give a command to run" },
		{ "show", "show: which CID?" },
		{ "release", "release: give a CID or --all" },
		{ "release 5 --all", "release: give a CID or --all" },
		{ "release 5 --netns x", "release: --netns and --every-netns go with --all" },
		{ "release 5 --every-netns", "release: --netns and --every-netns go with --all" },
		{ "release --all --every-netns --netns x", "release: give --netns or --every-netns, not both" },
		{ "transfer 5", "transfer: give a CID and --netns" },
		{ "trust", "trust: which netns? give --netns PATH|PID|NAME" },
		{ "list --lowest", "list: unknown option '--lowest'" },
		{ "stats 5", "stats: unexpected argument '5'" },
		{ "list -- x", "list: '--' COMMAND is for reserve only" },
		{ "config mode", "config: 'mode' needs a value" },
		{ "config mode loud", "config: bad value 'loud' for mode; see cidctl(8)" },
		{ "config strict maybe", "config: bad value 'maybe' for strict; see cidctl(8)" },
		{ "config quota -1", "config: bad value '-1' for quota; see cidctl(8)" },
		{ "config protected-ports 1,,2", "config: bad value '1,,2' for protected-ports; see cidctl(8)" },
		{ "config colour red", "config: unknown key 'colour'; keys: mode strict cid-min cid-max quota protected-ports" },
	};
	struct cidctl_args a;
	char err[256];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		EXPECT_EQ(-1, parse(&a, err, bad[i].line)) TH_LOG("%s", bad[i].line);
		EXPECT_STREQ(bad[i].msg, err);
	}
}

TEST(config_pairs)
{
	struct cidctl_args a;
	char err[256];

	ASSERT_EQ(0, parse(&a, err, "config mode audit strict yes"));
	ASSERT_EQ(2, a.nkv);
	EXPECT_STREQ("strict", a.key[1]);
	EXPECT_STREQ("yes", a.value[1]);
	EXPECT_EQ(CIDREG_CONFIG_MODE | CIDREG_CONFIG_STRICT, a.config_mask);
	EXPECT_EQ(1U, a.config.mode);
	EXPECT_TRUE(a.config.strict);
	ASSERT_EQ(0, parse(&a, err, "config protected-ports 22,1024 quota 8"));
	EXPECT_EQ(CIDREG_CONFIG_PORTS | CIDREG_CONFIG_QUOTA, a.config_mask);
	ASSERT_EQ(2U, a.config.nports);
	EXPECT_EQ(1024U, a.config.ports[1]);
	EXPECT_EQ(8U, a.config.quota);
	ASSERT_EQ(0, parse(&a, err, "config protected-ports none"));
	EXPECT_EQ(0U, a.config.nports);
}

TEST(netns_paths)
{
	char p[256];

	cidctl_netns_path("1234", p, sizeof(p));
	EXPECT_STREQ("/proc/1234/ns/net", p);
	cidctl_netns_path("pod-a", p, sizeof(p));
	EXPECT_STREQ("/run/netns/pod-a", p);
	cidctl_netns_path("/var/run/netns/x", p, sizeof(p));
	EXPECT_STREQ("/var/run/netns/x", p);
}

static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	fn(f, arg);
	fclose(f);
	return buf;
}

static void entry_json(FILE *f, const void *e) { cidctl_entry_json(f, e); }
static void entry_row(FILE *f, const void *e) { cidctl_entry_row(f, e); }
static void stats_json(FILE *f, const void *s) { cidctl_stats_print(f, s, true); }
static void config_text(FILE *f, const void *c) { cidctl_config_print(f, c, false); }
static void event_text(FILE *f, const void *e) { cidctl_event_print(f, e, false); }

TEST(entry_output)
{
	struct cidreg_entry e = {
		.cid = 3500, .kind = CIDREG_LEASE, .own = true, .netns_ino = 4026531840ULL,
		.creator_pid = 12, .creator_uid = 0, .ctime_ns = 5, .comm = "cidctl",
		.label = "a\"b\\c",
	};
	struct cidreg_entry hidden = { .cid = 7, .hidden = true, .attached = true };

	EXPECT_STREQ("{\"cid\":3500,\"kind\":\"lease\",\"own\":true,\"attached\":false,"
		     "\"hidden\":false,\"netns\":4026531840,\"holder_pid\":0,"
		     "\"creator_pid\":12,\"creator_uid\":0,\"ctime_ns\":5,"
		     "\"comm\":\"cidctl\",\"label\":\"a\\\"b\\\\c\"}",
		     capture(entry_json, &e));
	EXPECT_STREQ("{\"cid\":7,\"kind\":\"reserved\",\"own\":false,\"attached\":true,\"hidden\":true}",
		     capture(entry_json, &hidden));
	EXPECT_STREQ("7           reserved    -           yes       -         -                       -\n",
		     capture(entry_row, &hidden));
	/* Linux 7.0+: an entry of a local-mode netns's space says so. */
	e.local = true;
	EXPECT_NE(NULL, strstr(capture(entry_json, &e),
			       "\"hidden\":false,\"local\":true,\"netns\":4026531840,"));
	EXPECT_STREQ("3500        lease       4026531840/local  no        -         12/cidctl               a\"b\\c\n",
		     capture(entry_row, &e));
}

TEST(stats_config_event_output)
{
	struct cidreg_stats st = { .entries = 2, .denied = { [1] = 3 } };
	struct cidreg_config c = { .mode = 1, .strict = true, .cid_min = 3,
				   .cid_max = 9, .quota = 4, .nports = 2,
				   .ports = { 22, 80 } };
	struct cidreg_event ev = { .event = 7, .cid = 9, .op = 1, .port = 5,
				   .mode = 1, .netns_ino = 8, .pid = 3,
				   .comm = "socat" };

	EXPECT_EQ(0, strncmp("{\"entries\":2,\"ops\":{\"set-cid\":{\"allowed\":0,\"denied\":0,\"audited\":0},\"connect\":{\"allowed\":0,\"denied\":3,",
			     capture(stats_json, &st), 101));
	EXPECT_STREQ("mode             audit\nstrict           yes\ncid-min          3\n"
		     "cid-max          9\nquota            4\nprotected-ports  22,80\n",
		     capture(config_text, &c));
	EXPECT_STREQ("would-be-denied cid 9 netns 8 pid 3 comm socat op connect port 5\n",
		     capture(event_text, &ev));
}

TEST_HARNESS_MAIN
