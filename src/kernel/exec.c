/*
 * exec: a task's address space replaced by a fresh one laid out for a simulated static arm64
 * binary, the way fs/exec.c and fs/binfmt_elf.c lay it out, so /proc/<pid>/maps reads like the
 * captured /proc/self/maps of a static binary (boot.maps_norand.txt):
 *
 *   0x400000  text     r-xp  file offset 0                 (the binary)
 *             rodata   rw-p  file offset = its VA - load   (RELRO part of the RW segment:
 *             data     rw-p  file offset = its VA - load    r--p once startup protects it)
 *             bss      rw-p  anonymous (vm_brk_flags)      [heap] once brk is at its end
 *             start_brk = brk = PAGE_ALIGN(end of bss)     (randomised unless norandmaps)
 *   ...
 *   mmap_base - 3 pages: [vvar] r--p 2 pages, [vdso] r-xp 1 page (get_unmapped_area)
 *   mmap_base = PAGE_ALIGN(STACK_TOP - gap)                (arch_pick_mmap_layout)
 *   ...
 *   STACK_TOP - 132 KiB .. STACK_TOP: [stack] rw-p        (setup_arg_pages: one page of
 *             arguments + the 128 KiB stack_expand; VM_STACK_FLAGS)
 *
 * Defaults (a zero field of the image): the capture's /bin/maps: text 0x7e000 bytes, rodata
 * 0x4000, data 0x3000, bss 0x5000, loaded at 0x400000; the RW segment's VA (and file offset)
 * is 0xe000 (rw_gap) after the end of text, as the capture's linker placed it; RLIMIT_STACK
 * 8 MiB; no RELRO. An image with a relro_size gets the first relro_size bytes of its RW
 * segment mprotect()ed read-only after the load, as the program's C library does at startup
 * (the capture's /bin/faults: r--p 0x49c000-0x4a0000, rw_gap 0x18000), after its writes.
 *
 * The image's resident pages. The captured guest's binaries sit on its rootfs tmpfs (00:02),
 * unpacked from the initramfs at boot: every page of each is in the page cache (Shmem, anon
 * LRU: the captures' file LRU is empty at boot and at the OOM, active_file:0
 * inactive_file:0). The model unpacks a binary on the first exec of its path: its file's
 * pages are written (uptodate, dirty). Then, as 6.1 does:
 *   1. prepare_binprm's kernel_read of the first BINPRM_BUF_SIZE bytes (the ELF header; the
 *      program headers load_elf_phdrs reads are in the same page) goes through the page
 *      cache;
 *   2. the program's start, run as the task on its new mm through handle_mm_fault (the
 *      fault path with fault-around, fault_around_bytes 64 KiB): one instruction fetch in
 *      each fault-around window of the text, so every text page is mapped (filemap_map_pages
 *      maps the window's cached pages); a read at the RW segment's start (its first window's
 *      file pages mapped); writes to the data part and to the RELRO part's second half (the
 *      GOT the startup relocates), each a COW copy; then the RELRO mprotect.
 * Derived from the captures' smaps: /bin/maps text Rss 440 of 504 kB (6 full windows and
 * the 14-page last one: one window never ran), /bin/faults 512 of 528 kB (its 4-page tail
 * never ran), RELRO r--p Rss 16 Anonymous 8 and data rw-p Rss 12 Anonymous 12 in both; the
 * OOM victim hog shmem-rss:512kB in every OOM capture (the model's default image: 520 kB).
 * Deviation: every text window is faulted in (the guests' programs leave one 64 KiB window,
 *         or the tail, untouched: +64 and +16 kB); which windows a real program runs is its
 *         code's business. The start's faults enter at handle_mm_fault, not through the
 *         task's CPU and MMU (no TLB fill, no context switch at exec); a fault that fails
 *         (no memory) ends the start's faulting, the program taking it later. The bss, heap
 *         and stack pages the C library touches are left to the program (the scenarios).
 *         The binary's pages appear at its first exec, not at boot (the model has no
 *         initramfs), and its bytes are zeros.
 *
 * Models: fs/exec.c:begin_new_exec() (exec_mmap), setup_new_exec(), setup_arg_pages(),
 *         bprm_mm_init(); fs/binfmt_elf.c:load_elf_binary() for an ET_EXEC without an
 *         interpreter (elf_map of the PT_LOAD segments, set_brk, the brk randomisation);
 *         arch/arm64/kernel/vdso.c:__setup_additional_pages() (Linux 6.1).
 * Deviation: the binary is a file of the in-memory filesystem, unpacked (zero bytes) on the
 *         first exec of its path. The arguments page is written with a fixed
 *         block (no argv/envp/auxv strings). [vvar] and [vdso] are placeholders without pages.
 *         Only the image's request sets ADDR_NO_RANDOMIZE (as setarch -R does); the kernel's
 *         norandmaps parameter turns randomisation off through randomize_va_space, as in
 *         Linux, and leaves the personality alone (the capture: personality=0x0).
 *
 * Invariants: none of its own (exec builds an mm that mmap.c's checks cover).
 */
