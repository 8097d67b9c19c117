/* SPDX-License-Identifier: ISC */
/*
 * Creates' cgroups and settings files made, and destroys' removed, by a
 * worker thread: see saver.h.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "log.h"
#include "saver.h"
#include "xalloc.h"

/* fsync of the folder holding PATH */
static int
sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t n;
	int fd, r = 0;

	if (slash == NULL)
		n = 1, dir[0] = '.';
	else if ((n = (size_t)(slash - path)) == 0)
		n = 1, dir[0] = '/';
	else if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	else
		memcpy(dir, path, n);
	dir[n] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int
conf_write_tmp(const char *target, const char *tmp, const char *text,
    bool *kept)
{
	size_t n = strlen(text);
	struct stat st;
	bool had = lstat(target, &st) == 0 && S_ISREG(st.st_mode);
	ssize_t w;
	int fd, r = 0;

	*kept = true;
	/* a new file is 0644; a rewritten one keeps its mode and owner (a
	 * 0600 CTID.conf stays private) */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    had ? st.st_mode & 0600 : 0644);
	if (fd < 0)
		return -errno;
	if (had && (fchown(fd, st.st_uid, st.st_gid) < 0 ||
	    fchmod(fd, st.st_mode & 07777) < 0))
		*kept = false;
	if ((w = write(fd, text, n)) != (ssize_t)n)
		r = w < 0 ? -errno : -EIO;
	else if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int
conf_write_file(const char *target, const char *tmp, const char *text,
    bool *kept, int *dir_err)
{
	int r;

	*dir_err = 0;
	if ((r = conf_write_tmp(target, tmp, text, kept)) < 0)
		return r;
	if (rename(tmp, target) < 0) {
		r = -errno;
		(void)unlink(tmp);
		return r;
	}
	*dir_err = sync_folder(target);
	return 0;
}

struct save_job {
	save_run_fn	*run;
	save_done_fn	*done;
	void		*arg;
	struct save_job	*next;
};

/* given, not yet taken; taken by the worker and done; in order */
static struct save_job *todo, **todo_tail = &todo;
static struct save_job *done_list, **done_tail = &done_list;
static bool stopping, started;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int efd = -1;			/* the worker -> the loop */
static struct event *done_ev;

static void *
worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct save_job *j;
		uint64_t one = 1;

		while (todo == NULL && !stopping)
			pthread_cond_wait(&cv, &mu);
		if ((j = todo) == NULL)
			break;
		pthread_mutex_unlock(&mu);
		j->run(j->arg);
		pthread_mutex_lock(&mu);
		if ((todo = j->next) == NULL)
			todo_tail = &todo;
		j->next = NULL;
		*done_tail = j;
		done_tail = &j->next;
		(void)write(efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* The jobs done, reported in their order. */
static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	struct save_job *j;
	uint64_t n;

	(void)what; (void)arg;
	if (fd >= 0)
		(void)read(fd, &n, sizeof(n));
	pthread_mutex_lock(&mu);
	j = done_list;
	done_list = NULL;
	done_tail = &done_list;
	pthread_mutex_unlock(&mu);
	while (j != NULL) {
		struct save_job *next = j->next;

		j->done(j->arg);
		free(j);
		j = next;
	}
}

bool
saver_start(void)
{
	sigset_t all, old;

	if ((efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		log_warn("saver: no eventfd (%s); settings files are written "
		    "on the event loop", strerror(errno));
		return false;
	}
	done_ev = event_new(ad->base, efd, EV_READ | EV_PERSIST, on_done,
	    NULL);
	event_add(done_ev, NULL);
	/* signals stay the main thread's (libevent's handlers) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	stopping = false;
	started = pthread_create(&thread, NULL, worker, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		log_warn("saver: no worker thread; settings files are written "
		    "on the event loop");
		event_free(done_ev);
		done_ev = NULL;
		close(efd);
		efd = -1;
	}
	return started;
}

bool
saver_running(void)
{
	return started;
}

void
saver_submit(save_run_fn *run, save_done_fn *done, void *arg)
{
	struct save_job *j = xcalloc(1, sizeof(*j));

	j->run = run;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&mu);
	*todo_tail = j;
	todo_tail = &j->next;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

void
saver_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);	/* after the last job given */
	started = false;
	on_done(-1, 0, NULL);
	event_free(done_ev);
	done_ev = NULL;
	close(efd);
	efd = -1;
}
