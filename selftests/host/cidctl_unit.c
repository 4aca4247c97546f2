// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of cidctl: argument parsing and output formatting,
 * no kernel needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "args.h"
#include "format.h"
#include "print.h"

static int parse(struct cidctl_args *a, char *err, const char *line)
{
	static char buf[512];
	static char *argv[32];
	char *tok, *save = NULL;
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
	EXPECT_STREQ("reserve", a.cmd->name);
	EXPECT_TRUE(a.has_cid);
	EXPECT_EQ(42, (int)a.cid);
	ASSERT_EQ(0, parse(&a, err, "-j reserve --range 100-200 --lowest --netns 1234 --label ns/vm --persistent"));
	EXPECT_TRUE(a.json && a.range.set && a.lowest && a.persistent);
	EXPECT_EQ(100, (int)a.range.min);
	EXPECT_EQ(200, (int)a.range.max);
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
		{ "reserve --label", "reserve: --label needs a value: TEXT" },
		{ "reserve --", "reserve: nothing after '--': give a command to run" },
		{ "show", "show: which CID?" },
		{ "release", "release: give a CID or --all" },
		{ "release 5 --all", "release: give a CID or --all" },
		{ "release 5 --netns x", "release: --netns and --every-netns go with --all" },
		{ "release 5 --every-netns", "release: --netns and --every-netns go with --all" },
		{ "release --all --every-netns --netns x", "release: give --netns or --every-netns, not both" },
		{ "transfer 5", "transfer: give a CID and --netns" },
		{ "trust", "trust: which netns? give --netns PATH|PID|NAME" },
		{ "list --lowest", "list: unknown option '--lowest' (try: cidctl list help)" },
		{ "re 5", "unknown command 're' (try: cidctl help)" },
		{ "reserve --persistent=yes", "reserve: --persistent takes no value" },
		{ "reserve --label=", "reserve: --label needs a value: TEXT" },
		{ "-b", "--batch needs a value: FILE" },
		{ "-b f list", "-b runs the commands of a file: give no command" },
		{ "-x list", "unknown option '-x' (try: cidctl help)" },
		{ "list -x", "list: unknown option '-x' (try: cidctl list help)" },
		{ "list --version", "-V, --version print the version alone: give no command" },
		{ "-V list", "-V, --version print the version alone: give no command" },
		{ "reserve --label a\tb", "reserve: --label takes at most 63 printable ASCII characters" },
		{ "list --label-prefix=\x1b[31m", "list: --label-prefix takes at most 63 printable ASCII characters" },
		{ "list --holder 0", "list: bad --holder '0': a process ID" },
		{ "config mode audit mode off", "config: mode is set twice" },
		{ "show 5 6", "show: unexpected argument '6'" },
		{ "help frob", "help: unknown command 'frob'" },
		{ "stats 5", "stats: unexpected argument '5'" },
		{ "list -- x", "list: '--' COMMAND is for reserve only" },
		{ "config mode", "config: 'mode' needs a value" },
		{ "config mode loud", "config: bad value 'loud' for mode (off|audit|enforce); see cidctl config help" },
		{ "config strict maybe", "config: bad value 'maybe' for strict (yes|no); see cidctl config help" },
		{ "config quota -1", "config: bad value '-1' for quota (N); see cidctl config help" },
		{ "config protected-ports 1,,2", "config: bad value '1,,2' for protected-ports (P,P,...|none); see cidctl config help" },
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

static int settings(struct cidctl_settings *s, char *err, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc = cidctl_settings_read(f, "t.conf", s, err, 256);

	fclose(f);
	return rc;
}

TEST(settings_file)
{
	struct cidctl_settings s;
	struct cidctl_args a;
	char err[256];

	ASSERT_EQ(0, settings(&s, err,
			      "# comment\n\nmode enforce\nstrict yes  # trailing\n"
			      "cid-min 1000\ncid-max 1999\nquota 8\n"
			      "protected-ports 22,1024\ntrust /proc/1/ns/net\n"
			      "trust \"/run/netns/my agent\"\n"));
	EXPECT_EQ(CIDREG_CONFIG_MODE | CIDREG_CONFIG_STRICT |
		  CIDREG_CONFIG_CID_MIN | CIDREG_CONFIG_CID_MAX |
		  CIDREG_CONFIG_QUOTA | CIDREG_CONFIG_PORTS, s.mask);
	EXPECT_EQ(2, (int)s.config.mode);
	EXPECT_TRUE(s.config.strict);
	EXPECT_EQ(1000, (int)s.config.cid_min);
	EXPECT_EQ(1999, (int)s.config.cid_max);
	EXPECT_EQ(8, (int)s.config.quota);
	EXPECT_EQ(2, (int)s.config.nports);
	EXPECT_EQ(1024, (int)s.config.ports[1]);
	ASSERT_EQ(2, s.ntrust);
	EXPECT_STREQ("/run/netns/my agent", s.trust[1]);
	cidctl_settings_free(&s);

	ASSERT_EQ(0, settings(&s, err, "# all commented out\n#mode enforce\n"));
	EXPECT_EQ(0, (int)s.mask);
	EXPECT_EQ(0, s.ntrust);
	cidctl_settings_free(&s);

	ASSERT_EQ(-1, settings(&s, err, "mode enforce\nmode audit\n"));
	EXPECT_STREQ("t.conf:2: mode is set twice", err);
	cidctl_settings_free(&s);
	ASSERT_EQ(-1, settings(&s, err, "mode\n"));
	EXPECT_STREQ("t.conf:1: 'mode' needs a value", err);
	cidctl_settings_free(&s);
	ASSERT_EQ(-1, settings(&s, err, "\nquota 8 9\n"));
	EXPECT_STREQ("t.conf:2: one KEY VALUE per line (a value with blanks goes in double quotes)", err);
	cidctl_settings_free(&s);
	ASSERT_EQ(-1, settings(&s, err, "mode enforcing\n"));
	EXPECT_STREQ("t.conf:1: bad value 'enforcing' for mode (off|audit|enforce); see cidctl config help", err);
	cidctl_settings_free(&s);
	ASSERT_EQ(-1, settings(&s, err, "trust /x\nranges 3-9\n"));
	EXPECT_STREQ("t.conf:2: unknown key 'ranges'; keys: mode strict cid-min cid-max quota protected-ports, and trust", err);
	EXPECT_EQ(1, s.ntrust);
	cidctl_settings_free(&s);
	EXPECT_EQ(0, s.ntrust);
	ASSERT_EQ(-1, settings(&s, err, "help me\n"));
	EXPECT_STREQ("t.conf:1: unknown key 'help'; keys: mode strict cid-min cid-max quota protected-ports, and trust", err);
	cidctl_settings_free(&s);

	ASSERT_EQ(0, parse(&a, err, "apply /etc/vsock-cidreg.conf"));
	EXPECT_STREQ("apply", a.cmd->name);
	EXPECT_STREQ("/etc/vsock-cidreg.conf", a.file);
	ASSERT_EQ(-1, parse(&a, err, "apply"));
	EXPECT_STREQ("apply: which file? e.g. cidctl apply /etc/vsock-cidreg.conf", err);
	ASSERT_EQ(0, parse(&a, err, "stats --format=prometheus"));
	EXPECT_EQ(1, a.format);
	ASSERT_EQ(0, parse(&a, err, "stats --format text"));
	EXPECT_EQ(0, a.format);
	ASSERT_EQ(-1, parse(&a, err, "stats --format=openmetrics"));
	EXPECT_STREQ("stats: bad --format 'openmetrics': text or prometheus", err);
	ASSERT_EQ(-1, parse(&a, err, "-j stats --format=prometheus"));
	ASSERT_EQ(-1, parse(&a, err, "list --format=prometheus"));
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

TEST(conventions_of_ip_and_nft)
{
	struct cidctl_args a;
	char err[256];

	/* Per-subcommand help, three ways. */
	ASSERT_EQ(0, parse(&a, err, "reserve help"));
	EXPECT_STREQ("help", a.cmd->name);
	ASSERT_NE(NULL, a.help_for);
	EXPECT_STREQ("reserve", a.help_for->name);
	ASSERT_EQ(0, parse(&a, err, "reserve --help"));
	EXPECT_STREQ("reserve", a.help_for->name);
	ASSERT_EQ(0, parse(&a, err, "help transfer"));
	EXPECT_STREQ("transfer", a.help_for->name);
	ASSERT_EQ(0, parse(&a, err, "config help"));
	EXPECT_STREQ("config", a.help_for->name);
	/* Combined short options, -V, --opt=value, unique prefixes. */
	ASSERT_EQ(0, parse(&a, err, "-jp list -H"));
	EXPECT_TRUE(a.json && a.pretty && a.no_header);
	ASSERT_EQ(0, parse(&a, err, "-V"));
	EXPECT_TRUE(a.version);
	EXPECT_EQ(NULL, a.cmd);
	ASSERT_EQ(0, parse(&a, err, "res 9 --label=pod/a --netns=pod-a"));
	EXPECT_STREQ("reserve", a.cmd->name);
	EXPECT_STREQ("pod/a", a.label);
	EXPECT_STREQ("pod-a", a.netns);
	ASSERT_EQ(0, parse(&a, err, "-t mon"));
	EXPECT_STREQ("monitor", a.cmd->name);
	EXPECT_TRUE(a.timestamp);
	ASSERT_EQ(0, parse(&a, err, "-jb cmds"));
	EXPECT_STREQ("cmds", a.batch);
	ASSERT_EQ(0, parse(&a, err, "--batch=- -j"));
	EXPECT_STREQ("-", a.batch);
}

TEST(batch_lines_split_like_words)
{
	char line[] = "reserve 7 --label \"pod a \\\"x\\\"\"  # a comment\n", *argv[8];
	char bad[] = "show \"7", empty[] = "   # nothing\n";

	ASSERT_EQ(4, cidctl_split(line, argv, 8));
	EXPECT_STREQ("reserve", argv[0]);
	EXPECT_STREQ("7", argv[1]);
	EXPECT_STREQ("pod a \"x\"", argv[3]);
	EXPECT_EQ(NULL, argv[4]);
	EXPECT_EQ(-1, cidctl_split(bad, argv, 8));
	EXPECT_EQ(0, cidctl_split(empty, argv, 8));
}

/* The library's hints are for any program: they name no cidctl option. */
TEST(library_hints_name_no_program)
{
	static const int errs[] = { ENODEV, EACCES, EPERM, EADDRINUSE, ENOSPC,
				    EDQUOT, EINVAL, ENOENT, EXDEV, EBUSY };
	unsigned int i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *h = cidreg_hint(-errs[i], "reserve");

		EXPECT_EQ(NULL, strstr(h, "cidctl")) TH_LOG("%s", h);
		EXPECT_EQ(NULL, strstr(h, "--")) TH_LOG("%s", h);
	}
}

static char *escaped(const char *s, bool quote)
{
	static char buf[256];

	pr_escape(buf, sizeof(buf), s, quote);
	return buf;
}

TEST(text_never_prints_controls_raw)
{
	EXPECT_STREQ("a\\x0ab\\x1b[31mc", escaped("a\nb\x1b[31mc", false));
	EXPECT_STREQ("k\xc3\xa9", escaped("k\xc3\xa9", false));	/* valid UTF-8 */
	EXPECT_STREQ("k\\xc3", escaped("k\xc3", false));	/* cut short */
	EXPECT_STREQ("\\xc2\\x85", escaped("\xc2\x85", false));	/* a C1 control */
	EXPECT_STREQ("a\\\\b", escaped("a\\b", false));
	EXPECT_STREQ("\"pod a \\\"x\\\"\"", escaped("pod a \"x\"", true));
	EXPECT_STREQ("\"\"", escaped("", true));
	EXPECT_STREQ("plain", escaped("plain", true));
	EXPECT_STREQ("\"a\\x0ab\"", escaped("a\nb", true));	/* shlex keeps \x */
}

static char *capture(void (*fn)(const void *arg), const void *arg, bool json)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	pr_start(f, json, false);
	fn(arg);
	pr_end();
	fclose(f);
	return buf;
}

