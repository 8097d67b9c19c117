/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: what accountd-hook reads from a container runtime
 * (hook/hookparse.c): the input is taken both as an OCI state on stdin
 * and as the text of /proc/PID/cgroup.
 *
 * Properties: an accepted state has a name of 1 to 64 characters, a pid
 * that is 0 or a plausible process id, and limits whose values parse
 * again; a refusal has a message; a cgroup picked is an absolute path
 * other than the root, and a refusal says why.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "hookparse.h"
#include "params.h"

const char fuzz_target[] = "hook";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hook_state st;
	struct aerr err = { 0 };
	char *text, *cg;

	if (size > 65536)
		return 0;
	text = fuzz_strndup(data, size);
	if (hook_oci_parse(text, true, &st, &err) == 0) {
		size_t n = strlen(st.name);

		FUZZ_CHECK(n >= 1 && n <= HOOK_NAME_MAX, "name length %zu", n);
		FUZZ_CHECK(st.pid >= 0 && st.pid <= 0x3fffffff, "pid %ld",
		    st.pid);
		json_object_object_foreach(st.params, k, v) {
			struct ct_params p;
			struct aerr e = { 0 };

			memset(&p, 0, sizeof(p));
			FUZZ_CHECK(param_by_name(k) != NULL &&
			    param_parse(param_by_name(k),
			    json_object_get_string(v), &p, &e) == 0,
			    "limit %s does not parse again", k);
		}
	} else {
		FUZZ_CHECK(err.msg[0] != '\0', "a refusal without a message");
	}
	hook_state_free(&st);
	memset(&err, 0, sizeof(err));
	if ((cg = hook_cgroup_pick(text, &err)) != NULL)
		FUZZ_CHECK(cg[0] == '/' && strcmp(cg, "/") != 0,
		    "picked '%s'", cg);
	else
		FUZZ_CHECK(err.msg[0] != '\0', "no cgroup, no message");
	free(cg);
	free(text);
	return 0;
}
