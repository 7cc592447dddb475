import CLua
import CLuaShim

/// A Swift function callable from Lua. It reads its arguments from the ``LuaCall``,
/// pushes its results and returns how many it pushed. Throwing raises a Lua error in
/// the caller, after this Swift frame has returned (no longjmp crosses Swift code).
public typealias LuaHostFunction = (LuaCall) throws -> Int32

/// Where Lua code was: the chunk and line (`plugins/x/init.lua:12`), the host function in
/// progress (`ctx.report.get`) and the library function running in C (`string.find`),
/// each with the line that called it.
public struct LuaPlace: Sendable, Equatable {
  /// `chunk:line` of the Lua code (the last seen, for a watched worker); nil when unknown.
  public var location: String?
  /// The host function running, or nil when Lua code or a C library function was.
  public var call: String?
  /// `chunk:line` that called ``call``.
  public var callLocation: String?
  /// The library function that may run long in one C call (`string.find`, `table.sort`)
  /// in progress on a watched worker, or nil.
  public var library: String?
  /// `chunk:line` where the Lua code was last seen before ``library`` (the count hook notes
  /// it each 1000 instructions, a host call on entry): the line that called it, or one run
  /// a little before it.
  public var libraryLocation: String?

  public init(
    location: String? = nil, call: String? = nil, callLocation: String? = nil, library: String? = nil,
    libraryLocation: String? = nil
  ) {
    self.location = location
    self.call = call
    self.callLocation = callLocation
    self.library = library
    self.libraryLocation = libraryLocation
  }

  init(_ place: pmh_place) {
    func text<T>(_ tuple: T) -> String? {
      let s = withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      return s.isEmpty ? nil : s
    }
    location = text(place.location)
    call = place.call.map { String(cString: $0) }
    callLocation = call == nil ? nil : text(place.call_location)
    library = place.library.map { String(cString: $0) }
    libraryLocation = library == nil ? nil : text(place.library_location)
  }
}

/// One Lua 5.4 state, owned by one task (it is deliberately not `Sendable`).
///
/// ```swift
/// let lua = try LuaState()
/// let f = try lua.load("return ...", chunkName: "example.lua")
/// let results = try lua.call(f, ["hello"])   // ["hello"]
/// ```
///
/// Every call into Lua is protected; Swift functions reach Lua through the C trampoline
/// in CLuaShim; limits (memory, time) are enforced by the counting allocator and the
/// count hook.
public final class LuaState {
  /// The raw state (Lua calls it the main thread), for code in this module and the shim.
  let thread: OpaquePointer
  private let runtime: UnsafeMutablePointer<pmh_runtime>
  private var hostFunctions: [LuaHostFunction] = []

  private static let installCallbacks: Void = {
    pmh_set_callbacks(
      { thread, host, functionID in
        guard let thread, let host else { return -1 }
        return Unmanaged<LuaState>.fromOpaque(host).takeUnretainedValue()
          .dispatch(thread, Int(functionID))
      },
      { object in
        guard let object else { return }
        Unmanaged<AnyObject>.fromOpaque(object).release()
      })
  }()

  /// Creates a state. With `sandboxed` (the default) only the allow-listed libraries are
  /// open (see `pmh_open_sandbox`): no io, os.execute, debug, package, binary chunks.
  public init(sandboxed: Bool = true) throws(LuaError) {
    _ = LuaState.installCallbacks
    runtime = .allocate(capacity: 1)
    runtime.initialize(to: pmh_runtime())
    guard let state = pmh_newstate(runtime) else {
      runtime.deallocate()
      throw LuaError(kind: .memory, message: "cannot create a Lua state: out of memory")
    }
    thread = state
    runtime.pointee.host = Unmanaged.passUnretained(self).toOpaque()
    if sandboxed {
      pmh_open_sandbox(thread)
    } else {
      luaL_openlibs(thread)
    }
  }

  deinit {
    pmh_close(thread)
    runtime.deallocate()
  }

  // MARK: limits

