// CLuaShim: the only C in pmhost. Lua's macros as functions, and everything that may
// longjmp (lua_error, limit hooks) kept on the C side, so no Lua error ever unwinds a
// Swift frame (ARCHITECTURE.md, "Rules for the Lua boundary").
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

/// Longest chunk name kept for messages (longer ones keep their end).
#define PMH_SOURCE_MAX 200

/// Per-state bookkeeping shared with Swift: memory accounting, limits, the host pointer.
typedef struct pmh_runtime {
  size_t used;          // bytes allocated by this state now
  size_t peak;          // the most it ever held
  size_t limit;         // 0: no memory limit
  size_t host_held;     // bytes the host holds for this state (events, buffers); same limit
  int enforce;          // 1 while Lua code runs; 0 inside host (Swift) code
  int stopped;          // set once a limit trips; the hook then raises on every count
  double deadline;      // CLOCK_MONOTONIC seconds; 0: none
  char stop_message[256];
  int stop_time;        // 1 when the time limit tripped (see pmh_time_stop_place)
  char stop_src[PMH_SOURCE_MAX];  // where it tripped: the Lua code's chunk and line...
  int stop_line;
  const char *stop_call;      // ...and the host call in progress then, or NULL
  void *host;           // the Swift LuaState, unretained
  struct pmh_watch *watch;  // the watchdog of the thread that created the state, or NULL
  struct pmh_pool *pool;    // this state's small blocks (see pmh_close)
} pmh_runtime;

/// A watchdog token shared by a worker thread and the thread that waits for it. Every
/// state created on a thread bound to a token publishes its deadline there; once the
/// waiter abandons the token (the worker overstayed its deadline inside one C call, where
/// no hook fires), those states stop and never call host (Swift) code again.
typedef struct pmh_watch pmh_watch;
pmh_watch *pmh_watch_new(void);
void pmh_watch_free(pmh_watch *watch);
/// Binds the calling thread: states it creates from now on report to `watch` (NULL unbinds).
void pmh_watch_bind_thread(pmh_watch *watch);
/// The latest deadline a bound state set (CLOCK_MONOTONIC seconds; 0: none yet).
double pmh_watch_deadline(pmh_watch *watch);
void pmh_watch_abandon(pmh_watch *watch);
int pmh_watch_abandoned(pmh_watch *watch);

/// Where a state's Lua code is, for messages: the chunk and line of the Lua code
/// (`plugins/x/init.lua:12`, empty when unknown), and the host function in progress
/// (`ctx.report:data`, NULL when none) with the line that called it.
typedef struct pmh_place {
  char location[PMH_SOURCE_MAX + 16];
  const char *call;
  char call_location[PMH_SOURCE_MAX + 16];
  /// The library function running in C (`string.find`), NULL when none, and where the Lua
  /// code was last seen (the line that called it or one a little before).
  const char *library;
  char library_location[PMH_SOURCE_MAX + 16];
} pmh_place;
/// What the watched thread's states last recorded (thread-safe; the waiter reads it while
/// the worker runs). The count hook records the Lua position each time it fires (every
/// 1000 instructions), each named host call its name and caller on entry.
void pmh_watch_place(pmh_watch *watch, pmh_place *out);
/// The host call in progress on the watched thread, or NULL: a name from pmh_intern.
const char *pmh_watch_call(pmh_watch *watch);
/// Where the time limit stopped the state: 1 and `out` filled when it was the time limit.
int pmh_time_stop_place(lua_State *L, pmh_place *out);
/// A copy of `name` that lives as long as the process (one per distinct name).
const char *pmh_intern(const char *name);

/// A host function: called with the Lua stack holding the arguments. Returns the number
/// of results it pushed, or -1 after pushing an error value (the trampoline raises it
/// once the Swift frame has returned).
typedef int (*pmh_host_dispatch)(lua_State *L, void *host, int function_id);
/// Releases a Swift object kept alive by a userdata (called from __gc).
typedef void (*pmh_host_release)(void *object);

void pmh_set_callbacks(pmh_host_dispatch dispatch, pmh_host_release release);

/// New state using the counting allocator in `rt`. NULL when out of memory.
lua_State *pmh_newstate(pmh_runtime *rt);
pmh_runtime *pmh_runtime_of(lua_State *L);
/// Closes a state made by pmh_newstate and frees its pool of small blocks.
void pmh_close(lua_State *L);
double pmh_monotonic_now(void);

