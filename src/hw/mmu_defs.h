/*
 * Architectural bit definitions of the VMSAv8-64 model: system register fields, translation
 * table descriptor bits, ESR/PAR encodings. Names follow the Arm ARM register descriptions.
 *
 * Spec: Arm ARM D17 (AArch64 System Register Descriptions: SCTLR_EL1, TCR_EL1, TTBRn_EL1,
 * HCR_EL2, VTCR_EL2, VTTBR_EL2, ESR_ELx, HPFAR_EL2, PAR_EL1), D8.3 (translation table
 * descriptor formats, 4KB granule, 48-bit OA).
 *
 * Descriptor formats (VMSAv8-64, 4KB granule, no FEAT_LPA2):
 *
 * | bits   | table (L0-L2)          | block (L1, L2) / page (L3), stage 1 | stage 2 leaf     |
 * |--------|------------------------|-------------------------------------|------------------|
 * | 1:0    | 0b11                   | block 0b01, page 0b11               | same             |
 * | 4:2    | ignored                | AttrIndx                            | MemAttr[3:0]=5:2 |
 * | 5      | ignored                | NS                                  |                  |
 * | 7:6    | ignored                | AP[2:1]                             | S2AP[1:0]        |
 * | 9:8    | ignored                | SH[1:0]                             | SH[1:0]          |
 * | 10     | ignored                | AF                                  | AF               |
 * | 11     | ignored                | nG                                  | (FnXS)           |
 * | 47:12  | next-level table addr  | output address (47:n)               | output address   |
 * | 51     | ignored                | DBM                                 | DBM              |
 * | 52     | ignored                | Contiguous                          | Contiguous       |
 * | 53     | ignored                | PXN                                 | XN[0] (FEAT_XNX) |
 * | 54     | ignored                | UXN                                 | XN[1]            |
 * | 59     | PXNTable               |                                     |                  |
 * | 60     | UXNTable               |                                     |                  |
 * | 62:61  | APTable[1:0]           |                                     |                  |
 * | 63     | NSTable                |                                     |                  |
 */
#ifndef KMM_HW_MMU_DEFS_H
#define KMM_HW_MMU_DEFS_H

#include <stdint.h>

#define BIT64(n)		 ((uint64_t)1 << (n))
#define FIELD64(v, shift, width) (((v) >> (shift)) & ((BIT64(width)) - 1))

/* SCTLR_EL1 */
#define SCTLR_EL1_M    BIT64(0)
#define SCTLR_EL1_C    BIT64(2)
#define SCTLR_EL1_I    BIT64(12)
#define SCTLR_EL1_WXN  BIT64(19)
#define SCTLR_EL1_SPAN BIT64(23)

/* TCR_EL1 */
#define TCR_EL1_T0SZ_SHIFT 0
#define TCR_EL1_EPD0	   BIT64(7)
#define TCR_EL1_TG0_SHIFT  14
#define TCR_EL1_T1SZ_SHIFT 16
#define TCR_EL1_A1	   BIT64(22)
#define TCR_EL1_EPD1	   BIT64(23)
#define TCR_EL1_TG1_SHIFT  30
#define TCR_EL1_IPS_SHIFT  32
#define TCR_EL1_AS	   BIT64(36)
#define TCR_EL1_TBI0	   BIT64(37)
#define TCR_EL1_TBI1	   BIT64(38)
#define TCR_EL1_HA	   BIT64(39)
#define TCR_EL1_HD	   BIT64(40)
#define TCR_EL1_HPD0	   BIT64(41)
#define TCR_EL1_HPD1	   BIT64(42)
#define TCR_TG0_4K	   0u /* TG0 encoding: 00 4KB, 01 64KB, 10 16KB */
#define TCR_TG1_4K	   2u /* TG1 encoding: 01 16KB, 10 4KB, 11 64KB */

/* TTBRn_EL1 / VTTBR_EL2 */
#define TTBR_ASID_SHIFT 48
#define TTBR_BADDR_MASK 0x0000fffffffffffeull
#define TTBR_CNP	BIT64(0)

