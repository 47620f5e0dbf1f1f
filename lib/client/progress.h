/* progress: a progress bar for long transfers on stderr, with the rate
 * and the time left, only when stderr is a terminal and the program asked
 * for it (the one-shot commands do; the service logs lines instead). */
#ifndef DX_PROGRESS_H
#define DX_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool on;
    const char *label;
    uint64_t total;              /* 0: not known (a filtered view) */
    int64_t start_ms, shown_ms;
} dx_progress_t;

/* Called once by a program: bars are drawn when stderr is a terminal. */
void dx_progress_enable(void);

void dx_progress_begin(dx_progress_t *p, const char *label, uint64_t total);
/* done bytes so far; redrawn at most ten times a second. */
void dx_progress_update(dx_progress_t *p, uint64_t done);
/* The last state, then a new line. */
void dx_progress_end(dx_progress_t *p, uint64_t done);

/* The bar's text for these figures (for tests); out holds 128 bytes. */
void dx_progress_format(uint64_t done, uint64_t total, int64_t elapsed_ms, char out[128]);

#endif
