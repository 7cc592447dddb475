#ifndef PMH_HTTP_H
#define PMH_HTTP_H

#include <stddef.h>

/* HTTP for ctx.http through the system's libcurl (libcurl.so.4), loaded with dlopen on the
 * first request: a run that fetches nothing never loads libcurl and its TLS stack. */

typedef struct pmh_http_response {
  long status;            /* HTTP status of the final response, 0 when none came */
  unsigned char *body;    /* response body (malloc'd), body_len bytes */
  size_t body_len;
  char *headers;          /* header lines of the final response, "Name: value\r\n" each */
  size_t headers_len;
  int failure;            /* 0: a response came; else one of PMH_HTTP_* below */
  char error[256];        /* libcurl's message when failure != 0 */
} pmh_http_response;

enum {
  PMH_HTTP_OK = 0,
  PMH_HTTP_NO_LIBRARY = 1,  /* libcurl.so.4 could not be loaded */
  PMH_HTTP_REFUSED = 2,
  PMH_HTTP_TIMEOUT = 3,
  PMH_HTTP_NO_HOST = 4,
  PMH_HTTP_TLS = 5,
  PMH_HTTP_TOO_BIG = 6,
  PMH_HTTP_OTHER = 7,
};

/* One request. `headers` are "Name: value" strings. `body` may be NULL (no body); with
 * `method` "POST" a NULL body sends an empty one. Blocks until done or `timeout_ms`.
 * Always fills `out`; free it with pmh_http_response_free. */
void pmh_http_perform(const char *method, const char *url, const char *const *headers,
                      size_t header_count, const unsigned char *body, size_t body_len,
                      long timeout_ms, size_t max_body, pmh_http_response *out);

void pmh_http_response_free(pmh_http_response *response);

#endif
