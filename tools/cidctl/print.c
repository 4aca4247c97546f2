// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "print.h"

static FILE *out;
static bool json, pretty, quoting;

/*
 * One process, one thread: the stream's lock is not taken per character
 * (a list of 100k entries is about 30 calls each).
 */
#define PUTC(c) fputc_unlocked((c), out)
#define PUTS(s) fputs_unlocked((s), out)
#define PUTN(s, n) fwrite_unlocked((s), 1, (n), out)
/* Per open JSON level: whether a member was printed yet. */
static bool member[16];
static int depth;

void pr_start(FILE *f, bool j, bool p)
{
	out = f;
	json = j;
	pretty = p && j;
	quoting = false;
	depth = 0;
	member[0] = false;
}

bool pr_json(void)
{
	return json;
}

void pr_quoting(bool on)
{
	quoting = on;
}

static void indent(void)
{
	int i;

	if (!pretty)
		return;
	PUTC('\n');
	for (i = 0; i < depth; i++)
		PUTS("  ");
}

/* @v in decimal, without printf's parsing of a format. */
static void put_u64(uint64_t v)
{
	char buf[20];
	int i = sizeof(buf);

	do
		buf[--i] = '0' + v % 10;
	while (v /= 10);
	PUTN(buf + i, sizeof(buf) - i);
}

/* Length of the valid UTF-8 sequence at @s, or 0. */
static int utf8_len(const unsigned char *s)
{
	uint32_t c;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	/* C1 controls (U+0080 to U+009F) are controls too. */
	if (c >= 0x80 && c <= 0x9f)
		return 0;
	return n;
}

/*
 * Controls and bytes that are not UTF-8 become \xHH, a backslash \\. With
 * @quote, a value that is empty or holds a blank, a quote, a backslash or
 * anything escaped is put in double quotes, a quote in it as \": it splits
 * back as a POSIX shell (or Python's shlex) reads a double-quoted word.
 */
void pr_escape(char *o, size_t size, const char *in, bool quote)
{
	const unsigned char *s = (const unsigned char *)in, *p;
	bool q = quote && (!*s || strpbrk(in, " \t\"'\\"));
	size_t len = 0;

	/* What will be escaped (a backslash in the output) is quoted too. */
	for (p = s; quote && !q && *p; p += utf8_len(p) ?: 1)
		q = utf8_len(p) == 0 || *p < 0x20 || *p == 0x7f;

#define PUT(c) do { if (len + 1 < size) o[len++] = (c); } while (0)
	if (q)
		PUT('"');
	while (*s) {
		int n = utf8_len(s);

		if (*s == '\\' || (q && *s == '"')) {
			PUT('\\');
			PUT(*s++);
		} else if (n == 1 && *s >= 0x20 && *s != 0x7f) {
			PUT(*s++);
		} else if (n > 1) {
			while (n--)
				PUT(*s++);
		} else {
			/* A control, or a byte that is not valid UTF-8. */
			if (len + 5 < size)
				len += snprintf(o + len, size - len, "\\x%02x", *s);
			s++;
		}
	}
	if (q)
		PUT('"');
	o[len] = 0;
#undef PUT
}

/* @key: one of the program's own names, which need no escaping. */
static void json_key(const char *key)
{
	if (depth && member[depth])
		PUTC(',');
	if (depth)
		indent();
	member[depth] = true;
	if (key) {
		PUTC('"');
		PUTS(key);
		PUTS(pretty ? "\": " : "\":");
	}
}

/*
 * A JSON string: controls as \u00XX, a byte that is not valid UTF-8 as
 * the six characters \\xHH (a backslash, then as in text).
 */
static void json_string(const char *in)
{
	const unsigned char *s = (const unsigned char *)in, *run;

	PUTC('"');
	while (*s) {
		int n;

		/* Printable ASCII but the two escaped: as a run, at once. */
		for (run = s; *s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\';)
			s++;
		PUTN(run, s - run);
		if (!*s)
			break;
		n = utf8_len(s);
		if (n > 1) {
			PUTN(s, n);
			s += n;
		} else if (*s == '"' || *s == '\\') {
			PUTC('\\');
			PUTC(*s++);
		} else if (n == 1 || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)) {
			/* An ASCII control, or a C1 control (U+0080 to U+009F). */
			fprintf(out, "\\u%04x", n == 1 ? *s : s[1]);
			s += n == 1 ? 1 : 2;
		} else {
			fprintf(out, "\\\\x%02x", *s++);
		}
	}
	PUTC('"');
}

static void open_level(const char *key, char c)
{
	if (!json)
		return;
	json_key(key);
	PUTC(c);
	depth++;
	member[depth] = false;
}

static void close_level(char c)
{
	if (!json)
		return;
	depth--;
	if (member[depth + 1])
		indent();
	PUTC(c);
}

void pr_open_obj(const char *key)
{
	open_level(key, '{');
}

void pr_close_obj(void)
{
	close_level('}');
}

void pr_open_arr(const char *key)
{
	open_level(key, '[');
}

void pr_close_arr(void)
{
	close_level(']');
}

void pr_u32(const char *key, const char *fmt, uint32_t v)
{
	if (json) {
		json_key(key);
		put_u64(v);
	} else if (fmt) {
		fprintf(out, fmt, v);
	}
}

void pr_u64(const char *key, const char *fmt, uint64_t v)
{
	if (json) {
		json_key(key);
		PUTC('"');
		put_u64(v);
		PUTC('"');
	} else if (fmt) {
		fprintf(out, fmt, v);
	}
}

void pr_num(const char *key, const char *fmt, uint64_t v)
{
	if (json) {
		json_key(key);
		put_u64(v);
	} else if (fmt) {
		fprintf(out, fmt, v);
	}
}

void pr_bool(const char *key, const char *fmt, bool v)
{
	if (json) {
		json_key(key);
		PUTS(v ? "true" : "false");
	} else if (fmt) {
		fprintf(out, fmt, v ? "yes" : "no");
	}
}

void pr_str(const char *key, const char *fmt, const char *s)
{
	char buf[1024];

	if (json) {
		json_key(key);
		json_string(s);
	} else if (fmt) {
		pr_escape(buf, sizeof(buf), s, quoting);
		fprintf(out, fmt, buf);
	}
}

void pr_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

void pr_end(void)
{
	if (json && !depth)
		fputc('\n', out);
	fflush(out);
}
