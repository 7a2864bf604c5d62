/*
 * A minimal TAP producer for unit and MPI tests, read by automake's
 * tap-driver.sh.  In MPI tests only rank 0 should call these after the
 * verdicts were combined across ranks.
 */
#ifndef HPCP_TAP_H
#define HPCP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

__attribute__((unused))
static void tap_diag(const char *msg)
{
	printf("# %s\n", msg);
}

__attribute__((unused))
static int tap_is_int(long long got, long long want, const char *name)
{
	if (got != want)
		printf("# %s: got %lld, want %lld\n", name, got, want);
	return tap_ok(got == want, "%s", name);
}

__attribute__((unused))
static int tap_is_str(const char *got, const char *want, const char *name)
{
	int same = got && want && strcmp(got, want) == 0;

	if (!same)
		printf("# %s: got \"%s\", want \"%s\"\n", name,
		       got ? got : "(null)", want ? want : "(null)");
	return tap_ok(same, "%s", name);
}

__attribute__((format(printf, 1, 2), unused, noreturn))
static void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(0);
}

/* Prints the plan and returns the exit status for main(). */
__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