#include "kernel/sched.h"

#include "arch/arm64/include/asm/mmu_context.h"
#include "fs/fs.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define EXEC_LOAD_ADDR	 0x400000UL
#define EXEC_TEXT_SIZE	 0x7e000UL
#define EXEC_RODATA_SIZE 0x4000UL
#define EXEC_DATA_SIZE	 0x3000UL
#define EXEC_BSS_SIZE	 0x5000UL
#define EXEC_TEXT_GAP	 0xe000UL /* end of text to the RW segment (the capture's linker) */
#define EXEC_PATH	 "/bin/a.out"

#define STACK_EXPAND	(128UL << 10) /* setup_arg_pages: stack_expand */
#define STACK_RND_MASK	0x3ffffUL     /* arm64, 4 KiB pages: 18 bits of pages */
#define EXEC_ARGS_BYTES 0x100UL	      /* the argument block written at the top of the stack */
#define VVAR_NR_PAGES	2
#define VDSO_TEXT_PAGES 1
#define BRK_RND_RANGE	(1UL << 30) /* arch_randomize_brk: SZ_1G for 64-bit tasks */
#define BINPRM_BUF_SIZE 256	    /* include/uapi/linux/binfmts.h */

/* The image with its defaults filled in. */
static void exec_image_defaults(const struct linux_binprm_image *in, struct linux_binprm_image *o)
{
	static const struct linux_binprm_image def = {EXEC_PATH,
						      EXEC_TEXT_SIZE,
						      EXEC_RODATA_SIZE,
						      EXEC_DATA_SIZE,
						      EXEC_BSS_SIZE,
						      EXEC_LOAD_ADDR,
						      _STK_LIM,
						      false,
						      EXEC_TEXT_GAP,
						      0,
						      0};

	*o = def;
	if (!in)
		return;
	if (in->path)
		o->path = in->path;
	if (in->text_size)
		o->text_size = in->text_size;
	if (in->rodata_size)
		o->rodata_size = in->rodata_size;
	if (in->data_size)
		o->data_size = in->data_size;
	if (in->bss_size)
		o->bss_size = in->bss_size;
	if (in->load_addr)
		o->load_addr = in->load_addr;
	if (in->stack_rlimit)
		o->stack_rlimit = in->stack_rlimit;
	if (in->rw_gap)
		o->rw_gap = in->rw_gap;
	o->relro_size = in->relro_size;
	o->rw_offset = in->rw_offset;
	o->norandmaps = in->norandmaps;
}

/* PF_RANDOMIZE of the exec: randomize_va_space on and no ADDR_NO_RANDOMIZE. */
static bool exec_randomize(const struct kmm_kernel *k, const struct task_struct *t)
{
	return k->params.randomize_va_space && !(t->personality & ADDR_NO_RANDOMIZE);
}

/*
 * Models: setup_arg_pages() after bprm_mm_init(): the stack VMA (one page of arguments at
 * @stack_top, grown by stack_expand within RLIMIT_STACK) and the arguments written into it.
 */
