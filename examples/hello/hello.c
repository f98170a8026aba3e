/* hello: create the default machine (QEMU virt, 1 GiB, 4 CPUs), print /proc/iomem, check it. */
#include <kmm/kmm.h>
#include <stdio.h>

int main(void)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	char buf[8192];

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");  /* like qemu -m 2G */
	kmm_config_append(&cfg, "mem=1536M"); /* kernel command line */
	if (kmm_machine_create(&cfg, &m) != KMM_OK) {
		fprintf(stderr, "create: %s\n", kmm_last_error(NULL));
		return 1;
	}
	if (kmm_proc_read(m, "/proc/iomem", buf, sizeof(buf)) == KMM_OK)
		fputs(buf, stdout);
	if (kmm_check(m) != KMM_OK)
		fprintf(stderr, "check: %s\n", kmm_last_error(m));
	kmm_machine_destroy(m);
	return 0;
}
