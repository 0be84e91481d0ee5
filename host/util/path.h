/* File-name helpers that touch no file. */
#ifndef WH_PATH_H
#define WH_PATH_H

#include <stddef.h>

/* The directory part of path into out: "." for a bare name, "/" for a
 * name in the root. 0, or -1 when it does not fit (out is then ""). */
int wh_path_dir(const char *path, char *out, size_t n);

#endif