static int setup_arg_pages(struct mm_struct *mm, unsigned long stack_top, uint64_t rlim_stack)
{
	unsigned long start = stack_top - PAGE_SIZE, grow = STACK_EXPAND;
	struct vm_area_struct *vma;
	struct page *page;
	unsigned long ret;
	uint8_t *host;

	if (PAGE_SIZE + grow > rlim_stack)
		grow = rlim_stack > PAGE_SIZE ? PAGE_ALIGN(rlim_stack) - PAGE_SIZE : 0;
	ret = mmap_region(mm, NULL, start, PAGE_SIZE, VM_STACK_FLAGS, start >> PAGE_SHIFT);
	if (IS_ERR_VALUE(ret))
		return (int)(long)ret;
	vma = find_vma(mm, start);
	if (grow) {
		int err = expand_stack(vma, start - grow);

		if (err)
			return err;
	}
	mm->start_stack = stack_top - EXEC_ARGS_BYTES;
	mm->arg_start = mm->arg_end = mm->env_start = mm->env_end = mm->start_stack;
	/* copy_strings: the kernel writes the argument page through get_user_pages (FOLL_FORCE) */
	if (get_user_pages(mm, start, 1, FOLL_WRITE | FOLL_FORCE, &page) != 1)
		return -EFAULT;
	host = page_host(mm->kernel, page, PAGE_SIZE);
	if (host)
		memset(host + PAGE_SIZE - EXEC_ARGS_BYTES, 0, EXEC_ARGS_BYTES);
	put_page(mm->kernel, page);
	return 0;
}

/* Models: __setup_additional_pages(): [vvar] and [vdso] where get_unmapped_area puts them. */
static int setup_additional_pages(struct mm_struct *mm)
{
	unsigned long len = (VVAR_NR_PAGES + VDSO_TEXT_PAGES) * PAGE_SIZE;
	unsigned long base = get_unmapped_area(mm, NULL, 0, len, 0, 0);
	int err;

	if (IS_ERR_VALUE(base))
		return (int)(long)base;
	err = install_special_mapping(mm, base, VVAR_NR_PAGES * PAGE_SIZE,
				      VM_READ | VM_MAYREAD | VM_PFNMAP, "[vvar]");
	if (err)
		return err;
	return install_special_mapping(
		mm, base + VVAR_NR_PAGES * PAGE_SIZE, VDSO_TEXT_PAGES * PAGE_SIZE,
		VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, "[vdso]");
}

/*
 * Models: the initramfs unpack (init/initramfs.c: do_name's filp_open and do_copy's writes)
 * of a binary onto the root tmpfs: every page of @path's @size bytes written, so each is in
 * the page cache (uptodate, dirty: Shmem) before any exec, as in the captured guest. A
 * kmmfs path stays a file on disk (its pages read when faulted). 0 or -errno, no file left.
 */
static int unpack_binary(struct kmm_kernel *k, const char *path, unsigned long size)
{
	static const uint8_t zeros[PAGE_SIZE];
	struct file *file = NULL;
	int err = vfs_create_file(k, path, NULL, size);

	if (!err)
		err = filp_open(k, path, O_RDWR, &file);
	if (err)
		return err;
	for (unsigned long pos = 0; !file_inode(file)->i_sb->s_store_backed && pos < size;
	     pos += PAGE_SIZE) {
		int64_t n = vfs_pwrite(k, file, zeros, min(PAGE_SIZE, size - pos), (loff_t)pos);

		if (n < 0) {
			err = (int)n;
			break;
		}
	}
	fput(k, file);
	if (err)
		vfs_unlink(k, path);
	return err;
}

/*
 * The binary's file: unpacked at @img->path on the first exec of that path (its bytes: the
 * segments at their file offsets, zero), opened read-only, and its first BINPRM_BUF_SIZE
 * bytes read through the page cache as prepare_binprm's kernel_read does (the ELF header and,
 * in the same page, the program headers load_elf_phdrs reads). 0 with *@out, or -errno.
 */
static int open_binary(struct kmm_kernel *k, const struct linux_binprm_image *img,
		       unsigned long file_size, struct file **out)
{
	uint8_t buf[BINPRM_BUF_SIZE];
	int64_t n;
	int err;

	if (!fs_lookup(k, img->path) && (err = unpack_binary(k, img->path, file_size)))
		return err;
	err = filp_open(k, img->path, O_RDONLY, out);
	if (err)
		return err;
	n = vfs_pread(k, *out, buf, sizeof(buf), 0);
	if (n < 0) {
		fput(k, *out);
		return (int)n;
	}
	return 0;
}

