/*
 * The OOM killer with tasks (src/mm/oom_kill.c): the victim oom_badness picks, the report, the
 * kill and its delivery, the reaper, /proc/<pid>/oom_score(_adj) and the three sysctls.
 *
 * Expected values come from the kernel's rules (mm/oom_kill.c, fs/proc/base.c, 6.1), worked
 * by hand from what the machine shows, never from this code's output:
 *  - badness = rss + swap entries + page-table pages + oom_score_adj * (totalpages / 1000),
 *    totalpages = totalram_pages (MemTotal / 4 KiB; no swap here); rss is what the page
 *    tables map (smaps_rollup's Rss: exact), page-table pages are VmPTE / 4 KiB;
 *  - /proc/<pid>/oom_score = (1000 + badness * 1000 / totalpages) * 2 / 3, 0 when the
 *    task cannot be killed (oom_score_adj -1000, pid 1);
 *  - oom_score_adj outside [-1000, 1000] is -EINVAL; a fork inherits it;
 *  - the victim is the highest badness, ties to the later pid; a victim still exiting stops
 *    the search (the next OOM waits); the reaper runs OOM_REAPER_DELAY (2 s) after the kill
 *    and leaves the victim with anon-rss 0;
 *  - the report's lines are those of captures/a57-smp1-1G/post_oom.dmesg.txt.
 */
#include "kmm_test.h"

#include <kmm/task.h>

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define MiB  (1ULL << 20)
#define ANON (KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS)
#define RW   (KMM_PROT_READ | KMM_PROT_WRITE)

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	cfg.nr_cpus = 1;
	assert_int_equal(kmm_config_set_ram(&cfg, 256ULL << 20), KMM_OK);
	assert_int_equal(kmm_config_append(&cfg, "norandmaps"), KMM_OK);
	return test_machine(&cfg);
}

static void check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

static kmm_pid_t new_task(struct kmm_machine *m, const char *comm)
{
	kmm_pid_t pid = 0;

	if (kmm_task_create(m, comm, 0, &pid))
		fail_msg("kmm_task_create: %s", kmm_last_error(m));
	return pid;
}

/* A task with @mib MiB of anonymous memory written (word i of page p = p ^ seed). */
static kmm_va_t fill(struct kmm_machine *m, kmm_pid_t pid, uint64_t mib, uint64_t seed)
{
	kmm_va_t va = 0;

	if (kmm_mmap(m, pid, 0, mib * MiB, RW, ANON, -1, 0, &va))
		fail_msg("kmm_mmap: %s", kmm_last_error(m));
	for (uint64_t off = 0; off < mib * MiB; off += 4096) {
		uint64_t v = (off >> 12) ^ seed;

		if (kmm_task_access(m, pid, KMM_ACCESS_STORE, va + off, &v, 8, NULL))
			fail_msg("store: %s", kmm_last_error(m));
	}
	return va;
}

static uint64_t checksum(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, uint64_t mib)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t off = 0; off < mib * MiB; off += 4096) {
		uint64_t v = 0;

		if (kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + off, &v, 8, NULL))
			fail_msg("load: %s", kmm_last_error(m));
		h = (h ^ v) * 0x100000001b3ULL;
	}
	return h;
}

struct text {
	char *buf;
	size_t len;
};

static void text_sink(void *arg, const char *s, size_t n)
{
	struct text *t = arg;

	t->buf = realloc(t->buf, t->len + n + 1);
	assert_non_null(t->buf);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static char *view(struct kmm_machine *m, const char *path)
{
	struct text t = {NULL, 0};

	if (kmm_proc_show(m, path, text_sink, &t))
		fail_msg("%s: %s", path, kmm_last_error(m));
	return t.buf ? t.buf : strdup("");
}

static char *dmesg(struct kmm_machine *m)
{
	struct text t = {NULL, 0};

	kmm_dmesg(m, text_sink, &t);
	return t.buf ? t.buf : strdup("");
}

/* The number after "@key" in @text (e.g. "MemTotal:", "Rss:"), or fails. */
static long long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	if (!p)
		fail_msg("no '%s' in:\n%s", key, text);
	return strtoll(p + strlen(key), NULL, 10);
}

static long long pid_field(struct kmm_machine *m, kmm_pid_t pid, const char *file, const char *key)
{
	char path[64];
	char *t;
	long long v;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	t = view(m, path);
	v = field(t, key);
	free(t);
	return v;
}

static long long totalpages(struct kmm_machine *m)
{
	char *t = view(m, "/proc/meminfo");
	long long v = field(t, "MemTotal:") / 4;

	free(t);
	return v;
}

