#include "include/pmh_shim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pmh_host_dispatch host_dispatch = NULL;
static pmh_host_release host_release = NULL;
static const char *TRACEBACK_KEY = "pmhost.traceback";
// Extra bytes a stopped state may still allocate so the error can be reported.
static const size_t STOP_GRACE = 1 << 20;

void pmh_set_callbacks(pmh_host_dispatch dispatch, pmh_host_release release) {
  host_dispatch = dispatch;
  host_release = release;
}

double pmh_monotonic_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void trip(pmh_runtime *rt, const char *message) {
  if (rt->stopped) return;
  rt->stopped = 1;
  // The time limit trips with the message pmh_set_time_limit already stored: copying a
  // buffer onto itself is undefined for strncpy (AddressSanitizer: strncpy-param-overlap).
  if (message == rt->stop_message) return;
  strncpy(rt->stop_message, message, sizeof rt->stop_message - 1);
  rt->stop_message[sizeof rt->stop_message - 1] = '\0';
}

// ---- small-block pool ------------------------------------------------------------------

// Lua allocates and frees small blocks all the time (strings, tables, closures): a loop
// that reads a million timestamps makes a million 49-byte strings the collector frees
// again. Blocks of up to POOL_MAX bytes come from per-state free lists carved out of
// 64 KiB slabs: one pointer move each way, no malloc lock or bin search, and the state's
// objects stay close together in memory, which the collector's sweeps walk. Slabs go back
// to malloc when the state closes (pmh_close); a free block is reused by its size class
// only. Larger blocks are malloc's.
#define POOL_STEP 16
#define POOL_MAX 512
#define POOL_CLASSES (POOL_MAX / POOL_STEP)
#define POOL_SLAB (64 * 1024)

typedef struct pool_block {
  struct pool_block *next;
} pool_block;

typedef struct pool_slab {
  struct pool_slab *next;
} pool_slab;

struct pmh_pool {
  pool_block *free[POOL_CLASSES];
  pool_slab *slabs;
  char *cursor;  // the unused rest of the newest slab
  size_t left;
};

static size_t pool_class(size_t size) { return (size + POOL_STEP - 1) / POOL_STEP - 1; }

static void *pool_take(struct pmh_pool *pool, size_t size) {
  size_t c = pool_class(size);
  pool_block *block = pool->free[c];
  if (block) {
    pool->free[c] = block->next;
    return block;
  }
  size_t bytes = (c + 1) * POOL_STEP;
  if (pool->left < bytes) {
    // The rest of the old slab becomes free blocks of the largest classes that fit.
    while (pool->left >= POOL_STEP) {
      size_t rest = pool->left < POOL_MAX ? pool->left / POOL_STEP * POOL_STEP : POOL_MAX;
      pool_block *piece = (pool_block *)pool->cursor;
      piece->next = pool->free[pool_class(rest)];
      pool->free[pool_class(rest)] = piece;
      pool->cursor += rest;
      pool->left -= rest;
    }
    pool_slab *slab = malloc(POOL_SLAB);
    if (slab == NULL) return NULL;
    slab->next = pool->slabs;
    pool->slabs = slab;
    // Blocks start 16 bytes in: aligned as malloc's are.
    pool->cursor = (char *)slab + POOL_STEP;
    pool->left = POOL_SLAB - POOL_STEP;
  }
  void *out = pool->cursor;
  pool->cursor += bytes;
  pool->left -= bytes;
  return out;
}

static void pool_give(struct pmh_pool *pool, void *ptr, size_t size) {
  size_t c = pool_class(size);
  pool_block *block = ptr;
  block->next = pool->free[c];
  pool->free[c] = block;
}

static void pool_free_all(struct pmh_pool *pool) {
  if (pool == NULL) return;
  for (pool_slab *slab = pool->slabs; slab;) {
    pool_slab *next = slab->next;
    free(slab);
    slab = next;
  }
  free(pool);
}

// Under AddressSanitizer every block is malloc's, so it still sees each Lua object.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_DISABLED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define POOL_DISABLED 1
#endif