/*
 * Models: elf_map() of the two PT_LOAD segments of a static binary (MAP_PRIVATE |
 * MAP_FIXED_NOREPLACE at their p_vaddr, file offset p_offset: 0 for text, the image's
 * rw_offset or p_vaddr - load address for the RW segment): text r-xp,
 * and rodata + data as one rw-p mapping, as /proc/<pid>/maps shows it right after execve.
 * (The capture's r--p rodata is the RELRO mprotect the program's startup makes later.)
 */
static int elf_map_segments(struct kmm_kernel *k, struct mm_struct *mm,
			    const struct linux_binprm_image *img, unsigned long rw_start,
			    unsigned long rw_end)
{
	unsigned long populate = 0, ret, text_len = PAGE_ALIGN(img->text_size);
	struct file *file = NULL;
	unsigned long rw_off = img->rw_offset ? img->rw_offset : rw_start - img->load_addr;
	unsigned long file_size = rw_off + (rw_end - rw_start);
	int err;

	if (file_size < text_len)
		file_size = text_len;
	err = open_binary(k, img, file_size, &file);

	if (err)
		return err;
	ret = do_mmap(mm, file, img->load_addr, text_len, PROT_READ | PROT_EXEC,
		      MAP_PRIVATE | MAP_FIXED_NOREPLACE, 0, &populate);
	if (!IS_ERR_VALUE(ret) && rw_end > rw_start)
		ret = do_mmap(mm, file, rw_start, rw_end - rw_start, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_FIXED_NOREPLACE, rw_off >> PAGE_SHIFT, &populate);
	fput(k, file);
	return IS_ERR_VALUE(ret) ? (int)(long)ret : 0;
}

/*
 * Models: load_elf_binary()'s segment part for an ET_EXEC: the segments from the binary's
 * file, the code and data addresses, the bss by set_brk (vm_brk_flags), and the brk start
 * (randomised by arch_randomize_brk).
 */
static int load_elf_segments(struct kmm_kernel *k, struct task_struct *t, struct mm_struct *mm,
			     const struct linux_binprm_image *img)
{
	unsigned long text_end = img->load_addr + PAGE_ALIGN(img->text_size);
	unsigned long rw_start = text_end + img->rw_gap;
	unsigned long data_end = rw_start + PAGE_ALIGN(img->rodata_size) + img->data_size;
	unsigned long bss_end = PAGE_ALIGN(data_end + img->bss_size);
	int err = elf_map_segments(k, mm, img, rw_start, PAGE_ALIGN(data_end));

	if (err)
		return err;

	mm->start_code = img->load_addr;
	mm->end_code = text_end;
	mm->start_data = rw_start;
	mm->end_data = data_end;
	if (bss_end > PAGE_ALIGN(data_end)) {
		err = vm_brk_flags(mm, PAGE_ALIGN(data_end), bss_end - PAGE_ALIGN(data_end), 0);
		if (err)
			return err;
	}
	mm->start_brk = mm->brk = bss_end;
	if (exec_randomize(k, t) && k->params.randomize_va_space > 1)
		mm->start_brk = mm->brk =
			bss_end + (env_random(k->env) % (BRK_RND_RANGE >> PAGE_SHIFT)) * PAGE_SIZE;
	return 0;
}

/*
 * One user fault of the starting program at @addr (FAULT_FLAG_* @flags), taken as
 * do_page_fault takes it: FAULT_FLAG_DEFAULT | FAULT_FLAG_USER, retried with
 * FAULT_FLAG_TRIED. The fault's vm_fault_t (VM_FAULT_SIGSEGV outside every VMA).
 */
static vm_fault_t start_fault(struct mm_struct *mm, unsigned long addr, unsigned int flags)
{
	unsigned int mm_flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER | flags;
	struct vm_area_struct *vma;
	vm_fault_t ret;

	for (;;) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			return VM_FAULT_SIGSEGV;
		ret = handle_mm_fault(vma, addr, mm_flags);
		if (!(ret & VM_FAULT_RETRY))
			return ret;
		mm_flags |= FAULT_FLAG_TRIED;
	}
}

/*
 * The program's start (user space, run as @t on its new mm): the faults its first
 * instructions and its C library's startup take on the image (the rule and its derivation:
 * the header), then the RELRO mprotect the C library makes once it has relocated.
 * 0, or the mprotect's -errno.
 */
