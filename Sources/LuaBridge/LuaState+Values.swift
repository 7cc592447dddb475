import CLua
import CLuaShim

extension LuaState {
  /// Pushes a Swift value onto the Lua stack (host code only: allocation is not limited).
  public func push(_ value: LuaValue) { push(value, on: thread) }

  func push(_ value: LuaValue, on thread: OpaquePointer) {
    switch value {
    case .nil: lua_pushnil(thread)
    case .boolean(let b): lua_pushboolean(thread, b ? 1 : 0)
    case .integer(let i): lua_pushinteger(thread, lua_Integer(i))
    case .number(let d): lua_pushnumber(thread, d)
    case .string(let s): pushBytes(s.bytes, on: thread)
    case .table(let t):
      // Each level of nesting holds a table, a key and a value on the stack, beyond the
      // LUA_MINSTACK slots a host function is given (a 255-level pm.yaml.decode result
      // wrote past the stack's end).
      precondition(lua_checkstack(thread, 3) != 0, "Lua stack cannot grow for a nested table")
      lua_createtable(thread, Int32(clamping: t.array.count), Int32(clamping: t.fields.count))
      for (i, element) in t.array.enumerated() {
        push(element, on: thread)
        lua_rawseti(thread, -2, lua_Integer(i + 1))
      }
      for (key, element) in t.fields where !key.isNil && !element.isNil {
        push(key, on: thread)
        push(element, on: thread)
        lua_rawset(thread, -3)
      }
    case .function(let ref), .userdata(let ref), .thread(let ref):
      precondition(ref.stateID == ObjectIdentifier(self), "LuaRef used in another LuaState")
      pmh_getref(thread, ref.id)
    case .lightUserdata(let address):
      lua_pushlightuserdata(thread, UnsafeMutableRawPointer(bitPattern: address))
    }
  }

  func pushBytes(_ bytes: [UInt8], on thread: OpaquePointer) {
    bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(thread, $0.baseAddress, $0.count) }
    }
  }

  /// Copies the value at `index` into Swift. Tables are copied deeply; a table that
  /// contains itself, or nesting deeper than 200, is a conversion error.
  public func value(at index: Int32) throws(LuaError) -> LuaValue {
    var visiting: Set<UnsafeRawPointer> = []
    return try value(at: lua_absindex(thread, index), on: thread, depth: 0, visiting: &visiting)
  }

  func value(at index: Int32, on thread: OpaquePointer) throws(LuaError) -> LuaValue {
    var visiting: Set<UnsafeRawPointer> = []
    return try value(at: lua_absindex(thread, index), on: thread, depth: 0, visiting: &visiting)
  }

  private func value(
    at index: Int32, on thread: OpaquePointer, depth: Int, visiting: inout Set<UnsafeRawPointer>
  ) throws(LuaError) -> LuaValue {
    switch lua_type(thread, index) {
    case LUA_TNIL, LUA_TNONE: return .nil
    case LUA_TBOOLEAN: return .boolean(lua_toboolean(thread, index) != 0)
    case LUA_TNUMBER:
      if lua_isinteger(thread, index) != 0 { return .integer(Int64(lua_tointegerx(thread, index, nil))) }
      return .number(lua_tonumberx(thread, index, nil))
    case LUA_TSTRING:
      var length = 0
      guard let pointer = pmh_tostring(thread, index, &length) else { return .nil }
      return .string(
        LuaString(bytes: Array(UnsafeRawBufferPointer(start: pointer, count: length))))
    case LUA_TTABLE:
      return .table(try table(at: index, on: thread, depth: depth, visiting: &visiting))
    case LUA_TLIGHTUSERDATA:
      return .lightUserdata(UInt(bitPattern: lua_touserdata(thread, index)))
    default:
      lua_pushvalue(thread, index)
      let ref = LuaRef(id: pmh_ref(thread), stateID: ObjectIdentifier(self))
      switch lua_type(thread, index) {
      case LUA_TFUNCTION: return .function(ref)
      case LUA_TTHREAD: return .thread(ref)
      default: return .userdata(ref)
      }
    }
  }

  private func table(
    at index: Int32, on thread: OpaquePointer, depth: Int, visiting: inout Set<UnsafeRawPointer>
  ) throws(LuaError) -> LuaTable {
    guard depth < 200 else {
      throw LuaError(kind: .conversion, message: "table nesting deeper than 200 levels")
    }
    guard let identity = lua_topointer(thread, index) else { return LuaTable() }
    guard visiting.insert(identity).inserted else {
      throw LuaError(kind: .conversion, message: "table contains itself (a cycle cannot be copied)")
    }
    defer { visiting.remove(identity) }
    lua_checkstack(thread, 4)
    var result = LuaTable()
    let length = Int(lua_rawlen(thread, index))
    result.array.reserveCapacity(length)
    for i in 1...max(length, 1) where length > 0 {
      lua_rawgeti(thread, index, lua_Integer(i))
      defer { lua_settop(thread, -2) }
      if lua_type(thread, -1) == LUA_TNIL { break }
      result.array.append(
        try value(at: lua_gettop(thread), on: thread, depth: depth + 1, visiting: &visiting))
    }
    let sequence = result.array.count
    lua_pushnil(thread)
    while lua_next(thread, index) != 0 {
      defer { lua_settop(thread, -2) }
      if lua_isinteger(thread, -2) != 0 {
        let key = lua_tointegerx(thread, -2, nil)
        if key >= 1 && key <= sequence { continue }
      }
      let key = try value(at: lua_gettop(thread) - 1, on: thread, depth: depth + 1, visiting: &visiting)
      let element = try value(at: lua_gettop(thread), on: thread, depth: depth + 1, visiting: &visiting)
      result.fields[key] = element
    }
    return result
  }

  /// The string at `index` without conversion or metamethods (nil if not a string).
  func rawString(at index: Int32) -> String? { rawString(at: index, on: thread) }

  func rawString(at index: Int32, on thread: OpaquePointer) -> String? {
    guard lua_type(thread, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let pointer = pmh_tostring(thread, index, &length) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
  }

  /// The string at `index` capped by ``MessageCap`` (for error messages): only the kept
  /// bytes are copied.
  func cappedString(at index: Int32, on thread: OpaquePointer) -> String? {
    guard lua_type(thread, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let pointer = pmh_tostring(thread, index, &length) else { return nil }
    return MessageCap.capped(UnsafeRawBufferPointer(start: pointer, count: length))
  }
}