// Every block of up to POOL_MAX bytes is a pool block (Lua always frees and resizes a
// block with the size it asked for), so the size alone says where a block lives.
static void *pool_realloc(struct pmh_pool *pool, void *ptr, size_t old, size_t nsize) {
#ifdef POOL_DISABLED
  (void)pool;
  (void)old;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
#endif
  int small_old = ptr != NULL && old <= POOL_MAX;
  if (nsize == 0) {
    if (small_old) pool_give(pool, ptr, old);
    else free(ptr);
    return NULL;
  }
  int small_new = nsize <= POOL_MAX;
  if (ptr == NULL) return small_new ? pool_take(pool, nsize) : malloc(nsize);
  if (!small_old && !small_new) return realloc(ptr, nsize);
  if (small_old && small_new && pool_class(old) == pool_class(nsize)) return ptr;
  void *block = small_new ? pool_take(pool, nsize) : malloc(nsize);
  if (block == NULL) return NULL;
  memcpy(block, ptr, old < nsize ? old : nsize);
  if (small_old) pool_give(pool, ptr, old);
  else free(ptr);
  return block;
}

// The one memory rule: Lua's allocations plus what the host holds for the state (timeline
// events, line buffers, HTTP bodies) may not pass the limit.
static int over_limit(const pmh_runtime *rt, size_t held, size_t cap) {
  return rt->limit && held + rt->host_held > cap;
}

// The counting allocator: every byte the state holds is accounted for, so a blow-up
// inside one C call (string.rep, table.concat) is refused before it happens.
static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  pmh_runtime *rt = (pmh_runtime *)ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    pool_realloc(rt->pool, ptr, old, 0);
    rt->used -= old;
    return NULL;
  }
  if (nsize > old && rt->limit && rt->enforce) {
    size_t cap = rt->stopped ? rt->limit + STOP_GRACE : rt->limit;
    if (over_limit(rt, rt->used - old + nsize, cap)) {
      trip(rt, "memory limit exceeded");
      return NULL;
    }
  }
  void *block = pool_realloc(rt->pool, ptr, old, nsize);
  if (block == NULL) return NULL;
  rt->used = rt->used - old + nsize;
  if (rt->used > rt->peak) rt->peak = rt->used;
  return block;
}

static int panic_handler(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "pmhost: unprotected Lua error (internal error): %s\n", msg ? msg : "?");
  abort();
}

// ---- watchdog ---------------------------------------------------------------------------

struct pmh_watch {
  _Atomic int abandoned;
  _Atomic double deadline;
  // Where the worker's Lua code is (see pmh_watch_place), written by the worker, read by
  // the waiter: under `lock`. `call` alone is atomic too, for the progress line.
  pthread_mutex_t lock;
  char src[PMH_SOURCE_MAX];
  int line;
  _Atomic(const char *) call;
  char call_src[PMH_SOURCE_MAX];
  int call_line;
  // The library function that may run long in C (string.find, table.sort...) in progress.
  // An error leaves it set: the next hook or host call, both in Lua code, clear it.
  _Atomic(const char *) library;
};

static _Thread_local pmh_watch *thread_watch = NULL;

pmh_watch *pmh_watch_new(void) {
  pmh_watch *watch = calloc(1, sizeof *watch);
  if (watch) {
    atomic_init(&watch->abandoned, 0);
    atomic_init(&watch->deadline, 0.0);
    atomic_init(&watch->call, NULL);
    atomic_init(&watch->library, NULL);
    pthread_mutex_init(&watch->lock, NULL);
  }
  return watch;
}

void pmh_watch_free(pmh_watch *watch) {
  if (watch == NULL) return;
  pthread_mutex_destroy(&watch->lock);
  free(watch);
}
void pmh_watch_bind_thread(pmh_watch *watch) { thread_watch = watch; }
double pmh_watch_deadline(pmh_watch *watch) { return atomic_load(&watch->deadline); }
void pmh_watch_abandon(pmh_watch *watch) { atomic_store(&watch->abandoned, 1); }
int pmh_watch_abandoned(pmh_watch *watch) { return atomic_load(&watch->abandoned); }

static void format_where(char *out, size_t size, const char *src, int line) {
  if (src[0] == '\0') out[0] = '\0';
  else if (line > 0) snprintf(out, size, "%s:%d", src, line);
  else snprintf(out, size, "%s", src);
}

void pmh_watch_place(pmh_watch *watch, pmh_place *out) {
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&watch->lock);
  format_where(out->location, sizeof out->location, watch->src, watch->line);
  out->call = atomic_load(&watch->call);
  if (out->call) {
    format_where(out->call_location, sizeof out->call_location, watch->call_src, watch->call_line);
  }
  out->library = atomic_load(&watch->library);
  if (out->library) {
    // Not noted per call (see watched_library_call): where the Lua code was last seen.
    format_where(out->library_location, sizeof out->library_location, watch->src, watch->line);
  }
  pthread_mutex_unlock(&watch->lock);
}

