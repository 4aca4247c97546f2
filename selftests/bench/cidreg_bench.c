// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: the costs of vsock_cidreg, measured in the VM against the
 * real module, vhost-vsock and vsock. A benchmark: it reports figures and
 * asserts nothing but that each measurement ran.
 *
 *   cidreg_bench [-s] [-o FILE.json | -o -] [-c CIDCTL]
 *
 * Each figure compares two things timed in turns (A, B, A, B, ...) so
 * that drift hits both alike: per repetition, the time of one operation
 * (the mean over a batch); the figure is the ratio of the medians, and
 * min/median/max of each side are reported. Under TCG only ratios mean
 * something. -s: a smoke run (small counts, seconds). -o -: the JSON
 * after the table, below a line BENCH-JSON. -c: the cidctl to time.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/vhost.h>
#include <linux/vm_sockets.h>
#include <linux/vsock_cidreg.h>
#include <linux/vsock_cidreg_nl.h>

#include "../lib/guestsim.h"
#include "../lib/nl.h"
#include "../lib/registry.h"

#define MAXREP 15

static bool smoke;
static const char *only;	/* -f: one group of figures */
static const char *group;	/* the group that runs */
static int reps = 7;
static FILE *json;
static int rows;
static char kernel[160];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "cidreg_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Samples of one side: microseconds per operation, one per repetition. */
struct side {
	const char *what;
	double s[MAXREP];
	int n;
	long count;	/* operations per sample */
};

static double med(struct side *x)
{
	double t[MAXREP];

	memcpy(t, x->s, sizeof(t));
	qsort(t, x->n, sizeof(double), cmp_double);
	return x->n % 2 ? t[x->n / 2] : (t[x->n / 2 - 1] + t[x->n / 2]) / 2;
}

static double minv(struct side *x)
{
	double m = x->s[0];
	int i;

	for (i = 1; i < x->n; i++)
		m = x->s[i] < m ? x->s[i] : m;
	return m;
}

static double maxv(struct side *x)
{
	double m = x->s[0];
	int i;

	for (i = 1; i < x->n; i++)
		m = x->s[i] > m ? x->s[i] : m;
	return m;
}

static void put(struct side *x, double us_per_op)
{
	if (x->n == MAXREP)
		die("too many samples");
	x->s[x->n++] = us_per_op;
}

/* One row: A ÷ B (ratio), or A alone (@b NULL: a value in @unit). */
static void report(const char *name, struct side *a, struct side *b,
		   const char *unit, const char *target)
{
	double ra = med(a), rb = b ? med(b) : 0;
	const char *su = b ? "us" : unit;

	printf("%-50s %9.3g%-2s  %s: %.3g/%.3g/%.3g %s x%ld",
	       name, b ? ra / rb : ra, b ? "x" : unit, a->what, minv(a), ra,
	       maxv(a), su, a->count);
	if (b)
		printf("  %s: %.3g/%.3g/%.3g us x%ld", b->what, minv(b), rb,
		       maxv(b), b->count);
	printf("  [target %s]\n", target);
	fflush(stdout);
	rows++;
	if (!json)
		return;
	fprintf(json, "%s{\"name\":\"%s\",\"%s\":%.6g,\"target\":\"%s\",\"kernel\":\"%s\","
		"\"command\":\"cidreg_bench%s -f %s\","
		"\"a\":{\"what\":\"%s\",\"min\":%.6g,\"median\":%.6g,\"max\":%.6g,\"count\":%ld,\"reps\":%d}",
		rows > 1 ? ",\n" : "[\n", name, b ? "ratio" : unit, b ? ra / rb : ra,
		target, kernel, smoke ? " -s" : "", group, a->what, minv(a), ra, maxv(a), a->count, a->n);
	if (b)
		fprintf(json, ",\"b\":{\"what\":\"%s\",\"min\":%.6g,\"median\":%.6g,\"max\":%.6g,\"count\":%ld,\"reps\":%d}",
			b->what, minv(b), rb, maxv(b), b->count, b->n);
	fprintf(json, "}");
}

