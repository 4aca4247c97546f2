// SPDX-License-Identifier: GPL-2.0
/*
 * cidctl's commands: what each runs, and the table of them
 * (cidctl_cmds[], at the end: one row a command). See cidctl(8)
 * (Documentation/cidctl.8).
 *
 * Exit status: 0 success; 1 the operation failed; 2 bad usage; 3 the
 * module is not loaded. With "reserve ... -- COMMAND": COMMAND's status
 * (126: it cannot run, 127: not found).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libkmod.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vsock_cidreg.h>

#include "args.h"
#include "cidctl.h"
#include "cidreg.h"
#include "format.h"
#include "print.h"

#ifndef CIDREG_VERSION
#define CIDREG_VERSION "unknown"
#endif

char cidctl_where[4200];
#define where cidctl_where

/* What to do about @err in @cmd: its row's words, cidctl's, the library's. */
static const char *hint(const struct cidctl_cmd *cmd, int err)
{
	static const struct cidctl_hint common[] = {
		{ ENODEV, "load it: modprobe vsock_cidreg" },
		{ EPERM, "this needs CAP_NET_ADMIN over the network namespace" },
		{ EACCES, "run as root, or get access to /dev/vsock-cidreg" },
		{ 0, NULL },
	};
	const struct cidctl_hint *h;

	for (h = cmd ? cmd->hints : NULL; h && h->err; h++)
		if (-err == h->err)
			return h->hint;
	for (h = common; h->err; h++)
		if (-err == h->err)
			return h->hint;
	return cidreg_hint(err, cmd ? cmd->name : NULL);
}

/*
 * One line: what failed, why (the kernel's own words when it gave some),
 * the errno, what to do (@cmd's hints). Returns the exit status.
 */
static int fail_at(struct cidreg *h, const struct cidctl_cmd *cmd,
		   const char *what, int err)
{
	const char *why = cidreg_message(h), *name = strerrorname_np(-err);

	fprintf(stderr, "cidctl: %s%s: %s (%s): %s\n", where, what,
		why ? why : cidreg_strerror(err),
		name ? name : "unknown errno", hint(cmd, err));
	return err == -ENODEV ? 3 : 1;
}

static int fail(struct cidreg *h, const struct cidctl_cmd *cmd, int err)
{
	return fail_at(h, cmd, cmd->name, err);
}

/* The library's handle, opened on first need; NULL: c->rc says why. */
static struct cidreg *handle(struct cidctl_ctx *c)
{
	int err;

	if (!*c->hp) {
		err = cidreg_open(c->hp);
		if (err) {
			*c->hp = NULL;
			c->rc = fail_at(NULL, c->a->cmd, "open", err);
		}
	}
	return *c->hp;
}

#define HANDLE(c, h) do { h = handle(c); if (!h) return (c)->rc; } while (0)