const char *pmh_watch_call(pmh_watch *watch) { return atomic_load(&watch->call); }

// Interned names: host function names live as long as the process, so a name pointer a
// watch holds stays valid after the state (and the run) that set it are gone.
typedef struct interned {
  struct interned *next;
  char name[];
} interned;
static interned *interned_names = NULL;
static pthread_mutex_t interned_lock = PTHREAD_MUTEX_INITIALIZER;

const char *pmh_intern(const char *name) {
  pthread_mutex_lock(&interned_lock);
  interned *found = interned_names;
  while (found && strcmp(found->name, name) != 0) found = found->next;
  if (found == NULL) {
    size_t length = strlen(name);
    found = malloc(sizeof *found + length + 1);
    if (found) {
      memcpy(found->name, name, length + 1);
      found->next = interned_names;
      interned_names = found;
    }
  }
  pthread_mutex_unlock(&interned_lock);
  return found ? found->name : NULL;
}

// The chunk and line of the nearest Lua function at `level` or above (a host function
// called from a C function, such as the column iterator, reports the Lua code above it).
// Reads only the call stack: no allocation, no error.
static void set_source(char to[PMH_SOURCE_MAX], const char *from) {
  size_t length = strnlen(from, PMH_SOURCE_MAX - 1);
  memcpy(to, from, length);
  to[length] = '\0';
}

// The chunk name as written (`plugins/report/markdown/init.lua`), not Lua's short_src cut
// at 60 bytes: a long one keeps its end.
static void copy_source(char src[PMH_SOURCE_MAX], const lua_Debug *ar) {
  if (ar->source == NULL || (ar->source[0] != '@' && ar->source[0] != '=')) {
    memcpy(src, ar->short_src, sizeof ar->short_src < PMH_SOURCE_MAX ? sizeof ar->short_src : PMH_SOURCE_MAX);
    src[PMH_SOURCE_MAX - 1] = '\0';
    return;
  }
  const char *name = ar->source + 1;
  size_t length = ar->srclen > 0 ? ar->srclen - 1 : 0;
  if (length < PMH_SOURCE_MAX) {
    memcpy(src, name, length);
    src[length] = '\0';
  } else {
    size_t keep = PMH_SOURCE_MAX - 4;
    memcpy(src, "...", 3);
    memcpy(src + 3, name + length - keep, keep);
    src[PMH_SOURCE_MAX - 1] = '\0';
  }
}

static int lua_position(lua_State *L, int level, char src[PMH_SOURCE_MAX], int *line) {
  lua_Debug ar;
  for (int i = level; i < level + 4 && lua_getstack(L, i, &ar); i++) {
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
      copy_source(src, &ar);
      *line = ar.currentline;
      return 1;
    }
  }
  return 0;
}

static int is_abandoned(pmh_runtime *rt) { return rt->watch && atomic_load(&rt->watch->abandoned); }

static const char *ABANDONED = "abandoned by the watchdog: its time limit passed inside a C function";

lua_State *pmh_newstate(pmh_runtime *rt) {
  rt->watch = thread_watch;
  rt->pool = calloc(1, sizeof *rt->pool);
  if (rt->pool == NULL) return NULL;
  lua_State *L = lua_newstate(counting_alloc, rt);
  if (L) {
    lua_atpanic(L, panic_handler);
  } else {
    pool_free_all(rt->pool);
    rt->pool = NULL;
  }
  return L;
}

void pmh_close(lua_State *L) {
  pmh_runtime *rt = pmh_runtime_of(L);
  lua_close(L);
  pool_free_all(rt->pool);
  rt->pool = NULL;
}

pmh_runtime *pmh_runtime_of(lua_State *L) {
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return (pmh_runtime *)ud;
}

// ---- limits ----------------------------------------------------------------------

// Stops the state for its time limit, noting where it was: `src`/`line` the Lua code,
// `call` the host function it was in (NULL when Lua code itself ran out of time).
static void trip_time(pmh_runtime *rt, const char *src, int line, const char *call) {
  if (rt->stopped) return;
  set_source(rt->stop_src, src);
  rt->stop_line = line;
  rt->stop_call = call;
  rt->stop_time = 1;
  trip(rt, rt->stop_message[0] ? rt->stop_message : "time limit exceeded");
}