/*
 * perf, when it profiles the run (selftests/bench/profile.sh): it records
 * only the measured regions, enabled and disabled through its control
 * FIFOs (perf record --control=fifo:CTL,ACK -D -1), named by
 * CIDREG_PERF_CTL and CIDREG_PERF_ACK.
 */
static int perf_ctl = -1, perf_ack = -1;

static void perf_cmd(const char *cmd)
{
	char ack[8];

	if (perf_ctl < 0)
		return;
	if (write(perf_ctl, cmd, strlen(cmd)) < 0 ||
	    read(perf_ack, ack, sizeof(ack)) <= 0)
		die("perf control: %s", strerror(errno));
}

static double start(void)
{
	perf_cmd("enable\n");
	return now_us();
}

/* The end of a measured region begun at @t: its microseconds. */
static double lap(double t)
{
	double us = now_us() - t;

	perf_cmd("disable\n");
	return us;
}

/* The end of a measured region of @k operations begun at @t. */
static void stop(struct side *x, double t, long k)
{
	put(x, lap(t) / k);
}

static void sh(const char *cmd)
{
	if (system(cmd))
		die("'%s' failed", cmd);
}

/* Loaded (or left loaded by someone else), in enforce, without a quota. */
static void module_load(void)
{
	sh("modprobe vsock_cidreg && "
	   "echo enforce >/sys/module/vsock_cidreg/parameters/mode && "
	   "echo 0 >/sys/module/vsock_cidreg/parameters/quota && "
	   "echo N >/sys/module/vsock_cidreg/parameters/strict");
}

static void module_unload(void)
{
	sh("modprobe -r vsock_cidreg");
}

static int regfd(void)
{
	int fd = reg_open();

	if (fd < 0)
		die("open /dev/vsock-cidreg: %s", strerror(-fd));
	return fd;
}

static int vhost_open(void)
{
	int fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/vhost-vsock: %s", strerror(errno));
	return fd;
}

static int set_cid(int vfd, uint64_t cid)
{
	return ioctl(vfd, VHOST_VSOCK_SET_GUEST_CID, &cid) ? -errno : 0;
}

/* Kernel memory in slab caches, in bytes (every cache of /proc/slabinfo). */
static long long slab_bytes(void)
{
	char line[512], name[64];
	long long total = 0, active, num, size;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		die("/proc/slabinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld %lld %lld", name, &active, &num,
			   &size) == 4)
			total += active * size;
	fclose(f);
	return total;
}

/* 1. reserve + release of one CID, against an ioctl the device refuses. */
static void bench_reserve_release(void)
{
	struct side a = { .what = "reserve+release" }, b = { .what = "null ioctl" };
	long k = smoke ? 200 : 5000, i;
	int fd = regfd(), r;
	double t;

	a.count = b.count = k;
	for (r = 0; r < reps; r++) {
		t = start();
		for (i = 0; i < k; i++)
			if (reg_reserve_cid(fd, 5000, 0) != 5000 ||
			    reg_release(fd, 5000))
				die("reserve/release 5000");
		stop(&a, t, k);
		t = start();
		for (i = 0; i < k; i++)
			ioctl(fd, _IO(VSOCK_CIDREG_IOC_MAGIC, 0x7f));
		stop(&b, t, k);
	}
	close(fd);
	report("reserve+release / null ioctl", &a, &b, "", "<= 3x");
}

/* 2, 3. Kernel memory per entry, consecutive and random CIDs. */
static void bench_memory(bool random)
{
	struct side a = { .what = random ? "random" : "consecutive" };
	long n = smoke ? 2000 : 50000, i;
	long long before, after;
	int fd = regfd(), r;

	a.count = n;
	for (r = 0; r < (smoke ? 1 : 3); r++) {
		/* What the last round released is freed after a grace period. */
		sleep(smoke ? 1 : 3);
		before = slab_bytes();
		for (i = 0; i < n; i++)
			if ((random ? reg_reserve_any(fd, 0, 0, 0) :
				      reg_reserve_cid(fd, 100000 + i, 0)) < 0)
				die("reserve %ld", i);
		after = slab_bytes();
		/* Bytes, reported in the "us" slot of the side. */
		put(&a, (double)(after - before) / n);
		if (reg_release_all(fd, 0, 0) < 0)
			die("release all");
	}
	close(fd);
	report(random ? "kernel memory per entry, random CIDs" :
			"kernel memory per entry, consecutive CIDs",
	       &a, NULL, "B", random ? "<= 256 B" : "<= 200 B");
}

