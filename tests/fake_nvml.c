/*
 * A stand-in for libnvidia-ml.so.1, built as a shared library by the
 * tests (tests/test_sampler.c): two GPUs with the values below, and power
 * "not supported" (NVML's error 3), as on GPUs without a power sensor.
 * Only the entry points the sampler looks up, with NVML's ABI.
 */
#define FAKE_NOT_SUPPORTED 3

struct fake_util { unsigned gpu, memory; };
struct fake_mem { unsigned long long total, free, used; };

static int devs[2];

int nvmlInit_v2(void);
int nvmlShutdown(void);
int nvmlDeviceGetCount_v2(unsigned *n);
int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **dev);
int nvmlDeviceGetUtilizationRates(void *dev, struct fake_util *u);
int nvmlDeviceGetMemoryInfo(void *dev, struct fake_mem *m);
int nvmlDeviceGetPowerUsage(void *dev, unsigned *mw);
int nvmlDeviceGetClockInfo(void *dev, int type, unsigned *mhz);

int nvmlInit_v2(void) { return 0; }
int nvmlShutdown(void) { return 0; }

int nvmlDeviceGetCount_v2(unsigned *n)
{
	*n = 2;
	return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **dev)
{
	if (i > 1)
		return 2;
	*dev = &devs[i];
	return 0;
}

/* GPU 0: 30 %, 4 of 16 GiB, 1000 MHz; GPU 1: 50 %, 4 of 16 GiB, 1400 MHz. */
int nvmlDeviceGetUtilizationRates(void *dev, struct fake_util *u)
{
	u->gpu = dev == &devs[0] ? 30 : 50;
	u->memory = 10;
	return 0;
}

int nvmlDeviceGetMemoryInfo(void *dev, struct fake_mem *m)
{
	(void)dev;
	m->total = 16ull << 30;
	m->used = 4ull << 30;
	m->free = m->total - m->used;
	return 0;
}

int nvmlDeviceGetPowerUsage(void *dev, unsigned *mw)
{
	(void)dev;
	(void)mw;
	return FAKE_NOT_SUPPORTED;
}

int nvmlDeviceGetClockInfo(void *dev, int type, unsigned *mhz)
{
	if (type != 1)   /* the SM clock only */
		return FAKE_NOT_SUPPORTED;
	*mhz = dev == &devs[0] ? 1000 : 1400;
	return 0;
}