static void limit_hook(lua_State *L, lua_Debug *ar) {
  pmh_runtime *rt = pmh_runtime_of(L);
  if (is_abandoned(rt)) trip(rt, ABANDONED);
  if (!rt->stopped && (rt->watch || rt->deadline > 0)) {
    // Where the Lua code is now: for the watchdog, which cannot ask the worker once one C
    // call keeps it (about 35 ns each 1000 instructions), and for the time-out message.
    char src[PMH_SOURCE_MAX];
    src[0] = '\0';
    int line = 0;
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0) {
      copy_source(src, ar);
      line = ar->currentline;
    }
    if (rt->watch && src[0]) {
      pthread_mutex_lock(&rt->watch->lock);
      set_source(rt->watch->src, src);
      rt->watch->line = line;
      atomic_store_explicit(&rt->watch->library, NULL, memory_order_relaxed);
      pthread_mutex_unlock(&rt->watch->lock);
    }
    if (rt->deadline > 0 && pmh_monotonic_now() > rt->deadline) trip_time(rt, src, line, NULL);
  }
  if (rt->stopped) {
    // Keeps firing: a plugin's own pcall may catch this, but the next count raises again.
    rt->enforce = 0;
    lua_pushstring(L, rt->stop_message);
    rt->enforce = 1;
    lua_error(L);
  }
}

int pmh_time_stop_place(lua_State *L, pmh_place *out) {
  pmh_runtime *rt = pmh_runtime_of(L);
  memset(out, 0, sizeof *out);
  if (!rt->stopped || !rt->stop_time) return 0;
  format_where(out->location, sizeof out->location, rt->stop_src, rt->stop_line);
  out->call = rt->stop_call;
  if (out->call) memcpy(out->call_location, out->location, sizeof out->location);
  return 1;
}

static void install_hook(lua_State *L) { lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1000); }

void pmh_set_time_limit(lua_State *L, double seconds, const char *message) {
  pmh_runtime *rt = pmh_runtime_of(L);
  rt->deadline = seconds > 0 ? pmh_monotonic_now() + seconds : 0;
  if (rt->watch) atomic_store(&rt->watch->deadline, rt->deadline);
  if (message && !rt->stopped) {
    strncpy(rt->stop_message, message, sizeof rt->stop_message - 1);
    rt->stop_message[sizeof rt->stop_message - 1] = '\0';
  }
  install_hook(L);
}

void pmh_set_memory_limit(lua_State *L, size_t bytes) {
  pmh_runtime *rt = pmh_runtime_of(L);
  rt->limit = bytes;
  install_hook(L);
}

int pmh_reserve_host_memory(lua_State *L, size_t bytes) {
  pmh_runtime *rt = pmh_runtime_of(L);
  if (bytes > SIZE_MAX - rt->used - rt->host_held || over_limit(rt, rt->used + bytes, rt->limit)) return 0;
  rt->host_held += bytes;
  return 1;
}

void pmh_release_host_memory(lua_State *L, size_t bytes) {
  pmh_runtime *rt = pmh_runtime_of(L);
  rt->host_held -= bytes < rt->host_held ? bytes : rt->host_held;
}

size_t pmh_memory_available(lua_State *L) {
  pmh_runtime *rt = pmh_runtime_of(L);
  if (!rt->limit) return PTRDIFF_MAX;
  size_t held = rt->used + rt->host_held;
  return held >= rt->limit ? 0 : rt->limit - held;
}

void pmh_stop(lua_State *L, const char *message) {
  pmh_runtime *rt = pmh_runtime_of(L);
  trip(rt, message);
  install_hook(L);
}

// ---- protected calls ---------------------------------------------------------------

static int tostring_protected(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}

// Message handler: turns any error value into a string (even one whose __tostring
// fails) and records a traceback beside it.
static int message_handler(lua_State *L) {
  pmh_runtime *rt = pmh_runtime_of(L);
  if (lua_type(L, 1) != LUA_TSTRING) {
    // A __tostring is the plugin's code: it runs under the plugin's memory limit (and its
    // time limit, through the hook), and when it fails the error is named by its type.
    // Without the limit, a __tostring that allocates in a loop grew past 9 GB.
    rt->enforce = 1;
    lua_pushcfunction(L, tostring_protected);
    lua_pushvalue(L, 1);
    int status = lua_pcall(L, 1, 1, 0);
    rt->enforce = 0;  // reporting the error must not fail for lack of memory
    if (status != LUA_OK || lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    lua_replace(L, 1);
  }
  rt->enforce = 0;  // reporting the error must not fail for lack of memory
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
  lua_settop(L, 1);
  return 1;
}

int pmh_pcall(lua_State *L, int nargs, int nresults) {
  pmh_runtime *rt = pmh_runtime_of(L);
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, message_handler);
  lua_insert(L, base);
  int saved = rt->enforce;
  rt->enforce = 1;
  int status = lua_pcall(L, nargs, nresults, base);
  rt->enforce = saved;
  lua_remove(L, base);
  return status;
}

