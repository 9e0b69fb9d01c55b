// pageprof: which pages of its own code an idle `warrant agent run` touches, page by page.
//
// Loaded with LD_PRELOAD into the static release executable (glibc stays dynamically linked, so
// the preload works); it does nothing unless the executable is named `warrant` and PAGEPROF_OUT
// is set. After PAGEPROF_START seconds (default 40: past the first apply), it splits the
// executable's code mappings into one-page mappings — every other page gets MADV_RANDOM, so
// neighbouring pages differ in their flags and cannot merge — and drops them from the page table
// (MADV_DONTNEED; they are clean file pages). The kernel's fault-around maps up to 64 KB around a
// fault but never past the end of a mapping, so from then on a page is mapped only when it is
// touched. After PAGEPROF_WINDOW seconds (default 60) it writes the file offset of every mapped
// code page (from /proc/self/pagemap), one hexadecimal number per line, to PAGEPROF_OUT.
//
// A profiling tool, never part of the product: see profile.sh and Benchmarks/README.md.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct region {
    uintptr_t start, end, offset;
};

static int executable_path(char *path, size_t size) {
    ssize_t length = readlink("/proc/self/exe", path, size - 1);
    if (length < 0) return -1;
    path[length] = 0;
    return 0;
}

/// The executable's mappings with execute permission, from /proc/self/maps.
static int code_regions(struct region *regions, int capacity) {
    char executable[4096];
    if (executable_path(executable, sizeof executable) != 0) return 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return 0;
    char line[8192];
    int count = 0;
    while (count < capacity && fgets(line, sizeof line, maps)) {
        uintptr_t start, end, offset;
        char permissions[8], path[4096] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &start, &end, permissions, &offset, path) < 4) continue;
        if (strcmp(path, executable) == 0 && permissions[2] == 'x') {
            regions[count++] = (struct region){start, end, offset};
        }
    }
    fclose(maps);
    return count;
}

static void *profile(void *unused) {
    (void)unused;
    const char *output = getenv("PAGEPROF_OUT");
    const char *start = getenv("PAGEPROF_START");
    const char *window = getenv("PAGEPROF_WINDOW");
    sleep(start ? (unsigned)atoi(start) : 40);
    struct region regions[64];
    int count = code_regions(regions, 64);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < count; i++) {
        for (uintptr_t address = regions[i].start; address < regions[i].end; address += 2 * page) {
            madvise((void *)address, page, MADV_RANDOM);
        }
        madvise((void *)regions[i].start, regions[i].end - regions[i].start, MADV_DONTNEED);
    }
    sleep(window ? (unsigned)atoi(window) : 60);
    FILE *out = fopen(output, "w");
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    if (!out || pagemap < 0) return NULL;
    for (int i = 0; i < count; i++) {
        for (uintptr_t address = regions[i].start; address < regions[i].end; address += page) {
            uint64_t entry = 0;
            if (pread(pagemap, &entry, sizeof entry, (off_t)(address / page * sizeof entry)) == sizeof entry && (entry >> 63)) {
                fprintf(out, "%lx\n", address - regions[i].start + regions[i].offset);
            }
        }
    }
    fclose(out);
    close(pagemap);
    return NULL;
}

__attribute__((constructor)) static void start_profiling(void) {
    char executable[4096];
    if (!getenv("PAGEPROF_OUT") || executable_path(executable, sizeof executable) != 0) return;
    const char *name = strrchr(executable, '/');
    if (strcmp(name ? name + 1 : executable, "warrant") != 0) return;
    pthread_t thread;
    if (pthread_create(&thread, NULL, profile, NULL) == 0) pthread_detach(thread);
}
