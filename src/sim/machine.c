/*
 * Machine lifecycle and the public entry points that every layer shares: errors, reports,
 * the clock, physical memory access, invariant checks.
 *
 * Creation order: validate the config, set up the environment (host arena, log, PRNG), the
 * hardware (RAM, MMIO, CPUs), then boot the kernel. Any failure undoes what was done and
 * leaves the reason in kmm_last_error(NULL).
 *
 * Invariants (kmm_check): the env's, the hardware's, the kernel's and the API handle
 * table's, in that order.
 */
#include "sim/machine.h"
#include "sim/stats.h"
#include <errno.h>

#include <inttypes.h>
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sink.h"
#include "sim/api.h"
#include "sim/linux_api.h"

const char *kmm_version(void)
{
	return "0.1.0";
}

const char *kmm_status_str(enum kmm_status status)
{
	switch (status) {
#define KMM_STATUS_TEXT(name, value, text)                                                         \
	case name:                                                                                 \
		return text;
		KMM_STATUS_LIST(KMM_STATUS_TEXT)
#undef KMM_STATUS_TEXT
	}
	return "unknown status";
}

const char *kmm_status_name(enum kmm_status status)
{
	switch (status) {
#define KMM_STATUS_NAME(name, value, text)                                                         \
	case name:                                                                                 \
		return #name;
		KMM_STATUS_LIST(KMM_STATUS_NAME)
#undef KMM_STATUS_NAME
	}
	return "KMM_E?";
}

/* The numbers are Linux's (asm-generic/errno-base.h, errno.h), not the host's. */
int kmm_status_errno(enum kmm_status status)
{
	switch (status) {
	case KMM_ENOMEM:
		return 12; /* ENOMEM */
	case KMM_EFAULT:
		return 14; /* EFAULT */
	case KMM_EINVAL:
		return 22; /* EINVAL */
	case KMM_ENOENT:
		return 2; /* ENOENT */
	case KMM_EIO:
		return 5; /* EIO */
	case KMM_EEXIST:
		return 17; /* EEXIST */
	case KMM_EPERM:
		return 1; /* EPERM */
	case KMM_EACCES:
		return 13; /* EACCES */
	case KMM_EAGAIN:
		return 11; /* EAGAIN */
	case KMM_EBADF:
		return 9; /* EBADF */
	case KMM_ESRCH:
		return 3; /* ESRCH */
	case KMM_EBUSY:
		return 16; /* EBUSY */
	case KMM_EFBIG:
		return 27; /* EFBIG */
	case KMM_ENODEV:
		return 19; /* ENODEV */
	case KMM_EOVERFLOW:
		return 75; /* EOVERFLOW */
	case KMM_ENOSPC:
		return 28; /* ENOSPC */
	case KMM_ETXTBSY:
		return 26; /* ETXTBSY */
	case KMM_EMFILE:
		return 24; /* EMFILE */
	case KMM_ENAMETOOLONG:
		return 36; /* ENAMETOOLONG (asm-generic/errno.h) */
	case KMM_EISDIR:
		return 21; /* EISDIR */
	default:
		return 0;
	}
}

enum kmm_status kmm_machine_create(const struct kmm_config *cfg, struct kmm_machine **out)
{
	struct kmm_config defaults;
	struct kmm_machine *m;
	uint64_t budget, memmap;
	char err[ENV_ERR_MAX];
	struct kmm_env env;
	enum kmm_status st;
	int ret;