void pmh_push_last_traceback(lua_State *L) { lua_getfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY); }

// ---- host functions ------------------------------------------------------------------

static const char *UNNAMED_CALL = "a pmhost function";

static int trampoline(lua_State *L) {
  pmh_runtime *rt = pmh_runtime_of(L);
  int function_id = (int)lua_tointeger(L, lua_upvalueindex(1));
  if (is_abandoned(rt)) {
    // The waiting thread has moved on: host code (the run's model) is no longer ours.
    trip(rt, ABANDONED);
    rt->enforce = 0;
    lua_pushstring(L, rt->stop_message);
    return lua_error(L);
  }
  const char *name = (const char *)lua_touserdata(L, lua_upvalueindex(2));
  if (name == NULL) name = UNNAMED_CALL;
  // The call in progress, for the watchdog (a call that never returns is named in the
  // message) and the progress line. A nested call puts the outer one back when it returns.
  pmh_watch *watch = rt->watch;
  const char *outer = NULL;
  char outer_src[PMH_SOURCE_MAX];
  int outer_line = 0;
  if (watch) {
    char src[PMH_SOURCE_MAX];
    src[0] = '\0';
    int line = 0;
    lua_position(L, 1, src, &line);
    pthread_mutex_lock(&watch->lock);
    outer = atomic_load_explicit(&watch->call, memory_order_relaxed);
    if (outer) {
      set_source(outer_src, watch->call_src);
      outer_line = watch->call_line;
    }
    if (src[0]) {
      set_source(watch->src, src);
      watch->line = line;
    }
    set_source(watch->call_src, src);
    watch->call_line = line;
    atomic_store_explicit(&watch->call, name, memory_order_release);
    atomic_store_explicit(&watch->library, NULL, memory_order_relaxed);
    pthread_mutex_unlock(&watch->lock);
  }
  int saved = rt->enforce;
  rt->enforce = 0;  // host code may allocate freely; the budget is checked on return
  int results = host_dispatch(L, rt->host, function_id);
  rt->enforce = saved;
  if (watch && outer) {
    pthread_mutex_lock(&watch->lock);
    set_source(watch->call_src, outer_src);
    watch->call_line = outer_line;
    atomic_store_explicit(&watch->call, outer, memory_order_release);
    pthread_mutex_unlock(&watch->lock);
  } else if (watch) {
    // The common case, one store: the waiter reads `call` first and its caller only then.
    atomic_store_explicit(&watch->call, NULL, memory_order_release);
  }
  if (results < 0) return lua_error(L);  // the Swift frame is gone: safe to longjmp
  if (saved && over_limit(rt, rt->used, rt->limit)) {
    trip(rt, "memory limit exceeded");
  }
  if (saved && !rt->stopped && rt->deadline > 0 && pmh_monotonic_now() > rt->deadline) {
    // The time ran out inside this call: say so (the hook would blame the next line).
    char src[PMH_SOURCE_MAX];
    src[0] = '\0';
    int line = 0;
    lua_position(L, 1, src, &line);
    trip_time(rt, src, line, name);
  }
  if (saved && rt->stopped) {
    rt->enforce = 0;
    lua_pushstring(L, rt->stop_message);
    rt->enforce = saved;
    return lua_error(L);
  }
  return results;
}

void pmh_push_host_function(lua_State *L, int function_id, const char *name) {
  lua_pushinteger(L, function_id);
  lua_pushlightuserdata(L, (void *)name);
  lua_pushcclosure(L, trampoline, 2);
}

