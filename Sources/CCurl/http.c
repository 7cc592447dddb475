#include "pmh_http.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The few libcurl entry points and constants used, declared here (their values are part of
 * libcurl's stable ABI) so that building pmhost needs no libcurl headers. */
typedef void CURL;
struct curl_slist;
typedef int CURLcode;
typedef size_t (*pmh_write_fn)(char *, size_t, size_t, void *);

enum {
  OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_POSTFIELDS = 10015,
  OPT_USERAGENT = 10018, OPT_HTTPHEADER = 10023, OPT_HEADERDATA = 10029, OPT_CUSTOMREQUEST = 10036,
  OPT_PROTOCOLS_STR = 10318, OPT_WRITEFUNCTION = 20011, OPT_HEADERFUNCTION = 20079,
  OPT_POSTFIELDSIZE_LARGE = 30120, OPT_NOSIGNAL = 99, OPT_TIMEOUT_MS = 155, OPT_NOBODY = 44,
  INFO_RESPONSE_CODE = 0x200002, GLOBAL_DEFAULT = 3,
  E_COULDNT_RESOLVE_PROXY = 5, E_COULDNT_RESOLVE_HOST = 6, E_COULDNT_CONNECT = 7,
  E_WRITE_ERROR = 23, E_OPERATION_TIMEDOUT = 28, E_SSL_CONNECT_ERROR = 35,
  E_PEER_FAILED_VERIFICATION = 60, E_SSL_CACERT_BADFILE = 77, ERROR_SIZE = 256,
};

static struct {
  int (*global_init)(long);
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, int, ...);
  CURLcode (*easy_perform)(CURL *);
  CURLcode (*easy_getinfo)(CURL *, int, ...);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
  char missing[200];
} lib;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
  const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
  void *handle = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !handle; i++) {
    handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  }
  if (!handle) {
    snprintf(lib.missing, sizeof lib.missing,
             "libcurl is not installed (libcurl.so.4 not found); install it: apt-get install libcurl4");
    return;
  }
#define SYM(field, name)                                                                     \
  do {                                                                                       \
    *(void **)(&lib.field) = dlsym(handle, name);                                            \
    if (!lib.field) {                                                                        \
      snprintf(lib.missing, sizeof lib.missing, "libcurl lacks %s; it is too old", name);  \
      return;                                                                                \
    }                                                                                        \
  } while (0)
  SYM(global_init, "curl_global_init");
  SYM(easy_init, "curl_easy_init");
  SYM(easy_setopt, "curl_easy_setopt");
  SYM(easy_perform, "curl_easy_perform");
  SYM(easy_getinfo, "curl_easy_getinfo");
  SYM(easy_cleanup, "curl_easy_cleanup");
  SYM(easy_strerror, "curl_easy_strerror");
  SYM(slist_append, "curl_slist_append");
  SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
  if (lib.global_init(GLOBAL_DEFAULT) != 0) {
    snprintf(lib.missing, sizeof lib.missing, "curl_global_init failed");
  }
}

/* A growing byte buffer with a cap. */
typedef struct {
  unsigned char *data;
  size_t len, cap, max;
  int overflow;
} buffer;

static int append(buffer *b, const void *bytes, size_t n) {
  if (b->len + n > b->max) {
    b->overflow = 1;
    return 0;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 16384;
    while (cap < b->len + n + 1) cap *= 2;
    /* Never more than the cap allows: doubling would otherwise reserve up to twice it. */
    if (cap > b->max + 1) cap = b->max + 1;
    unsigned char *bigger = realloc(b->data, cap);
    if (!bigger) {
      b->overflow = 1;
      return 0;
    }
    b->data = bigger;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = 0;
  return 1;
}

static size_t on_body(char *data, size_t size, size_t count, void *user) {
  size_t n = size * count;
  return append(user, data, n) ? n : 0; /* 0 makes libcurl stop with CURLE_WRITE_ERROR */
}

static size_t on_header(char *data, size_t size, size_t count, void *user) {
  buffer *b = user;
  size_t n = size * count;
  /* A status line starts the headers of a new response (after 100 Continue): keep only the
   * last response's. */
  if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) b->len = 0;
  return append(b, data, n) ? n : 0;
}