/* badness by hand: Rss (exact walk) + VmPTE pages + adj * (totalpages / 1000). */
static long long badness(struct kmm_machine *m, kmm_pid_t pid, int adj)
{
	long long rss = pid_field(m, pid, "smaps_rollup", "\nRss:") / 4;
	long long pte = pid_field(m, pid, "status", "VmPTE:") / 4;

	return rss + pte + (long long)adj * (totalpages(m) / 1000);
}

static unsigned long score(struct kmm_machine *m, kmm_pid_t pid)
{
	unsigned long s = 0;
	int adj = 0;

	assert_int_equal(kmm_task_oom_score(m, pid, &adj, &s), KMM_OK);
	assert_int_equal(pid_field(m, pid, "oom_score", ""), (long long)s);
	return s;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void assert_line(const char *text, const char *pattern)
{
	regex_t re;
	int rc;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
	rc = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	if (rc)
		fail_msg("no line matches /%s/ in the kernel log", pattern);
}

/* /bin/hog: 8 MiB chunks mapped and written, a word per page, up to @max_mib; the status of
 * the call that stopped it (KMM_EFAULT when a signal did), *@mib_out the MiB done. */
static enum kmm_status eat(struct kmm_machine *m, kmm_pid_t pid, uint64_t max_mib,
			   uint64_t *mib_out)
{
	enum kmm_status st = KMM_OK;
	uint64_t mib = 0;

	while (mib < max_mib) {
		kmm_va_t va = 0;

		if ((st = kmm_mmap(m, pid, 0, 8 * MiB, RW, ANON, -1, 0, &va)))
			break;
		if ((st = kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 8 * MiB, 4096, KMM_TOUCH_SEQ,
					 1, NULL)))
			break;
		mib += 8;
	}
	if (mib_out)
		*mib_out = mib;
	return st;
}

/* ---- oom_score_adj --------------------------------------------------------------------- */

static void test_oom_score_adj_range_and_inheritance(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t init = new_task(m, "init"), a = new_task(m, "a"), child = 0;
	int adj = 7;

	(void)state;
	assert_int_equal(kmm_task_set_oom_score_adj(m, a, -1001), KMM_EINVAL);
	assert_int_equal(kmm_task_set_oom_score_adj(m, a, 1001), KMM_EINVAL);
	assert_int_equal(kmm_task_oom_score(m, a, &adj, NULL), KMM_OK);
	assert_int_equal(adj, 0); /* nothing changed */
	assert_int_equal(kmm_task_set_oom_score_adj(m, a, 1000), KMM_OK);
	assert_int_equal(pid_field(m, a, "oom_score_adj", ""), 1000);
	assert_int_equal(kmm_task_set_oom_score_adj(m, a, -1000), KMM_OK);
	assert_int_equal(pid_field(m, a, "oom_score_adj", ""), -1000);
	assert_int_equal(score(m, a), 0);    /* OOM_SCORE_ADJ_MIN: never killed */
	assert_int_equal(score(m, init), 0); /* pid 1 */
	assert_int_equal(kmm_task_set_oom_score_adj(m, a, 300), KMM_OK);
	assert_int_equal(kmm_task_fork(m, a, &child), KMM_OK);
	assert_int_equal(pid_field(m, child, "oom_score_adj", ""), 300);
	assert_int_equal(kmm_task_set_oom_score_adj(m, 999, 0), KMM_ESRCH);
	assert_int_equal(kmm_sysctl(m, "vm.panic_on_oom", "x"), KMM_EINVAL);
	check(m);
	test_machine_done(m);
}

/* ---- the victim ------------------------------------------------------------------------ */

