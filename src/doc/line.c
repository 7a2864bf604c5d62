/* Outside text made valid UTF-8 for the document and printable for a
 * diagnostic line (hpcp/line.h). */
#include "config.h"

#include "hpcp/line.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t hpcp_utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;    /* 0x80..0xc1 (continuation, overlong), 0xf5.. */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;    /* truncated (a NUL stops here too) */
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

size_t hpcp_utf8_fix(char *s)
{
	size_t bad = 0;

	while (*s) {
		size_t n = hpcp_utf8_len(s);

		if (n == 0) {
			*s++ = '?';
			bad++;
		} else {
			s += n;
		}
	}
	return bad;
}

/* The code point of the valid sequence s of n bytes. */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	uint32_t c = n == 1 ? s[0] : n == 2 ? s[0] & 0x1fu :
		     n == 3 ? s[0] & 0x0fu : s[0] & 0x07u;

	for (size_t i = 1; i < n; i++)
		c = c << 6 | (s[i] & 0x3fu);
	return c;
}

/* Valid, but moves the cursor or reorders the line on a terminal. */
static int invisible_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x061c;
}

void hpcp_line_escape(const char *in, char *out, size_t outlen)
{
	const char *p = in;
	size_t o = 0;

	if (outlen == 0)
		return;
	while (*p) {
		size_t n = hpcp_utf8_len(p);
		unsigned char b = (unsigned char)*p;
		char piece[16];
		size_t k;

		if (n == 0) {
			snprintf(piece, sizeof(piece), "\\x%02x", b);
			n = 1;
		} else if (n == 1 && (b < 0x20 || b == 0x7f || b == '\\')) {
			snprintf(piece, sizeof(piece), "%s",
				 b == '\n' ? "\\n" : b == '\r' ? "\\r" :
				 b == '\t' ? "\\t" : b == '\\' ? "\\\\" : "");
			if (!piece[0])
				snprintf(piece, sizeof(piece), "\\x%02x", b);
		} else if (n > 1 && invisible_control(code_point(
					    (const unsigned char *)p, n))) {
			snprintf(piece, sizeof(piece), "\\u{%04x}",
				 (unsigned)code_point((const unsigned char *)p,
						      n));
		} else {
			memcpy(piece, p, n);
			piece[n] = '\0';
		}
		k = strlen(piece);
		/* Room for this piece, and for "..." should more follow. */
		if (o + k + (p[n] ? 4 : 1) > outlen) {
			if (o + 4 > outlen)
				o = outlen >= 4 ? outlen - 4 : 0;
			memcpy(out + o, "...", outlen >= 4 ? 3 : 0);
			o += outlen >= 4 ? 3 : 0;
			break;
		}
		memcpy(out + o, piece, k);
		o += k;
		p += n;
	}
	out[o] = '\0';
}

void hpcp_line_vprint(FILE *f, const char *prefix, const char *fmt,
		      va_list ap)
{
	char msg[2048], line[4096];
	size_t n;
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = (size_t)snprintf(line, sizeof(line), "%s", prefix);
	if (n >= sizeof(line) - 2)
		n = 0;
	hpcp_line_escape(msg, line + n, sizeof(line) - n - 1);
	n += strlen(line + n);
	line[n++] = '\n';
	fwrite(line, 1, n, f);
	fflush(f);
	errno = saved;
}

void hpcp_line_print(FILE *f, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hpcp_line_vprint(f, prefix, fmt, ap);
	va_end(ap);
}
