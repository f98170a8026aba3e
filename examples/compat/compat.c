/*
 * compat: kernel-style code on a simulated machine. A "module" written the way a kernel
 * engineer writes one — kmalloc, a slab cache, vm_mmap for the current task, copy_to_user,
 * copy_from_user, pin_user_pages — runs on a libkmm machine through the kernel-named headers
 * of <kmm/linux/...>. The host part (main) only boots the machine, makes a task and binds
 * both to this thread as "current"; then it calls the module's init and exit.
 *
 * Prints what the module did and "compat: ok" when every step matched.
 */
#include <kmm/kmm.h>
#include <kmm/linux/mm.h>
#include <kmm/linux/sched.h>
#include <kmm/linux/slab.h>
#include <kmm/linux/uaccess.h>
#include <kmm/linux/vmalloc.h>
#include <stdio.h>

/* ---- the module: kernel style from here to module_exit ------------------------------------ */

struct demo_record {
	u64 seq;
	char text[48];
};

static struct kmem_cache *demo_cache;
static struct demo_record *demo_rec;
static unsigned long demo_uaddr;
static struct page *demo_pinned[2];

static int demo_init(void)
{
	char *buf, check[48];
	long pinned;
	int ret;

	demo_cache = KMEM_CACHE(demo_record, SLAB_HWCACHE_ALIGN);
	if (!demo_cache)
		return -ENOMEM;
	demo_rec = kmem_cache_zalloc(demo_cache, GFP_KERNEL);
	buf = kmalloc(64, GFP_KERNEL);
	if (!demo_rec || !buf) {
		ret = -ENOMEM;
		goto out_free;
	}
	demo_rec->seq = 1;
	snprintf(demo_rec->text, sizeof(demo_rec->text), "hello from pid %d", current->pid);
	memcpy(buf, demo_rec->text, sizeof(demo_rec->text));

	/* two pages of anonymous memory in the current task, as a driver's mmap helper would */
	demo_uaddr = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(demo_uaddr)) {
		ret = (int)demo_uaddr;
		goto out_free;
	}
	if (copy_to_user((void __user *)(demo_uaddr + PAGE_SIZE - 8), buf, 48) ||
	    copy_from_user(check, (const void __user *)(demo_uaddr + PAGE_SIZE - 8), 48) ||
	    memcmp(check, buf, 48)) {
		ret = -EFAULT;
		goto out_unmap;
	}
	/* a copy to an address the task has not mapped fails, and the task lives on */
	if (copy_to_user((void __user *)0x1000, buf, 8) != 8) {
		ret = -EINVAL;
		goto out_unmap;
	}
	/* pin both pages for "DMA"; the second begins with the tail of the text */
	pinned = pin_user_pages(demo_uaddr, 2, FOLL_WRITE | FOLL_LONGTERM, demo_pinned, NULL);
	if (pinned != 2) {
		ret = pinned < 0 ? (int)pinned : -EFAULT;
		if (pinned > 0)
			unpin_user_pages(demo_pinned, (unsigned long)pinned);
		goto out_unmap;
	}
	printf("demo: cache %s object at pa %#llx, kmalloc at pa %#llx\n", "demo_record",
	       (unsigned long long)virt_to_phys(demo_rec), (unsigned long long)virt_to_phys(buf));
	printf("demo: mapped %#lx, pinned pfns %#lx %#lx (refcount %d), second page reads \"%s\"\n",
	       demo_uaddr, page_to_pfn(demo_pinned[0]), page_to_pfn(demo_pinned[1]),
	       page_count(demo_pinned[1]), (char *)page_address(demo_pinned[1]));
	kfree(buf);
	return 0;

out_unmap:
	vm_munmap(demo_uaddr, 2 * PAGE_SIZE);
out_free:
	kfree(buf);
	kmem_cache_free(demo_cache, demo_rec);
	kmem_cache_destroy(demo_cache);
	return ret;
}

static void demo_exit(void)
{
	unpin_user_pages(demo_pinned, 2);
	vm_munmap(demo_uaddr, 2 * PAGE_SIZE);
	kmem_cache_free(demo_cache, demo_rec);
	kmem_cache_destroy(demo_cache);
}

/* ---- the host ---------------------------------------------------------------------------- */

int main(void)
{
	struct kmm_machine *m;
	kmm_pid_t pid;
	int ret;

	if (kmm_machine_create(NULL, &m) != KMM_OK) {
		fprintf(stderr, "create: %s\n", kmm_last_error(NULL));
		return 1;
	}
	if (kmm_task_create(m, "insmod", 0, &pid) != KMM_OK || kmm_linux_bind(m, pid) != KMM_OK) {
		fprintf(stderr, "task: %s\n", kmm_last_error(m));
		kmm_machine_destroy(m);
		return 1;
	}
	ret = demo_init();
	if (ret)
		fprintf(stderr, "demo_init: %d (%s)\n", ret, kmm_linux_last_error());
	else
		demo_exit();
	if (!ret && kmm_check(m) != KMM_OK) {
		fprintf(stderr, "check: %s\n", kmm_last_error(m));
		ret = 1;
	}
	kmm_machine_destroy(m); /* also unbinds this thread */
	if (ret)
		return 1;
	puts("compat: ok");
	return 0;
}