/*
 * 4. reserve-any (lowest) while N CIDs at the bottom of the range are held
 * by vhost devices the registry does not know (set under mode=off).
 */
static void bench_unknown_held(void)
{
	static const long ns[] = { 0, 100, 1000, 10000 };
	struct side base = { .what = "N=0" };
	long k = smoke ? 20 : 200, i, j, n;
	int fd = regfd(), *v, r;
	char name[96];
	double t;

	v = calloc(10000, sizeof(*v));
	for (j = 0; j < 4; j++) {
		struct side a = { .what = NULL };

		n = smoke ? ns[j] / 10 : ns[j];
		snprintf(name, sizeof(name), "N=%ld", n);
		a.what = name;
		sh("echo off >/sys/module/vsock_cidreg/parameters/mode");
		for (i = 0; i < n; i++) {
			v[i] = vhost_open();
			if (set_cid(v[i], 3 + i))
				die("set cid %ld", 3 + i);
		}
		sh("echo enforce >/sys/module/vsock_cidreg/parameters/mode");
		a.count = k;
		for (r = 0; r < reps; r++) {
			t = start();
			for (i = 0; i < k; i++) {
				long long c = reg_reserve_any(fd, 0, 0,
						VSOCK_CIDREG_RESERVE_LOWEST);

				if (c != 3 + n || reg_release(fd, c))
					die("reserve-any lowest: %lld", c);
			}
			stop(&a, t, k);
		}
		for (i = 0; i < n; i++)
			close(v[i]);
		if (!j) {
			base = a;
			base.what = "N=0";
			continue;
		}
		snprintf(name, sizeof(name),
			 "reserve-any lowest, N=%ld unknown-held / N=0", n);
		report(name, &a, &base, "", "<= 2x");
	}
	free(v);
	close(fd);
}

/*
 * 5. SET_GUEST_CID (a device moving between two CIDs) with the module in
 * enforce, against the module unloaded.
 */
static void set_cid_batch(struct side *x, long k)
{
	int vfd = vhost_open();
	double t = start();
	long i;

	for (i = 0; i < k; i++)
		if (set_cid(vfd, 6000 + (i & 1)))
			die("set cid: %s", strerror(errno));
	stop(x, t, k);
	close(vfd);
}

/*
 * 6. libvirt's allocation: SET_GUEST_CID from 3 upward until one is free,
 * past P CIDs held by devices set before the module loaded. The probes
 * alone are timed: opening and closing /dev/vhost-vsock (about 16 ms under
 * TCG, where 64 refused probes take under 1 ms) is not the module's, and
 * once hid what it costs.
 */
static void probe_batch(struct side *x, long k, long p)
{
	double t, us = 0;
	long i;
	int vfd;
	uint64_t c;

	for (i = 0; i < k; i++) {
		vfd = vhost_open();
		t = start();
		for (c = 3; set_cid(vfd, c); c++)
			if (errno != EADDRINUSE || c > (uint64_t)p + 3)
				die("probe %llu: %s", (unsigned long long)c,
				    strerror(errno));
		us += lap(t);
		close(vfd);
	}
	put(x, us / k);
}

/* 7, bind, accept: one host connect to a userspace guest, as a whole. */
static int wait_fd(int fd, short ev, struct gsim *g)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int i;

	for (i = 0; i < 20000; i++) {
		if (g)
			gsim_poll(g, 0);
		if (poll(&p, 1, 0) > 0)
			return 0;
	}
	return -1;
}

static void connect_batch(struct side *x, struct gsim *g, uint32_t cid,
			  long k)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = cid,
				 .svm_port = 7100 };
	double t = start();
	int fd, s;
	long i;

	for (i = 0; i < k; i++) {
		fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
		    errno != EINPROGRESS)
			die("connect: %s", strerror(errno));
		s = gsim_accept(g, 7100, 20000);
		if (s < 0 || wait_fd(fd, POLLOUT, g))
			die("connect: no accept (%d)", s);
		close(fd);
		gsim_close(g, s);
	}
	stop(x, t, k);
}

