/* SPDX-License-Identifier: ISC */
/*
 * An instant query to a Prometheus server's HTTP API (GET
 * /api/v1/query), for acctctl oversell --prometheus (docs/fleet.md).
 *
 * A minimal HTTP/1.0 GET over a socket rather than a client library:
 * acctctl links no HTTP library, the answer is one JSON document, and
 * HTTP/1.0 makes the server send it whole and close (no chunks, no
 * keep-alive).  http:// only; every wait is bounded (10 s per connect,
 * send and receive) and the answer is capped at 16 MiB.  For a server
 * behind TLS or authentication, point it at a local proxy or a
 * Prometheus that federates the fleet.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "acctctl.h"
#include "xalloc.h"

#define PROM_MAX_ANSWER	(16u << 20)
#define PROM_TIMEOUT_S	10

struct url {
	char	host[256], port[8], prefix[512];
};

static int
parse_url(const char *s, struct url *u, struct aerr *err)
{
	const char *h, *p, *slash;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "http://", 7) != 0)
		return aerr_set(err, EINVAL, "bad Prometheus URL '%s' "
		    "(accepted: http://HOST[:PORT][/PATH])", s);
	h = s + 7;
	slash = h + strcspn(h, "/");
	if (*h == '[') {
		p = memchr(h, ']', (size_t)(slash - h));
		if (p == NULL)
			goto bad;
		n = (size_t)(p - h - 1);
		if (n == 0 || n >= sizeof(u->host))
			goto bad;
		memcpy(u->host, h + 1, n);
		p++;
	} else {
		p = memchr(h, ':', (size_t)(slash - h));
		n = (size_t)((p ? p : slash) - h);
		if (n == 0 || n >= sizeof(u->host))
			goto bad;
		memcpy(u->host, h, n);
		if (p == NULL)
			p = slash;
	}
	if (*p == ':') {
		n = (size_t)(slash - p - 1);
		if (n == 0 || n >= sizeof(u->port) ||
		    strspn(p + 1, "0123456789") < n)
			goto bad;
		memcpy(u->port, p + 1, n);
	} else if (p != slash)
		goto bad;
	else
		snprintf(u->port, sizeof(u->port), "80");
	n = strlen(slash);
	while (n > 0 && slash[n - 1] == '/')
		n--;
	if (n >= sizeof(u->prefix) || memchr(slash, '?', n) != NULL)
		goto bad;
	memcpy(u->prefix, slash, n);
	return 0;
bad:
	return aerr_set(err, EINVAL, "bad Prometheus URL '%s' (accepted: "
	    "http://HOST[:PORT][/PATH])", s);
}

static char *
url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL)
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

static int
dial(const struct url *u, struct aerr *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct timeval tv = { PROM_TIMEOUT_S, 0 };
	int fd = -1, r;

	if ((r = getaddrinfo(u->host, u->port, &hints, &res)) != 0)
		return aerr_set(err, EHOSTUNREACH, "Prometheus at %s:%s: %s",
		    u->host, u->port, gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		/* on Linux SO_SNDTIMEO bounds connect() too */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		r = errno;
		close(fd);
		fd = -1;
		errno = r;
	}
	r = errno;
	freeaddrinfo(res);
	if (fd < 0)
		return aerr_set(err, r, "cannot connect to Prometheus at %s:%s: "
		    "%s", u->host, u->port, strerror(r));
	return fd;
}

/* The whole answer to GET path (NUL-terminated); caller frees. */
static char *
http_get(const struct url *u, const char *path, size_t *lenp,
    struct aerr *err)
{
	_cleanup_free_ char *req = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, off = 0;
	ssize_t n;
	int fd;

	if ((fd = dial(u, err)) < 0)
		return NULL;
	req = xasprintf("GET %s HTTP/1.0\r\nHost: %s:%s\r\nAccept: "
	    "application/json\r\nUser-Agent: acctctl\r\n\r\n", path, u->host,
	    u->port);
	while (off < strlen(req)) {
		if ((n = send(fd, req + off, strlen(req) - off,
		    MSG_NOSIGNAL)) <= 0) {
			aerr_set(err, errno, "Prometheus: send: %s",
			    strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		if ((n = recv(fd, buf + len, cap - len, 0)) < 0) {
			aerr_set(err, errno, "Prometheus: %s", errno == EAGAIN ?
			    "no answer within 10 s" : strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > PROM_MAX_ANSWER) {
			aerr_set(err, EFBIG, "Prometheus: answer above 16 MiB");
			goto fail;
		}
	}
	close(fd);
	if (buf == NULL)
		buf = xmalloc(1);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

int
prom_url_check(const char *url, struct aerr *err)
{
	struct url u;

	return parse_url(url, &u, err);
}

/*
 * An HTTP answer (buf[len] is NUL) to an instant query: status 200 (or
 * Prometheus' 400 and 422 with an error document), a JSON body with
 * status "success" and a data.result array, put in *result (caller
 * puts).
 */
int
prom_answer(const char *buf, size_t len, const char *promql,
    struct json_object **result, struct aerr *err)
{
	struct json_object *doc, *v, *data;
	struct json_tokener *tok;
	const char *body;
	int status;

	*result = NULL;
	if (strlen(buf) != len)
		return aerr_set(err, EPROTO, "Prometheus: a NUL in the answer");
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 ||
	    (body = strstr(buf, "\r\n\r\n")) == NULL)
		return aerr_set(err, EPROTO, "Prometheus: not an HTTP answer");
	if (status != 200 && status != 400 && status != 422)
		return aerr_set(err, EPROTO, "Prometheus: HTTP status %d",
		    status);
	body += 4;
	if ((tok = json_tokener_new()) == NULL)
		return aerr_set(err, ENOMEM, "out of memory");
	doc = json_tokener_parse_ex(tok, body, (int)strlen(body));
	if (doc != NULL && tok->char_offset != (int)strlen(body)) {
		json_object_put(doc);
		doc = NULL;
	}
	json_tokener_free(tok);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return aerr_set(err, EPROTO, "Prometheus: an answer that is not "
		    "a JSON object");
	}
	if (!json_object_object_get_ex(doc, "status", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "success") != 0) {
		struct json_object *e;

		aerr_set(err, EPROTO, "Prometheus refused '%s': %s", promql,
		    json_object_object_get_ex(doc, "error", &e) &&
		    json_object_is_type(e, json_type_string) ?
		    json_object_get_string(e) : "no reason given");
		json_object_put(doc);
		return -1;
	}
	if (!json_object_object_get_ex(doc, "data", &data) ||
	    !json_object_object_get_ex(data, "result", &v) ||
	    !json_object_is_type(v, json_type_array)) {
		json_object_put(doc);
		return aerr_set(err, EPROTO, "Prometheus: no result vector for "
		    "'%s'", promql);
	}
	*result = json_object_get(v);
	json_object_put(doc);
	return 0;
}

/*
 * Instant query PROMQL at Prometheus URL; *result (caller puts) is the
 * data.result array of a vector answer.
 */
int
prom_query(const char *url, const char *promql, struct json_object **result,
    struct aerr *err)
{
	_cleanup_free_ char *q = url_encode(promql), *path = NULL,
	    *buf = NULL;
	struct url u;
	size_t len;

	*result = NULL;
	if (parse_url(url, &u, err) < 0)
		return -1;
	path = xasprintf("%s/api/v1/query?query=%s", u.prefix, q);
	if ((buf = http_get(&u, path, &len, err)) == NULL)
		return -1;
	return prom_answer(buf, len, promql, result, err);
}