void pmh_http_perform(const char *method, const char *url, const char *const *headers,
                      size_t header_count, const unsigned char *body, size_t body_len,
                      long timeout_ms, size_t max_body, pmh_http_response *out) {
  memset(out, 0, sizeof *out);
  pthread_once(&load_once, load);
  if (lib.missing[0]) {
    out->failure = PMH_HTTP_NO_LIBRARY;
    snprintf(out->error, sizeof out->error, "%s", lib.missing);
    return;
  }
  CURL *curl = lib.easy_init();
  if (!curl) {
    out->failure = PMH_HTTP_OTHER;
    snprintf(out->error, sizeof out->error, "curl_easy_init failed");
    return;
  }
  buffer content = {.max = max_body};
  buffer head = {.max = 1 << 20};
  char message[ERROR_SIZE] = {0};
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < header_count; i++) list = lib.slist_append(list, headers[i]);

  lib.easy_setopt(curl, OPT_URL, url);
  lib.easy_setopt(curl, OPT_PROTOCOLS_STR, "http,https"); /* no file://, no gopher:// */
  lib.easy_setopt(curl, OPT_NOSIGNAL, 1L);
  lib.easy_setopt(curl, OPT_TIMEOUT_MS, timeout_ms);
  lib.easy_setopt(curl, OPT_ERRORBUFFER, message);
  lib.easy_setopt(curl, OPT_WRITEFUNCTION, (pmh_write_fn)on_body);
  lib.easy_setopt(curl, OPT_WRITEDATA, &content);
  lib.easy_setopt(curl, OPT_HEADERFUNCTION, (pmh_write_fn)on_header);
  lib.easy_setopt(curl, OPT_HEADERDATA, &head);
  if (list) lib.easy_setopt(curl, OPT_HTTPHEADER, list);
  /* Redirects are not followed (libcurl's default): the caller sees the 3xx. */
  if (body || strcmp(method, "POST") == 0) {
    lib.easy_setopt(curl, OPT_POSTFIELDSIZE_LARGE, (long long)(body ? body_len : 0));
    lib.easy_setopt(curl, OPT_POSTFIELDS, body ? (const char *)body : "");
  }
  if (strcmp(method, "HEAD") == 0) lib.easy_setopt(curl, OPT_NOBODY, 1L);
  if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
    lib.easy_setopt(curl, OPT_CUSTOMREQUEST, method);
  }

  CURLcode code = lib.easy_perform(curl);
  long status = 0;
  lib.easy_getinfo(curl, INFO_RESPONSE_CODE, &status);
  if (code == 0) {
    out->status = status;
  } else {
    switch (code) {
    case E_COULDNT_CONNECT: out->failure = PMH_HTTP_REFUSED; break;
    case E_OPERATION_TIMEDOUT: out->failure = PMH_HTTP_TIMEOUT; break;
    case E_COULDNT_RESOLVE_HOST:
    case E_COULDNT_RESOLVE_PROXY: out->failure = PMH_HTTP_NO_HOST; break;
    case E_SSL_CONNECT_ERROR:
    case E_PEER_FAILED_VERIFICATION:
    case E_SSL_CACERT_BADFILE: out->failure = PMH_HTTP_TLS; break;
    case E_WRITE_ERROR: out->failure = content.overflow ? PMH_HTTP_TOO_BIG : PMH_HTTP_OTHER; break;
    default: out->failure = PMH_HTTP_OTHER; break;
    }
    snprintf(out->error, sizeof out->error, "%s", message[0] ? message : lib.easy_strerror(code));
  }
  out->body = content.data;
  out->body_len = content.len;
  out->headers = (char *)head.data;
  out->headers_len = head.len;
  if (list) lib.slist_free_all(list);
  lib.easy_cleanup(curl);
}

void pmh_http_response_free(pmh_http_response *response) {
  free(response->body);
  free(response->headers);
  response->body = NULL;
  response->headers = NULL;
}