static void accept_batch(struct side *x, struct gsim *g, long k)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_ANY, .svm_port = 7200 };
	int lfd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0), fd, s;
	double t;
	long i;

	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16))
		die("listen: %s", strerror(errno));
	t = start();
	for (i = 0; i < k; i++) {
		s = gsim_connect(g, 7200, 20000);
		if (s < 0 || wait_fd(lfd, POLLIN, g))
			die("accept: guest connect %d", s);
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept: %s", strerror(errno));
		close(fd);
		gsim_close(g, s);
	}
	stop(x, t, k);
	close(lfd);
}

static void bind_batch(struct side *x, long k)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_ANY };
	double t = start();
	long i;
	int fd;

	for (i = 0; i < k; i++) {
		fd = socket(AF_VSOCK, SOCK_STREAM, 0);
		a.svm_port = 20000 + (i % 1000);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			die("bind: %s", strerror(errno));
		close(fd);
	}
	stop(x, t, k);
}

/* The figures that compare the module in enforce with the module unloaded. */
static void bench_against_unloaded(void)
{
	struct side sa = { .what = "enforce" }, sb = { .what = "unloaded" };
	struct side pa = { .what = "enforce" }, pb = { .what = "unloaded" };
	struct side ca = { .what = "enforce" }, cb = { .what = "unloaded" };
	struct side ba = { .what = "enforce" }, bb = { .what = "unloaded" };
	struct side aa = { .what = "enforce" }, ab = { .what = "unloaded" };
	long ks = smoke ? 50 : 1000, kp = smoke ? 2 : 20, kc = smoke ? 5 : 100;
	long p = smoke ? 8 : 64, i;
	int held[64], r, on;
	uint32_t gcid = 7000;
	struct gsim *g;

	/* Devices that hold 3..3+p-1 from before the module loads. */
	module_unload();
	for (i = 0; i < p; i++) {
		held[i] = vhost_open();
		if (set_cid(held[i], 3 + i))
			die("hold %ld", 3 + i);
	}
	g = gsim_create(gcid);
	if (!g)
		die("guest simulator: %s", strerror(errno));
	if (gsim_listen(g, 7100))
		die("guest listen");
	sa.count = sb.count = ks;
	pa.count = pb.count = kp;
	ca.count = cb.count = aa.count = ab.count = kc;
	ba.count = bb.count = ks;
	/* A, B, A, B: the module loaded for every other round. */
	for (r = 0; r < 2 * reps; r++) {
		on = !(r & 1);
		if (on)
			module_load();
		set_cid_batch(on ? &sa : &sb, ks);
		probe_batch(on ? &pa : &pb, kp, p);
		connect_batch(on ? &ca : &cb, g, gcid, kc);
		accept_batch(on ? &aa : &ab, g, kc);
		bind_batch(on ? &ba : &bb, ks);
		if (on)
			module_unload();
	}
	report("SET_GUEST_CID, enforce / unloaded", &sa, &sb, "", "<= 1.5x");
	report("probing SET_GUEST_CID upward, enforce / unloaded", &pa, &pb,
	       "", "<= 1.1x");
	report("connect host->guest, enforce / unloaded", &ca, &cb, "",
	       "<= 1.02x");
	report("accept guest->host, enforce / unloaded", &aa, &ab, "",
	       "<= 1.02x");
	report("bind, enforce / unloaded", &ba, &bb, "", "<= 1.02x");
	gsim_destroy(g);
	for (i = 0; i < p; i++)
		close(held[i]);
	module_load();
}

/*
 * 8. One CID for a new VM with N in use: libvirt's probing (N devices,
 * no module) against reserve-any lowest (N reservations).
 */
