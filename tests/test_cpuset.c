/* CPU set lists and the oversubscription check. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hpcp/cpuset.h"
#include "tap.h"

static struct hpcp_cpuset set_of(const char *list)
{
	struct hpcp_cpuset s;

	hpcp_cpuset_parse(list, &s);
	return s;
}

static void lists(void)
{
	struct hpcp_cpuset s;
	char buf[64];

	tap_ok(hpcp_cpuset_parse("0-3,8,10-11", &s) == 0 &&
	       hpcp_cpuset_count(&s) == 7 && hpcp_cpuset_isset(&s, 8) &&
	       !hpcp_cpuset_isset(&s, 9), "0-3,8,10-11 has 7 CPUs");
	hpcp_cpuset_format(&s, buf, sizeof(buf));
	tap_is_str(buf, "0-3,8,10-11", "list formats back the same");
	tap_ok(hpcp_cpuset_parse("", &s) == 0 && hpcp_cpuset_count(&s) == 0,
	       "empty list is the empty set");
	tap_ok(hpcp_cpuset_parse("3-1", &s) == -EINVAL, "reversed range refused");
	tap_ok(hpcp_cpuset_parse("1,,2", &s) == -EINVAL, "empty item refused");
	tap_ok(hpcp_cpuset_parse("a", &s) == -EINVAL, "letters refused");
	tap_ok(hpcp_cpuset_parse("999999", &s) == -EINVAL,
	       "CPU beyond the bitmap refused");
	s = set_of("0-99");
	hpcp_cpuset_format(&s, buf, 4);
	tap_is_str(buf, "...", "a list that does not fit says so");
	tap_ok(hpcp_cpuset_self(&s) == 0 && hpcp_cpuset_count(&s) >= 1,
	       "own binding has at least one CPU");
}

static void binding(void)
{
	struct hpcp_cpuset host = set_of("0-1");
	struct hpcp_cpuset ranks[4];
	int ids[4] = { 0, 1, 2, 3 };
	struct hpcp_binding_verdict v;

	ranks[0] = set_of("0");
	ranks[1] = set_of("1");
	hpcp_binding_check(&host, ranks, ids, 2, &v);
	tap_ok(!hpcp_binding_oversubscribed(&v) && v.usable_pus == 2 &&
	       v.unbound == 0, "2 ranks bound to 2 distinct PUs: fine");

	for (int i = 0; i < 4; i++)
		ranks[i] = set_of("0-1");
	hpcp_binding_check(&host, ranks, ids, 4, &v);
	tap_ok(v.more_ranks_than_pus && !v.shared_pu && v.unbound == 4,
	       "4 unbound ranks on 2 PUs: more ranks than PUs");

	ranks[0] = set_of("0-1");
	ranks[1] = set_of("1-2");
	host = set_of("0-3");
	hpcp_binding_check(&host, ranks, ids, 2, &v);
	tap_ok(v.shared_pu && v.shared_a == 0 && v.shared_b == 1 &&
	       !v.more_ranks_than_pus,
	       "two ranks bound to overlapping PUs: shared PU, ranks named");

	ranks[0] = set_of("0");
	ranks[1] = set_of("0");
	hpcp_binding_check(&host, ranks, ids, 2, &v);
	tap_ok(v.shared_pu && v.more_ranks_than_pus,
	       "two ranks bound to one PU: shared and more ranks than PUs");

	ranks[0] = set_of("0-3");
	ranks[1] = set_of("0-3");
	hpcp_binding_check(&host, ranks, ids, 2, &v);
	tap_ok(!hpcp_binding_oversubscribed(&v) && v.unbound == 2,
	       "2 unbound ranks on 4 PUs: fine");

	ranks[0] = set_of("0-1");
	ranks[1] = set_of("0-1");
	ranks[2] = set_of("0-1");
	hpcp_binding_check(&host, ranks, ids, 3, &v);
	tap_ok(v.more_ranks_than_pus && v.usable_pus == 2,
	       "3 ranks confined to 2 of 4 PUs: more ranks than usable PUs");
}

int main(void)
{
	lists();
	binding();
	return tap_done();
}