static void entry(const void *e) { cidctl_entry_print(e); }
static void stats(const void *s) { cidctl_stats_print(s); }
static void config(const void *c) { cidctl_config_print(c); }
static void event(const void *e)
{
	pr_quoting(true);	/* as monitor prints */
	cidctl_event_print(e, false);
}

TEST(entry_output)
{
	struct cidreg_entry e = {
		.size = sizeof(e), .cid = 3500, .kind = CIDREG_LEASE, .own = true, .netns_ino = 4026531840ULL,
		.creator_pid = 12, .creator_uid = 0,
		.ctime_ns = 1764000000123456789ULL, .comm = "k\xc3\xa9\n\x1b",
		.label = "a\"b\\c",
	};
	struct cidreg_entry hidden = { .size = sizeof(hidden), .cid = 7, .hidden = true, .attached = true };

	/* ctime_ns a string; UTF-8 kept, controls \u00XX. */
	EXPECT_STREQ("{\"cid\":3500,\"kind\":\"lease\",\"own\":true,\"attached\":false,"
		     "\"hidden\":false,\"netns\":4026531840,\"holder_pid\":0,"
		     "\"creator_pid\":12,\"creator_uid\":0,\"ctime_ns\":\"1764000000123456789\","
		     "\"comm\":\"k\xc3\xa9\\u000a\\u001b\",\"label\":\"a\\\"b\\\\c\"}\n",
		     capture(entry, &e, true));
	EXPECT_STREQ("{\"cid\":7,\"kind\":\"reserved\",\"own\":false,\"attached\":true,\"hidden\":true}\n",
		     capture(entry, &hidden, true));
	EXPECT_STREQ("7           reserved    -                 yes       -         -                       -\n",
		     capture(entry, &hidden, false));
	/* Linux 7.0+: an entry of a local-mode netns's space says so. */
	e.local = true;
	EXPECT_NE(NULL, strstr(capture(entry, &e, true),
			       "\"hidden\":false,\"local\":true,\"netns\":4026531840,"));
	/* One row, whatever the command name holds. */
	EXPECT_STREQ("3500        lease       4026531840/local  no        -         12/k\xc3\xa9\\x0a\\x1b          a\"b\\\\c\n",
		     capture(entry, &e, false));
}

