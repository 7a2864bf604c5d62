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
		"  or:  hpcprobe-report [--claims CLAIMS.json] [--price "
		"PRICES.json\n"
		"         [--instance-type TYPE] [--checkpoint-s S] "
		"[--inventory FILE]\n"
		"         [--emf FILE] [--prom FILE]]\n"
		"         RESULTS.json [-o REPORT.html]\n"
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
		"  --claims FILE          judge a write-up's claims against "
		"the results:\n"
		"                         holds, refuted, not measured, too "
		"few samples\n"
		"  --price FILE           cost at the list prices of FILE (a "
		"dated snapshot)\n"
		"  --instance-type TYPE   the nodes' instance type, for "
		"--price\n"
		"  --checkpoint-s S       time to write a checkpoint, for the "
		"expected Spot cost\n"
		"  --inventory FILE       storage objects and a lifecycle "
		"policy, for --price:\n"
		"                         the savings against Standard "
		"storage\n"
		"  --emf FILE             the cost figures as CloudWatch EMF "
		"lines, for --price\n"
		"  --prom FILE            the cost figures as a Prometheus "
		"textfile, for --price\n"
		"  -h, --help             show this help, then exit\n"
		"  -V, --version          show the version, then exit\n"
		"\n"
		"With --claims or --price the verdicts and costs are "
		"printed, and the\n"
		"report (with their sections) written only when -o is "
		"given.\n"
		"\n"
		"Exit status: 0 written, or no regression; 1 a metric "
		"regressed beyond\n"
		"the tolerance, a claim is refuted (or the report could not "
		"be written);\n"
		"2 bad input.\n");
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

struct check_args {
	const char *claims, *price, *type, *inventory, *emf, *prom;
	double checkpoint_s;
};

/*
 * The instance type the run itself read: the preflight phase's nodes, each
 * from the instance metadata service, when they all name one; NULL with
 * why otherwise.
 */
static const char *doc_instance_type(const cJSON *root, char *why,
				     size_t len)
{
	const cJSON *node;
	const char *type = NULL;

	cJSON_ArrayForEach(node, hpcp_at(hpcp_phase_at(root, "preflight"),
					 "nodes")) {
		const char *t = hpcp_str_at(hpcp_at(node, "instance"), "type");

		if (!t || !*t) {
			snprintf(why, len, "instance type unknown: give "
				 "--instance-type (a node of the run did not "
				 "read it from the instance metadata service)");
			return NULL;
		}
		if (type && strcmp(type, t) != 0) {
			snprintf(why, len, "the nodes' instance types differ "
				 "(%.64s, %.64s): give --instance-type", type,
				 t);
			return NULL;
		}
		type = t;
	}
	if (!type)
		snprintf(why, len, "instance type unknown: give "
			 "--instance-type (no preflight phase in the run to "
			 "read it from the instance metadata service)");
	return type;
}

/* --claims and --price: verdicts and costs printed, the report with
 * their sections when -o is given.  Inputs are all read first, so bad
 * input exits 2 before anything is printed. */