static int exec_start_program(struct kmm_kernel *k, struct task_struct *t,
			      const struct linux_binprm_image *img)
{
	struct mm_struct *mm = t->mm;
	unsigned long win = mm_state_of(k)->fault_around_bytes, addr;
	unsigned long rw_start = mm->start_data, data_start, data_end = PAGE_ALIGN(mm->end_data);
	unsigned long relro_pages = img->relro_size >> PAGE_SHIFT;
	vm_fault_t ret = 0;

	if (win < PAGE_SIZE)
		win = PAGE_SIZE;
	/* the text: one instruction fetch in each fault-around window (each maps its window) */
	for (addr = mm->start_code; addr < mm->end_code && !(ret & VM_FAULT_ERROR);
	     addr = (addr & ~(win - 1)) + win)
		ret = start_fault(mm, addr, FAULT_FLAG_INSTRUCTION);
	/* the RW segment: read (fault-around maps its file pages), then the writes copy the
	 * RELRO part's second half (the GOT the startup's IRELATIVE relocations write) and all
	 * of the data part */
	if (data_end > rw_start && !(ret & VM_FAULT_ERROR))
		ret = start_fault(mm, rw_start, 0);
	data_start = rw_start + PAGE_ALIGN(img->rodata_size);
	addr = relro_pages ? rw_start + ((relro_pages - relro_pages / 2) << PAGE_SHIFT)
			   : data_start;
	for (; addr < data_end && !(ret & VM_FAULT_ERROR); addr += PAGE_SIZE) {
		if (addr >= rw_start + img->relro_size && addr < data_start)
			continue; /* read-only data outside RELRO: only read */
		ret = start_fault(mm, addr, FAULT_FLAG_WRITE);
	}
	/* The RELRO part: a static binary's C library mprotect()s it read-only once relocated
	 * (_dl_relocate_static_pie / _dl_protect_relro). */
	if (img->relro_size)
		return do_mprotect_pkey(mm, rw_start, img->relro_size, PROT_READ, -1);
	return 0;
}

/* Models: exec_mmap(): @t takes @mm; the old one is dropped; its CPU switches if it runs @t. */
static void exec_mmap(struct kmm_kernel *k, struct task_struct *t, struct mm_struct *mm)
{
	struct mm_struct *old = t->mm;

	if (cpu_curr(k, t->cpu) == t)
		switch_mm(k, old, mm, t->cpu);
	t->mm = t->active_mm = mm;
	if (old) {
		sync_mm_rss(t, old);
		mmput(old);
	}
}

int do_execve(struct kmm_kernel *k, struct task_struct *t, const struct linux_binprm_image *in)
{
	struct linux_binprm_image img;
	unsigned long stack_top = STACK_TOP;
	unsigned int personality = t->personality;
	struct task_rlimit rlim_stack = t->rlim[RLIMIT_STACK_];
	struct mm_struct *mm;
	struct task_struct *prev = get_current_task(k);
	int err;

	exec_image_defaults(in, &img);
	mm = mm_alloc(k);
	if (!mm)
		return -ENOMEM;
	if (img.norandmaps)
		t->personality |= ADDR_NO_RANDOMIZE;
	t->rlim[RLIMIT_STACK_].rlim_cur = img.stack_rlimit;
	set_current_task(k, t);
	if (exec_randomize(k, t))
		stack_top -= (env_random(k->env) & STACK_RND_MASK) << PAGE_SHIFT;
	arch_pick_mmap_layout(t, mm);
	err = setup_arg_pages(mm, stack_top, img.stack_rlimit);
	if (!err)
		err = load_elf_segments(k, t, mm, &img);
	if (!err)
		err = setup_additional_pages(mm);
	set_current_task(k, prev);
	if (err) {
		t->personality = personality;
		t->rlim[RLIMIT_STACK_] = rlim_stack;
		mmput(mm);
		return err;
	}
	update_hiwater_rss(mm);
	update_hiwater_vm(mm);
	exec_mmap(k, t, mm);
	snprintf(t->comm, sizeof(t->comm), "%s",
		 strrchr(img.path, '/') ? strrchr(img.path, '/') + 1 : img.path);
	/* past the point of no return: the program runs */
	set_current_task(k, t);
	err = exec_start_program(k, t, &img);
	set_current_task(k, prev);
	return err;
}
