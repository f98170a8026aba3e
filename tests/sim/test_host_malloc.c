/*
 * Library hygiene: linking libkmm leaves the host program's malloc its own, and libkmm.so can
 * be loaded at run time (Python's ctypes and cffi dlopen it). Both failed while the library
 * linked Debian's jemalloc: it exported malloc, and its static TLS refused dlopen.
 */
#include "kmm_test.h"

#include <dlfcn.h>

/* The object file that defines the global symbol @name. */
static const char *definer(const char *name)
{
	Dl_info info;
	void *sym = dlsym(RTLD_DEFAULT, name);

	if (!sym || !dladdr(sym, &info) || !info.dli_fname)
		fail_msg("%s: no definition found", name);
	return info.dli_fname;
}

/*
 * malloc and free are the host's: the C library's, or a sanitizer's in its builds — never an
 * allocator that came with libkmm.
 */
static void test_host_malloc_stays_the_hosts(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	const char *mal, *fre;
	kmm_va_t va;

	assert_int_equal(kmm_kmalloc(m, 100, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(kmm_kfree(m, va), KMM_OK);
	test_machine_done(m);
	mal = definer("malloc");
	fre = definer("free");
	if (strstr(mal, "jemalloc") || strstr(mal, "libkmm") || strcmp(mal, fre))
		fail_msg("malloc comes from %s, free from %s", mal, fre);
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
	if (!strstr(mal, "libc.so"))
		fail_msg("malloc comes from %s, not the C library", mal);
#endif
}

static void test_host_shared_library_loads_at_run_time(void **state)
{
	void *h = dlopen(KMM_SHARED_LIB, RTLD_NOW | RTLD_LOCAL);
	const char *(*version)(void);

	if (!h)
		fail_msg("dlopen %s: %s", KMM_SHARED_LIB, dlerror());
	version = (const char *(*)(void))dlsym(h, "kmm_version");
	assert_non_null(version);
	assert_string_equal(version(), kmm_version());
	dlclose(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_malloc_stays_the_hosts),
		cmocka_unit_test(test_host_shared_library_loads_at_run_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
