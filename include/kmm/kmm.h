/*
 * libkmm: Linux 6.1 (arm64) memory management as a user-space library, on a software model
 * of the ARMv8-A MMU. Include this header; it includes the rest.
 */
#ifndef KMM_KMM_H
#define KMM_KMM_H

#include <kmm/types.h>
#include <kmm/config.h>
#include <kmm/machine.h>
#include <kmm/scenario.h>
#include <kmm/mmu.h>
#include <kmm/page.h>
#include <kmm/vmalloc.h>
#include <kmm/trace.h>
#include <kmm/slab.h>
#include <kmm/task.h>
#include <kmm/swap.h>
#include <kmm/stats.h>
#include <kmm/replay.h>

#define KMM_VERSION_MAJOR 0
#define KMM_VERSION_MINOR 1
#define KMM_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/* "0.1.0" */
KMM_API const char *kmm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* KMM_KMM_H */
