/* SPDX-License-Identifier: ISC */
/*
 * acctctl's side of the control protocol: connect (the control socket,
 * or the read-only one when only reading and the control socket is not
 * ours to use), send one request, read one reply, map errors to exit
 * codes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "acctctl.h"
#include "proto.h"
#include "xalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

#define CLIENT_TIMEOUT_MS	60000

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static const char *
socket_path(void)
{
	const char *s = opt_socket ? opt_socket : getenv("ACCTCTL_SOCKET");

	return s ? s : RUNSTATEDIR "/accountd/accountd.sock";
}

/* accountd.sock -> accountd.rsock, next to it */
static char *
ro_path(const char *rw)
{
	size_t n = strlen(rw);

	if (n > 5 && strcmp(rw + n - 5, ".sock") == 0)
		return xasprintf("%.*s.rsock", (int)(n - 5), rw);
	return xasprintf("%s.ro", rw);
}

int
client_exit_code(int errnum)
{
	switch (errnum) {
	case 0:
		return EX_OK;
	case EINVAL:
	case ERANGE:
	case EEXIST:
		return EX_USAGE;
	case ENOENT:
		return EX_NOCT;
	case ESRCH:
		return EX_NOTRUNNING;
	case EPERM:
	case EACCES:
		return EX_PERM;
	case EUSERS:
		return EX_NUMPROC;
	case EPROTO:
	case ECONNREFUSED:
	case ECONNRESET:
	case EPIPE:
	case ETIMEDOUT:
	case EAGAIN:		/* refused: connection limits */
		return EX_NODAEMON;
	default:
		return EX_FAIL;
	}
}

int
client_call(struct json_object *req, struct json_object **out)
{
	return client_call_keep(req, out, NULL);
}

/*
 * As client_call; with keep, the connection stays open in *keep (for
 * streams) instead of being closed after the reply.
 *
 * Which requests the read-only socket serves is accountd's to say (CTL_RO
 * in accountd/ctl.c's table, the one list): a user who may not open the
 * control socket is sent to the read-only one for every request, and
 * accountd answers a changing one with "'set' is not allowed on the
 * read-only socket".  Where there is no read-only socket, the control
 * socket's error stands.
 */
int
client_call_keep(struct json_object *req, struct json_object **out,
    int *keep)
{
	const char *path = socket_path();
	_cleanup_free_ char *ro = ro_path(path);
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	struct json_object *reply;
	struct acct_hdr h;
	struct aerr err = { 0 };
	char *payload = NULL;
	int fd, r;

	*out = NULL;
	fd = connect_to(path);
	if (fd == -EACCES || fd == -EPERM) {
		int rfd = connect_to(ro);

		if (rfd >= 0)
			fd = rfd;
	}
	if (fd < 0) {
		fprintf(stderr, "acctctl: cannot reach accountd at %s: %s%s\n",
		    path, strerror(-fd), fd == -EACCES ?
		    " (this needs root)" : fd == -ENOENT || fd == -ECONNREFUSED ?
		    " (is accountd running?)" : "");
		return fd == -EACCES ? EX_PERM : EX_NODAEMON;
	}
	r = proto_send(fd, MSG_REQUEST, 1, s, strlen(s), &err);
	if (r == -EPIPE || r == -ECONNRESET) {
		/* closed before our request was read: accountd may have
		 * said why (too many connections) before closing */
		struct aerr e2 = { 0 };

		if (proto_recv(fd, &h, &payload, 1000, &e2) < 0) {
			close(fd);
			fprintf(stderr, "acctctl: accountd closed the connection "
			    "before reading the request (%s)\n", strerror(-r));
			return EX_NODAEMON;
		}
	} else if (r < 0 ||
	    (r = proto_recv(fd, &h, &payload, CLIENT_TIMEOUT_MS, &err)) < 0) {
		close(fd);
		fprintf(stderr, "acctctl: %s\n", err.msg);
		return EX_NODAEMON;
	}
	if (keep != NULL)
		*keep = fd;
	else
		close(fd);
	reply = json_tokener_parse(payload);
	free(payload);
	if (reply == NULL || !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		fprintf(stderr, "acctctl: malformed reply from accountd\n");
		return EX_NODAEMON;
	}
	if (!jbool(reply, "ok")) {
		int e = (int)ju64(reply, "errno");

		fprintf(stderr, "acctctl: %s\n", jstr(reply, "error"));
		json_object_put(reply);
		return client_exit_code(e ? e : EIO);
	}
	print_warnings(reply);
	*out = reply;
	return EX_OK;
}

struct json_object *
client_req(const char *cmd, const char *ct)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	if (ct != NULL)
		json_object_object_add(o, "ct", json_object_new_string(ct));
	return o;
}

const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

uint64_t
ju64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_uint64(v);
}

bool
jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) &&
	    json_object_get_boolean(v);
}

void
print_json(struct json_object *reply)
{
	json_object_object_del(reply, "ok");
	json_object_object_del(reply, "warnings");
	printf("%s\n", json_object_to_json_string_ext(reply,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

void
print_warnings(struct json_object *reply)
{
	struct json_object *w;

	if (!json_object_object_get_ex(reply, "warnings", &w))
		return;
	for (size_t i = 0; i < json_object_array_length(w); i++)
		fprintf(stderr, "acctctl: warning: %s\n",
		    json_object_get_string(json_object_array_get_idx(w, i)));
}
