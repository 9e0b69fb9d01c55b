// glibc's malloc tuning (malloc_trim, mallopt) and the auxiliary vector (getauxval), which the
// Glibc module does not import; for AgentService/ProcessMemory.swift. Only libc: nothing to link.
#ifndef WARRANT_CPROCESSMEMORY_SHIM_H
#define WARRANT_CPROCESSMEMORY_SHIM_H
#if defined(__linux__)
#include <features.h>
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/auxv.h>
#endif
#endif
#endif