TEST(stats_config_event_output)
{
	struct cidreg_stats st = { .size = sizeof(st), .entries = 2,
				   .denied = { [1] = 3 } };
	struct cidreg_config c = { .size = sizeof(c), .mode = 1, .strict = true, .cid_min = 3,
				   .cid_max = 9, .quota = 4, .nports = 2,
				   .ports = { 22, 80 } };
	struct cidreg_event ev = { .event = 7, .cid = 9, .op = 1, .port = 5,
				   .mode = 1, .netns_ino = 8, .pid = 3,
				   .comm = "socat", .label = "pod \"a\"" };

	/* Every figure: the settings' changes, the events not sent. */
	st.config_changes = 4;
	st.events_dropped = 21;
	EXPECT_NE(NULL, strstr(capture(stats, &st, false),
			       "\nconfig changes: 4\nevents dropped: 21\n"));
	EXPECT_NE(NULL, strstr(capture(stats, &st, true),
			       "}},\"config_changes\":\"4\",\"events_dropped\":\"21\"}"));
	/* Counters of 64 bits: strings. */
	EXPECT_EQ(capture(stats, &st, true),
		  strstr(capture(stats, &st, true),
			 "{\"entries\":2,\"ops\":{\"set-cid\":{\"allowed\":\"0\",\"denied\":\"0\",\"audited\":\"0\"},\"connect\":{\"allowed\":\"0\",\"denied\":\"3\","));
	EXPECT_STREQ("mode             audit\nstrict           yes\ncid-min          3\n"
		     "cid-max          9\nquota            4\nprotected-ports  22,80\n",
		     capture(config, &c, false));
	EXPECT_STREQ("{\"mode\":\"audit\",\"strict\":true,\"cid_min\":3,\"cid_max\":9,"
		     "\"quota\":4,\"protected_ports\":[22,80]}\n",
		     capture(config, &c, true));
	c.nports = 0;
	EXPECT_NE(NULL, strstr(capture(config, &c, false), "protected-ports  none\n"));
	EXPECT_STREQ("would-be-denied cid 9 netns 8 pid 3 comm socat label \"pod \\\"a\\\"\" op connect port 5\n",
		     capture(event, &ev, false));
	/* 7.0+: in the space of a netns in local mode. */
	ev.local = true;
	EXPECT_NE(NULL, strstr(capture(event, &ev, false), " netns 8 space local pid 3 "));
	ev.local = false;
	/* A change of the settings names the mode, not a CID. */
	ev = (struct cidreg_event){ .event = 8, .mode = 2, .netns_ino = 8,
				    .pid = 3, .comm = "cidctl",
				    .config = { .size = sizeof(ev.config),
						.mode = 2, .cid_min = 3,
						.cid_max = 9, .quota = 4 },
				    .config_mask = CIDREG_CONFIG_MODE };
	EXPECT_STREQ("config-changed mode enforce netns 8 pid 3 comm cidctl\n",
		     capture(event, &ev, false));
	/* ... and every setting it carries, as config shows them. */
	ev.config_mask = ~0U;
	EXPECT_STREQ("config-changed mode enforce strict no cid-min 3 cid-max 9 quota 4 protected-ports none netns 8 pid 3 comm cidctl\n",
		     capture(event, &ev, false));
	/* (event() ends its line itself: capture() adds a second.) */
	EXPECT_STREQ("{\"event\":\"config-changed\",\"mode\":\"enforce\",\"strict\":false,"
		     "\"cid_min\":3,\"cid_max\":9,\"quota\":4,\"protected_ports\":[],"
		     "\"netns\":8,\"pid\":3,\"comm\":\"cidctl\"}\n\n",
		     capture(event, &ev, true));
}

