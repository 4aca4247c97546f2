// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-closed hooks: each hook is proven when placed, a vsock or
 * vhost_vsock the module cannot hook does not load (unless mode=off), and
 * the module never reports a mode that enforces while one runs unhooked.
 * cidreg_blocker (selftests/modules) stands for another ftrace user that
 * holds a function first, as a livepatch would.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/registry.h"
#include "lib/util.h"

#define PARAMS "/sys/module/vsock_cidreg/parameters/"
/*
 * Each test loads and unloads modules a few times, each unload waiting for
 * RCU tasks: seconds apiece on the debug kernel under TCG, beside other VMs.
 */
#define SLOW 300

/* The state hooks shows for @fn ("module:symbol"), or "" if not listed. */
static const char *hook_state(const char *fn)
{
	static char state[32];
	char line[160], name[128];
	FILE *f = fopen(PARAMS "hooks", "r");

	state[0] = '\0';
	if (!f)
		return state;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %31s", name, state) == 2 &&
		    !strcmp(name, fn))
			break;
		else
			state[0] = '\0';
	fclose(f);
	return state;
}

static const char *param(const char *name)
{
	static char value[64];
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	value[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return value;
	if (fgets(value, sizeof(value), f))
		value[strcspn(value, "\n")] = '\0';
	fclose(f);
	return value;
}

FIXTURE(hooks) {
	int unused;
};

FIXTURE_SETUP(hooks)
{
	ASSERT_EQ(0, run_cmd("modprobe -r vhost_vsock cidreg_blocker vsock_cidreg"));
}

FIXTURE_TEARDOWN(hooks)
{
	EXPECT_EQ(0, run_cmd("modprobe -r vhost_vsock cidreg_blocker vsock_cidreg"));
}

TEST_F_TIMEOUT(hooks, each_hook_is_proven_when_its_module_loads, SLOW)
{
	ASSERT_EQ(0, module_load("vsock_cidreg"));
	ASSERT_EQ(0, module_unload("vhost_vsock"));
	EXPECT_STREQ("absent", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));

	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_STREQ("verified", hook_state("vsock:vsock_find_cid"));
	EXPECT_STREQ("placed", hook_state("vsock:__vsock_bind"));
	EXPECT_STREQ("placed", hook_state("vsock:vsock_assign_transport"));
	EXPECT_STREQ("resolved", hook_state("vhost_vsock:vhost_vsock_get"));
	EXPECT_STREQ("placed", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));
	EXPECT_STREQ("placed", hook_state("vhost_vsock:vhost_vsock_dev_release"));
	EXPECT_STREQ("enforce", param("mode"));

	ASSERT_EQ(0, module_unload("vhost_vsock"));
	EXPECT_STREQ("absent", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));
	EXPECT_STREQ("absent", hook_state("vhost_vsock:vhost_vsock_get"));
}

TEST_F_TIMEOUT(hooks, load_is_refused_when_a_loaded_function_cannot_be_hooked, SLOW)
{
	ASSERT_EQ(0, module_load("vsock"));
	ASSERT_EQ(0, run_cmd("modprobe cidreg_blocker target=vsock:__vsock_bind"));
	EXPECT_NE(0, module_load("vsock_cidreg"));
	EXPECT_FALSE(module_loaded("vsock_cidreg"));

	ASSERT_EQ(0, module_unload("cidreg_blocker"));
	EXPECT_EQ(0, module_load("vsock_cidreg"));
	EXPECT_STREQ("placed", hook_state("vsock:__vsock_bind"));
}

TEST_F_TIMEOUT(hooks, a_module_that_cannot_be_hooked_is_refused_its_load, SLOW)
{
	ASSERT_EQ(0, module_load("vsock_cidreg"));
	ASSERT_EQ(0, run_cmd("modprobe cidreg_blocker target=vhost_vsock:vhost_vsock_dev_ioctl"));
	EXPECT_NE(0, module_load("vhost_vsock"));
	EXPECT_FALSE(module_loaded("vhost_vsock"));
	EXPECT_NE(0, access("/dev/vhost-vsock", F_OK));
	EXPECT_STREQ("absent", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));
	EXPECT_STREQ("enforce", param("mode"));

	/* Once the function is free, it loads and is hooked. */
	ASSERT_EQ(0, module_unload("cidreg_blocker"));
	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_STREQ("placed", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));
}

TEST_F_TIMEOUT(hooks, audit_also_refuses_a_module_it_cannot_hook, SLOW)
{
	ASSERT_EQ(0, run_cmd("modprobe vsock_cidreg mode=audit"));
	ASSERT_EQ(0, run_cmd("modprobe cidreg_blocker target=vhost_vsock:vhost_vsock_dev_release"));
	EXPECT_NE(0, module_load("vhost_vsock"));
	EXPECT_FALSE(module_loaded("vhost_vsock"));
}

TEST_F_TIMEOUT(hooks, under_mode_off_it_loads_unhooked_and_no_other_mode_is_taken, SLOW)
{
	ASSERT_EQ(0, run_cmd("modprobe vsock_cidreg mode=off"));
	ASSERT_EQ(0, run_cmd("modprobe cidreg_blocker target=vhost_vsock:vhost_vsock_dev_ioctl"));
	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_STREQ("missing", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));
	EXPECT_STREQ("missing", hook_state("vhost_vsock:vhost_vsock_dev_release"));

	EXPECT_EQ(-EBUSY, reg_set_param_str("mode", "enforce"));
	EXPECT_EQ(-EBUSY, reg_set_param_str("mode", "audit"));
	EXPECT_STREQ("off", param("mode"));

	/* Reloaded with the function free: hooked, and enforce is taken. */
	ASSERT_EQ(0, module_unload("vhost_vsock"));
	ASSERT_EQ(0, module_unload("cidreg_blocker"));
	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_STREQ("placed", hook_state("vhost_vsock:vhost_vsock_dev_ioctl"));
	EXPECT_EQ(0, reg_set_param_str("mode", "enforce"));
	EXPECT_STREQ("enforce", param("mode"));
}

TEST_HARNESS_MAIN