static void test_victims_in_badness_order_and_the_reaper(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t init = new_task(m, "init"), a = new_task(m, "a"), b = new_task(m, "b");
	kmm_pid_t c = new_task(m, "c"), d = new_task(m, "d"), hog = new_task(m, "hog");
	kmm_va_t va_a = fill(m, a, 16, 0xa), va_b = fill(m, b, 8, 0xb), va_c = fill(m, c, 24, 0xc);
	kmm_va_t va_d = fill(m, d, 12, 0xd);
	uint64_t sum_c = checksum(m, c, va_c, 24);
	long long tp = totalpages(m), ba, bb, bd;
	struct kmm_siginfo si;
	struct kmm_task_info ti;
	char *log, *p_a, *p_b, *p_d;

	(void)state;
	(void)init;
	(void)va_a;
	(void)va_b;
	(void)va_d;
	assert_int_equal(kmm_task_set_oom_score_adj(m, b, 500), KMM_OK);
	assert_int_equal(kmm_task_set_oom_score_adj(m, c, -1000), KMM_OK);
	assert_int_equal(kmm_task_set_oom_score_adj(m, d, -500), KMM_OK);
	assert_int_equal(kmm_task_set_oom_score_adj(m, hog, -1000), KMM_OK);
	ba = badness(m, a, 0);
	bb = badness(m, b, 500);
	bd = badness(m, d, -500);
	/* 16 MiB is 4096 pages; +500 is 500 * (tp / 1000) pages more */
	assert_true(ba >= 4096 && bb >= 2048 + 500 * (tp / 1000));
	assert_int_equal(score(m, a), (unsigned long)((1000 + ba * 1000 / tp) * 2 / 3));
	assert_int_equal(score(m, b), (unsigned long)((1000 + bb * 1000 / tp) * 2 / 3));
	assert_int_equal(score(m, d), (unsigned long)((1000 + bd * 1000 / tp) * 2 / 3));
	assert_int_equal(score(m, c), 0);
	assert_true(bb > ba && ba > bd);

	/* the hog (unkillable) eats memory: b, a, d die in that order; c and the hog stay */
	assert_int_equal(eat(m, hog, 1024, NULL), KMM_EFAULT); /* nothing left: stopped */
	log = dmesg(m);
	p_b = strstr(log, "Killed process 3 (b)");
	p_a = strstr(log, "Killed process 2 (a)");
	p_d = strstr(log, "Killed process 5 (d)");
	assert_non_null(p_b);
	assert_non_null(p_a);
	assert_non_null(p_d);
	assert_true(p_b < p_a && p_a < p_d);
	assert_int_equal(count(log, "Killed process"), 3);
	assert_null(strstr(log, "Killed process 4 (c)"));
	assert_non_null(strstr(log, "Out of memory and no killable processes..."));
	/* each victim stayed asleep: the reaper took its private memory 2 s after the kill */
	assert_line(log, "oom_reaper: reaped process 3 \\(b\\), now anon-rss:0kB, file-rss:0kB, "
			 "shmem-rss:0kB$");
	assert_line(log, "oom_reaper: reaped process 2 \\(a\\), now anon-rss:0kB");
	assert_int_equal(pid_field(m, b, "smaps_rollup", "\nRss:"), 0);
	check(m);
	/* the victims die when they next run; c's data is intact */
	assert_int_equal(kmm_task_access(m, b, KMM_ACCESS_LOAD, va_b, &ti, 8, &si), KMM_EFAULT);
	assert_int_equal(si.signo, KMM_SIGKILL);
	assert_int_equal(kmm_task_info(m, b, &ti), KMM_ESRCH);
	assert_int_equal(kmm_task_exit(m, a, 0), KMM_OK);
	assert_int_equal(kmm_task_exit(m, d, 0), KMM_OK);
	assert_int_equal(checksum(m, c, va_c, 24), sum_c);
	assert_int_equal(pid_field(m, c, "oom_score_adj", ""), -1000);
	check(m);
	free(log);
	test_machine_done(m);
}

/* One hog that kills itself, as the captures' /bin/hog; returns the kernel log. */
static char *self_kill(struct kmm_machine *m, kmm_pid_t *pid_out)
{
	kmm_pid_t init = new_task(m, "init"), hog = new_task(m, "hog");
	struct kmm_task_info ti;

	(void)init;
	assert_int_equal(eat(m, hog, 1024, NULL), KMM_EFAULT);
	assert_int_equal(kmm_task_info(m, hog, &ti), KMM_ESRCH); /* exited and reaped */
	*pid_out = hog;
	return dmesg(m);
}