static void bench_probe_vs_reserve(void)
{
	struct side a = { .what = "probing" }, b = { .what = "reserve-any" };
	long n = smoke ? 1000 : 10000, i;
	int *v = calloc(n, sizeof(*v)), fd, r;
	double t;

	module_unload();
	for (i = 0; i < n; i++) {
		v[i] = vhost_open();
		if (set_cid(v[i], 3 + i))
			die("hold %ld", 3 + i);
	}
	a.count = 1;
	for (r = 0; r < reps; r++)
		probe_batch(&a, 1, n);
	for (i = 0; i < n; i++)
		close(v[i]);
	free(v);
	module_load();
	fd = regfd();
	for (i = 0; i < n; i++)
		if (reg_reserve_cid(fd, 3 + i, VSOCK_CIDREG_RESERVE_PERSISTENT) < 0)
			die("reserve %ld", 3 + i);
	b.count = 1;
	for (r = 0; r < reps; r++) {
		long long c;

		t = start();
		c = reg_reserve_any(fd, 0, 0, VSOCK_CIDREG_RESERVE_LOWEST);
		stop(&b, t, 1);
		if (c != 3 + n || reg_release(fd, c))
			die("reserve-any lowest: %lld", c);
	}
	if (reg_release_all(fd, 0, 0) < 0)
		die("release all");
	close(fd);
	report(smoke ? "one CID with 1k in use, probing / reserve-any" :
		       "one CID with 10k in use, probing / reserve-any",
	       &a, &b, "", ">= 1000x");
}

/* 9. Reserve-any, release, and a given-CID pair at 1M entries / at 1k. */
static void ops_batch(int fd, struct side *any, struct side *rel,
		      struct side *given, long k)
{
	long long c[256];
	double t;
	long i;

	t = start();
	for (i = 0; i < k; i++)
		if ((c[i] = reg_reserve_any(fd, 0, 0, 0)) < 0)
			die("reserve-any");
	stop(any, t, k);
	t = start();
	for (i = 0; i < k; i++)
		reg_release(fd, c[i]);
	stop(rel, t, k);
	t = start();
	for (i = 0; i < k; i++)
		if (reg_reserve_cid(fd, 3000000000u + i, 0) < 0 ||
		    reg_release(fd, 3000000000u + i))
			die("given pair");
	stop(given, t, k);
}

static void bench_scaling(void)
{
	struct side a[2] = { { .what = "1M" }, { .what = "1k" } }, l[2] = { { .what = "1M" }, { .what = "1k" } };
	struct side g[2] = { { .what = "1M" }, { .what = "1k" } };
	long big = smoke ? 20000 : 1000000, small = 1000, i, k = 256;
	int fd = regfd(), fd2, fd_big, r;

	fd2 = regfd();
	for (i = 0; i < small; i++)
		if (reg_reserve_cid(fd, 1000000 + i, 0) < 0)
			die("fill %ld", i);
	for (i = 0; i < 2; i++)
		a[i].count = l[i].count = g[i].count = k;
	/*
	 * 1k and 1M in turn (A, B, A, B), not one after the other: the entries
	 * past the first 1k are leases of fd_big, taken before each sample at
	 * 1M and ended (its close) before the next at 1k, so that what drifts
	 * in the VM meanwhile falls on both sides alike.
	 */
	for (r = 0; r < reps; r++) {
		ops_batch(fd2, &a[1], &l[1], &g[1], k);
		fd_big = regfd();
		for (i = small; i < big; i++)
			if (reg_reserve_cid(fd_big, 1000000 + i, 0) < 0)
				die("fill %ld", i);
		ops_batch(fd2, &a[0], &l[0], &g[0], k);
		close(fd_big);
	}
	report(smoke ? "reserve-any at 20k / at 1k entries" :
		       "reserve-any at 1M / at 1k entries", &a[0], &a[1], "",
	       "flat (<= 1.1x)");
	report("release at 1M / at 1k entries", &l[0], &l[1], "", "flat (<= 1.1x)");
	report("given-CID pair at 1M / at 1k entries", &g[0], &g[1], "",
	       "flat (<= 1.1x)");
	close(fd2);
	/* fd's leases, 1k of them, end with it. */
	close(fd);
}

/* 10. The netlink dump per entry, and cidctl -j list over it, at 100k. */
static void count_cb(const struct nlmsghdr *h, void *arg)
{
	(void)h;
	++*(long *)arg;
}