	if (!out)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_machine_create: NULL out");
	*out = NULL;
	if (!cfg) {
		kmm_config_init(&defaults);
		cfg = &defaults;
	}
	st = kmm_config_validate(cfg);
	if (st)
		return st;
	/* The host-memory budget, fixed now; a memory map alone beyond it is refused here. */
	budget = cfg->host_mem ? cfg->host_mem : env_host_default_budget();
	memmap = kernel_memmap_host_bytes(cfg);
	if (memmap > budget)
		return kmm_error_nomachine(
			KMM_EHOST,
			"the memory map of %" PRIu64 " MiB of RAM needs about %" PRIu64
			" MiB of host memory (a %zu-byte struct page per 4 KiB), "
			"more than the host-memory budget of %" PRIu64
			" MiB (-host-mem SIZE; the default is half the "
			"host's available memory)",
			kmm_config_ram_size(cfg) >> 20, memmap >> 20, sizeof(struct page),
			budget >> 20);
	if (!env_init(&env, cfg, err, sizeof(err)))
		return kmm_error_nomachine(KMM_EHOST, "%s", err);
	env.host_budget = budget;
	/* The machine itself lives in its own arena; the env moves into it. */
	m = env_alloc(&env, sizeof(*m));
	if (!m) {
		env_fini(&env);
		return kmm_error_nomachine(KMM_EHOST, "cannot allocate the machine");
	}
	m->cfg = *cfg;
	m->env = env;
	if (!hw_init(&m->hw, &m->env, &m->cfg)) {
		kmm_error_nomachine(KMM_EHOST, "%s", m->env.last_error);
		env = m->env;
		env_fini(&env);
		return KMM_EHOST;
	}
	ret = kernel_boot(&m->kernel, &m->env, &m->hw, &m->cfg);
	if (!ret && m->env.host_over) { /* crossed after the memory map: boot went on */
		ret = -ENOMEM;
		kernel_shutdown(&m->kernel);
	}
	if (ret) {
		st = ret == -ENOMEM ? KMM_EHOST : ret == -ENOSPC ? KMM_ENOMEM : KMM_EINVAL;
		kmm_error_nomachine(st, "boot failed: %s",
				    m->env.host_over ? m->env.host_why : m->env.last_error);
		hw_fini(&m->hw);
		env = m->env;
		env_fini(&env);
		return st;
	}
	for (uint32_t i = 0; i < m->cfg.nr_sysctls; i++) {
		const struct kmm_sysctl_setting *sc = &m->cfg.sysctls[i];

		st = kmm_sysctl(m, sc->name, sc->value);
		if (st) {
			kmm_error_nomachine(st, "%s", m->env.last_error);
			kmm_machine_destroy(m);
			return st;
		}
	}
	*out = m;
	return KMM_OK;
}

void kmm_machine_destroy(struct kmm_machine *m)
{
	struct kmm_env env;

	if (!m)
		return;
	linux_forget_machine(m); /* the compat layer's binding on this thread */
	kernel_shutdown(&m->kernel);
	hw_fini(&m->hw);
	env = m->env; /* the machine is freed with its arena */
	env_fini(&env);
}

const struct kmm_config *kmm_machine_config(const struct kmm_machine *m)
{
	return m ? &m->cfg : NULL;
}

const char *kmm_last_error(const struct kmm_machine *m)
{
	return m ? m->env.last_error : kmm_error_nomachine_text();
}

bool kmm_machine_dead(const struct kmm_machine *m)
{
	return !m || m->env.dead;
}

uint64_t kmm_clock_ns(const struct kmm_machine *m)
{
	return m ? env_time_ns(&m->env) : 0;
}

uint64_t kmm_clock_cycles(const struct kmm_machine *m)
{
	return m ? m->env.cycles : 0;
}

uint64_t kmm_clock_cpu_cycles(const struct kmm_machine *m, unsigned cpu)
{
	return m && cpu < m->hw.nr_cpus ? env_cpu_clock(&m->env, (int)cpu) : 0;
}

uint64_t kmm_clock_cpu_busy_cycles(const struct kmm_machine *m, unsigned cpu)
{
	return m && cpu < m->hw.nr_cpus ? env_cpu_busy(&m->env, (int)cpu) : 0;
}

enum kmm_status kmm_check(struct kmm_machine *m)
{
	uint64_t failures;
	char why[512];

	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_check: NULL machine");
	failures = m->env.host_failures;
	if (!env_check(&m->env, why, sizeof(why)) || !hw_check(&m->hw, why, sizeof(why)) ||
	    !kernel_check(&m->kernel, why, sizeof(why)) ||
	    !api_handles_check(m, why, sizeof(why)) || !stats_check(m, why, sizeof(why))) {
		/* A check that could not get host memory for its maps proved nothing wrong. */
		if (m->env.host_failures != failures)
			return env_error(&m->env, KMM_EHOST, "kmm_check: %s", why);
		return env_error(&m->env, KMM_ECORRUPT, "invariant violated: %s", why);
	}
	return KMM_OK;
}