/* The library's settings table: each setting reads back what it writes. */
TEST(settings_table_round_trips)
{
	static const char * const values[] = {
		"audit", "yes", "1000", "1999", "8", "22,1024",
	};
	const struct cidreg_setting *st;
	struct cidreg_config c = CIDREG_INIT(cidreg_config);
	char buf[128];
	unsigned int i;

	for (i = 0; (st = cidreg_setting(i)); i++) {
		ASSERT_LT(i, sizeof(values) / sizeof(values[0]));
		ASSERT_EQ(0, cidreg_setting_parse(st, values[i], &c));
		cidreg_setting_format(st, &c, buf, sizeof(buf));
		EXPECT_STREQ(values[i], buf);
		EXPECT_EQ(st, cidreg_setting_find(st->json_name));
		EXPECT_EQ(-EINVAL, cidreg_setting_parse(st, "", &c));
	}
	EXPECT_EQ(sizeof(values) / sizeof(values[0]), i);
	EXPECT_EQ(NULL, cidreg_setting_find("colour"));
	/* A bad list changes nothing. */
	EXPECT_EQ(-EINVAL, cidreg_setting_parse(cidreg_setting_find("protected-ports"),
						"5,x", &c));
	EXPECT_EQ(2U, c.nports);
}

/*
 * The structs carry their size: one smaller than the library's first
 * version is refused, one larger is taken if what the library does not
 * know of it is zero (and refused with E2BIG if not), each before the
 * handle is used; a struct the library fills is zeroed past its own.
 */