static int check(const char *in, const char *out, const struct check_args *a)
{
	char err[512];
	cJSON *root = NULL, *claims = NULL, *prices = NULL, *cost = NULL;
	cJSON *verdicts = NULL, *inv = NULL;
	const char *type = NULL;
	char no_type[256] = "";
	int refuted = 0, rc = 0;

	if (out && hpcp_output_check(out, "--output", err, sizeof(err)) != 0)
		return bad("%s", err);
	if (a->emf && hpcp_output_check(a->emf, "--emf", err, sizeof(err)))
		return bad("%s", err);
	if (a->prom && hpcp_output_check(a->prom, "--prom", err, sizeof(err)))
		return bad("%s", err);
	root = hpcp_doc_load(in, err, sizeof(err));
	if (root && a->price)
		type = a->type ? a->type :
		       doc_instance_type(root, no_type, sizeof(no_type));
	if (root && a->claims)
		claims = hpcp_claims_load(a->claims, err, sizeof(err));
	if (root && a->price && type && (!a->claims || claims))
		prices = hpcp_price_load(a->price, type, err, sizeof(err));
	if (prices && a->inventory) {
		inv = hpcp_report_read_json(a->inventory, err, sizeof(err));
		if (!inv || hpcp_inventory_check(inv, a->inventory, err,
						 sizeof(err))) {
			cJSON_Delete(inv);
			cJSON_Delete(prices);
			prices = NULL;
		}
	}
	if (!root || (a->claims && !claims) ||
	    (a->price && type && !prices)) {
		cJSON_Delete(root);
		cJSON_Delete(claims);
		return bad("%s", err);
	}
	if (a->price) {
		if (prices) {
			cost = hpcp_cost_of(root, prices, type,
					    a->checkpoint_s);
			if (cost)
				cJSON_AddStringToObject(cost,
					"instance_type_source", a->type ?
					"--instance-type" : "the preflight "
					"phase (instance metadata service)");
			if (cost && inv)
				hpcp_cost_lifecycle(cost, prices, inv);
		} else {
			cost = cJSON_CreateObject();
			cJSON_AddStringToObject(cost, "basis",
						"list-price estimate");
			cJSON_AddStringToObject(cost, "reason", no_type);
		}
		if (!cost)
			rc = 1;
		else if (!prices)
			printf("Cost: n/a (%s)\n", hpcp_str_at(cost, "reason"));
		else {
			hpcp_cost_print(cost, stdout);
			hpcp_cost_lifecycle_print(cost, stdout);
		}
		/* Claims may name cost/... */
		if (cost && !cJSON_AddItemToObject(root, "cost", cost)) {
			cJSON_Delete(cost);
			cost = NULL;
			rc = 1;
		}
	}
	if (claims) {
		verdicts = hpcp_claims_judge(claims, root, &refuted);
		if (verdicts)
			hpcp_claims_print(verdicts, stdout);
		else
			rc = 1;
	}
	if (prices && cost && !rc && a->emf) {
		rc = hpcp_export_cost_emf(root, a->emf, "hpcprobe", err,
					  sizeof(err)) ? 1 : 0;
		if (rc)
			fprintf(stderr, "hpcprobe-report: --emf: %s\n", err);
	}
	if (prices && cost && !rc && a->prom) {
		rc = hpcp_export_cost_prom(root, a->prom, err, sizeof(err)) ?
			     1 : 0;
		if (rc)
			fprintf(stderr, "hpcprobe-report: --prom: %s\n", err);
	}
	if (out && !rc) {
		rc = hpcp_report_html_with(root, verdicts, prices ? cost : NULL,
					   out, err, sizeof(err)) ? 1 : 0;
		if (rc)
			fprintf(stderr, "hpcprobe-report: %s\n", err);
		else
			printf("report written to %s\n", out);
	}
	cJSON_Delete(verdicts);
	cJSON_Delete(inv);
	cJSON_Delete(claims);
	cJSON_Delete(prices);
	cJSON_Delete(root);
	return rc || refuted ? 1 : 0;
}

int hpcp_report_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *baseline = NULL;
	struct check_args ca = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };
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
		    !strcmp(a, "--baseline") || !strcmp(a, "--tolerance") ||
		    !strcmp(a, "--claims") || !strcmp(a, "--price") ||
		    !strcmp(a, "--instance-type") ||
		    !strcmp(a, "--checkpoint-s") ||
		    !strcmp(a, "--inventory") || !strcmp(a, "--emf") ||
		    !strcmp(a, "--prom")) {
			if (i + 1 >= argc)
				return bad("%s: needs a value", a);
			if (!strcmp(a, "--claims")) {
				ca.claims = argv[++i];
			} else if (!strcmp(a, "--price")) {
				ca.price = argv[++i];
			} else if (!strcmp(a, "--inventory")) {
				ca.inventory = argv[++i];
			} else if (!strcmp(a, "--emf")) {
				ca.emf = argv[++i];
			} else if (!strcmp(a, "--prom")) {
				ca.prom = argv[++i];
			} else if (!strcmp(a, "--instance-type")) {
				ca.type = argv[++i];
				if (!*ca.type)
					return bad("%s", "--instance-type: "
						   "expects a type, e.g. "
						   "g4dn.xlarge");
			} else if (!strcmp(a, "--checkpoint-s")) {
				if (hpcp_parse_real(argv[++i], 0, 1e6,
						    &ca.checkpoint_s))
					return bad("--checkpoint-s: '%s' is "
						   "not seconds in 0..1e6",
						   argv[i]);
			} else if (a[1] == 'o' || !strcmp(a, "--output")) {
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
	if ((ca.type || ca.checkpoint_s > 0 || ca.inventory || ca.emf ||
	     ca.prom) && !ca.price)
		return bad("%s", "--instance-type, --checkpoint-s, "
				 "--inventory, --emf and --prom go with "
				 "--price");
	if (ca.claims || ca.price) {
		if (want_summary || baseline)
			return bad("%s", "--claims and --price take neither "
					 "--summary nor --baseline");
		return check(in, out, &ca);
	}
	if (baseline) {
		if (out)
			return bad("%s", "--baseline compares; it writes no "
					 "report (-o)");
		return gate(baseline, in, tol);
	}
	return html(in, out);
}
