/* SPDX-License-Identifier: ISC */
/*
 * accountd-ledger: the billing ledger's writer (accountd-ledger(8)).
 *
 * Runs unprivileged (accountd starts it as ledger_user when ledger =
 * yes), reads the snapshot accountd publishes after every sampling round
 * (lib/snapview.c: a look at the header every 250 ms, a copy only of a
 * new round), folds each round into per-container records in memory
 * (accum.c), and
 * at every interval boundary (ledger_interval, aligned to UTC) writes
 * them in one transaction with the counters they were computed from
 * (store.c).  It never talks to accountd and never blocks it.
 *
 * Failures to write (full disk, read-only file or folder) are logged,
 * shown in the status file (-S), and retried every RETRY_S seconds; the
 * usage meanwhile keeps accumulating in memory and is written as one
 * longer record when the store takes writes again.  SIGTERM writes the
 * interval in progress and exits.
 *
 * With a replica (-R, docs/fleet.md), each loop also copies a batch of
 * the records queued in the file to PostgreSQL (replica.c), after the
 * local commit and never before it; a database that is down or refuses
 * writes is logged, shown in the status file and tried again every
 * RETRY_S seconds, the queue waiting in the file meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "log.h"
#include "snapview.h"
#include "xalloc.h"

#define RETRY_S		10
#define RELOG_S		600

static volatile sig_atomic_t stop;

static struct lg_ct *cts;
static size_t ncts, capcts;
static uint32_t *slots;			/* hash of names -> index + 1 */
static size_t nslots;

static struct lg_store *store;
static uint64_t born_ms;		/* when the ledger file was made */
static const char *ledger_path, *status_path;
static unsigned interval_s = 3600, compact_days = 62, retention_days = 0;

/* status, as shown in the status file */
static bool failing;
static time_t state_since, last_commit, last_log;
static char last_error[256];

/* the replica on PostgreSQL (-R), its state as shown in the status file */
static struct lg_replica *replica;
static const char *replica_uri;
static bool replica_failing;
static time_t replica_since, replica_last, replica_next;
static int64_t replica_pending;
static char replica_error[256];
#define REPLICA_BATCH	500

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: accountd-ledger [-dv] -s snapshot -f ledger "
	    "[-i seconds] [-c days] [-r days] [-S status]\n"
	    "	[-R postgresql://... [-H host-id] [-P password-file]]\n"
	    "       accountd-ledger --init-replica -R postgresql://... "
	    "[-P password-file] [-w writer-role] [-g reader-role]\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
rehash(void)
{
	free(slots);
	nslots = 64;
	while (nslots < ncts * 2 + 1)
		nslots *= 2;
	slots = xcalloc(nslots, sizeof(*slots));
	for (size_t i = 0; i < ncts; i++) {
		size_t j = hash(cts[i].name) & (nslots - 1);

		while (slots[j] != 0)
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)i + 1;
	}
}

static struct lg_ct *
find(const char *name)
{
	if (nslots == 0)
		return NULL;
	for (size_t j = hash(name) & (nslots - 1); slots[j] != 0;
	    j = (j + 1) & (nslots - 1))
		if (strcmp(cts[slots[j] - 1].name, name) == 0)
			return &cts[slots[j] - 1];
	return NULL;
}

static struct lg_ct *
add(const char *name, int64_t start)
{
	struct lg_ct *ct;
	struct aerr err = { 0 };

	if (ncts == capcts) {
		capcts = capcts ? capcts * 2 : 256;
		cts = xreallocarray(cts, capcts, sizeof(*cts));
	}
	ct = &cts[ncts++];
	memset(ct, 0, sizeof(*ct));
	snprintf(ct->name, sizeof(ct->name), "%s", name);
	ct->not_before_ms = born_ms;
	lg_reset_usage(&ct->cur, start);
	if (store_lastseen(store, ct->name, &ct->last, &err) > 0)
		ct->have_last = true;
	else if (err.errnum != 0)
		log_warn("%s", err.msg);
	if (ncts * 2 >= nslots)
		rehash();
	else {
		size_t j = hash(ct->name) & (nslots - 1);

		while (slots[j] != 0)
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)ncts;
	}
	return ct;
}

