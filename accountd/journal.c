/* SPDX-License-Identifier: ISC */
/* The apply journal and the live files: see journal.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "journal.h"
#include "journalparse.h"
#include "log.h"
#include "sbuf.h"
#include "textfile.h"
#include "xalloc.h"

#define JOURNAL_VERSION	1

static char *cur_ct, *cur_before, *cur_after;	/* the plan in progress */
static bool settle;	/* the journal holds a plan done (journal_settle) */

/*
 * The text of the live file accountd wrote last (known_ct's; "" for none),
 * so that a run of sets on one container does not read back what it has
 * just written (journal_begin's live_before: 5 system calls a set), and
 * that file kept open (known_fd, -1 for none), so that the next set's
 * write of it needs no open and close (2 more).  Only accountd writes
 * state_dir/live; NULL when not known (a failed write).
 */
static char *known_ct, *known_text;
static int known_fd = -1;

/* fd: the live file's descriptor, kept (-1: none) */
static void
live_known_fd(const char *ct, const char *text, int fd)
{
	if (known_fd >= 0 && known_fd != fd)
		close(known_fd);
	known_fd = fd;
	free(known_ct);
	free(known_text);
	known_ct = ct != NULL && text != NULL ? xstrdup(ct) : NULL;
	known_text = known_ct != NULL ? xstrdup(text) : NULL;
	if (known_ct == NULL && known_fd >= 0) {
		close(known_fd);
		known_fd = -1;
	}
}