static void name_functions(lua_State *L, int root, int table, const char *prefix, int depth) {
  if (depth <= 0 || !lua_checkstack(L, 4)) return;
  lua_pushnil(L);
  while (lua_next(L, table)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      char name[200];
      const char *key = lua_tostring(L, -2);
      if (prefix[0]) snprintf(name, sizeof name, "%s.%s", prefix, key);
      else snprintf(name, sizeof name, "%s", key);
      if (lua_tocfunction(L, -1) == trampoline) {
        if (lua_getupvalue(L, -1, 2) && lua_touserdata(L, -1) == NULL) {
          lua_pop(L, 1);
          lua_pushlightuserdata(L, (void *)pmh_intern(name));
          if (!lua_setupvalue(L, -2, 2)) lua_pop(L, 1);
        } else {
          lua_pop(L, 1);
        }
      } else if (lua_type(L, -1) == LUA_TTABLE && !lua_rawequal(L, -1, root)) {
        // Not back into the root (`_G._G`): each function by its shortest name.
        name_functions(L, root, lua_absindex(L, -1), name, depth - 1);
      }
    }
    lua_pop(L, 1);
  }
}

void pmh_name_host_functions(lua_State *L, int index, const char *prefix, int depth) {
  if (lua_type(L, index) != LUA_TTABLE) return;
  int root = lua_absindex(L, index);
  name_functions(L, root, root, prefix ? prefix : "", depth);
}

void pmh_push_error_message(lua_State *L, const char *message, size_t length) {
  luaL_where(L, 1);
  lua_pushlstring(L, message, length);
  lua_concat(L, 2);
}

// ---- Swift objects as userdata --------------------------------------------------------

typedef struct {
  void *object;
} object_box;

static int object_gc(lua_State *L) {
  object_box *box = (object_box *)lua_touserdata(L, 1);
  if (box && box->object) {
    void *object = box->object;
    box->object = NULL;
    if (host_release) host_release(object);
  }
  return 0;
}

