// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "registry.h"
#include "util.h"

int reg_open(void)
{
	return open(REG_DEVICE, O_RDWR | O_CLOEXEC);
}

long long reg_reserve(int fd, struct vsock_cidreg_reserve r)
{
	r.size = sizeof(r);
	if (ioctl(fd, VSOCK_CIDREG_IOC_RESERVE, &r))
		return -errno;
	return r.cid;
}

long long reg_reserve_cid(int fd, __u32 cid, __u32 flags)
{
	return reg_reserve(fd, (struct vsock_cidreg_reserve){
		.cid = cid, .flags = flags });
}

long long reg_reserve_any(int fd, __u32 min, __u32 max, __u32 flags)
{
	return reg_reserve(fd, (struct vsock_cidreg_reserve){
		.flags = flags | VSOCK_CIDREG_RESERVE_ANY,
		.cid_min = min, .cid_max = max });
}

int reg_release(int fd, __u32 cid)
{
	struct vsock_cidreg_release r = { .size = sizeof(r), .cid = cid };

	return ioctl(fd, VSOCK_CIDREG_IOC_RELEASE, &r) ? -errno : 0;
}

int reg_release_all(int fd, __u32 flags, int netns_fd)
{
	struct vsock_cidreg_release r = {
		.size = sizeof(r),
		.flags = flags | VSOCK_CIDREG_RELEASE_ALL,
		.netns_fd = netns_fd,
	};

	return ioctl(fd, VSOCK_CIDREG_IOC_RELEASE, &r) ? -errno : (int)r.count;
}

int reg_query(int fd, __u32 cid, struct vsock_cidreg_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->cid = cid;
	return ioctl(fd, VSOCK_CIDREG_IOC_QUERY, e) ? -errno : 0;
}

int reg_transfer(int fd, __u32 cid, int netns_fd, __u32 flags)
{
	struct vsock_cidreg_transfer t = {
		.size = sizeof(t), .flags = flags, .cid = cid,
		.netns_fd = netns_fd,
	};

	return ioctl(fd, VSOCK_CIDREG_IOC_TRANSFER, &t) ? -errno : 0;
}

int reg_is_reserved(int fd, __u32 cid)
{
	struct vsock_cidreg_entry e;
	int err = reg_query(fd, cid, &e);

	if (err == -ENOENT)
		return 0;
	return err ? err : 1;
}

int reg_set_param_str(const char *name, const char *value)
{
	char path[128], line[512];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/module/vsock_cidreg/parameters/%s",
		 name);
	/* With its newline: sysfs ignores an empty write. */
	snprintf(line, sizeof(line), "%s\n", value);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int reg_set_param(const char *name, unsigned long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", value);
	return reg_set_param_str(name, buf);
}

int reg_trust(int fd, int netns_fd, __u32 flags)
{
	struct vsock_cidreg_trust t = {
		.size = sizeof(t), .flags = flags, .netns_fd = netns_fd,
	};

	return ioctl(fd, VSOCK_CIDREG_IOC_TRUST, &t) ? -errno : 0;
}

int reg_stats(int fd, struct vsock_cidreg_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, VSOCK_CIDREG_IOC_STATS, st) ? -errno : 0;
}

int reg_reset(int fd)
{
	static const struct {
		const char *name;
		unsigned long value;
	} defaults[] = {
		{ "cid_min", 3 },
		{ "cid_max", 0xfffffffeUL },
		{ "quota", 256 },
	};
	unsigned int i;
	int err;

	err = reg_release_all(fd, VSOCK_CIDREG_RELEASE_EVERY_NETNS, 0);
	if (err < 0)
		return err;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		err = reg_set_param(defaults[i].name, defaults[i].value);
		if (err)
			return err;
	}
	return reg_set_param_str("mode", "enforce") ?:
	       reg_set_param_str("strict", "N") ?:
	       reg_set_param_str("protected_ports", "");
}

int reg_ready(void)
{
	int fd, err;

	if (!module_loaded("vsock_cidreg") && module_load("vsock_cidreg"))
		return -ENODEV;
	if (module_load("vhost_vsock"))
		return -ENODEV;
	fd = reg_open();
	if (fd < 0)
		return -errno;
	err = reg_reset(fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}