/* HCR_EL2 (only the bits the model uses) */
#define HCR_EL2_VM  BIT64(0)
#define HCR_EL2_PTW BIT64(2)
#define HCR_EL2_RW  BIT64(31)

/* VTCR_EL2 */
#define VTCR_EL2_T0SZ_SHIFT 0
#define VTCR_EL2_SL0_SHIFT  6
#define VTCR_EL2_TG0_SHIFT  14
#define VTCR_EL2_PS_SHIFT   16
#define VTCR_EL2_VS	    BIT64(19)
#define VTCR_EL2_HA	    BIT64(21)
#define VTCR_EL2_HD	    BIT64(22)
#define VTTBR_VMID_SHIFT    48

/* Descriptors */
#define DESC_VALID	      BIT64(0)
#define DESC_TABLE	      BIT64(1) /* with VALID: table (L0-L2) or page (L3) */
#define DESC_ATTRINDX_SHIFT   2
#define DESC_S2_MEMATTR_SHIFT 2
#define DESC_NS		      BIT64(5)
#define DESC_AP1	      BIT64(6) /* AP[1]: EL0 access; S2AP[0]: read */
#define DESC_AP2	      BIT64(7) /* AP[2]: read-only; S2AP[1]: write */
#define DESC_S2AP_R	      BIT64(6)
#define DESC_S2AP_W	      BIT64(7)
#define DESC_SH_SHIFT	      8
#define DESC_AF		      BIT64(10)
#define DESC_NG		      BIT64(11)
#define DESC_DBM	      BIT64(51)
#define DESC_CONT	      BIT64(52)
#define DESC_PXN	      BIT64(53)
#define DESC_UXN	      BIT64(54)
#define DESC_S2_XN0	      BIT64(53)
#define DESC_S2_XN1	      BIT64(54)
#define DESC_PXNTABLE	      BIT64(59)
#define DESC_UXNTABLE	      BIT64(60)
#define DESC_APTABLE0	      BIT64(61)
#define DESC_APTABLE1	      BIT64(62)
#define DESC_NSTABLE	      BIT64(63)
#define DESC_ADDR_MASK	      0x0000fffffffff000ull /* OA / next-level address bits 47:12 */

/* ESR_ELx */
#define ESR_EC_SHIFT	26
#define ESR_EC_IABT_LOW 0x20u
#define ESR_EC_IABT_CUR 0x21u
#define ESR_EC_DABT_LOW 0x24u
#define ESR_EC_DABT_CUR 0x25u
#define ESR_IL		BIT64(25)
#define ESR_ISS_ISV	BIT64(24)
#define ESR_ISS_FNV	BIT64(10)
#define ESR_ISS_EA	BIT64(9)
#define ESR_ISS_CM	BIT64(8)
#define ESR_ISS_S1PTW	BIT64(7)
#define ESR_ISS_WNR	BIT64(6)
#define ESR_FSC_MASK	0x3fu

/* Fault status codes (DFSC/IFSC and PAR_EL1.FST), 4KB granule, levels 0-3 */
#define FSC_ADDR_SIZE(l)   (0x00u + (unsigned)(l))
#define FSC_TRANSLATION(l) (0x04u + (unsigned)(l))
#define FSC_ACCESS_FLAG(l) (0x08u + (unsigned)(l))
#define FSC_PERMISSION(l)  (0x0cu + (unsigned)(l))
#define FSC_SEA		   0x10u
#define FSC_SEA_WALK(l)	   (0x14u + (unsigned)(l))
#define FSC_TLB_CONFLICT   0x30u

/* PAR_EL1 (64-bit format) */
#define PAR_F	       BIT64(0)
#define PAR_FST_SHIFT  1
#define PAR_PTW	       BIT64(8)
#define PAR_S	       BIT64(9)
#define PAR_SH_SHIFT   7
#define PAR_NS	       BIT64(9)
#define PAR_RES1_11    BIT64(11)
#define PAR_PA_MASK    0x0000fffffffff000ull
#define PAR_ATTR_SHIFT 56

/* HPFAR_EL2: FIPA (IPA[47:12]) in bits 43:4 */
#define HPFAR_FIPA_SHIFT 4

#endif /* KMM_HW_MMU_DEFS_H */
