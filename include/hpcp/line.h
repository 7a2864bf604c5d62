/*
 * Text that comes from outside (paths, option values, host names,
 * environment names, a document's strings) made safe where it goes:
 *
 *   - into the results document: valid UTF-8 (JSON is UTF-8; a strict
 *     reader rejects the whole document over one stray byte);
 *   - into a one-line diagnostic: printable, so that a newline, a carriage
 *     return or a terminal escape in a value can neither split the line,
 *     forge another one, nor drive the terminal.
 *
 * In libhpcpdoc (src/doc/line.c), used by both programs: every diagnostic
 * line of hpcprobe (log.c) and hpcprobe-report (cli.c) is written by
 * hpcp_line_print.
 */
#ifndef HPCP_LINE_H
#define HPCP_LINE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when
 * s does not start one: a stray continuation byte, a truncated sequence,
 * an overlong form, a surrogate (U+D800..U+DFFF) or past U+10FFFF.
 * Reads no further than a NUL.
 */
size_t hpcp_utf8_len(const char *s);

/* s made valid UTF-8 in place: every byte that starts no well-formed
 * sequence becomes '?'.  Returns how many were replaced. */
size_t hpcp_utf8_fix(char *s);

/*
 * in as printable text for one line, into out (always terminated; cut
 * short with "..." when it does not fit, never inside an escape): C0
 * controls (CR, LF, ESC, ...) and DEL as \r, \n, \t or \xHH; C1 controls
 * (U+0080..U+009F, such as CSI), line and paragraph separators and
 * bidirectional overrides as \u{HHHH}; bytes that are not UTF-8 as \xHH;
 * the backslash as \\ so that an escape is unambiguous.  Valid UTF-8
 * text (a host named in Greek) stays as it is.
 */
void hpcp_line_escape(const char *in, char *out, size_t outlen);

/*
 * One line on f: prefix (ours, written as is), the formatted message
 * escaped as above, a newline; in one write, so that ranks sharing a
 * terminal do not interleave inside a line.  Keeps errno.
 */
__attribute__((format(printf, 3, 0)))
void hpcp_line_vprint(FILE *f, const char *prefix, const char *fmt,
		      va_list ap);
__attribute__((format(printf, 3, 4)))
void hpcp_line_print(FILE *f, const char *prefix, const char *fmt, ...);

#endif