/// Opens the allow-listed libraries and replaces the globals table with a sandbox:
/// base functions without dofile/loadfile/collectgarbage("stop"), text-only load,
/// string (no dump), table, math, utf8, coroutine, os.time/date/clock.
void pmh_open_sandbox(lua_State *L);

/// Most fields one column iterator reads (see pmh_push_columns).
#define PMH_COLUMNS_MAX 100

/// Pushes `columns(fill, source, n, chunk, field...)`, which returns a generic-for iterator
/// `iter, nil, 0` over rows 1..n giving `i, value1, value2, ...`. The values come from one
/// Lua table per field, filled `chunk` rows at a time by `fill(source, field, from, count,
/// table)` (which sets table[1..count]). The iterator is C: a loop over a million rows runs
/// no Lua code besides its body. Any control value is accepted (rows reload as needed).
void pmh_push_columns(lua_State *L);

/// Loads a text chunk (mode "t" only). Returns a lua status; pushes the function or a message.
int pmh_load_text(lua_State *L, const char *buffer, size_t size, const char *chunkname);

/// Protected call with a traceback handler. On error the message is left on the stack
/// and the traceback is stored for pmh_last_traceback. Enables limit enforcement for
/// the duration of the call.
int pmh_pcall(lua_State *L, int nargs, int nresults);
/// Pushes the traceback of the last failed pmh_pcall (or nil).
void pmh_push_last_traceback(lua_State *L);

/// Deadline (seconds from now, 0 to clear) and the count hook that enforces it.
void pmh_set_time_limit(lua_State *L, double seconds, const char *message);
/// Memory budget in bytes (0: none). The message for it is kept on the Swift side.
void pmh_set_memory_limit(lua_State *L, size_t bytes);
/// Charges `bytes` the host holds on the state's behalf against the same memory limit as
/// Lua's own allocations. Returns 1 when they fit (and are counted), 0 when they would
/// pass the limit (nothing is counted; the caller stops the plugin).
int pmh_reserve_host_memory(lua_State *L, size_t bytes);
/// Gives back bytes counted by pmh_reserve_host_memory.
void pmh_release_host_memory(lua_State *L, size_t bytes);
/// Bytes still free under the memory limit (PTRDIFF_MAX when there is none).
size_t pmh_memory_available(lua_State *L);
/// Trips the stop flag by hand (e.g. output cap). The hook raises `message` from then on.
void pmh_stop(lua_State *L, const char *message);

/// Pushes a C closure that calls the host function `function_id` through the trampoline.
/// `name` (from pmh_intern, or NULL) is what time-out messages and progress call it.
void pmh_push_host_function(lua_State *L, int function_id, const char *name);
/// Names the unnamed host functions in the table at `index`, `prefix.key` (`key` alone when
/// `prefix` is empty), and those of its tables down to `depth` levels. Raw access only.
void pmh_name_host_functions(lua_State *L, int index, const char *prefix, int depth);
/// Pushes "chunk:line: message" (position of the calling Lua function) for errors.
void pmh_push_error_message(lua_State *L, const char *message, size_t length);

/// Userdata boxing a retained Swift object; `metatable` names a registry metatable.
void pmh_push_object(lua_State *L, void *object, const char *metatable);
/// The object in the userdata at `index` if it carries metatable `metatable`, else NULL.
void *pmh_to_object(lua_State *L, int index, const char *metatable);
/// Creates (or fetches) metatable `name` with __gc releasing the boxed object, __name,
/// and __metatable locked. Leaves it on the stack. Returns 1 when newly created.
int pmh_new_object_metatable(lua_State *L, const char *name);

/// Lua macros, as functions Swift can call.
void pmh_pop(lua_State *L, int n);
void pmh_newtable(lua_State *L);
int pmh_isnoneornil(lua_State *L, int index);
const char *pmh_tostring(lua_State *L, int index, size_t *length);
void pmh_pushglobaltable(lua_State *L);
int pmh_upvalueindex(int i);
int pmh_registryindex(void);
int pmh_ref(lua_State *L);
void pmh_unref(lua_State *L, int ref);
void pmh_getref(lua_State *L, int ref);
void pmh_gc_collect(lua_State *L);
