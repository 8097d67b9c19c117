/* SPDX-License-Identifier: ISC */
/* The apply journal and the live files: see journal.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "journal.h"
#include "log.h"
#include "textfile.h"
#include "xalloc.h"

#define JOURNAL_VERSION	1

static char *cur_ct, *cur_after;	/* the plan in progress */

static char *
journal_path(void)
{
	return xasprintf("%s/journal", ad->cfg.state_dir);
}

static char *
live_path(const char *ct)
{
	return xasprintf("%s/live/%s", ad->cfg.state_dir, ct);
}

/*
 * Write path whole: a new file next to it, renamed over it, so a reader
 * (the recovery) sees the old text or the new, never a part.  A kill -9
 * loses nothing written (the page cache is the kernel's); sync adds an
 * fsync for the journal, so a record is on disk before the first write
 * it guards.
 */
static int
write_whole(const char *path, const char *text, bool sync)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	size_t n = strlen(text);
	int fd, r = 0;

	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n || (sync && fsync(fd) < 0))
		r = errno ? -errno : -EIO;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

/* The text of a file of accountd's own, or NULL when there is none. */
static char *
read_own(const char *path)
{
	char *text = NULL;
	struct aerr e = { 0 };

	if (textfile_read(path, 1024 * 1024, false, &text, &e) < 0) {
		if (e.errnum != ENOENT)
			log_warn("%s", e.msg);
		return NULL;
	}
	return text;
}

/* live_after: "" removes the file. */
static void
live_write(const char *ct, const char *text)
{
	_cleanup_free_ char *path = live_path(ct);
	_cleanup_free_ char *dir = xasprintf("%s/live", ad->cfg.state_dir);
	int r;

	if (*text == '\0') {
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("cannot remove %s: %s", path, strerror(errno));
		return;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		log_warn("cannot make %s: %s", dir, strerror(errno));
	if ((r = write_whole(path, text, false)) < 0)
		log_warn("cannot write %s: %s (the values not saved will be "
		    "unknown after a restart)", path, strerror(-r));
}

int
journal_begin(const char *ct, const char *cgpath, const struct plan *pl,
    const struct journal_undo *undo, const char *live_after, struct aerr *err)
{
	_cleanup_free_ char *path = journal_path();
	_cleanup_free_ char *lp = live_path(ct);
	_cleanup_free_ char *before = read_own(lp);
	struct json_object *j = json_object_new_object();
	struct json_object *ops = json_object_new_array();
	int r;

	json_object_object_add(j, "version", json_object_new_int(JOURNAL_VERSION));
	json_object_object_add(j, "ct", json_object_new_string(ct));
	json_object_object_add(j, "cgroup", json_object_new_string(cgpath));
	for (size_t i = 0; i < pl->nops; i++) {
		struct json_object *o;

		if (!undo[i].needed)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "ctrl",
		    json_object_new_int((int)pl->ops[i].ctrl));
		json_object_object_add(o, "file",
		    json_object_new_string(pl->ops[i].file));
		json_object_object_add(o, "old",
		    json_object_new_string(undo[i].value));
		json_object_object_add(o, "new",
		    json_object_new_string(pl->ops[i].value));
		json_object_array_add(ops, o);
	}
	json_object_object_add(j, "ops", ops);
	json_object_object_add(j, "live_before",
	    json_object_new_string(before ? before : ""));
	json_object_object_add(j, "live_after",
	    json_object_new_string(live_after));
	r = write_whole(path, json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN), true);
	json_object_put(j);
	if (r < 0)
		return aerr_set(err, -r, "cannot write the journal %s: %s "
		    "(nothing changed)", path, strerror(-r));
	free(cur_ct);
	free(cur_after);
	cur_ct = xstrdup(ct);
	cur_after = xstrdup(live_after);
	return 0;
}

void
journal_end(void)
{
	_cleanup_free_ char *path = journal_path();

	if (unlink(path) < 0 && errno != ENOENT)
		log_err("cannot remove %s: %s", path, strerror(errno));
	free(cur_ct);
	free(cur_after);
	cur_ct = cur_after = NULL;
}

