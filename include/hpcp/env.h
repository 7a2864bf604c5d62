/*
 * Which environment variables the document may record: a named allow-list
 * of prefixes that change measurements (libfabric, Open MPI, the job's
 * launcher, BLAS threads), minus anything whose name suggests a secret.
 */
#ifndef HPCP_ENV_H
#define HPCP_ENV_H

/* 1 when name may be recorded. */
int hpcp_env_allowed(const char *name);

#endif
