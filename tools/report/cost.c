/*
 * The cost of a run at list prices (hpcprobe-report --price): an estimate
 * from a price snapshot, never a bill.  Done over a finished results
 * document rather than in the run: the prices are the user's (region,
 * discounts, the day's Spot price), the run needs no network, and the
 * figures can be recomputed for another instance type or price without
 * running again.
 *
 * The price file:
 *   {"date": "YYYY-MM-DD", "source": "...", "currency": "USD",
 *    "instances": {"<type>": {"on_demand_per_hour": x, "spot_per_hour": y,
 *                             "spot_interruptions_per_hour": r}, ...},
 *    "storage_per_gb_month": s, "transfer_per_gb": t,
 *    "storage_infrequent_access_per_gb_month": ia,
 *    "storage_glacier_per_gb_month": g}
 * spot_interruptions_per_hour (per instance, at most 100) and the
 * Infrequent Access and Glacier prices (for --inventory) are optional.
 */
#include "config.h"

#include "report.h"
#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string member for printing: "" when absent. */
static const char *text_at(const cJSON *o, const char *key)
{
	const char *s = hpcp_str_at(o, key);

	return s ? s : "";
}

static int bad_price(char *err, size_t errlen, const char *path,
		     const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	return -EINVAL;
}

/* More than this many interruptions an hour of one instance is no Spot
 * market but a typo (a rate per day, a percentage). */
#define MAX_INTERRUPTIONS_PER_HOUR 100

static int positive(const cJSON *obj, const char *key, int optional)
{
	double d;
	const cJSON *v = hpcp_at(obj, key);

	if (!v)
		return optional;
	return cJSON_IsNumber(v) && hpcp_num_of(v, &d) && d >= 0 && d < 1e6;
}