static void
live_known(const char *ct, const char *text)
{
	live_known_fd(ct, text, -1);
}

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
 * Neither file needs a rename to be read whole.  The journal is written
 * before the first cgroup write: a journal cut short by a kill means no
 * write was made, and a recovery that cannot parse it rightly rolls
 * nothing back.  A live file is written while the journal still stands:
 * cut short, the recovery puts the old one back whole.  So both are
 * rewritten in place, and the journal, kept open, is emptied rather than
 * removed: a `set` costs no file creation, rename or unlink (0.3 ms each
 * on ext4 here), and a live file is never truncated to zero
 * (overwrite()).  No fsync either: what the journal guards against is
 * accountd dying while the kernel keeps the cgroups, and a process that
 * dies loses nothing it wrote (the page cache is the kernel's); a host
 * that dies takes the cgroups, and so all the journal could roll back,
 * with it.
 */
static int
overwrite(int fd, const char *text, size_t n, off_t size)
{
	/*
	 * The new text over the old, then the length cut to it: never a
	 * truncation to zero, which on ext4 makes the close (or the next
	 * truncation) wait for the blocks of the text before to be written
	 * out (auto_da_alloc): 1 to 2 ms a set here, most of a set's time
	 * in accountd.  Cut short between the two, a live file holds the
	 * new text and the old one's tail: the journal, which still
	 * stands, then puts the old text back whole (the journal itself
	 * is empty before each plan, so it has no tail to leave).
	 */
	struct stat st;

	/* size: the file's length when the caller knows it, or -1 */
	if (size < 0) {
		if (fstat(fd, &st) < 0)
			return -errno;
		size = st.st_size;
	}
	if (pwrite(fd, text, n, 0) != (ssize_t)n)
		return errno ? -errno : -EIO;
	/* (a cut to the same length is no cheaper on ext4: a transaction) */
	return size > (off_t)n && ftruncate(fd, (off_t)n) < 0 ? -errno : 0;
}

/* The descriptor, kept open, or -errno. */
static int
write_in_place(const char *path, const char *text, off_t size)
{
	size_t n = strlen(text);
	int fd, r = 0;

	/* not O_TRUNC: see overwrite() */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return -errno;
	if ((r = overwrite(fd, text, n, size)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int journal_fd = -1;
static off_t journal_len = -1;	/* its length, when known */

/* The journal, opened once and kept. */
static int
journal_open(void)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (journal_fd >= 0)
		return journal_fd;
	path = journal_path();
	journal_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (journal_fd >= 0 && (fstat(journal_fd, &st) < 0 ||
	    !S_ISREG(st.st_mode))) {
		close(journal_fd);
		journal_fd = -1;
		errno = EINVAL;
	}
	journal_len = -1;
	return journal_fd;
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

/* live_after: "" removes the file.  0 or -errno. */
static int
live_write(const char *ct, const char *text)
{
	_cleanup_free_ char *path = live_path(ct);
	_cleanup_free_ char *dir = NULL;
	bool known = known_ct != NULL && strcmp(known_ct, ct) == 0;
	off_t size = known ? (off_t)strlen(known_text) : -1;
	int r;

	if (*text == '\0') {
		if (unlink(path) < 0 && errno != ENOENT) {
			r = -errno;
			log_warn("cannot remove %s: %s", path, strerror(-r));
			live_known(NULL, NULL);
			return r;
		}
		live_known(ct, "");
		return 0;
	}
	/* (a known "" is no file: its length is not known to be 0) */
	if (known && size == 0)
		size = -1;
	if (known && known_fd >= 0 && size > 0 &&
	    overwrite(known_fd, text, strlen(text), size) == 0) {
		live_known_fd(ct, text, known_fd);
		return 0;
	}
	/* state_dir/live is made the first time it is missing */
	if ((r = write_in_place(path, text, size)) == -ENOENT) {
		dir = xasprintf("%s/live", ad->cfg.state_dir);
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			log_warn("cannot make %s: %s", dir, strerror(errno));
		r = write_in_place(path, text, -1);
	}
	if (r < 0) {
		log_warn("cannot write %s: %s (the values not saved will be "
		    "unknown after a restart)", path, strerror(-r));
		live_known(NULL, NULL);
		return r;
	}
	live_known_fd(ct, text, r);
	return 0;
}

void
journal_begin(const char *ct, const char *cgpath, const struct plan *pl,
    const struct journal_undo *undo, const char *live_after)
{
	static bool warned;
	_cleanup_free_ char *path = journal_path();
	_cleanup_free_ char *lp = live_path(ct);
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ struct jrec_op *ops = NULL;
	_cleanup_free_ const char **news = NULL;
	struct sbuf t = SBUF_INIT;
	size_t n = 0;
	int r, fd;

	journal_settle();
	before = known_ct != NULL && strcmp(known_ct, ct) == 0 ?
	    xstrdup(known_text) : read_own(lp);
	ops = xcalloc(pl->nops ? pl->nops : 1, sizeof(*ops));
	news = xcalloc(pl->nops ? pl->nops : 1, sizeof(*news));
	for (size_t i = 0; i < pl->nops; i++) {
		if (!undo[i].needed)
			continue;
		ops[n].ctrl = (int)pl->ops[i].ctrl;
		ops[n].file = pl->ops[i].file;
		ops[n].old = undo[i].value;
		news[n++] = pl->ops[i].value;
	}
	jrec_render(&t, JOURNAL_VERSION, ct, cgpath, ops, news, n,
	    before ? before : "", live_after);
	fd = journal_open();
	r = fd < 0 ? -errno : overwrite(fd, sbuf_str(&t), t.len, journal_len);
	journal_len = r == 0 ? (off_t)t.len : -1;
	sbuf_free(&t);
	/* limits matter more than the record: a full or read-only
	 * state_dir must not stop a change, nor saved settings at start */
	if (r < 0 && !warned)
		log_warn("cannot write the journal %s: %s; changes are made "
		    "without it (a kill during one can leave it half made) "
		    "until it can be written again", path, strerror(-r));
	else if (r == 0 && warned)
		log_info("the journal %s is written again", path);
	warned = r < 0;
	free(cur_ct);
	free(cur_before);
	free(cur_after);
	cur_ct = xstrdup(ct);
	cur_before = xstrdup(before ? before : "");
	cur_after = xstrdup(live_after);
}

bool
journal_live_is(const char *ct, const char *text)
{
	return known_ct != NULL && strcmp(known_ct, ct) == 0 &&
	    strcmp(known_text, text) == 0;
}

void
journal_end(void)
{
	if (journal_fd >= 0 && ftruncate(journal_fd, 0) < 0) {
		log_err("cannot empty the journal: %s", strerror(errno));
		journal_len = -1;
	} else if (journal_fd >= 0) {
		journal_len = 0;
	}
	free(cur_ct);
	free(cur_before);
	free(cur_after);
	cur_ct = cur_before = cur_after = NULL;
	settle = false;
}

/*
 * The live file is written after the plan's last cgroup write: once it
 * holds live_after, and that differs from what it held before, it says
 * by itself that the plan was done (journal_recover), so the journal
 * may be emptied after the reply (journal_settle) rather than before:
 * an ftruncate on ext4 off the time a client waits.  A plan that leaves
 * the live file as it was, or whose live file or journal could not be
 * written, empties the journal at once, as before.
 */
void
journal_commit(void)
{
	int r = cur_ct != NULL ? live_write(cur_ct, cur_after) : -EINVAL;

	if (r == 0 && journal_fd >= 0 && journal_len > 0 &&
	    strcmp(cur_before, cur_after) != 0) {
		free(cur_ct);
		free(cur_before);
		free(cur_after);
		cur_ct = cur_before = cur_after = NULL;
		settle = true;
		return;
	}
	journal_end();
}

void
journal_settle(void)
{
	if (!settle)
		return;
	if (journal_test_delay_us() > 0)	/* (tests: a kill lands here) */
		usleep(journal_test_delay_us());
	journal_end();
}

void
journal_recover(const struct cg_layout *l)
{
	_cleanup_free_ char *path = journal_path();
	_cleanup_free_ char *text = read_own(path);
	struct aerr e = { 0 };
	struct cg_ct cg;
	struct jrec r;
	size_t failed = 0;

	if (text == NULL || *text == '\0')
		return;
	if (jrec_parse(text, CTRL_COUNT, &r) < 0 ||
	    ct_name_check(r.ct, NULL) < 0 || ct_cgpath_check(r.cgpath, NULL) < 0) {
		log_warn("%s: not a journal accountd can read (cut short "
		    "before the first write); nothing rolled back", path);
		goto out;
	}
	/* its live file written after the last cgroup write: done */
	if (r.after != NULL && strcmp(r.before, r.after) != 0) {
		_cleanup_free_ char *lp = live_path(r.ct);
		_cleanup_free_ char *now = read_own(lp);

		if (strcmp(now != NULL ? now : "", r.after) == 0) {
			log_info("%s: the last change was complete when accountd "
			    "stopped (its live file written); nothing rolled "
			    "back", r.ct);
			goto out;
		}
	}
	cg_ct_init(&cg);
	if (cg_ct_open(l, r.cgpath, &cg, &e) <= 0) {
		log_warn("%s: a change was interrupted, but its cgroup %s is "
		    "gone; nothing to roll back", r.ct, r.cgpath);
		live_write(r.ct, "");
		goto out;
	}
	/* newest first, as apply_plan_keep()'s undo: the same valid states */
	for (size_t k = r.nops; k-- > 0;) {
		const struct jrec_op *op = &r.ops[k];
		int dfd = op->ctrl >= 0 ?
		    cg_ct_fd(l, &cg, (enum cg_ctrl)op->ctrl) : -1;
		struct aerr we = { 0 };

		if (op->file == NULL || op->old == NULL || dfd < 0 ||
		    cg_write(dfd, op->file, op->old, &we) < 0) {
			failed++;
			log_err("%s: rollback of %s failed%s%s", r.ct,
			    op->file ? op->file : "?", we.msg[0] ? ": " : "",
			    we.msg);
		}
	}
	cg_ct_close(&cg);
	live_write(r.ct, r.before);
	log_warn("%s: a change was interrupted (accountd stopped during it); "
	    "%zu files rolled back to their old values%s", r.ct,
	    r.nops - failed, failed ? ", some could not be (see above)" : "");
out:
	jrec_free(&r);
	if (truncate(path, 0) < 0 && errno != ENOENT)
		log_err("cannot empty %s: %s", path, strerror(errno));
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

	journal_settle();
	if (known_ct != NULL && strcmp(known_ct, ct) == 0)
		live_known(NULL, NULL);	/* it may be removed below */
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

	journal_settle();
	if (unlink(path) < 0 && errno != ENOENT)
		live_known(NULL, NULL);
	else
		live_known(ct, "");
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
