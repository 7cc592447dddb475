import CLua
import CLuaShim

/// The arguments and results of one call from Lua into a ``LuaHostFunction``.
///
/// Argument indices start at 1, as in Lua. Readers throw ``LuaRaise`` with a
/// `bad argument` message when a value has the wrong type.
public struct LuaCall {
  public let state: LuaState
  let thread: OpaquePointer

  /// How many arguments were passed.
  public var count: Int32 { lua_gettop(thread) }

  /// The argument at `index` copied into Swift (`.nil` when absent).
  public func value(_ index: Int32) throws -> LuaValue {
    index <= count ? try state.value(at: index, on: thread) : .nil
  }

  /// The Lua type name of the argument at `index` ("no value" when absent).
  public func typeName(_ index: Int32) -> String {
    index > count ? "no value" : String(cString: lua_typename(thread, lua_type(thread, index)))
  }

  public func isNil(_ index: Int32) -> Bool { pmh_isnoneornil(thread, index) != 0 }

  /// A string argument (numbers are not converted).
  public func string(_ index: Int32, _ function: String) throws -> String {
    guard let s = optionalString(index) else {
      throw LuaRaise("bad argument #\(index) to '\(function)' (string expected, got \(typeName(index)))")
    }
    return s
  }

  public func optionalString(_ index: Int32) -> String? {
    guard index <= count, lua_type(thread, index) == LUA_TSTRING else { return nil }
    return withBytes(index) { String(decoding: $0, as: UTF8.self) }
  }

  /// A string argument capped by ``MessageCap`` (a message for people: log lines, gap
  /// reasons); only the kept bytes are copied. `nil` when the argument is not a string.
  public func cappedString(_ index: Int32) -> String? {
    guard index <= count else { return nil }
    return withBytes(index) { MessageCap.capped($0) }
  }

  /// Gives the bytes of a string argument without copying them (valid during `body`).
  public func withBytes<R>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
    guard lua_type(thread, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let pointer = pmh_tostring(thread, index, &length) else { return nil }
    return try body(UnsafeRawBufferPointer(start: pointer, count: length))
  }

  public func number(_ index: Int32, _ function: String) throws -> Double {
    guard index <= count, lua_type(thread, index) == LUA_TNUMBER else {
      throw LuaRaise("bad argument #\(index) to '\(function)' (number expected, got \(typeName(index)))")
    }
    return lua_tonumberx(thread, index, nil)
  }

  public func table(_ index: Int32, _ function: String) throws -> LuaTable {
    guard index <= count, lua_type(thread, index) == LUA_TTABLE, case .table(let t) = try value(index)
    else {
      throw LuaRaise("bad argument #\(index) to '\(function)' (table expected, got \(typeName(index)))")
    }
    return t
  }

  /// The Swift object boxed in a userdata of type `type` at `index`, or nil.
  public func object<T: AnyObject>(_ index: Int32, type: String, as: T.Type = T.self) -> T? {
    guard let raw = pmh_to_object(thread, index, type) else { return nil }
    return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T
  }

  /// Pushes a result.
  public func push(_ value: LuaValue) { state.push(value, on: thread) }

  /// Pushes a string result straight from bytes (no intermediate copy).
  public func push(bytes: UnsafeRawBufferPointer) {
    _ = lua_pushlstring(thread, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
  }

  public func pushInteger(_ value: Int64) { lua_pushinteger(thread, lua_Integer(value)) }

  public func pushNumber(_ value: Double) { lua_pushnumber(thread, value) }

  public func pushNil() { lua_pushnil(thread) }

  /// Pushes the value already at stack `index` again (the same string, no new copy).
  public func pushCopy(of index: Int32) { lua_pushvalue(thread, index) }

  /// Pops the top value into `table[index]` (the table at stack `table`), without
  /// metamethods.
  public func rawSet(table: Int32, index: Int64) { lua_rawseti(thread, table, lua_Integer(index)) }

  /// Pushes `table[index]` (the table at stack `table`), without metamethods.
  public func rawGet(table: Int32, index: Int64) { _ = lua_rawgeti(thread, table, lua_Integer(index)) }

  /// Pushes a new table with room for `array` list items and `fields` named ones.
  public func pushTable(array: Int, fields: Int) {
    lua_createtable(thread, Int32(clamping: array), Int32(clamping: fields))
  }

  /// Pops the top value into `name` of the table just below it, without metamethods
  /// (tables made by ``pushTable(array:fields:)`` have none).
  public func setField(_ name: String) { lua_setfield(thread, -2, name) }

  /// Pops `n` values.
  public func pop(_ n: Int32) { lua_settop(thread, -n - 1) }

  /// Whether the value at stack `index` is a table.
  public func isTable(_ index: Int32) -> Bool { lua_type(thread, index) == LUA_TTABLE }

  /// Makes room for `extra` more results (a host function may push only 20 without it).
  /// False when the stack cannot grow that far.
  public func reserve(_ extra: Int32) -> Bool { lua_checkstack(thread, extra) != 0 }

  /// Pushes `values` and returns their count, for `return call.returning(a, b)`.
  public func returning(_ values: LuaValue...) -> Int32 {
    for value in values { push(value) }
    return Int32(values.count)
  }

  /// Pushes values another Lua call returned and releases the references they held (the
  /// stack keeps them alive now), for a host function that passes a Lua function's results on.
  public func passing(_ values: [LuaValue]) -> Int32 {
    for value in values {
      push(value)
      switch value {
      case .function(let ref), .userdata(let ref), .thread(let ref): state.release(ref)
      default: break
      }
    }
    return Int32(values.count)
  }

  /// Calls a Lua function from inside a host function (protected).
  public func call(_ function: LuaValue, _ arguments: [LuaValue]) throws(LuaError) -> [LuaValue] {
    try state.call(function, arguments, on: thread)
  }
}
