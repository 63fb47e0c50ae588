/* SPDX-License-Identifier: ISC */
/* fuzz: what every libFuzzer harness of tests/fuzz shares. A harness feeds
 * one input to the real module objects and checks what the module promises
 * about its answer; a broken promise aborts, which libFuzzer reports as a
 * crash with the input that caused it. */
#ifndef VINIT_FUZZ_H
#define VINIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size);

/* A broken promise: says which, then aborts (libFuzzer saves the input). */
#define fuzz_assert(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz: %s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input as a NUL-terminated string (cut at its first NUL, if any) in a
 * buffer of size + 1 bytes that ASan bounds exactly. free() it. */
char *fuzz_str(uint8_t const *data, size_t size);

/* The input as an exact copy in a buffer of its own size (ASan catches a
 * read one byte past it). free() it; never NULL, even for size 0. */
char *fuzz_copy(uint8_t const *data, size_t size);

/* A private scratch directory, made on first use (under $VINIT_FUZZ_TMP,
 * else /dev/shm or /tmp) and removed at exit. */
char const *fuzz_tmpdir(void);

/* Empties dir (recursively) without removing it. */
void fuzz_empty_dir(char const *dir);

/* Splits input into sections, each a header line "== HEADER" and the
 * lines up to the next header line (its body); text before the first
 * header belongs to none. Calls each(header, hlen, body, blen, arg) in
 * order; neither is NUL-terminated. */
typedef void fuzz_section_fn(char const *header, size_t hlen, char const *body, size_t blen,
                             void *arg);
void fuzz_sections(char const *input, size_t len, fuzz_section_fn *each, void *arg);

/* Writes the files that input's sections describe into dir (emptied
 * first): "== NAME [MODE]" then the file's text. NAME is a plain name or
 * "SUBDIR/NAME" one level down, MODE octal (default 0644, 0755 for the
 * programs run, finish, up, down, log/run). Names that are not plain are
 * skipped. Returns how many files were written. */
int fuzz_write_tree(char const *dir, char const *input, size_t len);

#endif