static void bench_dump(const char *cidctl)
{
	struct side a = { .what = "dump" }, b = { .what = "cidctl -j list" };
	long n = smoke ? 5000 : 100000, i, got;
	int fd = regfd(), r;
	struct nl_msg m;
	struct nl nl;
	char cmd[512];
	double t;

	for (i = 0; i < n; i++)
		if (reg_reserve_cid(fd, 2000000 + i, 0) < 0)
			die("fill %ld", i);
	if (nl_open(&nl))
		die("netlink");
	snprintf(cmd, sizeof(cmd), "%s -j list >/dev/null", cidctl);
	a.count = b.count = n;
	for (r = 0; r < (smoke ? 2 : 5); r++) {
		got = 0;
		nl_msg_init(&m, &nl, VSOCK_CIDREG_CMD_GET, NLM_F_DUMP);
		t = start();
		if (nl_request(&nl, &m, count_cb, &got, NULL) || got != n)
			die("dump: %ld of %ld", got, n);
		stop(&a, t, n);
		t = start();
		sh(cmd);
		stop(&b, t, n);
	}
	nl_close(&nl);
	close(fd);
	report(smoke ? "cidctl -j list / raw dump, at 5k" :
		       "cidctl -j list / raw dump, at 100k", &b, &a, "", "<= 2x");
	report("netlink dump per entry", &a, NULL, "us", "flat");
}

/* 11. What an event costs its maker, beside 1000 more netns. */

/* A new netns, held by the fd returned; the caller stays in its own. */
static int netns_hold(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd;

	if (self < 0 || unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET): %s", strerror(errno));
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(self, CLONE_NEWNET))
		die("back to the netns: %s", strerror(errno));
	close(self);
	return fd;
}

