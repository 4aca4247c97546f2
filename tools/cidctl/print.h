/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cidctl's one printer, in the manner of iproute2's: each field is printed
 * by one call that gives its JSON key and its text format, so text and
 * JSON never drift apart.
 *
 * Strings: valid UTF-8 passes through; in text, control characters and
 * bytes that are not valid UTF-8 become \xHH and a backslash \\; in JSON,
 * controls are \u00XX and invalid bytes the text \xHH. Nothing a process
 * names itself reaches the terminal raw. In text with quoting on
 * (monitor), a value with a space, a quote or nothing in it is put in
 * double quotes, with \" and \\ inside. 64-bit values that can pass 2^53
 * are JSON strings (pr_u64: exact in every JSON reader); pr_num is for
 * numbers that cannot (a netns inode is 32 bits in the kernel).
 */
#ifndef CIDCTL_PRINT_H
#define CIDCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

void pr_start(FILE *f, bool json, bool pretty);
bool pr_json(void);
void pr_quoting(bool on);
/* JSON: an object or array, under @key inside an object; text: nothing. */
void pr_open_obj(const char *key);
void pr_close_obj(void);
void pr_open_arr(const char *key);
void pr_close_arr(void);
/* A field: @key in JSON, @fmt (one conversion, or NULL: none) in text. */
void pr_u32(const char *key, const char *fmt, uint32_t v);
void pr_u64(const char *key, const char *fmt, uint64_t v);
void pr_num(const char *key, const char *fmt, uint64_t v);
void pr_bool(const char *key, const char *fmt, bool v);
void pr_str(const char *key, const char *fmt, const char *s);
/* Text only. */
void pr_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends a top-level JSON value with a newline, and flushes. */
void pr_end(void);
/* @s made safe to print: escaped (and quoted, if @quote and needed). */
void pr_escape(char *out, size_t size, const char *s, bool quote);

#endif