cJSON *hpcp_price_load(const char *path, const char *type, char *err,
		       size_t errlen)
{
	cJSON *root = hpcp_report_read_json(path, err, errlen);
	const cJSON *inst;
	char msg[256];
	int rc = 0;

	if (!root)
		return NULL;
	inst = hpcp_at(hpcp_at(root, "instances"), type);
	if (!hpcp_str_at(root, "date") || !hpcp_str_at(root, "source"))
		rc = bad_price(err, errlen, path,
			       "needs \"date\" and \"source\" (a price is "
			       "a snapshot: say of when and from where)");
	else if (!cJSON_IsObject(hpcp_at(root, "instances")))
		rc = bad_price(err, errlen, path,
			       "needs \"instances\": {type: prices}");
	else if (!positive(root, "storage_per_gb_month", 0) ||
		 !positive(root, "transfer_per_gb", 0))
		rc = bad_price(err, errlen, path,
			       "storage_per_gb_month and transfer_per_gb "
			       "must be numbers >= 0");
	else if (!positive(root, "storage_infrequent_access_per_gb_month",
			   1) ||
		 !positive(root, "storage_glacier_per_gb_month", 1))
		rc = bad_price(err, errlen, path,
			       "storage_infrequent_access_per_gb_month and "
			       "storage_glacier_per_gb_month must be numbers "
			       ">= 0 when given");
	else if (!inst) {
		snprintf(msg, sizeof(msg), "no price for instance type '%.64s'",
			 type);
		rc = bad_price(err, errlen, path, msg);
	} else if (!positive(inst, "on_demand_per_hour", 0) ||
		   !positive(inst, "spot_per_hour", 0) ||
		   !positive(inst, "spot_interruptions_per_hour", 1) ||
		   hpcp_num_at(inst, "spot_interruptions_per_hour", 0) >
			   MAX_INTERRUPTIONS_PER_HOUR) {
		snprintf(msg, sizeof(msg), "instance type '%.64s': "
			 "on_demand_per_hour and spot_per_hour must be "
			 "numbers >= 0 (and spot_interruptions_per_hour, "
			 "when given, from 0 to %d an hour)", type,
			 MAX_INTERRUPTIONS_PER_HOUR);
		rc = bad_price(err, errlen, path, msg);
	}
	if (rc) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static void add_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

/* {on_demand, spot} for hours of nodes, or nulls with the reason. */
static void put_pair(cJSON *parent, const char *key, double node_hours,
		     double od, double spot, const char *reason)
{
	cJSON *o = cJSON_AddObjectToObject(parent, key);

	add_num(o, "on_demand_usd", reason ? NAN : node_hours * od);
	add_num(o, "spot_usd", reason ? NAN : node_hours * spot);
	if (reason)
		cJSON_AddStringToObject(o, "reason", reason);
}

/*
 * Expected wall time of work_h hours on Spot with a checkpoint of ckpt_h
 * every tau = sqrt(2 C M) of work (Young's interval; C the checkpoint
 * time, M the job's mean time between interruptions, 1 / (nodes x rate)).
 * Exact for interruptions arriving as a Poisson process, a restart taking
 * R (reading the last checkpoint back), and checkpoints and restarts that
 * can themselves be interrupted (Daly 2006):
 * T = M e^(R / M) (e^((tau + C) / M) - 1) W / tau.  Young's first-order
 * T = W (1 + C / tau + tau / (2 M)) (into *first, when given; no restart)
 * agrees when C, R << M and underestimates as C nears M.  NAN when the
 * interval means nothing (C >= M: a checkpoint rarely completes) or T is
 * not finite.
 */
double hpcp_cost_spot_hours(double work_h, double ckpt_h, double restart_h,
			    double mtbf_h, double *tau_h, double *first)
{
	double tau = sqrt(2 * ckpt_h * mtbf_h), t;

	if (tau_h)
		*tau_h = tau;
	if (first)
		*first = tau > 0 ? work_h * (1 + ckpt_h / tau +
					     tau / (2 * mtbf_h)) : NAN;
	if (!(tau > 0) || !(ckpt_h < mtbf_h))
		return NAN;
	t = mtbf_h * exp(restart_h / mtbf_h) *
	    expm1((tau + ckpt_h) / mtbf_h) * work_h / tau;
	return isfinite(t) ? t : NAN;
}

/*
 * Per GB written (10^9 bytes): the nodes' time in the storage phase's
 * write steps (each step's span includes its fsync) over the bytes those
 * steps wrote; reads and metadata steps are not writing.
 */
static void put_per_gb_written(cJSON *c, const cJSON *doc, double nodes,
			       double od, double spot)
{
	const cJSON *op;
	double bytes = 0, span = 0;

	cJSON_ArrayForEach(op, hpcp_at(hpcp_phase_at(doc, "storage"), "ops")) {
		const char *k = hpcp_str_at(op, "op");
		double b = hpcp_num_at(op, "bytes", NAN);
		double s = hpcp_num_at(op, "span_s", NAN);

		if (!k || strcmp(k, "write") != 0 || !(b > 0) ||
		    !isfinite(s) || s < 0)
			continue;
		bytes += b;
		span += s;
	}
	put_pair(c, "per_gb_written", nodes * span / 3600 / (bytes / 1e9), od,
		 spot, !hpcp_phase_ok(doc, "storage") ? "no storage phase" :
		 bytes > 0 ? NULL : "no bytes written");
}

cJSON *hpcp_cost_of(const cJSON *doc, const cJSON *prices, const char *type,
		    double checkpoint_s)
{
	const cJSON *inst = hpcp_at(hpcp_at(prices, "instances"), type);
	const cJSON *ph, *train = hpcp_phase_at(doc, "train"), *e;
	double od = hpcp_num_at(inst, "on_demand_per_hour", NAN);
	double spot = hpcp_num_at(inst, "spot_per_hour", NAN);
	double rate = hpcp_num_at(inst, "spot_interruptions_per_hour", NAN);
	double nodes = hpcp_num_at(hpcp_at(hpcp_at(doc, "context"), "mpi"),
				   "nodes", NAN);
	double run_h = hpcp_num_at(hpcp_at(doc, "run"), "duration_s", NAN) /
		       3600;
	double sum = 0, per_s, ck_write = NAN, ck_read = NAN;
	const cJSON *ck;
	int n = 0;
	const char *launcher = hpcp_str_at(hpcp_at(doc, "context"),
					   "launcher");
	cJSON *c = cJSON_CreateObject(), *phases, *sp;

	if (!c)
		return NULL;
	cJSON_AddStringToObject(c, "basis", "list-price estimate");
	cJSON_AddStringToObject(c, "instance_type", type);
	cJSON_AddStringToObject(c, "price_date", hpcp_str_at(prices, "date"));
	cJSON_AddStringToObject(c, "price_source",
				hpcp_str_at(prices, "source"));
	add_num(c, "nodes", nodes);
	add_num(c, "on_demand_per_hour", od);
	add_num(c, "spot_per_hour", spot);
	put_pair(c, "run", nodes * run_h, od, spot,
		 isfinite(nodes * run_h) ? NULL : "no run duration");
	phases = cJSON_AddObjectToObject(c, "phases");
	cJSON_ArrayForEach(ph, hpcp_at(doc, "phases")) {
		double h = hpcp_num_at(ph, "duration_s", NAN) / 3600;

		put_pair(phases, ph->string, nodes * h, od, spot,
			 isfinite(h) ? NULL : "no duration");
	}
	/* Epochs: their mean wall time. */
	cJSON_ArrayForEach(e, hpcp_at(train, "epochs")) {
		double ns = hpcp_num_at(e, "epoch_ns", NAN);

		if (isfinite(ns)) {
			sum += ns;
			n++;
		}
	}
	put_pair(c, "per_epoch", nodes * sum / (n ? n : 1) / 3.6e12, od, spot,
		 !hpcp_phase_ok(doc, "train") ? "no train phase" :
		 n ? NULL : "no epoch times");
	put_pair(c, "to_train_target",
		 nodes * hpcp_num_at(train, "time_to_target_ns", NAN) / 3.6e12,
		 od, spot,
		 !hpcp_phase_ok(doc, "train") ? "no train phase" :
		 isfinite(hpcp_num_at(train, "time_to_target_ns", NAN)) ?
			 NULL : "the training target was not reached");
	per_s = hpcp_num_at(hpcp_at(hpcp_phase_at(doc, "infer"), "best"),
			    "rate_per_s", NAN);
	put_pair(c, "per_1k_requests", nodes * 1000 / per_s / 3600, od, spot,
		 !hpcp_phase_ok(doc, "infer") ? "no infer phase" :
		 per_s > 0 ? NULL : "no inference rate");
	put_per_gb_written(c, doc, nodes, od, spot);
	/* Spot with interruptions and checkpoints, for the whole run: the
	 * checkpoint and restart times the train phase measured, when it
	 * wrote checkpoints (--checkpoint-s overrides the write time). */
	ck = hpcp_at(train, "checkpoint");
	if (hpcp_phase_ok(doc, "train") && hpcp_str_at(ck, "status") &&
	    !strcmp(hpcp_str_at(ck, "status"), "ok")) {
		ck_write = hpcp_num_at(hpcp_at(ck, "write_s"), "p50", NAN);
		ck_read = hpcp_num_at(hpcp_at(ck, "read_s"), "p50", NAN);
	}
	sp = cJSON_AddObjectToObject(c, "spot_expected");
	if (!(rate > 0)) {
		cJSON_AddNullToObject(sp, "usd");
		cJSON_AddStringToObject(sp, "reason",
					"no spot_interruptions_per_hour for "
					"this type in the price file");
	} else if (!(checkpoint_s > 0) && !(ck_write > 0)) {
		cJSON_AddNullToObject(sp, "usd");
		cJSON_AddStringToObject(sp, "reason",
					"no checkpoint time: run the train "
					"phase with --train-checkpoint-dir, "
					"or give --checkpoint-s");
	} else {
		double mtbf = 1 / (nodes * rate), tau, first;
		double c_s = checkpoint_s > 0 ? checkpoint_s : ck_write;
		double r_s = ck_read > 0 ? ck_read : 0;
		double t = hpcp_cost_spot_hours(run_h, c_s / 3600, r_s / 3600,
						mtbf, &tau, &first);

		add_num(sp, "usd", nodes * t * spot);
		add_num(sp, "hours", t);
		add_num(sp, "hours_first_order", first);
		add_num(sp, "checkpoint_interval_s", tau * 3600);
		add_num(sp, "mtbf_hours", mtbf);
		add_num(sp, "checkpoint_s", c_s);
		cJSON_AddStringToObject(sp, "checkpoint_source",
					checkpoint_s > 0 ?
						"--checkpoint-s" :
						"measured: phases.train."
						"checkpoint.write_s.p50");
		add_num(sp, "restart_s", r_s);
		cJSON_AddStringToObject(sp, "restart_source",
					ck_read > 0 ?
						"measured: phases.train."
						"checkpoint.read_s.p50 (the "
						"checkpoint read back; the "
						"job's relaunch not included)" :
						"none measured: 0");
		if (!isfinite(t))
			cJSON_AddStringToObject(
				sp, "reason",
				!isfinite(run_h) ? "no run duration" :
				c_s / 3600 >= mtbf ?
					"a checkpoint takes as long as the "
					"mean time between interruptions or "
					"longer: no checkpoint interval "
					"finishes the run" :
					"the expected time is not finite");
	}
	if (launcher && !strcmp(launcher, "aws-batch"))
		cJSON_AddStringToObject(c, "note",
					"AWS Batch multi-node parallel jobs "
					"cannot run on Spot: the Spot figures "
					"need another launcher");
	return c;
}

/* Dollars: four decimals, or three significant digits below a cent
 * (a cost of $0.00004 is not $0.0000). */
static const char *usd(char *b, size_t n, double v)
{
	if (fabs(v) < 0.01 && v != 0)
		snprintf(b, n, "$%.3g", v);
	else
		snprintf(b, n, "$%.4f", v);
	return b;
}

static void print_pair(FILE *out, const char *what, const cJSON *p)
{
	char a[32], b[32];

	double od = hpcp_num_at(p, "on_demand_usd", NAN);

	if (isnan(od)) {
		fprintf(out, "  %-26s n/a (%s)\n", what,
			hpcp_str_at(p, "reason") ? hpcp_str_at(p, "reason") :
						   "unknown");
		return;
	}
	fprintf(out, "  %-26s %s On-Demand, %s Spot\n", what,
		usd(a, sizeof(a), od),
		usd(b, sizeof(b), hpcp_num_at(p, "spot_usd", NAN)));
}

void hpcp_cost_print(const cJSON *c, FILE *out)
{
	const cJSON *ph, *sp = hpcp_at(c, "spot_expected");
	char what[64], a[32];

	fprintf(out, "Cost (list-price estimate: %s (from %s), %g node(s), "
		"prices of %s from %s)\n", text_at(c, "instance_type"),
		text_at(c, "instance_type_source"), hpcp_num_at(c, "nodes", 0),
		text_at(c, "price_date"), text_at(c, "price_source"));
	print_pair(out, "run", hpcp_at(c, "run"));
	cJSON_ArrayForEach(ph, hpcp_at(c, "phases")) {
		snprintf(what, sizeof(what), "phase %.40s", ph->string);
		print_pair(out, what, ph);
	}
	print_pair(out, "per training epoch", hpcp_at(c, "per_epoch"));
	print_pair(out, "to the training target",
		   hpcp_at(c, "to_train_target"));
	print_pair(out, "per 1000 requests", hpcp_at(c, "per_1k_requests"));
	print_pair(out, "per GB written", hpcp_at(c, "per_gb_written"));
	if (isnan(hpcp_num_at(sp, "usd", NAN)))
		fprintf(out, "  %-26s n/a (%s)\n", "run on Spot, expected",
			text_at(sp, "reason"));
	else
		fprintf(out, "  %-26s %s (%.4f h, first order %.4f h; "
			"checkpoint every %.0f s, interruptions every %.2f "
			"h; checkpoint %.3g s from %s, restart %.3g s)\n",
			"run on Spot, expected",
			usd(a, sizeof(a), hpcp_num_at(sp, "usd", 0)),
			hpcp_num_at(sp, "hours", 0),
			hpcp_num_at(sp, "hours_first_order", 0),
			hpcp_num_at(sp, "checkpoint_interval_s", 0),
			hpcp_num_at(sp, "mtbf_hours", 0),
			hpcp_num_at(sp, "checkpoint_s", 0),
			strncmp(text_at(sp, "checkpoint_source"), "measured",
				8) ? "--checkpoint-s" : "the train phase",
			hpcp_num_at(sp, "restart_s", 0));
	if (hpcp_str_at(c, "note"))
		fprintf(out, "  note: %s\n", hpcp_str_at(c, "note"));
}

static void html_pair(struct hpcp_text *t, const char *what, const cJSON *p)
{
	char a[32], b[32];

	double od = hpcp_num_at(p, "on_demand_usd", NAN);

	hpcp_put(t, "<tr><td>");
	hpcp_html_esc(t, what);
	if (isnan(od)) {
		hpcp_put(t, "</td><td colspan=\"2\">n/a: ");
		hpcp_html_esc(t, hpcp_str_at(p, "reason") ?
			       hpcp_str_at(p, "reason") : "unknown");
		hpcp_put(t, "</td></tr>\n");
		return;
	}
	hpcp_put(t, "</td><td>%s</td><td>%s</td></tr>\n",
		 usd(a, sizeof(a), od),
		 usd(b, sizeof(b), hpcp_num_at(p, "spot_usd", NAN)));
}

void hpcp_html_cost(struct hpcp_text *t, const cJSON *c)
{
	const cJSON *ph, *sp = hpcp_at(c, "spot_expected");
	char a[32];

	hpcp_put(t, "<h2>Cost (list-price estimate)</h2>\n<p>");
	hpcp_html_esc(t, text_at(c, "instance_type"));
	hpcp_put(t, ", %g node(s); prices of ", hpcp_num_at(c, "nodes", 0));
	hpcp_html_esc(t, text_at(c, "price_date"));
	hpcp_put(t, " from ");
	hpcp_html_esc(t, text_at(c, "price_source"));
	hpcp_put(t, ".</p>\n<table>\n<tr><th>what</th><th>On-Demand</th>"
		 "<th>Spot</th></tr>\n");
	html_pair(t, "run", hpcp_at(c, "run"));
	cJSON_ArrayForEach(ph, hpcp_at(c, "phases"))
		html_pair(t, ph->string, ph);
	html_pair(t, "per training epoch", hpcp_at(c, "per_epoch"));
	html_pair(t, "to the training target", hpcp_at(c, "to_train_target"));
	html_pair(t, "per 1000 requests", hpcp_at(c, "per_1k_requests"));
	html_pair(t, "per GB written (storage phase)",
		  hpcp_at(c, "per_gb_written"));
	hpcp_put(t, "</table>\n<p>Run on Spot, expected with interruptions "
		 "and checkpoints: ");
	if (isnan(hpcp_num_at(sp, "usd", NAN)))
		hpcp_html_esc(t, text_at(sp, "reason"));
	else
		hpcp_put(t, "%s", usd(a, sizeof(a), hpcp_num_at(sp, "usd", 0)));
	hpcp_put(t, ".</p>\n");
	if (hpcp_at(c, "storage_lifecycle")) {
		const cJSON *l = hpcp_at(c, "storage_lifecycle");

		hpcp_put(t, "<p>Storage lifecycle policy: ");
		if (isnan(hpcp_num_at(l, "savings_usd", NAN)))
			hpcp_html_esc(t, text_at(l, "reason"));
		else
			hpcp_put(t, "$%.4f saved of $%.4f (%.1f %%) over %.0f "
				 "days", hpcp_num_at(l, "savings_usd", 0),
				 hpcp_num_at(l, "standard_only_usd", 0),
				 100 * hpcp_num_at(l, "savings_ratio", 0),
				 hpcp_num_at(l, "horizon_days", 0));
		hpcp_put(t, ".</p>\n");
	}
	if (hpcp_str_at(c, "note")) {
		hpcp_put(t, "<p>");
		hpcp_html_esc(t, hpcp_str_at(c, "note"));
		hpcp_put(t, "</p>\n");
	}
}

/* --- storage lifecycle ------------------------------------------------- */

/*
 * The inventory file:
 *   {"horizon_days": 365,
 *    "policy": {"days_to_infrequent_access": 30, "days_to_glacier": 90,
 *               "min_days_infrequent_access": 30},
 *    "objects": [{"gb": 100, "age_days": 0}, ...]}
 * Each object is charged day by day over the horizon at its class's price
 * (a month is 30 days): Standard, then Infrequent Access from
 * days_to_infrequent_access, then Glacier from days_to_glacier.  An object
 * moved out of Infrequent Access before its minimum duration pays the
 * rest of it (S3's minimum storage duration charge).  Without a policy,
 * everything stays in Standard: the savings are the difference.
 */
static int inventory_bad(char *err, size_t errlen, const char *path,
			 const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	return -EINVAL;
}

int hpcp_inventory_check(const cJSON *inv, const char *path, char *err,
			 size_t errlen)
{
	static const char *const policy[] = { "days_to_infrequent_access",
					      "days_to_glacier",
					      "min_days_infrequent_access" };
	const cJSON *p = hpcp_at(inv, "policy"), *o;

	if (!positive(inv, "horizon_days", 0) ||
	    hpcp_num_at(inv, "horizon_days", 0) < 1)
		return inventory_bad(err, errlen, path,
				     "horizon_days must be a number >= 1");
	for (size_t i = 0; i < sizeof(policy) / sizeof(*policy); i++)
		if (!positive(p, policy[i], 0))
			return inventory_bad(err, errlen, path,
					     "policy needs days_to_infrequent_"
					     "access, days_to_glacier and "
					     "min_days_infrequent_access "
					     "(numbers >= 0)");
	if (hpcp_num_at(p, "days_to_glacier", 0) <
	    hpcp_num_at(p, "days_to_infrequent_access", 0))
		return inventory_bad(err, errlen, path,
				     "days_to_glacier before "
				     "days_to_infrequent_access");
	if (!cJSON_IsArray(hpcp_at(inv, "objects")))
		return inventory_bad(err, errlen, path,
				     "objects must be a list of {gb, age_days}");
	cJSON_ArrayForEach(o, hpcp_at(inv, "objects"))
		if (!positive(o, "gb", 0) || !positive(o, "age_days", 0))
			return inventory_bad(err, errlen, path,
					     "every object needs gb and "
					     "age_days (numbers >= 0)");
	return 0;
}

/*
 * The policy's cost of one object over the horizon, whole days.  An object
 * leaving Infrequent Access for Glacier before IA's minimum duration pays
 * the rest of it then, whether it entered IA before the horizon or in it.
 * Objects are never deleted and never leave Glacier, so Glacier's own
 * minimum duration never comes due and is not modelled.
 */
static double object_cost(double gb, long age, long days, const cJSON *p,
			  const double price[3])
{
	long to_ia = (long)hpcp_num_at(p, "days_to_infrequent_access", 0);
	long to_gl = (long)hpcp_num_at(p, "days_to_glacier", 0);
	long min_ia = (long)hpcp_num_at(p, "min_days_infrequent_access", 0);
	double usd = 0;

	for (long d = 0; d < days; d++) {
		long a = age + d;

		usd += gb * price[a >= to_gl ? 2 : a >= to_ia ? 1 : 0] / 30;
		/* Leaving Infrequent Access early, within the horizon: the
		 * rest of its minimum duration is charged then. */
		if (a == to_gl && to_gl > to_ia && to_gl - to_ia < min_ia)
			usd += gb * price[1] / 30 *
			       (double)(min_ia - (to_gl - to_ia));
	}
	return usd;
}

void hpcp_cost_lifecycle(cJSON *cost, const cJSON *prices, const cJSON *inv)
{
	double price[3] = {
		hpcp_num_at(prices, "storage_per_gb_month", NAN),
		hpcp_num_at(prices, "storage_infrequent_access_per_gb_month",
			    NAN),
		hpcp_num_at(prices, "storage_glacier_per_gb_month", NAN),
	};
	long days = (long)hpcp_num_at(inv, "horizon_days", 0);
	cJSON *o = cJSON_AddObjectToObject(cost, "storage_lifecycle");
	const cJSON *obj;
	double base = 0, policy = 0, gb_total = 0;

	if (!o)
		return;
	if (isnan(price[1]) || isnan(price[2])) {
		cJSON_AddNullToObject(o, "savings_usd");
		cJSON_AddStringToObject(o, "reason",
					"the price file has no storage_"
					"infrequent_access_per_gb_month or "
					"storage_glacier_per_gb_month");
		return;
	}
	cJSON_ArrayForEach(obj, hpcp_at(inv, "objects")) {
		double gb = hpcp_num_at(obj, "gb", 0);

		gb_total += gb;
		base += gb * price[0] / 30 * (double)days;
		policy += object_cost(gb, (long)hpcp_num_at(obj, "age_days", 0),
				      days, hpcp_at(inv, "policy"), price);
	}
	add_num(o, "horizon_days", (double)days);
	add_num(o, "gb", gb_total);
	add_num(o, "standard_only_usd", base);
	add_num(o, "with_policy_usd", policy);
	add_num(o, "savings_usd", base - policy);
	add_num(o, "savings_ratio", base > 0 ? (base - policy) / base : NAN);
}

void hpcp_cost_lifecycle_print(const cJSON *cost, FILE *out)
{
	const cJSON *o = hpcp_at(cost, "storage_lifecycle");

	if (!o)
		return;
	if (isnan(hpcp_num_at(o, "savings_usd", NAN)))
		fprintf(out, "  %-26s n/a (%s)\n", "storage lifecycle",
			text_at(o, "reason"));
	else
		fprintf(out, "  %-26s $%.4f saved of $%.4f (%.1f %%) over %.0f "
			"days, %.0f GB\n", "storage lifecycle",
			hpcp_num_at(o, "savings_usd", 0),
			hpcp_num_at(o, "standard_only_usd", 0),
			100 * hpcp_num_at(o, "savings_ratio", 0),
			hpcp_num_at(o, "horizon_days", 0),
			hpcp_num_at(o, "gb", 0));
}
