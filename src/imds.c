/*
 * IMDSv2 over a plain socket (see hpcp/imds.h).
 *
 * Non-blocking connect and poll() against one deadline per exchange, so
 * an address that swallows packets (off AWS; a container whose token
 * answers are dropped by the hop limit) costs at most the total limit.
 * The answer is read until it is complete by its Content-Length or the
 * server closes: a server that keeps the connection open is not waited for.
 */
#include "config.h"

#include "hpcp/imds.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RESP_MAX 8192
#define BODY_MAX (1u << 20)
#define PATH_MAX_LEN 512

/* Milliseconds, rounded down; deadline_ms rounds up, so a deadline set
 * from it is never before its full wait, and the time left (that deadline
 * less now rounded down) is never less than the true time left: poll(),
 * which rounds up, never ends before the deadline. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long deadline_ms(long long wait_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000 +
	       wait_ms;
}

/* "A.B.C.D" or "A.B.C.D:PORT". */
static int parse_endpoint(const char *v, char *host, size_t hostlen,
			  int *port)
{
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	struct in_addr a;
	char tmp[64];

	if (n == 0 || n >= sizeof(tmp) || n >= hostlen)
		return -EINVAL;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &a) != 1)
		return -EINVAL;
	*port = 80;
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (end == colon + 1 || *end || p < 1 || p > 65535)
			return -EINVAL;
		*port = (int)p;
	}
	memcpy(host, tmp, n + 1);
	return 0;
}

static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left = deadline - now_ms();
	int rc;

	if (left <= 0)
		return -ETIMEDOUT;
	do
		rc = poll(&p, 1, (int)left);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static int connect_to(const char *host, int port, long long deadline)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long long cdl = deadline_ms(HPCP_IMDS_CONNECT_MS);
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	err = wait_fd(fd, POLLOUT, cdl < deadline ? cdl : deadline);
	if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0)
		err = -err;
	else if (!err)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int header_is(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);

	if (n <= k || line[k] != ':')
		return 0;
	for (size_t i = 0; i < k; i++)
		if (tolower((unsigned char)line[i]) != name[i])
			return 0;
	return 1;
}

/* The parser; at_eof 0: -EAGAIN while the answer may still grow. */
static int parse(const char *buf, size_t len, const char **body,
		 size_t *body_len, int at_eof)
{
	const char *p = buf, *end = buf + len, *nl;
	long long clen = -1;
	int status, chunked = 0;

	nl = memchr(p, '\n', len);
	if (!nl)
		return at_eof || len > RESP_MAX ? -EPROTO : -EAGAIN;
	/* "HTTP/1.x NNN ..." */
	if (nl - p < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)p[7]) || p[8] != ' ' ||
	    !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
	    !isdigit((unsigned char)p[11]) ||
	    (nl - p > 12 && p[12] != ' ' && p[12] != '\r'))
		return -EPROTO;
	status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (status < 100)
		return -EPROTO;
	p = nl + 1;
	for (;;) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return at_eof ? -EPROTO : -EAGAIN;
		n = (size_t)(nl - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = nl + 1;
			break;
		}
		if (header_is(p, n, "content-length")) {
			const char *v = (const char *)memchr(p, ':', n) + 1;
			const char *ve = p + n;
			long long x = 0;
			int digits = 0;

			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			for (; v < ve; v++, digits++) {
				if (!isdigit((unsigned char)*v) ||
				    x > BODY_MAX)
					return -EPROTO;
				x = x * 10 + (*v - '0');
			}
			if (!digits || x > BODY_MAX ||
			    (clen >= 0 && clen != x))
				return -EPROTO;
			clen = x;
		} else if (header_is(p, n, "transfer-encoding")) {
			chunked = 1;
		}
		p = nl + 1;
	}
	/* IMDS never chunks; a server that does is not one we read. */
	if (chunked)
		return -EPROTO;
	if (clen >= 0) {
		if ((long long)(end - p) < clen)
			return at_eof ? -EPROTO : -EAGAIN;
		*body = p;
		*body_len = (size_t)clen;
		return status;
	}
	if (!at_eof)
		return -EAGAIN;
	*body = p;
	*body_len = (size_t)(end - p);
	return status;
}

int hpcp_imds_parse_response(const char *buf, size_t len, const char **body,
			     size_t *body_len)
{
	return parse(buf, len, body, body_len, 1);
}

static int status_errno(int status)
{
	switch (status) {
	case 200:
		return 0;
	case 401:
		return -EACCES;
	case 403:
		return -EPERM;
	case 404:
		return -ENOENT;
	default:
		return -EPROTO;
	}
}

/*
 * Send req, read the answer into resp; the status's errno (0 for 200),
 * with *body and *body_len into resp.
 */