void kmm_set_report_handler(struct kmm_machine *m, kmm_report_fn fn, void *arg)
{
	if (!m)
		return;
	m->env.report_fn = fn;
	m->env.report_arg = arg;
}

void kmm_host_mem(const struct kmm_machine *m, uint64_t *charged, uint64_t *budget)
{
	if (charged)
		*charged = m ? env_host_charged(&m->env) : 0;
	if (budget)
		*budget = m ? m->env.host_budget : 0;
}

uint64_t kmm_report_count(const struct kmm_machine *m)
{
	return m ? m->env.report_seq : 0;
}

enum kmm_status kmm_report_get(const struct kmm_machine *m, uint64_t seq, struct kmm_report *out)
{
	const struct env_report_slot *slot;

	if (!m || !out)
		return api_fail(m, KMM_EINVAL, "kmm_report_get: NULL %s", !m ? "machine" : "out");
	if (seq == 0 || seq > m->env.report_seq || m->env.report_seq - seq >= KMM_REPORT_RING)
		return api_fail(
			m, KMM_ENOENT, "kmm_report_get: no report %llu (the ring holds %llu..%llu)",
			(unsigned long long)seq,
			(unsigned long long)(m->env.report_seq < KMM_REPORT_RING
						     ? 1
						     : m->env.report_seq - KMM_REPORT_RING + 1),
			(unsigned long long)m->env.report_seq);
	slot = &m->env.ring[seq % KMM_REPORT_RING];
	*out = slot->r;
	return KMM_OK;
}

void kmm_dmesg(const struct kmm_machine *m, kmm_sink_fn sink, void *arg)
{
	if (m && sink)
		text_ring_read(&m->env.log, sink, arg);
}

void *kmm_phys_to_host(struct kmm_machine *m, kmm_pa_t pa, size_t len)
{
	if (!m)
		return NULL;
	return phys_to_host(&m->hw.phys, pa, len);
}

enum kmm_status kmm_phys_read(struct kmm_machine *m, kmm_pa_t pa, void *dst, size_t len)
{
	if (!m || (!dst && len))
		return api_fail(m, KMM_EINVAL, "kmm_phys_read: NULL %s", !m ? "machine" : "dst");
	if (!phys_read(&m->hw.phys, pa, dst, len))
		return env_error(&m->env, KMM_EFAULT,
				 "kmm_phys_read: pa 0x%llx len %zu: not all of it is RAM",
				 (unsigned long long)pa, len);
	return KMM_OK;
}

enum kmm_status kmm_phys_write(struct kmm_machine *m, kmm_pa_t pa, const void *src, size_t len)
{
	if (!m || (!src && len))
		return api_fail(m, KMM_EINVAL, "kmm_phys_write: NULL %s", !m ? "machine" : "src");
	if (!phys_write(&m->hw.phys, pa, src, len))
		return env_error(&m->env, KMM_EFAULT,
				 "kmm_phys_write: pa 0x%llx len %zu: not all of it is RAM",
				 (unsigned long long)pa, len);
	return KMM_OK;
}

bool kmm_phys_is_ram(const struct kmm_machine *m, kmm_pa_t pa)
{
	return m && phys_is_ram(&m->hw.phys, pa);
}

bool kmm_phys_is_mmio(const struct kmm_machine *m, kmm_pa_t pa)
{
	return m && phys_mmio_of(&m->hw.phys, pa) != NULL;
}

enum kmm_status kmm_cpu_set(struct kmm_machine *m, unsigned cpu)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_cpu_set: NULL machine");
	if (cpu >= m->hw.nr_cpus)
		return env_error(&m->env, KMM_EINVAL,
				 "kmm_cpu_set: CPU %u does not exist (%u CPUs)", cpu,
				 m->hw.nr_cpus);
	env_set_cpu(&m->env, (int)cpu);
	return KMM_OK;
}