TEST(structs_carry_their_size)
{
	struct {
		struct cidreg_reserve_req r;
		uint64_t later;
	} big = { .r = { .size = sizeof(big), .cid = 5 } };
	struct {
		struct cidreg_config c;
		uint64_t later;
	} bigc = { .c = { .size = sizeof(bigc) }, .later = ~0ULL };
	struct cidreg_config c = CIDREG_INIT(cidreg_config), small = c;
	const struct cidreg_setting *q = cidreg_setting_find("quota");
	char buf[32];
	uint32_t cid;

	small.size = offsetof(struct cidreg_config, ports);
	EXPECT_EQ(-EINVAL, cidreg_setting_parse(cidreg_setting_find(
			"protected-ports"), "22", &small));
	EXPECT_EQ(0, cidreg_setting_parse(q, "7", &small));
	EXPECT_EQ(-EINVAL, cidreg_setting_format(cidreg_setting_find(
			"protected-ports"), &small, buf, sizeof(buf)));
	EXPECT_EQ(0, cidreg_setting_parse(q, "9", &bigc.c));
	EXPECT_EQ(9U, bigc.c.quota);
	small.size = 4;
	EXPECT_EQ(-EINVAL, cidreg_reserve(NULL, (void *)&small, &cid));
	big.later = 1;
	EXPECT_EQ(-E2BIG, cidreg_reserve(NULL, &big.r, &cid));
	EXPECT_EQ(-E2BIG, cidreg_set_config(NULL, &bigc.c, CIDREG_CONFIG_QUOTA));
	c.size = sizeof(c) - 1;
	EXPECT_EQ(-EINVAL, cidreg_get_config(NULL, &c));
	EXPECT_EQ(-EINVAL, cidreg_stats(NULL, (void *)&small));
	EXPECT_TRUE(CIDREG_HAS(&bigc.c, ports));
	c.size = offsetof(struct cidreg_config, quota);
	EXPECT_FALSE(CIDREG_HAS(&c, quota));
}

