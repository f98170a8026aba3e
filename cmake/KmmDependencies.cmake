# Finds libkmm's dependencies through pkg-config, and kmmsim's zlib through CMake's FindZLIB.
# A missing one stops configuration with the package to install; scripts/install-deps
# installs them all.
#
# Sets KMM_DEP_INCLUDE_DIRS, KMM_DEP_CFLAGS, KMM_DEP_LIBRARIES (absolute paths, so that the
# exported static target carries them; libkmm's only), and for the tests
# KMM_CMOCKA_INCLUDE_DIRS / KMM_CMOCKA_LIBRARIES.

find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: install it (Debian: apt-get install pkg-config; "
                      "macOS: brew install pkg-config), or run scripts/install-deps")
endif()

function(kmm_require_pc prefix module debian brew)
  pkg_check_modules(${prefix} QUIET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "libkmm needs ${module}: install it (Debian/Ubuntu: "
                        "apt-get install ${debian}; macOS: brew install ${brew}), "
                        "or run scripts/install-deps")
  endif()
  set(${prefix}_FOUND ${${prefix}_FOUND} PARENT_SCOPE)
  set(${prefix}_INCLUDE_DIRS ${${prefix}_INCLUDE_DIRS} PARENT_SCOPE)
  set(${prefix}_CFLAGS_OTHER ${${prefix}_CFLAGS_OTHER} PARENT_SCOPE)
  set(${prefix}_LINK_LIBRARIES ${${prefix}_LINK_LIBRARIES} PARENT_SCOPE)
endfunction()

# jemalloc is kmmbench's peer (its malloc is what the benchmarks compare with), not the
# library's: libkmm takes host memory from its own arena (src/lib/arena.h).
if(KMM_BUILD_BENCH)
  kmm_require_pc(JEMALLOC jemalloc libjemalloc-dev jemalloc)
endif()

# <sys/tree.h> and <sys/queue.h>: native on the BSDs and macOS (queue.h), libbsd elsewhere.
include(CheckIncludeFile)
check_include_file(sys/tree.h KMM_HAVE_NATIVE_SYS_TREE)
if(NOT KMM_HAVE_NATIVE_SYS_TREE)
  kmm_require_pc(LIBBSD libbsd-overlay libbsd-dev libbsd)
endif()

# liblzo2: zram's compressor (LZO1X-1, src/drivers/zram.c) is the library's own.
kmm_require_pc(LZO2 lzo2 liblzo2-dev lzo)

# zlib is kmmsim's (mmu-replay reads gzipped corpora), not the library's.
find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "kmmsim needs zlib (gzipped corpora): install it (Debian/Ubuntu: "
                      "apt-get install zlib1g-dev; macOS: brew install zlib), "
                      "or run scripts/install-deps")
endif()

set(KMM_DEP_INCLUDE_DIRS ${LIBBSD_INCLUDE_DIRS} ${LZO2_INCLUDE_DIRS})
set(KMM_DEP_CFLAGS ${LIBBSD_CFLAGS_OTHER} ${LZO2_CFLAGS_OTHER})
set(KMM_DEP_LIBRARIES ${LZO2_LINK_LIBRARIES} m)

if(BUILD_TESTING)
  kmm_require_pc(CMOCKA cmocka libcmocka-dev cmocka)
  set(KMM_CMOCKA_INCLUDE_DIRS ${CMOCKA_INCLUDE_DIRS})
  set(KMM_CMOCKA_LIBRARIES ${CMOCKA_LINK_LIBRARIES})
  find_program(KMM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  if(NOT KMM_PYTHON3)
    find_program(KMM_PYTHON3 python3)
  endif()
  execute_process(COMMAND ${KMM_PYTHON3} -c "import pytest"
                  RESULT_VARIABLE KMM_PYTEST_MISSING OUTPUT_QUIET ERROR_QUIET)
  if(KMM_PYTEST_MISSING)
    message(FATAL_ERROR "The test suite needs pytest for ${KMM_PYTHON3}: install it (Debian/"
                        "Ubuntu: apt-get install python3-pytest; macOS: brew install pytest), "
                        "or configure with -DBUILD_TESTING=OFF")
  endif()
endif()
