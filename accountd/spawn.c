/* SPDX-License-Identifier: ISC */
/*
 * The one place accountd starts processes (docs/DESIGN.md, "Processes").
 * accountd is threaded (libevent, the sampler's helpers), so a child of
 * its never runs accountd's code after fork(): it only arranges its
 * descriptors, drops what it must not keep, and execs -- a helper that
 * is accountd's own code is run as `accountd --NAME` (spawn_self()).
 *
 *   fork -> descriptors 0..n, close_range(n+1) -> signals to default
 *        -> setsid? -> user (groups, uid, gid) or root's capability set
 *        -> no_new_privs -> parent-death signal -> exec
 *
 * Every child is collected here (spawn_reap(), on SIGCHLD), and its
 * owner told through its `exited` callback.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "xalloc.h"

struct tracked {
	pid_t	 pid;
	void	(*exited)(pid_t, int, void *);
	void	*arg;
};
static struct tracked *tab;
static size_t ntab, captab;

char *
spawn_self(void)
{
	static char self[] = "/proc/self/exe";

	return self;
}

static void
close_from(int lowfd)
{
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
	for (int fd = lowfd; fd < 65536; fd++)
		close(fd);
}

/* In the child: keep only caps, in every set, for what it execs. */
static int
keep_caps(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (caps == SPAWN_ALL_CAPS)
		return 0;
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(caps & (1ULL << c)) &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return -1;
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)caps;
	d[1].effective = d[1].permitted = (uint32_t)(caps >> 32);
	return syscall(SYS_capset, &h, d) < 0 ? -1 : 0;
}

static void __attribute__((noreturn))
child(char *const argv[], char *const envp[], const struct spawn_how *h,
    pid_t parent)
{
	int hi[6], nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	int n = h->nfd < 0 ? 0 : h->nfd > 6 ? 6 : h->nfd;
	sigset_t none;

	/* high first: a source may be any of the targets */
	for (int i = 0; i < n; i++) {
		int from = h->fd[i] >= 0 ? h->fd[i] : nul;

		hi[i] = from < 0 ? -1 : fcntl(from, F_DUPFD_CLOEXEC, 16);
		if (hi[i] < 0 && from >= 0)
			_exit(126);
	}
	for (int i = 0; i < n; i++)
		if (hi[i] >= 0 && dup2(hi[i], i) < 0)
			_exit(126);
	for (int i = n; i < 2; i++)	/* stdin, stdout: never accountd's */
		if (nul >= 0)
			(void)dup2(nul, i);
	close_from(n > 3 ? n : 3);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)signal(s, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (h->setsid)
		(void)setsid();
	if (h->pw != NULL) {
		/* from root to another uid: the kernel clears every
		 * capability set, the ambient one included */
		if (h->pw->pw_uid == 0)
			_exit(126);
		/* an accountd that is not root (on a fake cgroupfs) can
		 * only run a helper as itself */
		if (h->pw->pw_uid != getuid() &&
		    (setgroups(1, &h->pw->pw_gid) < 0 ||
		    setresgid(h->pw->pw_gid, h->pw->pw_gid,
		    h->pw->pw_gid) < 0 || setresuid(h->pw->pw_uid,
		    h->pw->pw_uid, h->pw->pw_uid) < 0))
			_exit(126);
	} else if (keep_caps(h->caps) < 0) {
		_exit(126);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(126);
	/* after the credentials change, which clears it */
	if (h->pdeath != 0) {
		(void)prctl(PR_SET_PDEATHSIG, h->pdeath);
		if (getppid() != parent)
			_exit(0);
	}
	if (envp != NULL)
		execve(argv[0], argv, envp);
	else
		execv(argv[0], argv);
	_exit(127);
}

pid_t
spawn(char *const argv[], char *const envp[], const struct spawn_how *h)
{
	pid_t parent = getpid(), pid;

	if (ntab == captab) {
		captab = captab ? captab * 2 : 16;
		tab = xreallocarray(tab, captab, sizeof(*tab));
	}
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0)
		child(argv, envp, h, parent);
	tab[ntab].pid = pid;
	tab[ntab].exited = h->exited;
	tab[ntab].arg = h->arg;
	ntab++;
	return pid;
}

void
spawn_forget(pid_t pid)
{
	for (size_t i = 0; i < ntab; i++)
		if (tab[i].pid == pid) {
			tab[i] = tab[--ntab];
			return;
		}
}

void
spawn_reap(void)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (size_t i = 0; i < ntab; i++)
			if (tab[i].pid == pid) {
				struct tracked t = tab[i];

				tab[i] = tab[--ntab];
				if (t.exited != NULL)
					t.exited(pid, st, t.arg);
				break;
			}
}