static char *complete(const char *line)
{
	static char buf[8192];
	FILE *f;

	buf[0] = 0;	/* fmemopen() writes no NUL if nothing is written */
	f = fmemopen(buf, sizeof(buf), "w");
	cidctl_complete(f, line);
	fclose(f);
	return buf;
}

/* Completion, help and usage come from the rows, and list them all. */
TEST(completion_and_help_list_exactly_the_rows)
{
	char rows[512] = "", opts[1024], usage[8192], line[64], *p;
	const struct cidctl_opt * const *o;
	const struct cidctl_cmd *c;
	FILE *f = fmemopen(usage, sizeof(usage), "w");
	int n = 0, lines = 0;

	cidctl_usage(f, NULL);
	fclose(f);
	for (c = cidctl_cmds; c->name; c++, n++) {
		strcat(rows, c->name);
		strcat(rows, "\n");
		snprintf(line, sizeof(line), "\n  %-9s", c->name);
		EXPECT_NE(NULL, strstr(usage, line)) TH_LOG("%s", c->name);
		ASSERT_NE(NULL, c->run);
		/* Its options: the globals', then exactly its row's. */
		opts[0] = 0;
		for (o = cidctl_globals; *o; o++)
			strcat(strcat(opts, (*o)->name), "\n");
		for (o = c->opts; o && *o; o++) {
			strcat(strcat(opts, (*o)->name), "\n");
			EXPECT_NE(NULL, strstr(c->synopsis, (*o)->name))
				TH_LOG("%s %s", c->name, (*o)->name);
		}
		snprintf(line, sizeof(line), "cidctl %s --", c->name);
		EXPECT_STREQ(opts, complete(line)) TH_LOG("%s", c->name);
	}
	EXPECT_STREQ(rows, complete("cidctl "));
	/* The usage's commands: one line each (a long synopsis goes on). */
	p = strstr(usage, "commands:\n");
	ASSERT_NE(NULL, p);
	for (p = strchr(p, '\n') + 1; strncmp(p, "\n", 1); p = strchr(p, '\n') + 1)
		lines += p[2] != ' ';
	EXPECT_EQ(n, lines);
	EXPECT_STREQ("help", cidctl_help_cmd()->name);
}

TEST(completion_of_values)
{
	EXPECT_STREQ("text\nprometheus\n", complete("cidctl stats --format="));
	EXPECT_STREQ("prometheus\n", complete("cidctl stats --format=p"));
	EXPECT_STREQ("prometheus\n", complete("cidctl stats --format p"));
	EXPECT_STREQ("off\naudit\nenforce\n", complete("cidctl config mode "));
	EXPECT_STREQ("yes\nno\n", complete("cidctl config mode audit strict "));
	EXPECT_STREQ("cid-min\ncid-max\n", complete("cidctl config mode audit cid-m"));
	EXPECT_STREQ("help\n", complete("cidctl config h"));
	EXPECT_STREQ("list\n", complete("cidctl help li"));
	EXPECT_STREQ("--label-prefix\n", complete("cidctl list --la"));
	EXPECT_STREQ("help\n", complete("cidctl show "));
	/* After -b FILE, or -- COMMAND: nothing cidctl would refuse. */
	EXPECT_STREQ("", complete("cidctl -b cmds "));
	EXPECT_STREQ("", complete("cidctl -jb cmds l"));
	EXPECT_STREQ("", complete("cidctl reserve -- qemu "));
	EXPECT_STREQ("", complete("cidctl show \"5"));
}

TEST(in_netns_like_ip_n)
{
	struct cidctl_args a;
	char err[256];

	ASSERT_EQ(0, parse(&a, err, "-n pod-a list"));
	EXPECT_STREQ("pod-a", a.in_netns);
	EXPECT_STREQ("list", a.cmd->name);
	ASSERT_EQ(0, parse(&a, err, "--in-netns=1234 -j list"));
	EXPECT_STREQ("1234", a.in_netns);
	/* -h and --help after a command: its help, either way. */
	ASSERT_EQ(0, parse(&a, err, "list -h"));
	EXPECT_STREQ("list", a.help_for->name);
	ASSERT_EQ(0, parse(&a, err, "-h list"));
	EXPECT_STREQ("list", a.help_for->name);
	ASSERT_EQ(0, parse(&a, err, "-h"));
	EXPECT_EQ(NULL, a.help_for);
	EXPECT_STREQ("help", a.cmd->name);
}

TEST_HARNESS_MAIN
