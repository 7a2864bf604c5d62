/*
 * The EC2 instance metadata service (IMDSv2) over a plain socket: a token
 * from PUT /latest/api/token, then GETs that carry it.  HTTP/1.1, one
 * connection a request, bounded in time: the connect waits at most
 * HPCP_IMDS_CONNECT_MS and a whole exchange HPCP_IMDS_TOTAL_MS, so off AWS
 * (nothing answers) a caller learns it within a second.
 *
 * The service is 169.254.169.254:80 unless the environment variable
 * HPCPROBE_IMDS_ENDPOINT names another "host:port" (an IPv4 address; tests run
 * a server on 127.0.0.1).  Rank-local, no MPI, no allocation.
 */
#ifndef HPCP_IMDS_H
#define HPCP_IMDS_H

#include <stddef.h>

#define HPCP_IMDS_ENV_ENDPOINT "HPCPROBE_IMDS_ENDPOINT"
#define HPCP_IMDS_DEFAULT_HOST "169.254.169.254"
#define HPCP_IMDS_CONNECT_MS 300
#define HPCP_IMDS_TOTAL_MS 1000
#define HPCP_IMDS_TOKEN_TTL_S 300
#define HPCP_IMDS_TOKEN_MAX 256

struct hpcp_imds {
	char host[64];       /* dotted IPv4 */
	int port;
	char token[HPCP_IMDS_TOKEN_MAX];
};

/*
 * Open a session: read the endpoint, fetch a token.  Returns 0, or a
 * negative errno code: -EINVAL a malformed HPCPROBE_IMDS_ENDPOINT, -ETIMEDOUT
 * nothing answered in time, -ECONNREFUSED, -ENETUNREACH, -EHOSTUNREACH,
 * -EPROTO a malformed answer, -EACCES / -EPERM / -ENOENT the service's 401,
 * 403, 404.
 */
int hpcp_imds_open(struct hpcp_imds *s);

/*
 * GET path ("/latest/meta-data/instance-type") with the session's token
 * into out (NUL-terminated).  Returns the body's length, or a negative
 * errno code as above; -ENOSPC when the body does not fit in outlen - 1.
 */
int hpcp_imds_fetch(const struct hpcp_imds *s, const char *path, char *out,
		    size_t outlen);

/* One-shot: open a session and GET path.  Length or negative errno. */
int hpcp_imds_get(const char *path, char *out, size_t outlen);

/*
 * Parse one HTTP/1.x response held whole in buf (the connection was
 * closed after it): the status code, and the body (Content-Length when
 * given, else up to the end).  Returns the status code (100..599) with
 * *body and *body_len set, or -EPROTO (no status line, a malformed or
 * overlong Content-Length, a body shorter than it says, chunked encoding).
 */
int hpcp_imds_parse_response(const char *buf, size_t len, const char **body,
			     size_t *body_len);

/* One line on why rc (a return of the calls above) and what to do, for a
 * recorded reason: unreachable mentions the token's hop limit. */
const char *hpcp_imds_strerror(int rc);

#endif
