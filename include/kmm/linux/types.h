/* libkmm compat: the kernel's basic types (u8 ... s64, gfp_t, phys_addr_t, __user). */
#ifndef KMM_LINUX_TYPES_H
#define KMM_LINUX_TYPES_H

#include <kmm/linux/compat.h>

#endif /* KMM_LINUX_TYPES_H */
