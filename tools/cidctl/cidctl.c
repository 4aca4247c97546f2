// SPDX-License-Identifier: GPL-2.0
/*
 * cidctl: reserve, inspect and configure vsock CIDs of the vsock_cidreg
 * module. See cidctl(8) (Documentation/cidctl.8).
 *
 * Exit status: 0 success; 1 the operation failed; 2 bad usage; 3 the
 * module is not loaded. With "reserve ... -- COMMAND": COMMAND's status
 * (126: it cannot run, 127: not found).
 */
#include <dirent.h>
#include <string.h>
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
#include "cidreg.h"
#include "format.h"
#include "print.h"

#ifndef CIDREG_VERSION
#define CIDREG_VERSION "unknown"
#endif

/* "FILE:LINE: " of the batch line that runs, else "". */
static char where[4200];

/* What to do about @err in @op: cidctl's words, else the library's. */
static const char *hint(const char *op, int err)
{
	static const struct {
		const char *op;
		int err;
		const char *hint;
	} hints[] = {
		{ "reserve", EADDRINUSE, "pick another CID, or omit it to get any free one" },
		{ "reserve", ENOSPC, "widen --range, or release CIDs (cidctl list)" },
		{ "reserve", EDQUOT, "release some, or raise the quota: cidctl config quota N" },
		{ "reserve", EINVAL, "CIDs 0, 1, 2 and 4294967295 are never reservable" },
		{ "release", ENOENT, "see the reserved CIDs: cidctl list" },
		{ "release", EINVAL, "an adopted entry ends with its VM" },
		{ "show", ENOENT, "see the reserved CIDs: cidctl list" },
		{ "transfer", ENOENT, "see the reserved CIDs: cidctl list" },
		{ "transfer", EXDEV, "a local-mode namespace's CIDs stay in it: release and reserve instead" },
		{ "config", EINVAL, "see the ranges: cidctl config help" },
		{ "config", EBUSY, "reload vsock and vhost_vsock first (they run unhooked)" },
		{ "trust", EINVAL, "give a netns: --netns PATH|PID|NAME" },
		{ "untrust", EINVAL, "the initial netns stays trusted" },
		{ "trust", EPERM, "needs CAP_NET_ADMIN, and CAP_SYS_ADMIN too from an untrusted netns" },
		{ "monitor", EPERM, "the module refused both event groups: is it older than these tools?" },
		{ NULL, ENODEV, "load it: modprobe vsock_cidreg" },
		{ NULL, EPERM, "this needs CAP_NET_ADMIN over the network namespace" },
		{ NULL, EACCES, "run as root, or get access to /dev/vsock-cidreg" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (-err == hints[i].err && (!hints[i].op || !strcmp(op, hints[i].op)))
			return hints[i].hint;
	return cidreg_hint(err, op);
}

/*
 * One line: what failed, why (the kernel's own words when it gave some),
 * the errno, what to do. Returns the exit status.
 */
static int fail_at(struct cidreg *h, const char *op, const char *what, int err)
{
	const char *why = cidreg_message(h), *name = strerrorname_np(-err);

	fprintf(stderr, "cidctl: %s%s: %s (%s): %s\n", where, what,
		why ? why : cidreg_strerror(err), name ? name : "unknown errno",
		hint(op, err));
	return err == -ENODEV ? 3 : 1;
}

static int fail(struct cidreg *h, const char *op, int err)
{
	return fail_at(h, op, op, err);
}

static int open_netns(const char *netns, const char *verb, int *fd)
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

static int run_command(char **cmd, uint32_t cid)
{
	char cidstr[16], **argv;
	int n, i, status;

	snprintf(cidstr, sizeof(cidstr), "%u", cid);
	for (n = 0; cmd[n]; n++)
		;
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return fail(NULL, "reserve", -ENOMEM);
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
			return fail(NULL, "reserve", -ENOMEM);
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
		return fail(NULL, "reserve", -errno);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return fail(NULL, "reserve", -errno);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int do_reserve(struct cidreg *h, const struct cidctl_args *a, int nsfd)
{
	struct cidreg_reserve_req r = {
		.cid = a->cid, .any = !a->has_cid, .lowest = a->lowest,
		.cid_min = a->cid_min, .cid_max = a->cid_max,
		/* Without a COMMAND the lease would end as cidctl exits. */
		.persistent = a->persistent || !a->command,
		.netns_fd = nsfd, .use_netns = nsfd >= 0, .label = a->label,
	};
	char what[32] = "reserve";
	uint32_t cid;
	int err = cidreg_reserve(h, &r, &cid);

	if (a->has_cid)
		snprintf(what, sizeof(what), "reserve %u", a->cid);
	if (err)
		return fail_at(h, "reserve", what, err);
	if (a->command) {
		fflush(stdout);
		return run_command(a->command, cid);
	}
	pr_open_obj(NULL);
	pr_u32("cid", "%u\n", cid);
	pr_close_obj();
	return 0;
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

/*
 * Events until an error. When the kernel dropped events this listener had
 * no room for (ENOBUFS), it says so ("lost"), gives the registry as it is
 * now ("present" lines, then "synced") and listens on.
 */
static int do_monitor(struct cidreg *h, const struct cidctl_args *a)
{
	bool ts = a->timestamp;
	int err;

	pr_quoting(true);
	while ((err = cidreg_monitor(h, event_one, &ts)) == -ENOBUFS) {
		struct cidreg *dump = NULL;

		cidctl_resync_mark("lost", ts);
		/* A handle of its own: this one's socket receives events. */
		err = cidreg_open(&dump);
		if (!err)
			err = cidreg_list(dump, -1, resync_one, &ts);
		cidreg_close(dump);
		if (err)
			break;
		cidctl_resync_mark("synced", ts);
		fflush(stdout);
	}
	return err ? fail(h, "monitor", err) : 0;
}

static int do_config(struct cidreg *h, const struct cidctl_args *a)
{
	struct cidreg_config c = {};
	int err;

	if (!a->nkv) {
		err = cidreg_get_config(h, &c);
		if (err)
			return fail(h, "config", err);
		cidctl_config_print(&c);
		return 0;
	}
	err = cidreg_set_config(h, &a->config, a->config_mask);
	return err ? fail(h, "config", err) : 0;
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
static int do_prometheus(struct cidreg *h)
{
	static const char *const verdicts[] = { "allowed", "denied", "audited" };
	struct ino_list l = {};
	struct cidreg_config c;
	struct cidreg_stats st;
	uint64_t dropped, *v;
	unsigned int op, i;
	size_t j, k;
	int err;

	err = cidreg_stats(h, &st);
	if (!err)
		err = cidreg_events_dropped(h, &dropped);
	if (!err)
		err = cidreg_get_config(h, &c);
	if (!err)
		err = cidreg_list(h, -1, collect_ino, &l);
	if (err) {
		free(l.ino);
		return fail(h, "stats", err);
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
	       "Events not sent since the module loaded: denials over the rate limit of their netns.");
	printf("vsock_cidreg_events_dropped_total %" PRIu64 "\n", dropped);
	METRIC("mode", "gauge", "The enforcement mode: 1 for the one in effect.");
	for (i = 0; i < 3; i++)
		printf("vsock_cidreg_mode{mode=\"%s\"} %d\n", cidreg_mode_name(i),
		       c.mode == i);
	METRIC("strict", "gauge", "1 if a CID must be reserved before a device takes it.");
	printf("vsock_cidreg_strict %d\n", c.strict);
	return 0;
}

/*
 * apply FILE: every line is read and checked before anything changes; the
 * settings then change in one call (all or none, validated by the
 * kernel), and each netns is trusted after them.
 */
static int do_apply(struct cidreg *h, const struct cidctl_args *a)
{
	FILE *f = strcmp(a->file, "-") ? fopen(a->file, "r") : stdin;
	struct cidctl_settings st;
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
	if (st.mask) {
		e = cidreg_set_config(h, &st.config, st.mask);
		if (e)
			rc = fail_at(h, "config", "apply", e);
	}
	for (i = 0; !rc && i < st.ntrust; i++) {
		if (open_netns(st.trust[i], "apply: trust", &fd)) {
			rc = 1;
			break;
		}
		e = cidreg_trust(h, fd, true);
		close(fd);
		if (e)
			rc = fail_at(h, "trust", "apply: trust", e);
	}
	cidctl_settings_free(&st);
	return rc;
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

static int do_status(struct cidreg *h)
{
	char *state = read_line(MODULE_DIR "/initstate");
	char *version = read_line(MODULE_DIR "/version");
	struct cidreg_config c = {};
	struct cidreg_stats st = {};
	bool loaded = state && !strcmp(state, "live"), inst;
	bool have = loaded && h && !cidreg_get_config(h, &c) &&
		    !cidreg_stats(h, &st);
	char path[4096];

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
		pr_str("mode", "mode:     %s", cidreg_mode_name(c.mode));
		pr_bool("strict", NULL, c.strict);
		pr_text("%s\n", c.strict ? " (strict)" : "");
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

static const char *verb_name(enum cidctl_verb v)
{
	unsigned int i;

	for (i = 0; i < cidctl_ncmds; i++)
		if (cidctl_cmds[i].verb == v)
			return cidctl_cmds[i].name;
	return "cidctl";
}

/* Runs one command; opens *hp on first need. Returns the exit status. */
static int run(const struct cidctl_args *a, struct cidreg **hp)
{
	struct cidreg_entry e;
	struct cidreg_stats st;
	char what[32];
	int rc = 0, nsfd = -1, err;
	struct cidreg *h;

	pr_start(stdout, a->json, a->pretty);
	if (a->verb == V_HELP) {
		cidctl_usage(stdout, a->help_for);
		return 0;
	}
	if (a->verb == V_VERSION) {
		pr_open_obj(NULL);
		pr_str("version", "cidctl %s\n", CIDREG_VERSION);
		pr_close_obj();
		pr_end();
		return 0;
	}
	if (!*hp) {
		err = cidreg_open(hp);
		if (err && a->verb != V_STATUS)
			return fail(NULL, "open", err);
		if (err)
			*hp = NULL;
	}
	h = *hp;
	if (a->verb == V_STATUS) {
		rc = do_status(h);
		pr_end();
		return rc;
	}
	if (open_netns(a->netns, verb_name(a->verb), &nsfd))
		return 1;

	switch (a->verb) {
	case V_RESERVE:
		rc = do_reserve(h, a, nsfd);
		break;
	case V_RELEASE:
		if (a->all) {
			err = cidreg_release_all(h, a->every_netns ?
						 CIDREG_EVERY_NETNS : nsfd);
			if (err < 0) {
				rc = fail(h, "release", err);
			} else {
				pr_open_obj(NULL);
				pr_u32("released", "released %u\n", err);
				pr_close_obj();
			}
		} else {
			snprintf(what, sizeof(what), "release %u", a->cid);
			err = cidreg_release(h, a->cid);
			rc = err ? fail_at(h, "release", what, err) : 0;
		}
		break;
	case V_SHOW:
		snprintf(what, sizeof(what), "show %u", a->cid);
		err = cidreg_show(h, a->cid, &e);
		if (err) {
			rc = fail_at(h, "show", what, err);
			break;
		}
		if (!a->no_header)
			cidctl_entry_header();
		cidctl_entry_print(&e);
		break;
	case V_LIST:
		if (!a->no_header)
			cidctl_entry_header();
		pr_open_arr(NULL);
		err = cidreg_list(h, nsfd, list_one, (void *)a);
		pr_close_arr();
		rc = err ? fail(h, "list", err) : 0;
		break;
	case V_TRANSFER:
		snprintf(what, sizeof(what), "transfer %u", a->cid);
		err = cidreg_transfer(h, a->cid, nsfd, a->persistent);
		rc = err ? fail_at(h, "transfer", what, err) : 0;
		break;
	case V_MONITOR:
		rc = do_monitor(h, a);
		break;
	case V_STATS:
		if (a->prometheus) {
			rc = do_prometheus(h);
			break;
		}
		err = cidreg_stats(h, &st);
		if (err)
			rc = fail(h, "stats", err);
		else
			cidctl_stats_print(&st);
		break;
	case V_APPLY:
		rc = do_apply(h, a);
		break;
	case V_CONFIG:
		rc = do_config(h, a);
		break;
	case V_TRUST:
	case V_UNTRUST:
		err = cidreg_trust(h, nsfd, a->verb == V_TRUST);
		rc = err ? fail(h, a->verb == V_TRUST ? "trust" : "untrust", err) : 0;
		break;
	default:
		break;
	}
	pr_end();
	if (nsfd >= 0)
		close(nsfd);
	return rc;
}

/*
 * -b FILE: each line a command (without "cidctl"), with the options of
 * the command line; the first that fails ends the batch with its status.
 */
static int run_batch(const struct cidctl_args *opts)
{
	FILE *f = strcmp(opts->batch, "-") ? fopen(opts->batch, "r") : stdin;
	char *line = NULL, *argv[64], err[256];
	struct cidreg *h = NULL;
	struct cidctl_args a;
	size_t size = 0;
	int rc = 0, n, lineno = 0;

	if (!f) {
		fprintf(stderr, "cidctl: -b %s: %s\n", opts->batch, strerror(errno));
		return 1;
	}
	while (!rc && getline(&line, &size, f) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d: ",
			 f == stdin ? "stdin" : opts->batch, lineno);
		n = cidctl_split(line, argv, sizeof(argv) / sizeof(argv[0]));
		if (n < 0) {
			fprintf(stderr, "cidctl: %san unterminated quote or more than 63 words\n", where);
			rc = 2;
			break;
		}
		if (!n)
			continue;
		if (cidctl_parse(n, argv, &a, err, sizeof(err))) {
			fprintf(stderr, "cidctl: %s%s\n", where, err);
			rc = 2;
			break;
		}
		if (a.batch) {
			fprintf(stderr, "cidctl: %s-b inside a batch\n", where);
			rc = 2;
			break;
		}
		a.json |= opts->json;
		a.pretty |= opts->pretty;
		a.timestamp |= opts->timestamp;
		a.no_header |= opts->no_header;
		rc = run(&a, &h);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	cidreg_close(h);
	return rc;
}

int main(int argc, char **argv)
{
	struct cidreg *h = NULL;
	struct cidctl_args a;
	char err[256];
	int rc;

	if (cidctl_parse(argc - 1, argv + 1, &a, err, sizeof(err))) {
		fprintf(stderr, "cidctl: %s\n", err);
		return 2;
	}
	rc = a.batch ? run_batch(&a) : run(&a, &h);
	cidreg_close(h);
	if (fflush(stdout) && !rc)
		rc = 1;
	return rc;
}
