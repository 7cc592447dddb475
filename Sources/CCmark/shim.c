#include "pmh_cmark.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The extension entry points, declared here: Debian installs no header for them. */
typedef struct cmark_syntax_extension cmark_syntax_extension;
extern cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
extern int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *extension);

static struct {
  int loaded;
  int (*task_checked)(cmark_node *);
  char problem[300];
} ext;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* libcmark-gfm keeps the inline special characters of attached extensions in a table shared
 * by all parsers (attaching adds them, freeing a parser removes them): one parse at a time. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static void load(void) {
  char versioned[128];
  snprintf(versioned, sizeof versioned, "libcmark-gfm-extensions.so.%s", cmark_version_string());
  const char *names[] = {versioned, "libcmark-gfm-extensions.so"};
  void *handle = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !handle; i++) {
    handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  }
  if (!handle) {
    snprintf(ext.problem, sizeof ext.problem,
             "the GFM extensions of libcmark-gfm are not installed (%s not found; Debian: apt-get install "
             "libcmark-gfm-extensions%s): tables and task lists read as paragraphs",
             versioned, cmark_version_string());
    return;
  }
  void (*ensure)(void) = NULL;
  *(void **)(&ensure) = dlsym(handle, "cmark_gfm_core_extensions_ensure_registered");
  *(void **)(&ext.task_checked) = dlsym(handle, "cmark_gfm_extensions_get_tasklist_item_checked");
  if (!ensure) {
    snprintf(ext.problem, sizeof ext.problem,
             "%s lacks cmark_gfm_core_extensions_ensure_registered: tables and task lists read as paragraphs",
             versioned);
    return;
  }
  ensure();
  ext.loaded = 1;
}

cmark_node *pmh_cmark_parse(const char *text, size_t len, int *extensions, char *problem, size_t problem_size) {
  pthread_once(&load_once, load);
  pthread_mutex_lock(&parse_lock);
  cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  if (!parser) {
    pthread_mutex_unlock(&parse_lock);
    return NULL;
  }
  int attached = 0;
  if (ext.loaded) {
    const char *names[] = {"table", "tasklist", "strikethrough", "autolink"};
    attached = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      cmark_syntax_extension *e = cmark_find_syntax_extension(names[i]);
      if (!e || !cmark_parser_attach_syntax_extension(parser, e)) {
        attached = 0;
        snprintf(ext.problem, sizeof ext.problem, "the GFM extension '%s' could not be attached", names[i]);
      }
    }
  }
  *extensions = attached;
  if (problem && problem_size) snprintf(problem, problem_size, "%s", attached ? "" : ext.problem);
  cmark_parser_feed(parser, text, len);
  cmark_node *doc = cmark_parser_finish(parser);
  cmark_parser_free(parser);
  pthread_mutex_unlock(&parse_lock);
  return doc;
}

pmh_node_kind pmh_cmark_kind(cmark_node *node) {
  switch (cmark_node_get_type(node)) {
  case CMARK_NODE_DOCUMENT: return PMH_NODE_DOCUMENT;
  case CMARK_NODE_HEADING: return PMH_NODE_HEADING;
  case CMARK_NODE_PARAGRAPH: return PMH_NODE_PARAGRAPH;
  case CMARK_NODE_LIST: return PMH_NODE_LIST;
  case CMARK_NODE_ITEM: return PMH_NODE_ITEM;
  case CMARK_NODE_BLOCK_QUOTE: return PMH_NODE_BLOCK_QUOTE;
  case CMARK_NODE_CODE_BLOCK: return PMH_NODE_CODE_BLOCK;
  case CMARK_NODE_HTML_BLOCK: return PMH_NODE_HTML_BLOCK;
  case CMARK_NODE_THEMATIC_BREAK: return PMH_NODE_THEMATIC_BREAK;
  case CMARK_NODE_TEXT: return PMH_NODE_TEXT;
  case CMARK_NODE_SOFTBREAK: return PMH_NODE_SOFTBREAK;
  case CMARK_NODE_LINEBREAK: return PMH_NODE_LINEBREAK;
  case CMARK_NODE_CODE: return PMH_NODE_CODE;
  case CMARK_NODE_HTML_INLINE: return PMH_NODE_HTML_INLINE;
  case CMARK_NODE_EMPH: return PMH_NODE_EMPH;
  case CMARK_NODE_STRONG: return PMH_NODE_STRONG;
  case CMARK_NODE_LINK: return PMH_NODE_LINK;
  case CMARK_NODE_IMAGE: return PMH_NODE_IMAGE;
  default: break;
  }
  /* Extension nodes get their numbers at run time: known by name. */
  const char *name = cmark_node_get_type_string(node);
  if (!name) return PMH_NODE_OTHER;
  if (strcmp(name, "table") == 0) return PMH_NODE_TABLE;
  if (strcmp(name, "table_row") == 0) return PMH_NODE_TABLE_ROW;
  if (strcmp(name, "table_header") == 0) return PMH_NODE_TABLE_HEADER;
  if (strcmp(name, "table_cell") == 0) return PMH_NODE_TABLE_CELL;
  if (strcmp(name, "strikethrough") == 0) return PMH_NODE_STRIKETHROUGH;
  if (strcmp(name, "tasklist") == 0) return PMH_NODE_ITEM;
  return PMH_NODE_OTHER;
}

int pmh_cmark_task_state(cmark_node *node) {
  const char *name = cmark_node_get_type_string(node);
  if (!name || strcmp(name, "tasklist") != 0 || !ext.task_checked) return -1;
  return ext.task_checked(node) ? 1 : 0;
}

const char *pmh_cmark_version(void) { return cmark_version_string(); }
