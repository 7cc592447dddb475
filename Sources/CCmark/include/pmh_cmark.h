#ifndef PMH_CMARK_H
#define PMH_CMARK_H

/* Markdown through the system's libcmark-gfm (GitHub's CommonMark parser, linked like Lua),
 * with its GFM extensions (table, tasklist, strikethrough, autolink) loaded with dlopen on
 * first use: Debian ships that library without an unversioned .so or a header. */

#include <cmark-gfm.h>
#include <stddef.h>

/* What a node is, without relying on the run-time numbers the extensions register. */
typedef enum {
  PMH_NODE_OTHER = 0,
  PMH_NODE_DOCUMENT,
  PMH_NODE_HEADING,
  PMH_NODE_PARAGRAPH,
  PMH_NODE_LIST,
  PMH_NODE_ITEM,
  PMH_NODE_BLOCK_QUOTE,
  PMH_NODE_CODE_BLOCK,
  PMH_NODE_HTML_BLOCK,
  PMH_NODE_THEMATIC_BREAK,
  PMH_NODE_TABLE,
  PMH_NODE_TABLE_ROW,
  PMH_NODE_TABLE_HEADER,
  PMH_NODE_TABLE_CELL,
  PMH_NODE_TEXT,
  PMH_NODE_SOFTBREAK,
  PMH_NODE_LINEBREAK,
  PMH_NODE_CODE,
  PMH_NODE_HTML_INLINE,
  PMH_NODE_EMPH,
  PMH_NODE_STRONG,
  PMH_NODE_STRIKETHROUGH,
  PMH_NODE_LINK,
  PMH_NODE_IMAGE,
} pmh_node_kind;

/* Parses `len` bytes of Markdown (CMARK_OPT_DEFAULT: nothing is rendered). Returns the
 * document, to free with cmark_node_free, or NULL when out of memory. `*extensions` is 1
 * when the GFM extensions were attached, 0 when they could not be loaded; then `problem`
 * says why (tables then read as paragraphs). */
cmark_node *pmh_cmark_parse(const char *text, size_t len, int *extensions, char *problem, size_t problem_size);

pmh_node_kind pmh_cmark_kind(cmark_node *node);

/* A task list item's box: 1 checked, 0 unchecked, -1 not a task item. */
int pmh_cmark_task_state(cmark_node *node);

/* The version of libcmark-gfm in use ("0.29.0.gfm.6"). */
const char *pmh_cmark_version(void);

#endif