int cidctl_open_netns(const char *netns, const char *verb, int *fd)
{
	char path[4096];

	*fd = -1;
	if (!netns)
		return 0;
	cidctl_netns_path(netns, path, sizeof(path));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 && !strncmp(path, "/proc/", 6) && errno == ENOENT) {
		fprintf(stderr, "cidctl: %s%s: cannot open netns %s: the process has exited (or is exiting) and its netns with it; give a live process, or a path (/run/netns/NAME) that holds the netns\n",
			where, verb, path);
		return 1;
	}
	if (*fd < 0) {
		fprintf(stderr, "cidctl: %s%s: cannot open netns %s: %s; give a path (/run/netns/NAME), a PID or an ip-netns name\n",
			where, verb, path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Runs COMMAND with {cid} replaced and VSOCK_CID set; its exit status. */
static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int run_command(struct cidctl_ctx *c, uint32_t cid)
{
	const struct cidctl_cmd *self = c->a->cmd;
	char **cmd = c->a->command;
	char cidstr[16], **argv;
	int n, i, status;

	snprintf(cidstr, sizeof(cidstr), "%u", cid);
	for (n = 0; cmd[n]; n++)
		;
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return fail(NULL, self, -ENOMEM);
	for (i = 0; i < n; i++) {
		const char *p = strstr(cmd[i], "{cid}");

		if (!p) {
			argv[i] = strdup(cmd[i]);
		} else {
			size_t len = strlen(cmd[i]) + strlen(cidstr);

			argv[i] = malloc(len);
			if (argv[i])
				snprintf(argv[i], len, "%.*s%s%s",
					 (int)(p - cmd[i]), cmd[i], cidstr,
					 p + 5);
		}
		if (!argv[i]) {
			for (i = 0; i < n; i++)
				free(argv[i]);
			free(argv);
			return fail(NULL, self, -ENOMEM);
		}
	}
	setenv("VSOCK_CID", cidstr, 1);
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	child = fork();
	if (child == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "cidctl: %sreserve: cannot run %s: %s\n", where,
			argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	for (i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	if (child < 0)
		return fail(NULL, self, -errno);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return fail(NULL, self, -errno);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmd_reserve(struct cidctl_ctx *c)
{
	const struct cidctl_args *a = c->a;
	struct cidreg_reserve_req r = CIDREG_INIT(cidreg_reserve_req,
		.cid = a->cid, .any = !a->has_cid, .lowest = a->lowest,
		.cid_min = a->range.min, .cid_max = a->range.max,
		/* Without a COMMAND the lease would end as cidctl exits. */
		.persistent = a->persistent || !a->command,
		.netns_fd = c->nsfd, .use_netns = c->nsfd >= 0,
		.label = a->label,
	);
	char what[32] = "reserve";
	struct cidreg *h;
	uint32_t cid;
	int err;

	HANDLE(c, h);
	err = cidreg_reserve(h, &r, &cid);
	if (a->has_cid)
		snprintf(what, sizeof(what), "reserve %u", a->cid);
	if (err)
		return fail_at(h, a->cmd, what, err);
	if (a->command) {
		fflush(stdout);
		return run_command(c, cid);
	}
	pr_open_obj(NULL);
	pr_u32("cid", "%u\n", cid);
	pr_close_obj();
	return 0;
}

static int check_reserve(struct cidctl_args *a, char *err, int errlen)
{
	if (a->has_cid && a->range.set)
		snprintf(err, errlen, "reserve: give a CID or --range, not both");
	else if (a->lowest && a->has_cid)
		snprintf(err, errlen, "reserve: --lowest is for --range or any CID");
	else
		return 0;
	return -1;
}

static int cmd_release(struct cidctl_ctx *c)
{
	const struct cidctl_args *a = c->a;
	struct cidreg *h;
	char what[32];
	int err;

	HANDLE(c, h);
	if (!a->all) {
		snprintf(what, sizeof(what), "release %u", a->cid);
		err = cidreg_release(h, a->cid);
		return err ? fail_at(h, a->cmd, what, err) : 0;
	}
	err = cidreg_release_all(h, a->every_netns ? CIDREG_EVERY_NETNS :
				 c->nsfd);
	if (err < 0)
		return fail(h, a->cmd, err);
	pr_open_obj(NULL);
	pr_u32("released", "released %u\n", err);
	pr_close_obj();
	return 0;
}

static int check_release(struct cidctl_args *a, char *err, int errlen)
{
	if (a->has_cid == a->all)
		snprintf(err, errlen, "release: give a CID or --all");
	else if ((a->netns || a->every_netns) && !a->all)
		snprintf(err, errlen, "release: --netns and --every-netns go with --all");
	else if (a->netns && a->every_netns)
		snprintf(err, errlen, "release: give --netns or --every-netns, not both");
	else
		return 0;
	return -1;
}

static int cmd_show(struct cidctl_ctx *c)
{
	const struct cidctl_args *a = c->a;
	struct cidreg_entry e = CIDREG_INIT(cidreg_entry);
	struct cidreg *h;
	char what[32];
	int err;

	HANDLE(c, h);
	snprintf(what, sizeof(what), "show %u", a->cid);
	err = cidreg_show(h, a->cid, &e);
	if (err)
		return fail_at(h, a->cmd, what, err);
	if (!a->no_header)
		cidctl_entry_header();
	cidctl_entry_print(&e);
	return 0;
}

static int check_cid(struct cidctl_args *a, char *err, int errlen)
{
	if (a->has_cid)
		return 0;
	snprintf(err, errlen, "%s: which CID?", a->cmd->name);
	return -1;
}

static int list_one(const struct cidreg_entry *e, void *arg)
{
	const struct cidctl_args *a = arg;

	if (a->label_prefix &&
	    (e->hidden || strncmp(e->label, a->label_prefix,
				  strlen(a->label_prefix))))
		return 0;
	if (a->holder && (e->hidden || e->holder_pid != a->holder))
		return 0;
	cidctl_entry_print(e);
	return ferror(stdout) ? -EIO : 0;
}

static int event_one(const struct cidreg_event *ev, void *arg)
{
	cidctl_event_print(ev, *(bool *)arg);
	return ferror(stdout) ? -EIO : 0;
}

static int resync_one(const struct cidreg_entry *e, void *arg)
{
	cidctl_resync_print(e, *(bool *)arg);
	return ferror(stdout) ? -EIO : 0;
}

static int cmd_list(struct cidctl_ctx *c)
{
	struct cidreg *h;
	int err;

	HANDLE(c, h);
	if (!c->a->no_header)
		cidctl_entry_header();
	pr_open_arr(NULL);
	err = cidreg_list(h, c->nsfd, list_one, (void *)c->a);
	pr_close_arr();
	return err ? fail(h, c->a->cmd, err) : 0;
}

static int cmd_transfer(struct cidctl_ctx *c)
{
	const struct cidctl_args *a = c->a;
	struct cidreg *h;
	char what[32];
	int err;

	HANDLE(c, h);
	snprintf(what, sizeof(what), "transfer %u", a->cid);
	err = cidreg_transfer(h, a->cid, c->nsfd, a->persistent);
	return err ? fail_at(h, a->cmd, what, err) : 0;
}

static int check_transfer(struct cidctl_args *a, char *err, int errlen)
{
	if (a->has_cid && a->netns)
		return 0;
	snprintf(err, errlen, "transfer: give a CID and --netns");
	return -1;
}

/*
 * Events until an error. When the kernel dropped events this listener had
 * no room for (ENOBUFS), it says so ("lost"), gives the registry as it is
 * now ("present" lines, then "synced") and listens on.
 */
static int cmd_monitor(struct cidctl_ctx *c)
{
	bool ts = c->a->timestamp;
	struct cidreg *h;
	int err;

	HANDLE(c, h);
	pr_quoting(true);
	while ((err = cidreg_monitor(h, event_one, &ts)) == -ENOBUFS) {
		cidctl_resync_mark("lost", ts);
		/* Requests and events have sockets of their own. */
		err = cidreg_list(h, -1, resync_one, &ts);
		if (err)
			break;
		cidctl_resync_mark("synced", ts);
		fflush(stdout);
	}
	return err ? fail(h, c->a->cmd, err) : 0;
}

struct ino_list {
	uint64_t *ino;
	size_t n, size;
};

static int collect_ino(const struct cidreg_entry *e, void *arg)
{
	struct ino_list *l = arg;
	uint64_t *p;

	if (e->hidden)
		return 0;
	if (l->n == l->size) {
		l->size = l->size ? 2 * l->size : 256;
		p = realloc(l->ino, l->size * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->ino = p;
	}
	l->ino[l->n++] = e->netns_ino;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define METRIC(name, type, help) \
	printf("# HELP vsock_cidreg_" name " " help "\n" \
	       "# TYPE vsock_cidreg_" name " " type "\n")

/*
 * stats --format=prometheus: the text exposition format, for
 * node_exporter's textfile collector. Everything is read before anything
 * is printed: a failure prints nothing on standard output.
 */
/*
 * stats --format=prometheus: the text exposition format, for
 * node_exporter's textfile collector. Everything is read before anything
 * is printed: a failure prints nothing on standard output.
 */
static int prometheus(struct cidreg *h, const struct cidctl_cmd *self)
{
	static const char *const verdicts[] = { "allowed", "denied", "audited" };
	struct ino_list l = {};
	struct cidreg_config c = CIDREG_INIT(cidreg_config);
	struct cidreg_stats st = CIDREG_INIT(cidreg_stats);
	uint64_t *v;
	unsigned int op, i;
	size_t j, k;
	int err;

	err = cidreg_stats(h, &st);
	if (!err)
		err = cidreg_get_config(h, &c);
	if (!err)
		err = cidreg_list(h, -1, collect_ino, &l);
	if (err) {
		free(l.ino);
		return fail(h, self, err);
	}
	METRIC("entries", "gauge", "Reservations in the registry, of every netns.");
	printf("vsock_cidreg_entries %u\n", st.entries);
	METRIC("netns_entries", "gauge",
	       "Reservations of each netns (by inode) the reader may see: every netns with CAP_NET_ADMIN, else its own.");
	qsort(l.ino, l.n, sizeof(*l.ino), cmp_u64);
	for (j = 0; j < l.n; j = k) {
		for (k = j; k < l.n && l.ino[k] == l.ino[j]; k++)
			;
		printf("vsock_cidreg_netns_entries{netns=\"%" PRIu64 "\"} %zu\n",
		       l.ino[j], k - j);
	}
	free(l.ino);
	METRIC("checks_total", "counter",
	       "Checks of the vsock hooks since the module loaded, by operation and verdict (audited: refused in enforce mode, allowed in audit mode).");
	for (op = 0; op < CIDREG_OPS; op++) {
		for (i = 0; i < 3; i++) {
			v = i == 0 ? st.allowed : i == 1 ? st.denied : st.audited;
			printf("vsock_cidreg_checks_total{op=\"%s\",verdict=\"%s\"} %" PRIu64 "\n",
			       cidreg_op_name(op), verdicts[i], v[op]);
		}
	}
	METRIC("events_dropped_total", "counter",
	       "Events not sent since the module loaded: over the rate limit of their source (a pod), or past a full queue.");
	printf("vsock_cidreg_events_dropped_total %" PRIu64 "\n", st.events_dropped);
	METRIC("config_changes_total", "counter",
	       "Changes of the settings since the module loaded.");
	printf("vsock_cidreg_config_changes_total %" PRIu64 "\n", st.config_changes);
	METRIC("mode", "gauge", "The enforcement mode: 1 for the one in effect.");
	for (i = 0; i < 3; i++)
		printf("vsock_cidreg_mode{mode=\"%s\"} %d\n", cidreg_mode_name(i),
		       c.mode == i);
	METRIC("strict", "gauge", "1 if a CID must be reserved before a device takes it.");
	printf("vsock_cidreg_strict %d\n", c.strict);
	return 0;
}

static int cmd_stats(struct cidctl_ctx *c)
{
	struct cidreg_stats st = CIDREG_INIT(cidreg_stats);
	struct cidreg *h;
	int err;

	HANDLE(c, h);
	if (c->a->format == 1)
		return prometheus(h, c->a->cmd);
	err = cidreg_stats(h, &st);
	if (err)
		return fail(h, c->a->cmd, err);
	cidctl_stats_print(&st);
	return 0;
}

static int check_stats(struct cidctl_args *a, char *err, int errlen)
{
	if (a->format != 1 || !a->json)
		return 0;
	snprintf(err, errlen, "stats: --format prometheus and -j are two formats: give one");
	return -1;
}

static int cmd_config(struct cidctl_ctx *c)
{
	const struct cidctl_args *a = c->a;
	struct cidreg_config conf = CIDREG_INIT(cidreg_config);
	struct cidreg *h;
	int err;

	HANDLE(c, h);
	if (!a->config_mask) {
		err = cidreg_get_config(h, &conf);
		if (err)
			return fail(h, a->cmd, err);
		cidctl_config_print(&conf);
		return 0;
	}
	err = cidreg_set_config(h, &a->config, a->config_mask);
	return err ? fail(h, a->cmd, err) : 0;
}

/*
 * apply FILE: every line is read and checked before anything changes
 * (before the module is asked anything); the settings then change in one
 * call (all or none, validated by the kernel), and each netns is trusted
 * after them.
 */
static int cmd_apply(struct cidctl_ctx *c)
{
	const struct cidctl_args *a = c->a;
	FILE *f = strcmp(a->file, "-") ? fopen(a->file, "r") : stdin;
	const struct cidctl_cmd *config = cidctl_find_cmd("config");
	const struct cidctl_cmd *trust = cidctl_find_cmd("trust");
	struct cidctl_settings st;
	struct cidreg *h;
	char err[512];
	int rc = 0, i, fd, e;

	if (!f) {
		fprintf(stderr, "cidctl: %sapply: cannot open %s: %s\n", where,
			a->file, strerror(errno));
		return 1;
	}
	e = cidctl_settings_read(f, f == stdin ? "stdin" : a->file, &st, err,
				 sizeof(err));
	if (f != stdin)
		fclose(f);
	if (e) {
		fprintf(stderr, "cidctl: %s%s; nothing was changed\n", where, err);
		cidctl_settings_free(&st);
		return 2;
	}
	h = handle(c);
	if (!h) {
		cidctl_settings_free(&st);
		return c->rc;
	}
	if (st.mask) {
		e = cidreg_set_config(h, &st.config, st.mask);
		if (e)
			rc = fail_at(h, config, "apply", e);
	}
	for (i = 0; !rc && i < st.ntrust; i++) {
		if (cidctl_open_netns(st.trust[i], "apply: trust", &fd)) {
			rc = 1;
			break;
		}
		e = cidreg_trust(h, fd, true);
		close(fd);
		if (e)
			rc = fail_at(h, trust, "apply: trust", e);
	}
	cidctl_settings_free(&st);
	return rc;
}

static int check_apply(struct cidctl_args *a, char *err, int errlen)
{
	if (a->file)
		return 0;
	snprintf(err, errlen, "apply: which file? e.g. cidctl apply /etc/vsock-cidreg.conf");
	return -1;
}

static int cmd_trust(struct cidctl_ctx *c)
{
	bool trust = !strcmp(c->a->cmd->name, "trust");
	struct cidreg *h;
	int err;

	HANDLE(c, h);
	err = cidreg_trust(h, c->nsfd, trust);
	return err ? fail(h, c->a->cmd, err) : 0;
}

static int check_netns(struct cidctl_args *a, char *err, int errlen)
{
	if (a->netns)
		return 0;
	snprintf(err, errlen, "%s: which netns? give --netns PATH|PID|NAME",
		 a->cmd->name);
	return -1;
}

/* status: sysfs says what runs, libkmod whether it is installed. */
#define MODULE_DIR "/sys/module/vsock_cidreg"
#define PARAMS_DIR MODULE_DIR "/parameters"

/* The first line of a sysfs file, whole (getline), or NULL. */
static char *read_line(const char *path)
{
	char *line = NULL;
	size_t size = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getline(&line, &size, f) < 0) {
		free(line);
		line = NULL;
	} else {
		line[strcspn(line, "\n")] = 0;
	}
	fclose(f);
	return line;
}

/* The module's settings, as "name=value" text or a JSON object. */
static void print_parameters(void)
{
	struct dirent **names;
	char path[512], *value;
	int i, n;

	n = scandir(PARAMS_DIR, &names, NULL, alphasort);
	pr_text("parameters:");
	pr_open_obj("parameters");
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		/* Not a setting: shown on its own (print_hooks()). */
		if (name[0] != '.' && strcmp(name, "hooks")) {
			snprintf(path, sizeof(path), PARAMS_DIR "/%s", name);
			value = read_line(path);
			if (value) {
				pr_text(" %s=", name);
				pr_str(name, "%s", value);
			}
			free(value);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	pr_close_obj();
	pr_text("\n");
}

/* Each hook and its state ("module:symbol state" lines of "hooks"). */
static void print_hooks(void)
{
	char *line = NULL, *state;
	size_t size = 0;
	FILE *f = fopen(PARAMS_DIR "/hooks", "r");

	pr_open_obj("hooks");
	while (f && getline(&line, &size, f) > 0) {
		line[strcspn(line, "\n")] = 0;
		state = strchr(line, ' ');
		if (!state)
			continue;
		*state++ = 0;
		pr_text("hooks:    %-40s ", line);
		pr_str(line, "%s\n", state);
	}
	pr_close_obj();
	free(line);
	if (f)
		fclose(f);
}

/* Whether modprobe can find vsock_cidreg for the running kernel. */
static bool installed(char *path, size_t size)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_list *list = NULL;
	bool found = false;

	path[0] = 0;
	if (ctx && !kmod_module_new_from_lookup(ctx, "vsock_cidreg", &list) &&
	    list) {
		struct kmod_module *mod = kmod_module_get_module(list);
		const char *p = kmod_module_get_path(mod);

		found = p != NULL;
		snprintf(path, size, "%s", p ? p : "");
		kmod_module_unref(mod);
		kmod_module_unref_list(list);
	}
	kmod_unref(ctx);
	return found;
}

static int cmd_status(struct cidctl_ctx *c)
{
	char *state = read_line(MODULE_DIR "/initstate");
	char *version = read_line(MODULE_DIR "/version");
	bool loaded = state && !strcmp(state, "live"), inst, have = false;
	struct cidreg_config conf = CIDREG_INIT(cidreg_config);
	struct cidreg_stats st = CIDREG_INIT(cidreg_stats);
	char path[4096];

	/* The handle if it opens: status says why not itself. */
	if (loaded && !*c->hp && cidreg_open(c->hp))
		*c->hp = NULL;
	if (loaded && *c->hp)
		have = !cidreg_get_config(*c->hp, &conf) &&
		       !cidreg_stats(*c->hp, &st);
	inst = installed(path, sizeof(path));
	pr_open_obj(NULL);
	pr_text("module:   vsock_cidreg ");
	pr_bool("installed", NULL, inst || state);
	pr_bool("loaded", NULL, loaded);
	pr_str("state", "%s", state ? state : inst ? "not loaded" : "not installed");
	if (version) {
		pr_text(", version ");
		pr_str("version", "%s", version);
	}
	pr_text("\n");
	if (inst)
		pr_str("path", "file:     %s\n", path);
	if (have) {
		pr_str("mode", "mode:     %s", cidreg_mode_name(conf.mode));
		pr_bool("strict", NULL, conf.strict);
		pr_text("%s\n", conf.strict ? " (strict)" : "");
		pr_u32("entries", "entries:  %u\n", st.entries);
		print_parameters();
		print_hooks();
	}
	if (!state && inst)
		pr_text("load it with: modprobe vsock_cidreg (options in /etc/modprobe.d/vsock-cidreg.conf)\n");
	else if (!state)
		pr_text("install it for this kernel (its package, DKMS or make install), then: modprobe vsock_cidreg\n");
	pr_str("tools_version", "cidctl:   %s\n", CIDREG_VERSION);
	pr_close_obj();
	free(state);
	free(version);
	return loaded ? 0 : 3;
}

static int cmd_help(struct cidctl_ctx *c)
{
	cidctl_usage(stdout, c->a->help_for);
	return 0;
}

/* Runs one command; opens *hp on first need. Returns the exit status. */
int cidctl_run(const struct cidctl_args *a, struct cidreg **hp)
{
	struct cidctl_ctx c = { .a = a, .hp = hp, .nsfd = -1 };
	int rc;

	pr_start(stdout, a->json, a->pretty);
	if (a->version) {
		pr_open_obj(NULL);
		pr_str("version", "cidctl %s\n", CIDREG_VERSION);
		pr_close_obj();
		pr_end();
		return 0;
	}
	/* What the command names is checked before the module is asked. */
	if (cidctl_open_netns(a->netns, a->cmd->name, &c.nsfd))
		return 1;
	rc = a->cmd->run(&c);
	pr_end();
	if (c.nsfd >= 0)
		close(c.nsfd);
	return rc;
}

/* The options, each defined once; the rows below list which they take. */
#define OPT(n, s, ar, t, field, h, ...) { .name = n, .short_name = s, \
	.arg = ar, .type = t, .off = offsetof(struct cidctl_args, field), \
	.help = h, __VA_ARGS__ }

static const char * const formats[] = { "text", "prometheus", NULL };

static const struct cidctl_opt
	o_json = OPT("--json", 'j', NULL, T_FLAG, json, "JSON output"),
	o_pretty = OPT("--pretty", 'p', NULL, T_FLAG, pretty,
		       "indented JSON (with -j)"),
	o_timestamp = OPT("--timestamp", 't', NULL, T_FLAG, timestamp,
			  "monitor: each event's time"),
	o_no_header = OPT("--no-header", 'H', NULL, T_FLAG, no_header,
			  "no header line over list and show"),
	o_batch = OPT("--batch", 'b', "FILE", T_FILE, batch,
		      "run the commands of FILE (-: standard input)"),
	o_in_netns = OPT("--in-netns", 'n', "NETNS", T_NETNS, in_netns,
			 "run in NETNS (as ip -n; needs CAP_SYS_ADMIN)"),
	o_version = OPT("--version", 'V', NULL, T_FLAG, version,
			"the version"),
	/* Read by the parser itself (help); here for the usage. */
	o_help = OPT("--help", 'h', NULL, T_FLAG, version, "this"),
	o_netns = OPT("--netns", 0, "NETNS", T_NETNS, netns, NULL),
	o_persistent = OPT("--persistent", 0, NULL, T_FLAG, persistent, NULL),
	o_range = OPT("--range", 0, "MIN-MAX", T_RANGE, range, NULL),
	o_lowest = OPT("--lowest", 0, NULL, T_FLAG, lowest, NULL),
	o_label = OPT("--label", 0, "TEXT", T_LABEL, label, NULL),
	o_all = OPT("--all", 0, NULL, T_FLAG, all, NULL),
	o_every_netns = OPT("--every-netns", 0, NULL, T_FLAG, every_netns,
			    NULL),
	o_label_prefix = OPT("--label-prefix", 0, "TEXT", T_LABEL,
			     label_prefix, NULL),
	o_holder = OPT("--holder", 0, "PID", T_PID, holder, NULL),
	o_format = OPT("--format", 0, "FORMAT", T_CHOICE, format, NULL,
		       .choices = formats);

const struct cidctl_opt * const cidctl_globals[] = {
	&o_json, &o_pretty, &o_timestamp, &o_no_header, &o_batch, &o_in_netns,
	&o_version, &o_help, NULL,
};

#define OPTS(...) ((const struct cidctl_opt * const []){ __VA_ARGS__, NULL })
#define HINTS(...) ((const struct cidctl_hint []){ __VA_ARGS__, { 0, NULL } })

#define SEE_LIST { ENOENT, "see the reserved CIDs: cidctl list" }

const struct cidctl_cmd cidctl_cmds[] = {
	{ "reserve",
	  "[CID | --range MIN-MAX [--lowest]] [--netns NETNS] [--label TEXT]\n"
	  "        [--persistent] [-- COMMAND ARGS...]",
	  "Reserve a CID, or any free one (of the range), for the caller's netns\n"
	  "or NETNS, and print it. With COMMAND it is a lease, held while\n"
	  "COMMAND runs ({cid} in ARGS and $VSOCK_CID are the CID), unless\n"
	  "--persistent; without COMMAND it is persistent.",
	  OPTS(&o_range, &o_lowest, &o_netns, &o_label, &o_persistent), P_CID,
	  true, check_reserve, cmd_reserve,
	  HINTS({ EADDRINUSE, "pick another CID, or omit it to get any free one" },
		{ ENOSPC, "widen --range, or release CIDs (cidctl list)" },
		{ EDQUOT, "release some, or raise the quota: cidctl config quota N" },
		{ EINVAL, "CIDs 0, 1, 2 and 4294967295 are never reservable" }) },
	{ "release", "CID | --all [--netns NETNS | --every-netns]",
	  "End a reservation, or all of a netns (every netns: CAP_NET_ADMIN).",
	  OPTS(&o_all, &o_netns, &o_every_netns), P_CID, false, check_release,
	  cmd_release,
	  HINTS(SEE_LIST, { EINVAL, "an adopted entry ends with its VM" }) },
	{ "show", "CID", "Show one reservation.", OPTS(NULL), P_CID, false,
	  check_cid, cmd_show, HINTS(SEE_LIST) },
	{ "list", "[--netns NETNS] [--label-prefix TEXT] [--holder PID]",
	  "List the reservations (of NETNS; labelled TEXT...; held by a device\n"
	  "of process PID); others' entries are hidden to whoever lacks\n"
	  "CAP_NET_ADMIN, and match no filter but the netns.",
	  OPTS(&o_netns, &o_label_prefix, &o_holder), P_NONE, false, NULL,
	  cmd_list, NULL },
	{ "transfer", "CID --netns NETNS [--persistent]",
	  "Give a reservation to another netns.",
	  OPTS(&o_netns, &o_persistent), P_CID, false, check_transfer,
	  cmd_transfer,
	  HINTS(SEE_LIST,
		{ EXDEV, "a local-mode namespace's CIDs stay in it: release and reserve instead" }) },
	{ "monitor", "",
	  "Print each event as it happens (-t: with its time): all of them\n"
	  "with CAP_NET_ADMIN, else those about the caller's netns.",
	  OPTS(NULL), P_NONE, false, NULL, cmd_monitor,
	  HINTS({ EPERM, "the module refused both event groups: is it older than these tools?" }) },
	{ "stats", "[--format text|prometheus]",
	  "Counters of the hooks per operation. --format prometheus: the text\n"
	  "exposition format (node_exporter's textfile collector), with the\n"
	  "events dropped and, to CAP_NET_ADMIN, the entries of each netns.",
	  OPTS(&o_format), P_NONE, false, check_stats, cmd_stats, NULL },
	{ "status", "",
	  "Whether the module is installed and loaded; its settings and hooks.",
	  OPTS(NULL), P_NONE, false, NULL, cmd_status, NULL },
	{ "config", "[KEY VALUE]...",
	  "Show or change the settings (CAP_NET_ADMIN), all or none.",
	  OPTS(NULL), P_SETTINGS, false, NULL, cmd_config,
	  HINTS({ EINVAL, "see the ranges: cidctl config help" },
		{ EBUSY, "reload vsock and vhost_vsock first (they run unhooked)" }) },
	{ "apply", "FILE",
	  "Apply a settings file (/etc/vsock-cidreg.conf; vsock-cidreg.service\n"
	  "applies it at boot): lines KEY VALUE, with the keys of config, and\n"
	  "trust NETNS. Every line is checked before anything changes; the\n"
	  "settings change together, then each netns is trusted.",
	  OPTS(NULL), P_FILE, false, check_apply, cmd_apply, NULL },
	{ "trust", "--netns NETNS",
	  "Add a netns to the trusted set (CAP_NET_ADMIN; from an untrusted\n"
	  "netns, CAP_SYS_ADMIN too). A node agent in a pod: --netns self.",
	  OPTS(&o_netns), P_NONE, false, check_netns, cmd_trust,
	  HINTS({ EINVAL, "give a netns: --netns PATH|PID|NAME" },
		{ EPERM, "needs CAP_NET_ADMIN, and CAP_SYS_ADMIN too from an untrusted netns" }) },
	{ "untrust", "--netns NETNS",
	  "Remove a netns from the trusted set (CAP_NET_ADMIN).",
	  OPTS(&o_netns), P_NONE, false, check_netns, cmd_trust,
	  HINTS({ EINVAL, "the initial netns stays trusted" }) },
	{ "help", "[COMMAND]", "Show this, or the help of COMMAND.",
	  OPTS(NULL), P_COMMAND, false, NULL, cmd_help, NULL },
	{ NULL },
};
