/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_SETTINGS_H
#define _VSOCK_CIDREG_SETTINGS_H

#include <linux/types.h>

#define CIDREG_PORTS_MAX 32

/**
 * struct cidreg_settings_change - settings to change together, all or none.
 * @set_mode: change @mode.
 * @set_strict: change @strict.
 * @set_cid_min: change @cid_min.
 * @set_cid_max: change @cid_max.
 * @set_quota: change @quota.
 * @set_ports: replace the protected ports with @ports.
 * @mode: enum vsock_cidreg_mode.
 * @strict: refuse SET_GUEST_CID of CIDs nobody reserved.
 * @cid_min: lowest CID of any-CID reservations.
 * @cid_max: highest.
 * @quota: reservations a netns may hold; 0: no limit.
 * @nports: how many @ports.
 * @ports: the protected ports.
 */
struct cidreg_settings_change {
	bool set_mode, set_strict, set_cid_min, set_cid_max, set_quota;
	bool set_ports;
	u32 mode;
	bool strict;
	u32 cid_min, cid_max, quota;
	unsigned int nports;
	u32 ports[CIDREG_PORTS_MAX];
};

struct net;

bool cidreg_may_configure(const struct net *net, bool sys_admin);
int cidreg_settings_trust(struct net *net, bool trusted);
int cidreg_settings_apply(const struct cidreg_settings_change *c,
			  const char **why);
u64 cidreg_settings_changes(void);
void cidreg_settings_exit(void);

u32 cidreg_setting_mode(void);
bool cidreg_setting_strict(void);
void cidreg_setting_range(u32 *min, u32 *max);
u32 cidreg_setting_quota(void);
unsigned int cidreg_setting_ports(u32 *ports);
bool cidreg_port_protected(u32 port);

bool cidreg_mode_pin_off(void);
void cidreg_mode_unpin_off(void);

#endif /* _VSOCK_CIDREG_SETTINGS_H */