  /// Bytes the state holds now.
  public var memoryUsed: Int { runtime.pointee.used }
  /// The most bytes the state ever held.
  public var peakMemory: Int { runtime.pointee.peak }
  /// Whether a limit has stopped this state; once stopped it raises on every hook count.
  public var isStopped: Bool { runtime.pointee.stopped != 0 }
  /// The message the stop raises.
  public var stopMessage: String {
    withUnsafeBytes(of: runtime.pointee.stop_message) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  /// Limits the bytes Lua code may hold (enforced while Lua code runs).
  public func setMemoryLimit(bytes: Int, message: String) {
    pmh_set_memory_limit(thread, bytes)
    memoryLimitMessage = message
  }
  private(set) public var memoryLimitMessage = "memory limit exceeded"

  /// Counts `bytes` the host keeps for this state (timeline events, read buffers, HTTP
  /// bodies) against the memory limit Lua's own allocations count against: false, counting
  /// nothing, when they would pass it.
  public func reserveHostMemory(_ bytes: Int) -> Bool { pmh_reserve_host_memory(thread, max(0, bytes)) != 0 }
  /// Gives back bytes counted by ``reserveHostMemory(_:)``.
  public func releaseHostMemory(_ bytes: Int) { pmh_release_host_memory(thread, max(0, bytes)) }
  /// Bytes still free under the memory limit, Lua's and the host's together (Int.max: no limit).
  public var memoryAvailable: Int { pmh_memory_available(thread) }

  /// A wall-clock deadline from now, polled every 1000 instructions, coroutines included.
  public func setTimeLimit(seconds: Double, message: String) {
    pmh_set_time_limit(thread, seconds, message)
  }

  /// Removes the deadline (and, on a watched thread, the watchdog's): what runs from here
  /// is the host's, such as closing the state after the plugin's code has returned.
  public func clearTimeLimit() {
    pmh_set_time_limit(thread, 0, nil)
  }

  /// Stops the state: Lua code running in it is interrupted with `message`.
  public func stop(message: String) { pmh_stop(thread, message) }

  /// Where the time limit stopped this state (nil when it did not): the Lua code's line,
  /// and the host function it was inside when the time ran out there.
  public var timeLimitPlace: LuaPlace? {
    var place = pmh_place()
    guard pmh_time_stop_place(thread, &place) != 0 else { return nil }
    return LuaPlace(place)
  }

  // MARK: loading and calling

  /// Compiles a text chunk. `chunkName` is the display path errors will show
  /// (`plugins/x/init.lua:3: ...`). Binary chunks are refused.
  public func load(_ source: String, chunkName: String) throws(LuaError) -> LuaValue {
    var bytes = Array(source.utf8)
    return try load(bytes: &bytes, chunkName: chunkName)
  }

  /// Compiles a text chunk given as bytes.
  public func load(bytes: inout [UInt8], chunkName: String) throws(LuaError) -> LuaValue {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    let status = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) {
        pmh_load_text(thread, $0.baseAddress, $0.count, "@" + chunkName)
      }
    }
    guard status == LUA_OK else {
      var message = cappedString(at: -1, on: thread) ?? "cannot load \(chunkName)"
      if message.contains("attempt to load a binary chunk") {
        message = "\(chunkName): binary chunks are not allowed in pmhost (text mode only)"
      }
      throw LuaError(kind: status == LUA_ERRSYNTAX ? .syntax : .memory, message: message)
    }
    return try value(at: -1)
  }

  /// Calls `function` with `arguments` in protected mode and returns its results.
  @discardableResult
  public func call(_ function: LuaValue, _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
    try call(function, arguments, on: thread)
  }

  /// Calls on a given thread (the one a host function was called from).
  func call(_ function: LuaValue, _ arguments: [LuaValue], on thread: OpaquePointer) throws(LuaError)
    -> [LuaValue]
  {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    lua_checkstack(thread, Int32(arguments.count) + 2)
    push(function, on: thread)
    for argument in arguments { push(argument, on: thread) }
    let status = pmh_pcall(thread, Int32(arguments.count), LUA_MULTRET)
    guard status == LUA_OK else { throw lastError(status: status, on: thread) }
    let count = lua_gettop(thread) - top
    var results: [LuaValue] = []
    results.reserveCapacity(Int(count))
    for i in 0..<count { results.append(try value(at: top + 1 + i, on: thread)) }
    return results
  }

  /// Runs `source` and returns its results: `load` then `call`.
  @discardableResult
  public func run(_ source: String, chunkName: String = "=(run)") throws(LuaError) -> [LuaValue] {
    try call(load(source, chunkName: chunkName))
  }

  private func lastError(status: Int32, on thread: OpaquePointer) -> LuaError {
    let message = cappedString(at: -1, on: thread) ?? "(no message)"
    pmh_push_last_traceback(thread)
    let traceback = rawString(at: -1, on: thread)
    lua_settop(thread, -2)
    if isStopped {
      let stop = stopMessage == "memory limit exceeded" ? memoryLimitMessage : stopMessage
      return LuaError(kind: .limit, message: stop, traceback: traceback)
    }
    let kind: LuaError.Kind =
      switch status {
      case LUA_ERRMEM: .memory
      case LUA_ERRERR: .errorHandler
      case LUA_ERRSYNTAX: .syntax
      default: .runtime
      }
    return LuaError(kind: kind, message: message, traceback: traceback)
  }

  // MARK: globals

  /// Sets a global of the state's environment.
  public func setGlobal(_ name: String, _ value: LuaValue) {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    pmh_pushglobaltable(thread)
    push(value)
    lua_setfield(thread, -2, name)
  }

  /// Reads a global (raw access: no metamethods run).
  public func global(_ name: String) throws(LuaError) -> LuaValue {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    pmh_pushglobaltable(thread)
    lua_pushstring(thread, name)
    lua_rawget(thread, -2)
    return try value(at: -1)
  }

  // MARK: host functions and objects

  /// Wraps a Swift function as a Lua function value. `name` (`ctx.report.get`) is what a
  /// time-out message and the progress line call it while it runs (see ``LuaPlace``); an
  /// unnamed one may get its name from ``nameHostFunctions(in:prefix:depth:)``.
  public func function(named name: String? = nil, _ body: @escaping LuaHostFunction) -> LuaValue {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    hostFunctions.append(body)
    pmh_push_host_function(thread, Int32(hostFunctions.count - 1), name.flatMap { pmh_intern($0) })
    return .function(LuaRef(id: pmh_ref(thread), stateID: ObjectIdentifier(self)))
  }

  /// Names the unnamed host functions in `table` by where they are: `prefix.key`, and in
  /// its tables `prefix.key.key`, down to `depth` levels (`ctx.fs.read`).
  public func nameHostFunctions(in table: LuaValue, prefix: String, depth: Int = 3) {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    push(table)
    pmh_name_host_functions(thread, -1, prefix, Int32(depth))
  }

  /// Names the unnamed host functions among the globals (`print`, `pm.json.decode`).
  public func nameGlobalHostFunctions(depth: Int = 3) {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    pmh_pushglobaltable(thread)
    pmh_name_host_functions(thread, -1, "", Int32(depth))
  }

  /// The most fields one ``columnIterator()`` loop reads.
  public static let columnFieldsMax = Int(PMH_COLUMNS_MAX)

  /// `columns(fill, source, n, chunk, field...)`: the C column iterator of
  /// `pmh_push_columns`, for host data read a chunk of rows at a time.
  public func columnIterator() -> LuaValue {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    pmh_push_columns(thread)
    return .function(LuaRef(id: pmh_ref(thread), stateID: ObjectIdentifier(self)))
  }

  /// Declares a userdata type: a metatable named `name` whose `__index` holds `methods`
  /// and whose `__gc` releases the Swift object. `metamethods` may add `__len`,
  /// `__tostring`, ... Call once per name before ``push(object:type:)``.
  public func defineObjectType(
    _ name: String, methods: [String: LuaHostFunction], metamethods: [String: LuaHostFunction] = [:]
  ) {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    pmh_new_object_metatable(thread, name)
    lua_createtable(thread, 0, Int32(methods.count))
    for (method, body) in methods.sorted(by: { $0.key < $1.key }) {
      push(function(body))
      lua_setfield(thread, -2, method)
    }
    lua_setfield(thread, -2, "__index")
    for (method, body) in metamethods {
      push(function(body))
      lua_setfield(thread, -2, method)
    }
    lua_pushstring(thread, name)
    lua_setfield(thread, -2, "__name")
  }

  /// A userdata holding `object` (retained until Lua collects the userdata).
  public func object(_ object: AnyObject, type name: String) -> LuaValue {
    let top = lua_gettop(thread)
    defer { lua_settop(thread, top) }
    pmh_push_object(thread, Unmanaged.passRetained(object).toOpaque(), name)
    return .userdata(LuaRef(id: pmh_ref(thread), stateID: ObjectIdentifier(self)))
  }

  /// Releases a reference made by this state (functions, userdata, threads).
  public func release(_ ref: LuaRef) {
    guard ref.stateID == ObjectIdentifier(self) else { return }
    pmh_unref(thread, ref.id)
  }

  /// Runs a full garbage collection (finalizers included).
  public func collectGarbage() {
    pmh_gc_collect(thread)
  }

  private func dispatch(_ thread: OpaquePointer, _ functionID: Int) -> Int32 {
    let call = LuaCall(state: self, thread: thread)
    do {
      return try hostFunctions[functionID](call)
    } catch let error as LuaError {
      // Already positioned by the Lua code that raised it.
      pushBytes(Array(error.message.utf8), on: thread)
      return -1
    } catch {
      let message = Array(String(describing: error).utf8)
      message.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) {
          pmh_push_error_message(thread, $0.baseAddress, $0.count)
        }
      }
      return -1
    }
  }
}
