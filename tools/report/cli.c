/* hpcprobe-report's command line. */
#include "config.h"

#include "report.h"
#include "hpcp/line.h"
#include "hpcp/num.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hpcprobe-report RESULTS.json [-o REPORT.html]\n"
		"  or:  hpcprobe-report --summary RESULTS.json\n"
		"  or:  hpcprobe-report --baseline OLD.json NEW.json "
		"[--tolerance PCT]\n"
		"\n"
		"Writes a self-contained HTML report (charts, tables and a "
		"narrative from\n"
		"the measured values) of an hpcprobe results document, prints "
		"its summary,\n"
		"or compares two documents and fails when a metric "
		"regressed.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE      the report [default: RESULTS with "
		".html]\n"
		"  --summary              print the summary hpcprobe printed "
		"after the run\n"
		"  --baseline OLD.json    compare NEW.json against OLD.json\n"
		"  --tolerance PCT        allowed worsening per metric "
		"[default: 10]\n"
		"  -h, --help             show this help, then exit\n"
		"  -V, --version          show the version, then exit\n"
		"\n"
		"Exit status: 0 written, or no regression; 1 a metric "
		"regressed beyond\n"
		"the tolerance (or the report could not be written); 2 bad "
		"input.\n");
}

/* One line, escaped (hpcp/line.h): a path or value may hold anything. */
__attribute__((format(printf, 1, 0)))
static int bad(const char *fmt, const char *what)
{
	hpcp_line_print(stderr, "hpcprobe-report: ", fmt, what);
	return 2;
}

static int html(const char *in, const char *out)
{
	char err[512], dflt[4096];
	cJSON *root;
	int rc;

	if (!out) {
		const char *dot = strrchr(in, '.');
		size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - in) :
							 strlen(in);

		snprintf(dflt, sizeof(dflt), "%.*s.html", (int)stem, in);
		out = dflt;
	}
	if (hpcp_output_check(out, "--output", err, sizeof(err)) != 0)
		return bad("%s", err);
	/* The report would replace the document it is made from. */
	if (hpcp_output_same(in, out)) {
		char msg[2200];

		snprintf(msg, sizeof(msg), "--output: '%.1000s' is the "
			 "results document read ('%.1000s'); give the report "
			 "another name", out, in);
		return bad("%s", msg);
	}
	root = hpcp_doc_load(in, err, sizeof(err));
	if (!root)
		return bad("%s", err);
	rc = hpcp_report_html(root, out, err, sizeof(err));
	cJSON_Delete(root);
	if (rc) {
		hpcp_line_print(stderr, "hpcprobe-report: ", "%s", err);
		return 1;
	}
	hpcp_line_print(stdout, "report written to ", "%s", out);
	return 0;
}

static int summary(const char *in)
{
	char err[512];
	cJSON *root = hpcp_doc_load(in, err, sizeof(err));

	if (!root)
		return bad("%s", err);
	hpcp_summary_print(root, stdout);
	cJSON_Delete(root);
	return ferror(stdout) ? 1 : 0;
}

static int gate(const char *old_path, const char *new_path, double tol)
{
	char err[512];
	cJSON *old = hpcp_doc_load(old_path, err, sizeof(err)), *new;
	int rc;

	if (!old)
		return bad("%s", err);
	new = hpcp_doc_load(new_path, err, sizeof(err));
	if (!new) {
		cJSON_Delete(old);
		return bad("%s", err);
	}
	rc = hpcp_report_gate(old, new, tol, stdout, err, sizeof(err));
	cJSON_Delete(old);
	cJSON_Delete(new);
	if (rc < 0)
		return bad("%s", err);
	return rc > 0 ? 1 : 0;
}

int hpcp_report_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *baseline = NULL;
	double tol = 10;
	int want_summary = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("hpcprobe-report %s (git %s)\n", PACKAGE_VERSION,
			       HPCP_GIT_COMMIT);
			return 0;
		}
		if (!strcmp(a, "--summary")) {
			want_summary = 1;
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--output") ||
		    !strcmp(a, "--baseline") || !strcmp(a, "--tolerance")) {
			if (i + 1 >= argc)
				return bad("%s: needs a value", a);
			if (a[1] == 'o' || !strcmp(a, "--output")) {
				out = argv[++i];
			} else if (!strcmp(a, "--baseline")) {
				baseline = argv[++i];
			} else if (hpcp_parse_real(argv[++i], 0, 1000, &tol)) {
				return bad("--tolerance: '%s' is not a "
					   "percentage in 0..1000",
					   argv[i]);
			}
			continue;
		}
		if (a[0] == '-' && a[1])
			return bad("unknown option '%s' (see --help)", a);
		if (in)
			return bad("one results document, not several ('%s')",
				   a);
		in = a;
	}
	if (!in)
		return bad("%s", "no results document given (see --help)");
	if (want_summary) {
		if (out || baseline)
			return bad("%s", "--summary prints; it takes neither "
					 "-o nor --baseline");
		return summary(in);
	}
	if (baseline) {
		if (out)
			return bad("%s", "--baseline compares; it writes no "
					 "report (-o)");
		return gate(baseline, in, tol);
	}
	return html(in, out);
}
