//go:build cgo && linux

package cstart

/*
#define _GNU_SOURCE
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

// The system's page size: 4 KiB on amd64, up to 64 KiB on arm64.
static uintptr_t pathlab_page;

static uintptr_t pathlab_page_down(uintptr_t a) { return a & ~(pathlab_page - 1); }
static uintptr_t pathlab_page_up(uintptr_t a) { return (a + pathlab_page - 1) & ~(pathlab_page - 1); }

struct pathlab_range {
	uintptr_t start, end;
	int advice;
};

struct pathlab_ranges {
	struct pathlab_range r[8];
	int n;
};

// pathlab_segments finds the program's code, to be read, and the written
// part of its writable segment, to be written. The first object
// dl_iterate_phdr reports is the program itself.
static int pathlab_segments(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	struct pathlab_ranges *out = data;
	if (pathlab_page == 0) {
		long page = sysconf(_SC_PAGESIZE);
		pathlab_page = page > 0 ? (uintptr_t)page : 4096;
	}
	// The dynamic loader has made the RELRO part of the writable segment
	// read-only again; populating it for writing would fail the whole call.
	uintptr_t relro_end = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type == PT_GNU_RELRO) {
			relro_end = pathlab_page_up(info->dlpi_addr + p->p_vaddr + p->p_memsz);
		}
	}
	for (int i = 0; i < info->dlpi_phnum && out->n < 8; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type != PT_LOAD || p->p_filesz == 0) {
			continue;
		}
		struct pathlab_range r = {
			.start = pathlab_page_down(info->dlpi_addr + p->p_vaddr),
			.end = pathlab_page_up(info->dlpi_addr + p->p_vaddr + p->p_filesz),
		};
		if (p->p_flags & PF_X) {
			r.advice = MADV_POPULATE_READ;
		} else if (p->p_flags & PF_W) {
			r.advice = MADV_POPULATE_WRITE;
			if (r.start < relro_end) {
				r.start = relro_end;
			}
		} else {
			continue; // read-only data: mostly line tables never read
		}
		if (r.start < r.end) {
			out->r[out->n++] = r;
		}
	}
	return 1;
}

static struct pathlab_ranges pathlab_ranges(void) {
	struct pathlab_ranges rs = {0};
	dl_iterate_phdr(pathlab_segments, &rs);
	return rs;
}

// pathlab_map maps the ranges and returns how many madvise calls failed
// (their pages then fault in as they would have).
static int pathlab_map(void) {
	struct pathlab_ranges rs = pathlab_ranges();
	int failed = 0;
	for (int i = 0; i < rs.n; i++) {
		if (madvise((void *)rs.r[i].start, rs.r[i].end - rs.r[i].start, rs.r[i].advice) != 0) {
			failed++;
		}
	}
	return failed;
}

__attribute__((constructor)) static void pathlab_cstart(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	mallopt(M_ARENA_MAX, 1); // glibc's arenas; musl has none to limit
#endif
	const char *v = getenv("PATHLAB_PREFAULT");
	if (v != NULL && strcmp(v, "0") == 0) {
		return;
	}
	pathlab_map();
}

// pathlab_arenas counts the C library's malloc arenas (malloc_info's
// heaps); -1 where the C library is not glibc.
static int pathlab_arenas(void) {
#ifndef __GLIBC__
	return -1;
#else
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL) {
		return -1;
	}
	malloc_info(0, f);
	fclose(f);
	int n = 0;
	for (char *p = buf; (p = strstr(p, "<heap nr=")) != NULL; p++) {
		n++;
	}
	free(buf);
	return n;
#endif
}
*/
import "C"

// mapSegments maps the code and data again, as the constructor did, and
// returns how many madvise calls failed.
func mapSegments() int { return int(C.pathlab_map()) }

// span is a range the constructor maps, and how (MADV_POPULATE_READ or
// MADV_POPULATE_WRITE).
type span struct {
	start, end uintptr
	advice     int
}

// ranges returns the ranges the constructor maps.
func ranges() []span {
	rs := C.pathlab_ranges()
	out := make([]span, int(rs.n))
	for i := range out {
		r := rs.r[i]
		out[i] = span{uintptr(r.start), uintptr(r.end), int(r.advice)}
	}
	return out
}

// Arenas returns how many malloc arenas the C library has made: one, with
// the constructor's limit, however many threads the runtime has started;
// -1 where the C library is not glibc.
func Arenas() int { return int(C.pathlab_arenas()) }
