/* Files: uploads (multipart, file_id, HTTP URL), PhotoSize/Document objects,
 * getFile and downloads. */
#ifndef TGSIM_FILES_H
#define TGSIM_FILES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

/* PNG/JPEG/GIF/WebP dimensions; false when the bytes are no image. */
bool tgsim_image_size(const unsigned char *d, size_t n, int *w, int *h);
const char *tgsim_guess_mime(const char *name);
/* Stores a photo with a thumbnail size (lock held). Takes a reference to blob. */
tgsim_file *tgsim_files_add_photo(tgsim_sim *s, tgsim_blob *blob, const char *name, int w,
                                  int h);
json_t *tgsim_files_photo_json(const tgsim_file *f);
json_t *tgsim_files_document_json(const tgsim_file *f);
/* A valid tiny PNG for simulated photos sent without data. */
tgsim_blob *tgsim_files_sample_png(void);

#endif
