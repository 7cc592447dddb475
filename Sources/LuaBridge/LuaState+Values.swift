import CLua
import CLuaShim

extension LuaState {
  /// Pushes a Swift value onto the Lua stack (host code only: allocation is not limited).
  public func push(_ value: LuaValue) { push(value, on: L) }

  func push(_ value: LuaValue, on L: OpaquePointer) {
    switch value {
    case .nil: lua_pushnil(L)
    case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
    case .integer(let i): lua_pushinteger(L, lua_Integer(i))
    case .number(let d): lua_pushnumber(L, d)
    case .string(let s): pushBytes(s.bytes, on: L)
    case .table(let t):
      // Each level of nesting holds a table, a key and a value on the stack, beyond the
      // LUA_MINSTACK slots a host function is given (a 255-level pm.yaml.decode result
      // wrote past the stack's end).
      precondition(lua_checkstack(L, 3) != 0, "Lua stack cannot grow for a nested table")
      lua_createtable(L, Int32(clamping: t.array.count), Int32(clamping: t.fields.count))
      for (i, element) in t.array.enumerated() {
        push(element, on: L)
        lua_rawseti(L, -2, lua_Integer(i + 1))
      }
      for (key, element) in t.fields where !key.isNil && !element.isNil {
        push(key, on: L)
        push(element, on: L)
        lua_rawset(L, -3)
      }
    case .function(let ref), .userdata(let ref), .thread(let ref):
      precondition(ref.stateID == ObjectIdentifier(self), "LuaRef used in another LuaState")
      pmh_getref(L, ref.id)
    case .lightUserdata(let address):
      lua_pushlightuserdata(L, UnsafeMutableRawPointer(bitPattern: address))
    }
  }

  func pushBytes(_ bytes: [UInt8], on L: OpaquePointer) {
    bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
  }

  /// Copies the value at `index` into Swift. Tables are copied deeply; a table that
  /// contains itself, or nesting deeper than 200, is a conversion error.
  public func value(at index: Int32) throws(LuaError) -> LuaValue {
    var visiting: Set<UnsafeRawPointer> = []
    return try value(at: lua_absindex(L, index), on: L, depth: 0, visiting: &visiting)
  }

  func value(at index: Int32, on L: OpaquePointer) throws(LuaError) -> LuaValue {
    var visiting: Set<UnsafeRawPointer> = []
    return try value(at: lua_absindex(L, index), on: L, depth: 0, visiting: &visiting)
  }

  private func value(
    at index: Int32, on L: OpaquePointer, depth: Int, visiting: inout Set<UnsafeRawPointer>
  ) throws(LuaError) -> LuaValue {
    switch lua_type(L, index) {
    case LUA_TNIL, LUA_TNONE: return .nil
    case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
    case LUA_TNUMBER:
      if lua_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
      return .number(lua_tonumberx(L, index, nil))
    case LUA_TSTRING:
      var length = 0
      guard let pointer = pmh_tostring(L, index, &length) else { return .nil }
      return .string(
        LuaString(bytes: Array(UnsafeRawBufferPointer(start: pointer, count: length))))
    case LUA_TTABLE:
      return .table(try table(at: index, on: L, depth: depth, visiting: &visiting))
    case LUA_TLIGHTUSERDATA:
      return .lightUserdata(UInt(bitPattern: lua_touserdata(L, index)))
    default:
      lua_pushvalue(L, index)
      let ref = LuaRef(id: pmh_ref(L), stateID: ObjectIdentifier(self))
      switch lua_type(L, index) {
      case LUA_TFUNCTION: return .function(ref)
      case LUA_TTHREAD: return .thread(ref)
      default: return .userdata(ref)
      }
    }
  }

  private func table(
    at index: Int32, on L: OpaquePointer, depth: Int, visiting: inout Set<UnsafeRawPointer>
  ) throws(LuaError) -> LuaTable {
    guard depth < 200 else {
      throw LuaError(kind: .conversion, message: "table nesting deeper than 200 levels")
    }
    guard let identity = lua_topointer(L, index) else { return LuaTable() }
    guard visiting.insert(identity).inserted else {
      throw LuaError(kind: .conversion, message: "table contains itself (a cycle cannot be copied)")
    }
    defer { visiting.remove(identity) }
    lua_checkstack(L, 4)
    var result = LuaTable()
    let length = Int(lua_rawlen(L, index))
    result.array.reserveCapacity(length)
    for i in 1...max(length, 1) where length > 0 {
      lua_rawgeti(L, index, lua_Integer(i))
      defer { lua_settop(L, -2) }
      if lua_type(L, -1) == LUA_TNIL { break }
      result.array.append(try value(at: lua_gettop(L), on: L, depth: depth + 1, visiting: &visiting))
    }
    let sequence = result.array.count
    lua_pushnil(L)
    while lua_next(L, index) != 0 {
      defer { lua_settop(L, -2) }
      if lua_isinteger(L, -2) != 0 {
        let key = lua_tointegerx(L, -2, nil)
        if key >= 1 && key <= sequence { continue }
      }
      let key = try value(at: lua_gettop(L) - 1, on: L, depth: depth + 1, visiting: &visiting)
      let element = try value(at: lua_gettop(L), on: L, depth: depth + 1, visiting: &visiting)
      result.fields[key] = element
    }
    return result
  }

  /// The string at `index` without conversion or metamethods (nil if not a string).
  func rawString(at index: Int32) -> String? { rawString(at: index, on: L) }

  func rawString(at index: Int32, on L: OpaquePointer) -> String? {
    guard lua_type(L, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let pointer = pmh_tostring(L, index, &length) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
  }

  /// The string at `index` capped by ``MessageCap`` (for error messages): only the kept
  /// bytes are copied.
  func cappedString(at index: Int32, on L: OpaquePointer) -> String? {
    guard lua_type(L, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let pointer = pmh_tostring(L, index, &length) else { return nil }
    return MessageCap.capped(UnsafeRawBufferPointer(start: pointer, count: length))
  }
}