void
journal_commit(void)
{
	if (cur_ct != NULL)
		live_write(cur_ct, cur_after);
	journal_end();
}

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void
journal_recover(const struct cg_layout *l)
{
	_cleanup_free_ char *path = journal_path();
	_cleanup_free_ char *text = read_own(path);
	struct json_object *j, *ops = NULL, *v;
	const char *ct, *cgpath, *before;
	struct aerr e = { 0 };
	struct cg_ct cg;
	size_t n, failed = 0;

	if (text == NULL)
		return;
	j = json_tokener_parse(text);
	ct = j ? jstr(j, "ct") : NULL;
	cgpath = j ? jstr(j, "cgroup") : NULL;
	before = j ? jstr(j, "live_before") : NULL;
	if (ct == NULL || cgpath == NULL || before == NULL ||
	    ct_name_check(ct, NULL) < 0 || ct_cgpath_check(cgpath, NULL) < 0 ||
	    !json_object_object_get_ex(j, "ops", &ops) ||
	    !json_object_is_type(ops, json_type_array)) {
		log_err("%s: not a journal accountd can read; removed, nothing "
		    "rolled back", path);
		goto out;
	}
	n = json_object_array_length(ops);
	cg_ct_init(&cg);
	if (cg_ct_open(l, cgpath, &cg, &e) <= 0) {
		log_warn("%s: a change was interrupted, but its cgroup %s is "
		    "gone; nothing to roll back", ct, cgpath);
		live_write(ct, "");
		goto out;
	}
	/* newest first, as apply_plan's undo: the same valid states */
	for (size_t k = n; k-- > 0;) {
		struct json_object *o = json_object_array_get_idx(ops, k);
		const char *file = jstr(o, "file"), *old = jstr(o, "old");
		int ctrl = json_object_object_get_ex(o, "ctrl", &v) ?
		    json_object_get_int(v) : -1;
		int dfd = ctrl >= 0 && ctrl < CTRL_COUNT ?
		    cg_ct_fd(l, &cg, (enum cg_ctrl)ctrl) : -1;
		struct aerr we = { 0 };

		if (file == NULL || old == NULL || dfd < 0 ||
		    strchr(file, '/') != NULL ||
		    cg_write(dfd, file, old, &we) < 0) {
			failed++;
			log_err("%s: rollback of %s failed%s%s", ct,
			    file ? file : "?", we.msg[0] ? ": " : "", we.msg);
		}
	}
	cg_ct_close(&cg);
	live_write(ct, before);
	log_warn("%s: a change was interrupted (accountd stopped during it); "
	    "%zu files rolled back to their old values%s", ct, n - failed,
	    failed ? ", some could not be (see above)" : "");
out:
	if (j != NULL)
		json_object_put(j);
	if (unlink(path) < 0 && errno != ENOENT)
		log_err("cannot remove %s: %s", path, strerror(errno));
}

char *
live_render(const struct ct_params *live, const struct ct_params *saved,
    uint64_t gen)
{
	struct ctconf a, b;
	char *ta, *tb, g[32];
	bool same;

	(void)ctconf_parse("live", "", &a, NULL, NULL);
	(void)ctconf_parse("saved", "", &b, NULL, NULL);
	ctconf_update(&a, live);
	ctconf_update(&b, saved);
	ta = ctconf_render(&a);
	tb = ctconf_render(&b);
	same = strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	ctconf_free(&b);
	if (same) {
		ctconf_free(&a);
		return xstrdup("");
	}
	snprintf(g, sizeof(g), "%llu", (unsigned long long)gen);
	ctconf_set_raw(&a, "ACCT_CGROUP_GEN", g);
	ta = ctconf_render(&a);
	ctconf_free(&a);
	return ta;
}

int
live_load(const char *ct, uint64_t gen, struct ct_params *out)
{
	_cleanup_free_ char *path = live_path(ct);
	_cleanup_free_ char *text = read_own(path);
	struct aerr e = { 0 };
	struct ctconf cf;
	char g[32], want[32];
	const char *have;

	if (text == NULL)
		return -ENOENT;
	if (ctconf_parse(path, text, &cf, NULL, &e) < 0) {
		log_warn("%s (removed)", e.msg);
		(void)unlink(path);
		return -ENOENT;
	}
	snprintf(want, sizeof(want), "%llu", (unsigned long long)gen);
	have = ctconf_get_raw(&cf, "ACCT_CGROUP_GEN", g, sizeof(g));
	if (have == NULL || strcmp(have, want) != 0) {
		/* the container was restarted while accountd was not
		 * running: what was not saved ended with it */
		ctconf_free(&cf);
		(void)unlink(path);
		return -ENOENT;
	}
	*out = cf.params;
	ctconf_free(&cf);
	return 0;
}

void
live_forget(const char *ct)
{
	_cleanup_free_ char *path = live_path(ct);

	(void)unlink(path);
}

unsigned
journal_test_delay_us(void)
{
	static int ms = -1;

	if (ms < 0) {
		const char *s = getenv("ACCOUNTD_TEST_APPLY_DELAY_MS");

		ms = s != NULL ? atoi(s) : 0;
		if (ms < 0 || ms > 60000)
			ms = 0;
	}
	return (unsigned)ms * 1000u;
}
