// SPDX-License-Identifier: GPL-2.0
/*
 * The module as a whole: it loads with modprobe, creates its device with
 * the right mode, reports its version and unloads cleanly; one built for
 * another kernel does not load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/vsock_cidreg.h>

#include "kselftest_harness.h"
#include "lib/util.h"

#define DEVICE_PATH "/dev/" VSOCK_CIDREG_DEVICE
/*
 * Each test loads and unloads the module: on a PREEMPT_RT debug kernel
 * under TCG beside other VMs that alone can pass the harness's 30 s.
 */
#define SLOW 300

FIXTURE(loaded) {
	int unused;
};

FIXTURE_SETUP(loaded)
{
	ASSERT_EQ(0, module_load("vsock_cidreg"));
}

FIXTURE_TEARDOWN(loaded)
{
	EXPECT_EQ(0, module_unload("vsock_cidreg"));
}

/* The tests that load the module themselves, with the same time limit. */
FIXTURE(bare) {
	int unused;
};

FIXTURE_SETUP(bare)
{
}

FIXTURE_TEARDOWN(bare)
{
}

/* Programs run before this one in a VM may leave the module loaded. */
static int unloaded(void)
{
	return module_loaded("vsock_cidreg") ? module_unload("vsock_cidreg") : 0;
}

TEST_F_TIMEOUT(bare, modprobe_loads_and_unloads_the_module, SLOW)
{
	ASSERT_EQ(0, unloaded());
	ASSERT_FALSE(module_loaded("vsock_cidreg"));
	ASSERT_EQ(0, module_load("vsock_cidreg"));
	EXPECT_TRUE(module_loaded("vsock_cidreg"));
	ASSERT_EQ(0, module_unload("vsock_cidreg"));
	EXPECT_FALSE(module_loaded("vsock_cidreg"));
	EXPECT_NE(0, access(DEVICE_PATH, F_OK));
}

/*
 * vsock_cidreg.ko built for another kernel of selftests/vm/kernels
 * (vmtest.sh names it): vermagic and symbol versions turn it away, and
 * nothing of it stays.
 */
TEST_F_TIMEOUT(bare, a_module_built_for_another_kernel_is_refused, SLOW)
{
	const char *ko = getenv("CIDREG_FOREIGN_KO");
	int fd;

	ASSERT_NE(NULL, ko) TH_LOG("CIDREG_FOREIGN_KO unset: run under selftests/vm/vmtest.sh");
	ASSERT_EQ(0, unloaded());
	ASSERT_FALSE(module_loaded("vsock_cidreg"));
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", ko, strerror(errno));
	EXPECT_EQ(-1, syscall(SYS_finit_module, fd, "", 0));
	EXPECT_EQ(ENOEXEC, errno);
	close(fd);
	EXPECT_FALSE(module_loaded("vsock_cidreg"));
	EXPECT_NE(0, access(DEVICE_PATH, F_OK));
}

/* The staged module tree resolves the booted kernel's own modules too. */
TEST_F_TIMEOUT(bare, modprobe_resolves_vhost_vsock_next_to_ours, SLOW)
{
	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_TRUE(module_loaded("vsock"));
	EXPECT_EQ(0, access("/dev/vhost-vsock", F_OK));
	EXPECT_EQ(0, module_unload("vhost_vsock"));
}

TEST_F_TIMEOUT(loaded, device_node_is_a_root_only_char_device, SLOW)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEVICE_PATH, &st)) TH_LOG("%s: %s", DEVICE_PATH,
						 strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(10U, major(st.st_rdev)); /* a misc device */
}

TEST_F_TIMEOUT(loaded, sysfs_version_matches_the_build, SLOW)
{
	char buf[64] = "";
	FILE *f;

	f = fopen("/sys/module/vsock_cidreg/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	EXPECT_STREQ(CIDREG_VERSION, buf);
	EXPECT_EQ(0, run_cmd("modinfo -F version vsock_cidreg | grep -qx '%s'",
			     CIDREG_VERSION));
}

TEST_F_TIMEOUT(loaded, unknown_ioctl_is_enotty, SLOW)
{
	int fd = open(DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(VSOCK_CIDREG_IOC_MAGIC, 0xff)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('x', 1)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_F_TIMEOUT(loaded, unload_is_refused_while_the_device_is_open, SLOW)
{
	int fd = open(DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_NE(0, run_cmd("rmmod vsock_cidreg 2>/dev/null"));
	EXPECT_TRUE(module_loaded("vsock_cidreg"));
	close(fd);
}

TEST_HARNESS_MAIN