int pmh_new_object_metatable(lua_State *L, const char *name) {
  if (!luaL_newmetatable(L, name)) return 0;
  lua_pushcfunction(L, object_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  return 1;
}

void pmh_push_object(lua_State *L, void *object, const char *metatable) {
  object_box *box = (object_box *)lua_newuserdatauv(L, sizeof(object_box), 0);
  box->object = object;
  luaL_setmetatable(L, metatable);
}

void *pmh_to_object(lua_State *L, int index, const char *metatable) {
  object_box *box = (object_box *)luaL_testudata(L, index, metatable);
  return box ? box->object : NULL;
}

// ---- sandbox ---------------------------------------------------------------------------

static int sandbox_load(lua_State *L) {
  size_t size = 0;
  const char *chunk = lua_tolstring(L, 1, &size);
  if (lua_type(L, 1) != LUA_TSTRING) {
    luaL_pushfail(L);
    lua_pushliteral(L, "load: only source text is accepted (no reader functions)");
    return 2;
  }
  const char *name = luaL_optstring(L, 2, "=(load)");
  const char *mode = luaL_optstring(L, 3, "t");
  if (strchr(mode, 't') == NULL || (size > 0 && chunk[0] == LUA_SIGNATURE[0])) {
    luaL_pushfail(L);
    lua_pushliteral(L, "load: binary chunks are not allowed in pmhost (text mode only)");
    return 2;
  }
  int status = luaL_loadbufferx(L, chunk, size, name, "t");
  if (status != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (!lua_isnone(L, 4)) {
    lua_pushvalue(L, 4);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

// setmetatable without __gc: finalizers run with debug hooks off (no time limit) and
// outside the memory budget, so a plugin may not install them. Lua marks an object for
// finalization only when its metatable already has a __gc field at setmetatable time,
// so refusing the field here is enough.
static int sandbox_setmetatable(lua_State *L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "setmetatable: __gc metamethods are not allowed in pmhost plugins");
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int sandbox_collectgarbage(lua_State *L) {
  const char *option = luaL_optstring(L, 1, "collect");
  if (strcmp(option, "count") == 0) {
    int kb = lua_gc(L, LUA_GCCOUNT);
    int rest = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, (lua_Number)kb + ((lua_Number)rest / 1024));
    return 1;
  }
  if (strcmp(option, "collect") == 0 || strcmp(option, "step") == 0) {
    lua_gc(L, LUA_GCCOLLECT);
    lua_pushinteger(L, 0);
    return 1;
  }
  return luaL_error(L, "collectgarbage(\"%s\") is not allowed in pmhost plugins", option);
}

// pcall, xpcall and coroutine.resume catch errors; once a limit has stopped the state
// they re-raise instead, so a plugin cannot swallow the stop in a loop.
static int finish_protected(lua_State *L, int status, lua_KContext extra) {
  (void)status;
  (void)extra;
  pmh_runtime *rt = pmh_runtime_of(L);
  if (rt->stopped) {
    rt->enforce = 0;
    lua_pushstring(L, rt->stop_message);
    rt->enforce = 1;
    return lua_error(L);
  }
  return lua_gettop(L);
}

static int guarded_protected_call(lua_State *L) {
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_callk(L, n, LUA_MULTRET, 0, finish_protected);
  return finish_protected(L, LUA_OK, 0);
}

static void guard_field(lua_State *L, int table, const char *name) {
  lua_getfield(L, table, name);
  lua_pushcclosure(L, guarded_protected_call, 1);
  lua_setfield(L, table, name);
}

static void copy_fields(lua_State *L, int from, int to, const char *const names[]) {
  for (int i = 0; names[i]; i++) {
    lua_getfield(L, from, names[i]);
    lua_setfield(L, to, names[i]);
  }
}

// The library functions that can run for a long time inside one C call (a backtracking
// pattern; a sort, concatenation or move over a huge range), where no hook fires: each
// notes its name on a watched thread, so that a watchdog that gives up on the call can say
// which it was, and the line the Lua code was last seen at. Two stores and nothing more:
// noting the calling line too (lua_getinfo and a lock, some 60 ns a call) made the html
// and markdown plugins a third slower on 100,000 events. The original runs in the same
// call frame, so its errors read as before ("bad argument #1 to 'find'").
static int watched_library_call(lua_State *L) {
  lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
  pmh_watch *watch = pmh_runtime_of(L)->watch;
  if (watch == NULL) return original(L);
  const char *outer = atomic_load_explicit(&watch->library, memory_order_relaxed);
  const char *name = (const char *)lua_touserdata(L, lua_upvalueindex(2));
  atomic_store_explicit(&watch->library, name, memory_order_relaxed);
  int results = original(L);
  atomic_store_explicit(&watch->library, outer, memory_order_relaxed);
  return results;
}

static void watch_library(lua_State *L, int table, const char *library, const char *const names[]) {
  for (int i = 0; names[i]; i++) {
    char full[64];
    snprintf(full, sizeof full, "%s.%s", library, names[i]);
    lua_getfield(L, table, names[i]);
    lua_pushlightuserdata(L, (void *)pmh_intern(full));
    lua_pushcclosure(L, watched_library_call, 2);
    lua_setfield(L, table, names[i]);
  }
}

void pmh_open_sandbox(lua_State *L) {
  static const char *const base[] = {"assert", "error", "ipairs", "next", "pairs", "pcall",
    "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "getmetatable",
    "tonumber", "tostring", "type", "xpcall", "print", "_VERSION", NULL};
  static const char *const os_allowed[] = {"time", "date", "clock", NULL};
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  int full = lua_gettop(L);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  lua_newtable(L);
  int env = lua_gettop(L);
  copy_fields(L, full, env, base);
  lua_pushcfunction(L, sandbox_load);
  lua_setfield(L, env, "load");
  lua_pushcfunction(L, sandbox_collectgarbage);
  lua_setfield(L, env, "collectgarbage");
  lua_getfield(L, full, "setmetatable");
  lua_pushcclosure(L, sandbox_setmetatable, 1);
  lua_setfield(L, env, "setmetatable");
  static const char *const string_watched[] = {"find", "match", "gmatch", "gsub", NULL};
  static const char *const table_watched[] = {"sort", "concat", "move", NULL};
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
  watch_library(L, lua_gettop(L), "string", string_watched);  // also what s:find calls
  lua_setfield(L, env, "string");
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
  watch_library(L, lua_gettop(L), "table", table_watched);
  lua_setfield(L, env, "table");
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
  lua_setfield(L, env, "math");
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
  lua_setfield(L, env, "utf8");
  luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 0);
  guard_field(L, lua_gettop(L), "resume");
  lua_setfield(L, env, "coroutine");
  guard_field(L, env, "pcall");
  guard_field(L, env, "xpcall");
  luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
  lua_newtable(L);
  copy_fields(L, lua_gettop(L) - 1, lua_gettop(L), os_allowed);
  lua_setfield(L, env, "os");
  lua_pop(L, 1);
  lua_pushvalue(L, env);
  lua_setfield(L, env, "_G");
  lua_pushvalue(L, env);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  lua_settop(L, full - 1);
}

int pmh_load_text(lua_State *L, const char *buffer, size_t size, const char *chunkname) {
  return luaL_loadbufferx(L, buffer, size, chunkname, "t");
}

// ---- column iterator -------------------------------------------------------------------

// The iterator's state, a userdata in its first upvalue; then the fill function, the
// source, the field names and one column table per field.
typedef struct {
  lua_Integer n, chunk, base, limit;
  int nf;
} columns_state;

enum { COL_STATE = 1, COL_FILL, COL_SOURCE, COL_FIELDS };

static int columns_next(lua_State *L) {
  columns_state *st = (columns_state *)lua_touserdata(L, lua_upvalueindex(COL_STATE));
  lua_Integer control = lua_tointeger(L, 2);  // the row before this one (0 to start)
  if (control < 0 || control >= st->n) return 0;
  lua_Integer i = control + 1;
  int nf = st->nf;
  if (i <= st->base || i > st->limit) {
    lua_Integer count = st->n - (i - 1) < st->chunk ? st->n - (i - 1) : st->chunk;
    // Nothing counts as loaded until every field is: a fill that raises (and a plugin that
    // catches it and goes on) leaves no half-filled chunk to read.
    st->base = 0;
    st->limit = 0;
    for (int f = 0; f < nf; f++) {
      lua_pushvalue(L, lua_upvalueindex(COL_FILL));
      lua_pushvalue(L, lua_upvalueindex(COL_SOURCE));
      lua_pushvalue(L, lua_upvalueindex(COL_FIELDS + f));
      lua_pushinteger(L, i);
      lua_pushinteger(L, count);
      lua_pushvalue(L, lua_upvalueindex(COL_FIELDS + nf + f));
      lua_call(L, 5, 0);
    }
    st->base = i - 1;
    st->limit = st->base + count;
  }
  lua_Integer k = i - st->base;
  // A C function may push LUA_MINSTACK values unchecked.
  if (nf + 1 > LUA_MINSTACK) luaL_checkstack(L, nf + 1, "too many fields");
  lua_pushinteger(L, i);
  for (int f = 0; f < nf; f++) lua_rawgeti(L, lua_upvalueindex(COL_FIELDS + nf + f), k);
  return nf + 1;
}

static int columns_new(lua_State *L) {
  int nf = lua_gettop(L) - 4;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_Integer n = luaL_checkinteger(L, 3);
  lua_Integer chunk = luaL_checkinteger(L, 4);
  luaL_argcheck(L, chunk >= 1 && chunk <= (1 << 20), 4, "chunk size out of range");
  luaL_argcheck(L, nf >= 1 && nf <= PMH_COLUMNS_MAX, 5, "between 1 and 100 fields");
  for (int f = 0; f < nf; f++) luaL_checktype(L, 5 + f, LUA_TSTRING);
  luaL_checkstack(L, COL_FIELDS + 2 * nf, "too many fields");
  columns_state *st = (columns_state *)lua_newuserdatauv(L, sizeof *st, 0);
  st->n = n;
  st->chunk = chunk;
  st->base = 0;
  st->limit = 0;
  st->nf = nf;
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  for (int f = 0; f < nf; f++) lua_pushvalue(L, 5 + f);
  int rows = (int)(n < chunk ? n : chunk);
  for (int f = 0; f < nf; f++) lua_createtable(L, rows > 0 ? rows : 0, 0);
  lua_pushcclosure(L, columns_next, COL_FIELDS - 1 + 2 * nf);
  lua_pushnil(L);
  lua_pushinteger(L, 0);
  return 3;
}

void pmh_push_columns(lua_State *L) { lua_pushcfunction(L, columns_new); }

// ---- macros ----------------------------------------------------------------------------

void pmh_pop(lua_State *L, int n) { lua_pop(L, n); }
void pmh_newtable(lua_State *L) { lua_newtable(L); }
int pmh_isnoneornil(lua_State *L, int index) { return lua_isnoneornil(L, index); }
const char *pmh_tostring(lua_State *L, int index, size_t *length) {
  return lua_tolstring(L, index, length);
}
void pmh_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
int pmh_upvalueindex(int i) { return lua_upvalueindex(i); }
int pmh_registryindex(void) { return LUA_REGISTRYINDEX; }
int pmh_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }
void pmh_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void pmh_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }
void pmh_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
