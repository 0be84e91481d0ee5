/* support-groq: finding products for a question (pure). Text is folded
 * the same way for the index and for the question — lower case (Latin
 * and Cyrillic), ё → е, everything but letters and digits → a space —
 * because SQLite's unicode61 tokenizer folds case but keeps ё apart from
 * е. A question becomes an FTS5 query of word stems as prefixes, so
 * "футболки" finds "Футболка"; Russian has no stemmer in SQLite, and a
 * prefix of all but the last letters or two is what works for its
 * endings. Words that say nothing about a product ("сколько", "есть")
 * are left out. */
#ifndef SUPPORT_FTSQ_H
#define SUPPORT_FTSQ_H

#include <stddef.h>

#define SUP_FTS_TERMS 8

/* folded copy (malloc), never NULL unless out of memory */
char *sup_fold(const char *s);

/* an FTS5 MATCH expression ("\"футбол\"* OR \"красн\"*"), malloc'd, or
 * NULL when the question has no searchable word */
char *sup_fts_query(const char *question);

/* the same query for PostgreSQL's to_tsquery ("'футбол':* | 'красн':*"),
 * from sup_fts_query's result; malloc'd, NULL for NULL */
char *sup_ts_query(const char *fts);

#endif
