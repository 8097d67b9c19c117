/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of accountd-hook's parsers (hook/hookparse.c): the OCI state
 * (name, pid, stage, annotations checked with the parameter parser) and
 * the choice of the cgroup in /proc/PID/cgroup on v1, hybrid and v2.
 */
#include "config.h"

#include <stdlib.h>

#include "hookparse.h"
#include "xalloc.h"
#include "../tap.h"

static void
test_state(void)
{
	struct hook_state st;
	struct aerr err = { 0 };
	const char *ps;

	ok(hook_oci_parse("{\"ociVersion\":\"1.0.2\",\"id\":\"web1\","
	    "\"status\":\"creating\",\"pid\":4242,\"bundle\":\"/b\"}", true,
	    &st, &err) == 0, "a plain state is accepted");
	is_str(st.name, "web1", "the name is the id");
	is_u64((uint64_t)st.pid, 4242, "the pid");
	ok(!st.stopped, "creating is a start");
	hook_state_free(&st);

	ok(hook_oci_parse("{\"id\":\"0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\",\"status\":\"stopped\"}",
	    true, &st, &err) == 0, "a 64-digit id is accepted");
	is_str(st.name, "0123456789ab", "it becomes its first 12 digits");
	ok(st.stopped && st.pid == 0, "stopped, no pid: the end");
	hook_state_free(&st);

	ok(hook_oci_parse("{\"id\":\"x\",\"pid\":7,\"annotations\":{"
	    "\"org.openvz.accountd.ct\":\"101\","
	    "\"org.openvz.accountd.numproc\":\"50\","
	    "\"org.openvz.accountd.ram\":\"1G\","
	    "\"io.other.key\":\"whatever\"}}", true, &st, &err) == 0,
	    "annotations are accepted");
	is_str(st.name, "101", "the ct annotation names the container");
	ps = json_object_to_json_string_ext(st.params, JSON_C_TO_STRING_PLAIN);
	is_str(ps, "{\"numproc\":\"50\",\"ram\":\"1G\"}", "the limits, and "
	    "only ours");
	hook_state_free(&st);

	ok(hook_oci_parse("{\"id\":\"x\",\"pid\":7,\"annotations\":{"
	    "\"org.openvz.accountd.ram\":\"banana\"}}", true, &st, &err) < 0 &&
	    strstr(err.msg, "annotation org.openvz.accountd.ram: bad value "
	    "for --ram: 'banana'") != NULL, "a bad value names the annotation: "
	    "%s", err.msg);
	hook_state_free(&st);
	ok(hook_oci_parse("{\"id\":\"x\",\"annotations\":{"
	    "\"org.openvz.accountd.ram\":\"banana\"}}", false, &st, &err) == 0,
	    "the end does not look at the limits");
	hook_state_free(&st);
	ok(hook_oci_parse("{\"id\":\"x\",\"annotations\":{"
	    "\"org.openvz.accountd.rem\":\"1G\"}}", true, &st, &err) < 0 &&
	    strstr(err.msg, "unknown parameter 'rem'") != NULL,
	    "an unknown parameter is refused: %s", err.msg);
	hook_state_free(&st);
	ok(hook_oci_parse("{\"id\":\"x\",\"annotations\":{"
	    "\"org.openvz.accountd.ram\":5}}", true, &st, &err) < 0 &&
	    strstr(err.msg, "not a string") != NULL,
	    "a value that is not a string is refused: %s", err.msg);
	hook_state_free(&st);
	ok(hook_oci_parse("[1,2]", true, &st, &err) < 0 &&
	    strstr(err.msg, "not an OCI state") != NULL, "not an object");
	hook_state_free(&st);
	ok(hook_oci_parse("{\"pid\":1}", true, &st, &err) < 0 &&
	    strstr(err.msg, "no \"id\"") != NULL, "no id");
	hook_state_free(&st);
	ok(hook_oci_parse("{\"id\":\"x\",\"pid\":-5}", true, &st, &err) == 0 &&
	    st.pid == 0, "a negative pid is none");
	hook_state_free(&st);
}

static void
pick(const char *text, const char *want, const char *name)
{
	struct aerr err = { 0 };
	_cleanup_free_ char *got = hook_cgroup_pick(text, &err);

	if (want == NULL)
		ok(got == NULL && err.msg[0] != '\0', "%s: refused (%s)", name,
		    err.msg);
	else
		is_str(got, want, name);
}

static void
test_cgroup(void)
{
	pick("0::/acctd/web1\n", "/acctd/web1", "v2: the 0:: line");
	pick("0::/acctd/web1", "/acctd/web1", "v2 without a newline");
	pick("12:pids:/p/a\n4:memory:/m/a\n1:cpu,cpuacct:/c/a\n0::/\n",
	    "/m/a", "v1: memory's path first");
	pick("12:pids:/p/a\n1:cpu,cpuacct:/c/a\n0::/u/a\n", "/p/a",
	    "v1 without memory: pids'");
	pick("3:cpuacct,cpu:/c/a\n0::/\n", "/c/a",
	    "cpu in a joined hierarchy");
	pick("9:name=systemd:/s\n4:memory:/\n0::/h/a\n", "/h/a",
	    "hybrid: memory at the root, v2 line used");
	pick("4:memory:/\n0::/\n", NULL, "everything at the root");
	pick("", NULL, "empty");
	pick("garbage\n::\n1:memory\n", NULL, "garbage");
}

int
main(void)
{
	test_state();
	test_cgroup();
	return done_testing();
}