static int exchange(const char *host, int port, const char *req,
		    char *resp, size_t resp_size, const char **body,
		    size_t *body_len)
{
	long long deadline = deadline_ms(HPCP_IMDS_TOTAL_MS);
	size_t sent = 0, got = 0, reqlen = strlen(req);
	int fd = connect_to(host, port, deadline), rc = -EAGAIN;

	if (fd < 0)
		return fd;
	while (sent < reqlen) {
		ssize_t n = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);

		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			goto out;
		}
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc)
			goto out;
		rc = -EAGAIN;
	}
	while (rc == -EAGAIN) {
		ssize_t n;

		if (got == resp_size) {
			rc = -EPROTO;   /* longer than any metadata answer */
			break;
		}
		n = recv(fd, resp + got, resp_size - got, 0);
		if (n > 0) {
			got += (size_t)n;
			rc = parse(resp, got, body, body_len, 0);
		} else if (n == 0) {
			rc = parse(resp, got, body, body_len, 1);
		} else if (errno == EAGAIN || errno == EINTR) {
			int w = wait_fd(fd, POLLIN, deadline);

			if (w)
				rc = w;
		} else {
			rc = -errno;
		}
	}
	if (rc >= 0)
		rc = status_errno(rc);
out:
	close(fd);
	return rc;
}

static int endpoint(struct hpcp_imds *s)
{
	const char *v = getenv(HPCP_IMDS_ENV_ENDPOINT);

	if (v && *v)
		return parse_endpoint(v, s->host, sizeof(s->host), &s->port);
	snprintf(s->host, sizeof(s->host), "%s", HPCP_IMDS_DEFAULT_HOST);
	s->port = 80;
	return 0;
}

/* A token or a path goes into a header or the request line: printable
 * ASCII, no space, so it cannot end the line or add one. */
static int is_token_text(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

int hpcp_imds_open(struct hpcp_imds *s)
{
	char req[256], resp[RESP_MAX];
	const char *body;
	size_t blen;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = endpoint(s);
	if (rc)
		return rc;
	snprintf(req, sizeof(req),
		 "PUT /latest/api/token HTTP/1.1\r\nHost: %s\r\n"
		 "X-aws-ec2-metadata-token-ttl-seconds: %d\r\n"
		 "Content-Length: 0\r\nConnection: close\r\n\r\n",
		 s->host, HPCP_IMDS_TOKEN_TTL_S);
	rc = exchange(s->host, s->port, req, resp, sizeof(resp), &body, &blen);
	if (rc)
		return rc;
	if (blen >= sizeof(s->token) || !is_token_text(body, blen))
		return -EPROTO;
	memcpy(s->token, body, blen);
	s->token[blen] = '\0';
	return 0;
}

int hpcp_imds_fetch(const struct hpcp_imds *s, const char *path, char *out,
		    size_t outlen)
{
	char req[PATH_MAX_LEN + HPCP_IMDS_TOKEN_MAX + 160], resp[RESP_MAX];
	const char *body;
	size_t blen, plen = strlen(path);
	int rc;

	if (outlen == 0 || plen > PATH_MAX_LEN || path[0] != '/' ||
	    !is_token_text(path, plen) || !s->token[0])
		return -EINVAL;
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: %s\r\n"
		 "X-aws-ec2-metadata-token: %s\r\nConnection: close\r\n\r\n",
		 path, s->host, s->token);
	rc = exchange(s->host, s->port, req, resp, sizeof(resp), &body, &blen);
	if (rc)
		return rc;
	if (blen >= outlen)
		return -ENOSPC;
	memcpy(out, body, blen);
	out[blen] = '\0';
	return (int)blen;
}

int hpcp_imds_get(const char *path, char *out, size_t outlen)
{
	struct hpcp_imds s;
	int rc = hpcp_imds_open(&s);

	return rc ? rc : hpcp_imds_fetch(&s, path, out, outlen);
}

const char *hpcp_imds_strerror(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return "the instance metadata service did not answer within "
		       "1 s: not on EC2, or, in a container, the token's hop "
		       "limit is 1 (set the launch template's "
		       "HttpPutResponseHopLimit to 2)";
	case -ECONNREFUSED:
	case -ENETUNREACH:
	case -EHOSTUNREACH:
		return "the instance metadata service is unreachable: not on "
		       "EC2, or its endpoint is disabled (HttpEndpoint)";
	case -EPROTO:
		return "malformed answer from the instance metadata service";
	case -EACCES:
		return "the instance metadata service refused the token (401)";
	case -EPERM:
		return "the instance metadata service refused access (403)";
	case -ENOENT:
		return "no such metadata item (404)";
	case -ENOSPC:
		return "metadata answer longer than expected";
	case -EINVAL:
		return HPCP_IMDS_ENV_ENDPOINT " is not an IPv4 address with an "
		       "optional :port";
	default:
		return rc < 0 ? strerror(-rc) : "no error";
	}
}