static void
iso(time_t t, char *buf, size_t len)
{
	if (t == 0)
		snprintf(buf, len, "-");
	else
		format_utc((int64_t)t, buf, len);
}

/*
 * The status file is rewritten in place at a fixed size, so that it can
 * still be updated when the disk it is on is full.
 */
static void
write_status(void)
{
	char buf[1024], a[32], b[32], c[32], d[32], e[32];
	int fd, n;

	if (status_path == NULL)
		return;
	iso(state_since, a, sizeof(a));
	iso(last_commit, b, sizeof(b));
	iso(ncts ? (time_t)cts[0].cur.start : 0, c, sizeof(c));
	n = snprintf(buf, sizeof(buf), "state=%s\nsince=%s\nlast_commit=%s\n"
	    "pending_since=%s\ncontainers=%zu\nledger=%s\nerror=%s\n",
	    failing ? "error" : "ok", a, b, c, ncts, ledger_path,
	    failing ? last_error : "");
	iso(replica_since, d, sizeof(d));
	iso(replica_last, e, sizeof(e));
	if (replica_uri != NULL && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "replica=%s\n"
		    "replica_since=%s\nreplica_last=%s\nreplica_pending=%lld\n"
		    "replica_error=%s\n", replica_failing ? "error" : "ok", d, e,
		    (long long)replica_pending, replica_failing ?
		    replica_error : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	memset(buf + n, ' ', sizeof(buf) - (size_t)n - 1);
	buf[sizeof(buf) - 1] = '\n';
	if ((fd = open(status_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return;
	if (pwrite(fd, buf, sizeof(buf), 0) < 0)
		log_debug("%s: %s", status_path, strerror(errno));
	close(fd);
}

/* every RETRY_S seconds, or every interval when that is shorter */
static unsigned
retry_s(void)
{
	return interval_s < RETRY_S ? interval_s : RETRY_S;
}

static void
set_failing(const char *what, const struct aerr *err)
{
	time_t now = time(NULL);

	snprintf(last_error, sizeof(last_error), "%s: %s", what, err->msg);
	if (!failing) {
		failing = true;
		state_since = now;
		last_log = now;
		log_err("%s; usage is kept in memory, trying again every %u s",
		    last_error, retry_s());
	} else if (now - last_log >= RELOG_S) {
		last_log = now;
		log_err("%s (failing since %lld s)", last_error,
		    (long long)(now - state_since));
	}
	write_status();
}

static void
set_ok(void)
{
	time_t now = time(NULL);

	if (failing)
		log_info("ledger %s written again after %lld s", ledger_path,
		    (long long)(now - state_since));
	if (failing || state_since == 0)
		state_since = now;
	failing = false;
	last_error[0] = '\0';
}

static int
open_store(void)
{
	struct aerr err = { 0 };

	if (store != NULL)
		return 0;
	if ((store = store_open(ledger_path, true, &err)) == NULL) {
		set_failing("cannot open the ledger", &err);
		return -1;
	}
	{
		char created[64];
		int64_t t;

		if (store_meta_get(store, "created", created,
		    sizeof(created)) == 0 && parse_utc(created, &t) == 0)
			born_ms = (uint64_t)t * 1000;
	}
	log_info("ledger %s open, interval %u s", ledger_path, interval_s);
	return 0;
}

/* Write what was folded up to `end`; on success start the next records. */
static int
commit(int64_t end)
{
	struct aerr err = { 0 };
	size_t out = 0;

	if (open_store() < 0)
		return -1;
	if (store_commit(store, cts, ncts, end, &err) < 0) {
		set_failing("cannot write the ledger", &err);
		/* opened afresh at the next try: a file that became writable
		 * again (remounted, chmod) is only seen by a new open */
		if (err.errnum != EBUSY) {
			store_close(store);
			store = NULL;
		}
		return -1;
	}
	last_commit = time(NULL);
	set_ok();
	/* containers gone for a whole interval are forgotten (their
	 * last-seen counters stay in the file) */
	for (size_t i = 0; i < ncts; i++) {
		if (!cts[i].dirty && !cts[i].seen)
			continue;
		cts[out] = cts[i];
		cts[out].dirty = false;
		lg_reset_usage(&cts[out].cur, end);
		out++;
	}
	if (out != ncts) {
		ncts = out;
		rehash();
	}
	if (store_maintain(store, end, compact_days, retention_days, &err) < 0)
		log_warn("ledger maintenance: %s", err.msg);
	write_status();
	return 0;
}

/* rounds of the current accountd run (its started_ms) this writer saw */
static uint64_t run_started_ms, run_rounds;

static void
fold_round(const struct snap_header *h, const struct snap_ct *s, size_t n)
{
	int64_t now = (int64_t)(h->time_ms / 1000);

	if (h->started_ms != run_started_ms) {
		run_started_ms = h->started_ms;
		run_rounds = 0;
	}

	for (size_t i = 0; i < ncts; i++)
		cts[i].seen = false;
	/* departed containers first: their end comes before a new
	 * incarnation of the same name (accum.c) */
	for (size_t k = 0; k < 2 * n; k++) {
		size_t i = k % n;
		bool gone = (s[i].flags & SNAP_GONE) != 0;
		char name[sizeof(s[i].name) + 1];
		struct lg_ct *ct;
		bool fresh;

		memcpy(name, s[i].name, sizeof(s[i].name));
		name[sizeof(s[i].name)] = '\0';
		if (*name == '\0' || gone != (k < n) || (!gone && !s[i].running))
			continue;
		/* new to this writer after it saw a round of this run
		 * without it: it started under its eyes */
		fresh = false;
		if ((ct = find(name)) == NULL) {
			ct = add(name, now);
			fresh = run_rounds > 0;
		}
		ct->seen = true;
		lg_fold(ct, h, &s[i], fresh);
	}
	run_rounds++;
}

/*
 * One batch of the queue to the replica, when it is due: after a
 * failure every retry_s() seconds, when idle every second, while there
 * is a backlog at every loop (a batch at a time, so that the rounds keep
 * being folded during a catch-up).  True: there is more to copy now.
 */
static bool
replicate(time_t now)
{
	struct aerr err = { 0 };
	int n;

	if (replica == NULL || store == NULL || now < replica_next)
		return false;
	if ((n = store_replica_enable(store, &err)) == 0)
		n = replica_step(replica, store, REPLICA_BATCH, &err);
	replica_pending = store_replica_pending(store);
	if (n < 0) {
		replica_next = now + retry_s();
		snprintf(replica_error, sizeof(replica_error), "%s", err.msg);
		if (!replica_failing) {
			replica_failing = true;
			replica_since = now;
			log_err("%s; the records wait in the ledger "
			    "(%lld queued), trying again every %u s",
			    err.msg, (long long)replica_pending, retry_s());
		}
		write_status();
		return false;
	}
	if (replica_failing) {
		log_info("replica written again after %lld s",
		    (long long)(now - replica_since));
		replica_failing = false;
		replica_since = now;
	}
	if (replica_since == 0)
		replica_since = now;
	replica_next = n > 0 ? now : now + 1;
	if (n > 0) {
		replica_last = now;
		write_status();
	}
	return n > 0 && replica_pending > 0;
}

static int64_t
next_boundary(int64_t t)
{
	return (t / interval_s + 1) * interval_s;
}

static unsigned
parse_uint(const char *s, unsigned lo, unsigned hi, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || end == s || v < lo || v > hi) {
		fprintf(stderr, "accountd-ledger: bad %s '%s' (accepted: %u to "
		    "%u)\n", what, s, lo, hi);
		exit(2);
	}
	return (unsigned)v;
}

int
main(int argc, char **argv)
{
	const char *snap_path = NULL;
	struct sfollow follow;
	struct sview view = { .n = 0 };
	struct sigaction sa;
	bool foreground = false, verbose = false, init_replica = false;
	const char *host_id = NULL, *password_file = NULL, *writer_role = NULL,
	    *reader_role = NULL;
	static const struct option longopts[] = {
		{ "init-replica", no_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 }
	};
	int64_t boundary;
	time_t next_try = 0;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:df:g:H:i:IP:r:R:s:S:vw:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			reader_role = optarg;
			break;
		case 'H':
			host_id = optarg;
			break;
		case 'I':
			init_replica = true;
			break;
		case 'P':
			password_file = optarg;
			break;
		case 'R':
			replica_uri = optarg;
			break;
		case 'w':
			writer_role = optarg;
			break;
		case 'c':
			compact_days = parse_uint(optarg, 0, 36500,
			    "compaction age (-c days)");
			break;
		case 'd':
			foreground = true;
			break;
		case 'f':
			ledger_path = optarg;
			break;
		case 'i':
			interval_s = parse_uint(optarg, 1, 86400,
			    "interval (-i seconds)");
			break;
		case 'r':
			retention_days = parse_uint(optarg, 0, 36500,
			    "retention (-r days)");
			break;
		case 's':
			snap_path = optarg;
			break;
		case 'S':
			status_path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (init_replica || replica_uri != NULL) {
#ifdef HAVE_LIBPQ
		struct aerr err = { 0 };

		if (init_replica && (optind != argc || replica_uri == NULL))
			usage();
		if (init_replica) {
			if (replica_init(replica_uri, password_file, writer_role,
			    reader_role, &err) < 0) {
				fprintf(stderr, "accountd-ledger: %s\n", err.msg);
				return 1;
			}
			printf("replica schema ready on %s\n", replica_uri);
			return 0;
		}
		if ((replica = replica_new(replica_uri, host_id, password_file,
		    &err)) == NULL) {
			fprintf(stderr, "accountd-ledger: %s\n", err.msg);
			exit(2);
		}
#else
		(void)host_id;
		(void)password_file;
		(void)writer_role;
		(void)reader_role;
		fprintf(stderr, "accountd-ledger: built without PostgreSQL "
		    "(configure --without-postgresql): no ledger replica\n");
		exit(2);
#endif
	}
	if (optind != argc || snap_path == NULL || ledger_path == NULL)
		usage();
	log_init("accountd-ledger", !foreground, verbose ? LOG_LVL_DEBUG :
	    LOG_LVL_INFO);
	umask(022);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfollow_init(&follow, snap_path);
	follow.keep_gone = true;	/* the ends of departed containers */
	state_since = time(NULL);
	write_status();
	boundary = next_boundary((int64_t)time(NULL));

	while (!stop) {
		struct aerr err = { 0 };
		struct timespec ts = { 0, 250 * 1000000L };
		time_t now = time(NULL);

		/* nothing is folded until the last-seen counters can be read */
		if (store == NULL && now >= next_try && open_store() < 0)
			next_try = now + retry_s();
		/* a look at the header; a copy only of a new round */
		if (store != NULL && sfollow_update(&follow, &view, NULL,
		    &err) == 1)
			fold_round(&view.h, view.cts, view.n);
		now = time(NULL);
		if (now >= boundary && now >= next_try) {
			/* on time: the record ends at the boundary; after a
			 * failure, when it is written at last */
			int64_t end = failing ? (int64_t)now : boundary;

			if (commit(end) == 0)
				boundary = next_boundary((int64_t)now);
			else
				next_try = now + retry_s();
		}
		/* a backlog goes without the pause between looks */
		if (!replicate(now))
			nanosleep(&ts, NULL);
	}
	if (commit((int64_t)time(NULL)) < 0)
		log_err("stopping with the interval in progress unwritten");
	/* the last records to the replica too, for about a second (accountd
	 * kills a child still there after 2 s, which loses nothing: the
	 * local commit is done, and a copy cut short is sent again); what
	 * is left waits in the file for the next start */
	if (replica != NULL && store != NULL) {
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			replica_next = 0;
			if (!replicate(time(NULL)))
				break;
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	}
	log_info("stopped");
#ifdef HAVE_LIBPQ
	replica_free(replica);
#endif
	store_close(store);
	sview_free(&view);
	sfollow_close(&follow);
	return 0;
}