/* Reads what @nl got, so that its buffer never overflows. */
static void drain(struct nl *nl)
{
	char buf[65536];

	while (recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/*
 * @k given-CID reserve + release pairs, and @k flips of a vhost device
 * between two CIDs (a detach and an attach each): each makes events that
 * a listener of "events" gets; the host's root is not rate-limited.
 */
static void event_batch(int fd, int vfd, struct nl *ev, struct side *pair,
			struct side *flip, long k)
{
	double t;
	long i;

	drain(ev);
	t = start();
	for (i = 0; i < k; i++)
		if (reg_reserve_cid(fd, 3100000000u + i, 0) < 0 ||
		    reg_release(fd, 3100000000u + i))
			die("given pair");
	stop(pair, t, k);
	drain(ev);
	t = start();
	for (i = 0; i < k; i++)
		if (set_cid(vfd, 3200000000u + i % 2))
			die("flip: %s", strerror(errno));
	stop(flip, t, k);
	drain(ev);
}

/*
 * From the first of @k reservations to the listener's receipt of the
 * last of their @k events: what delivery costs an event.
 */
static void delivery_batch(int fd, struct nl *ev, struct side *x, long k)
{
	struct nl_msg m;
	long i, got = 0;
	double t;

	drain(ev);
	t = start();
	for (i = 0; i < k; i++)
		if (reg_reserve_cid(fd, 3300000000u + i, 0) < 0)
			die("reserve");
	while (got < k) {
		if (nl_recv(ev, &m, 30000))
			die("delivery: %ld of %ld events", got, k);
		if (nl_u32(nl_attr((struct nlmsghdr *)m.buf, VSOCK_CIDREG_A_EVENT)) ==
		    VSOCK_CIDREG_EVENT_RESERVED)
			got++;
	}
	stop(x, t, k);
	for (i = 0; i < k; i++)
		reg_release(fd, 3300000000u + i);
}

static void bench_events(void)
{
	const char *more = smoke ? "+100 netns" : "+1000 netns";
	struct side p[2] = { { .what = more }, { .what = "1 netns" } };
	struct side f[2] = { { .what = more }, { .what = "1 netns" } };
	struct side d[2] = { { .what = more }, { .what = "1 netns" } };
	int fd = regfd(), vfd = vhost_open(), bufsize = 4 << 20, *held, r;
	long n = smoke ? 100 : 1000, i, k = smoke ? 64 : 256;
	struct nl ev;

	if (nl_open(&ev) || nl_join_events(&ev))
		die("events group");
	setsockopt(ev.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof(bufsize));
	if (reg_reserve_cid(fd, 3200000000u, 0) < 0 ||
	    reg_reserve_cid(fd, 3200000001u, 0) < 0 || set_cid(vfd, 3200000001u))
		die("the flip's CIDs");
	for (i = 0; i < 2; i++)
		p[i].count = f[i].count = d[i].count = k;
	for (r = 0; r < reps; r++) {
		event_batch(fd, vfd, &ev, &p[1], &f[1], k);
		delivery_batch(fd, &ev, &d[1], k);
	}
	held = calloc(n, sizeof(*held));
	if (!held)
		die("calloc");
	for (i = 0; i < n; i++)
		held[i] = netns_hold();
	for (r = 0; r < reps; r++) {
		event_batch(fd, vfd, &ev, &p[0], &f[0], k);
		delivery_batch(fd, &ev, &d[0], k);
	}
	report(smoke ? "reserve+release with events, +100 / 1 netns" :
		       "reserve+release with events, +1000 / 1 netns",
	       &p[0], &p[1], "", "<= 1.2x");
	report(smoke ? "device flip with events, +100 / 1 netns" :
		       "device flip with events, +1000 / 1 netns",
	       &f[0], &f[1], "", "<= 1.2x");
	report(smoke ? "an event's delivery to a listener, +100 / 1 netns" :
		       "an event's delivery to a listener, +1000 / 1 netns",
	       &d[0], &d[1], "", "<= 1.2x");
	for (i = 0; i < n; i++)
		close(held[i]);
	free(held);
	nl_close(&ev);
	close(vfd);
	close(fd);
}

/*
 * The groups, for -f (a profile of one): reserve memory unknown-held
 * unloaded probe-vs-reserve scaling dump events.
 */
static bool run(const char *g)
{
	group = g;
	return !only || !strcmp(only, g);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 65536, 65536 };
	const char *out = NULL, *cidctl = "cidctl";
	char *jbuf = NULL;
	size_t jlen = 0;
	struct utsname u;
	int opt;

	while ((opt = getopt(argc, argv, "so:c:f:")) != -1) {
		switch (opt) {
		case 's': smoke = true; reps = 3; break;
		case 'o': out = optarg; break;
		case 'c': cidctl = optarg; break;
		case 'f': only = optarg; break;
		default:
			fprintf(stderr, "usage: cidreg_bench [-s] [-o FILE.json | -o -] [-c CIDCTL] [-f GROUP]\n");
			return 2;
		}
	}
	if (getenv("CIDREG_PERF_CTL")) {
		perf_ctl = open(getenv("CIDREG_PERF_CTL"), O_WRONLY | O_CLOEXEC);
		perf_ack = open(getenv("CIDREG_PERF_ACK"), O_RDONLY | O_CLOEXEC);
		if (perf_ctl < 0 || perf_ack < 0)
			die("perf control FIFOs: %s", strerror(errno));
	}
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE: %s", strerror(errno));
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s", u.release, u.machine);
	if (out && !strcmp(out, "-"))
		json = open_memstream(&jbuf, &jlen);
	else if (out)
		json = fopen(out, "w");
	if (out && !json)
		die("%s: %s", out, strerror(errno));
	printf("cidreg_bench on %s%s; ratio of medians; per side min/median/max per operation and the operations per sample\n",
	       kernel, smoke ? " (smoke run)" : "");
	sh("modprobe vhost_vsock");
	module_load();
	if (run("reserve"))
		bench_reserve_release();
	if (run("memory")) {
		bench_memory(false);
		bench_memory(true);
	}
	if (run("unknown-held"))
		bench_unknown_held();
	if (run("unloaded"))
		bench_against_unloaded();
	if (run("probe-vs-reserve"))
		bench_probe_vs_reserve();
	if (run("scaling"))
		bench_scaling();
	if (run("dump"))
		bench_dump(cidctl);
	if (run("events"))
		bench_events();
	module_unload();
	printf("cidreg_bench: %d figures\n", rows);
	if (json) {
		fprintf(json, "\n]\n");
		fclose(json);
	}
	if (jbuf)
		printf("BENCH-JSON\n%s", jbuf);
	free(jbuf);
	return 0;
}
