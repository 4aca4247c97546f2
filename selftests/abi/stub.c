// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A stand-in for libcidreg.so.0 as it was at LIBCIDREG_0.2, to link
 * client-0.2 against (names and versions are all a link needs); it runs
 * against the real, today's library.
 */
#define STUB(name) void name(void); void name(void) {}
STUB(cidreg_open) STUB(cidreg_close) STUB(cidreg_reserve)
STUB(cidreg_release) STUB(cidreg_show) STUB(cidreg_list)
STUB(cidreg_stats) STUB(cidreg_get_config) STUB(cidreg_set_config)
STUB(cidreg_monitor)
STUB(cidreg_strerror) STUB(cidreg_setting) STUB(cidreg_setting_find)
STUB(cidreg_setting_parse) STUB(cidreg_setting_format)
STUB(cidreg_setting_copy) STUB(cidreg_events_open) STUB(cidreg_events_read)
