/*
 * Which environment variables the document may record: a named allow-list
 * of prefixes that change measurements (libfabric, Open MPI, the job's
 * launcher, BLAS threads), minus anything whose name suggests a secret
 * (KEY, SECRET, TOKEN, PASS, PWD, CERT, COOKIE, CREDENTIAL, AUTH, PRIVATE,
 * SESSION, SIGNATURE, in any case and anywhere in the name) and the job
 * keys (Open MPI's precondition_transports, the PSM/OPX UUID).
 */
#ifndef HPCP_ENV_H
#define HPCP_ENV_H

/* 1 when name may be recorded. */
int hpcp_env_allowed(const char *name);

/* The allowed prefixes, NULL-terminated: tests cross them with every
 * secret word, so a new prefix is checked without editing the test. */
const char *const *hpcp_env_prefixes(void);

#endif
