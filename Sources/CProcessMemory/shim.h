// glibc's malloc tuning (malloc_trim, mallopt) and the loaded objects (dl_iterate_phdr), which the
// Glibc module does not import; for AgentService/ProcessMemory.swift. Only libc: nothing to link.
#ifndef WARRANT_CPROCESSMEMORY_SHIM_H
#define WARRANT_CPROCESSMEMORY_SHIM_H
#if defined(__linux__)
#include <features.h>
#if defined(__GLIBC__)
#include <malloc.h>
#include <elf.h>
#include <stddef.h>

/// The first fields of glibc's `struct dl_phdr_info` (link.h declares it, and `dl_iterate_phdr`,
/// only with _GNU_SOURCE, which the Glibc module is built without; the layout is glibc's ABI).
struct warrant_loaded_object {
    Elf64_Addr address;
    const char *name;
    const Elf64_Phdr *headers;
    Elf64_Half count;
};

/// glibc's `dl_iterate_phdr`: calls `callback` for the executable and each shared object loaded.
extern int warrant_dl_iterate_phdr(int (*callback)(struct warrant_loaded_object *object, size_t size, void *data), void *data)
    __asm__("dl_iterate_phdr");
#endif
#endif
#endif