static void test_self_kill_report_layout(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t hog;
	char *log = self_kill(m, &hog), *vm;

	(void)state;
	/* the lines of captures/a57-smp1-1G/post_oom.dmesg.txt, in their layout */
	assert_line(log, "] hog invoked oom-killer: gfp_mask=0x[0-9a-f]+\\([A-Z_|]+\\), order=0, "
			 "oom_score_adj=0$");
	assert_line(log, "] Mem-Info:$");
	assert_line(log, "] active_anon:[0-9]+ inactive_anon:[0-9]+ isolated_anon:0$");
	assert_line(log, "] Node 0 DMA free:[0-9]+kB boost:0kB min:[0-9]+kB low:[0-9]+kB "
			 "high:[0-9]+kB reserved_highatomic:0KB active_anon:");
	assert_line(log, "] Node 0 DMA: [0-9]+\\*4kB .* = [0-9]+kB$");
	assert_line(log, "] [0-9]+ total pagecache pages$");
	assert_line(log, "] Free swap  = 0kB$");
	assert_line(log, "] Total swap = 0kB$");
	assert_line(log, "] 65536 pages RAM$");
	assert_line(log, "] Tasks state \\(memory values in pages\\):$");
	assert_line(log, "] \\[  pid  \\]   uid  tgid total_vm      rss pgtables_bytes swapents "
			 "oom_score_adj name$");
	assert_line(log, "] \\[      2\\]     0     2 +[0-9]+ +[0-9]+ +[0-9]+        0"
			 "             0 hog$");
	assert_line(log, "] oom-kill:constraint=CONSTRAINT_NONE,nodemask=\\(null\\),cpuset=/,"
			 "mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=2,uid=0$");
	/* shmem-rss by hand: exec's start faults in the default image's text (0x7e000: 504 kB)
	 * and the RW segment's 4 rodata pages it only reads (16 kB); its 3 data pages are
	 * copies (anon-rss). The capture's hog: shmem-rss:512kB; its file-rss:4kB is the
	 * [vdso] page, which the model's [vdso] does not have. */
	assert_line(log,
		    "] Out of memory: Killed process 2 \\(hog\\) total-vm:[0-9]+kB, "
		    "anon-rss:[0-9]+kB, file-rss:0kB, shmem-rss:520kB, UID:0 pgtables:[0-9]+kB "
		    "oom_score_adj:0$");
	/* pid 1 (init) is never in the table; the hog exited before the reaper's turn */
	assert_null(strstr(log, "[      1]"));
	assert_null(strstr(log, "oom_reaper: reaped"));
	vm = view(m, "/proc/vmstat");
	assert_int_equal(field(vm, "\noom_kill "), 1);
	free(vm);
	check(m);
	free(log);
	test_machine_done(m);
}

static void test_deterministic(void **state)
{
	struct kmm_machine *m1 = boot(), *m2 = boot();
	kmm_pid_t p1, p2;
	char *l1 = self_kill(m1, &p1), *l2 = self_kill(m2, &p2);

	(void)state;
	assert_string_equal(l1, l2);
	free(l1);
	free(l2);
	test_machine_done(m1);
	test_machine_done(m2);
}

/* ---- the sysctls ----------------------------------------------------------------------- */

static void test_oom_kill_allocating_task_and_dump_tasks(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t init = new_task(m, "init"), big = new_task(m, "big"), hog = new_task(m, "hog");
	kmm_va_t va_big = fill(m, big, 64, 0xb1);
	uint64_t sum = checksum(m, big, va_big, 64);
	char *log;

	(void)state;
	(void)init;
	assert_int_equal(kmm_sysctl(m, "vm.oom_kill_allocating_task", "1"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "vm.oom_dump_tasks", "0"), KMM_OK);
	assert_int_equal(eat(m, hog, 1024, NULL), KMM_EFAULT);
	log = dmesg(m);
	/* the bigger task survives: the allocating one goes */
	assert_line(log, "] Out of memory \\(oom_kill_allocating_task\\): Killed process 3 "
			 "\\(hog\\)");
	assert_null(strstr(log, "Tasks state"));
	assert_int_equal(checksum(m, big, va_big, 64), sum);
	check(m);
	free(log);
	test_machine_done(m);
}

static void test_panic_on_oom_kills_the_machine_not_the_host(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t init = new_task(m, "init"), hog = new_task(m, "hog");
	char *log;

	(void)state;
	(void)init;
	assert_int_equal(kmm_sysctl(m, "vm.panic_on_oom", "1"), KMM_OK);
	assert_int_equal(pid_field(m, hog, "oom_score_adj", ""), 0);
	assert_int_not_equal(eat(m, hog, 1024, NULL), KMM_OK);
	assert_true(kmm_machine_dead(m));
	log = dmesg(m);
	assert_non_null(strstr(log, "Kernel panic - not syncing: Out of memory: system-wide "
				    "panic_on_oom is enabled"));
	assert_null(strstr(log, "Killed process"));
	free(log);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_score_adj_range_and_inheritance),
		cmocka_unit_test(test_victims_in_badness_order_and_the_reaper),
		cmocka_unit_test(test_self_kill_report_layout),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_oom_kill_allocating_task_and_dump_tasks),
		cmocka_unit_test(test_panic_on_oom_kills_the_machine_not_the_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
