-- The busted-style test API given to `*_spec.lua` files by `pmhost test`: describe, it,
-- before_each, pending and assert (equals, same, truthy, falsy, is_true, is_false, is_nil,
-- not_nil, matches, has_error and busted's aliases). Tests run as they are declared; the
-- counts and failures are left in the global __pmhost_spec_results, which SpecRunner
-- (Sources/PluginSpecs/SpecRunner.swift) reads back. Embedded in the binary by
-- EmbedTool, like the bundled plugins.
local results = { passed = 0, failed = 0, pending = 0, failures = {} }
local names, hooks = {}, {}

local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" or depth > 3 then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = "[" .. show(k) .. "] = " .. show(v[k], depth + 1)
  end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local function fail(message, extra)
  error((extra and (extra .. "\n") or "") .. message, 3)
end

local A = {}
function A.equals(expected, actual, msg)
  if expected ~= actual then
    fail("Expected objects to be equal.\nPassed in:\n" .. show(actual) .. "\nExpected:\n" .. show(expected), msg)
  end
end
function A.same(expected, actual, msg)
  if not deep_equal(expected, actual) then
    fail("Expected objects to be the same.\nPassed in:\n" .. show(actual) .. "\nExpected:\n" .. show(expected), msg)
  end
end
function A.truthy(v, msg) if not v then fail("Expected a truthy value, got " .. show(v), msg) end end
function A.falsy(v, msg) if v then fail("Expected a falsy value, got " .. show(v), msg) end end
function A.is_true(v, msg) if v ~= true then fail("Expected true, got " .. show(v), msg) end end
function A.is_false(v, msg) if v ~= false then fail("Expected false, got " .. show(v), msg) end end
function A.is_nil(v, msg) if v ~= nil then fail("Expected nil, got " .. show(v), msg) end end
function A.not_nil(v, msg) if v == nil then fail("Expected a value, got nil", msg) end end
function A.matches(pattern, s, msg)
  if type(s) ~= "string" or not s:find(pattern) then
    fail("Expected " .. show(s) .. " to match pattern " .. show(pattern), msg)
  end
end
function A.has_error(fn, expected, msg)
  local ok, err = pcall(fn)
  if ok then fail("Expected an error, but none was raised", msg) end
  if expected ~= nil and not tostring(err):find(expected, 1, true) then
    fail("Expected an error containing " .. show(expected) .. ", got " .. show(tostring(err)), msg)
  end
end
A.equal, A.is_truthy, A.is_falsy, A.is_not_nil = A.equals, A.truthy, A.falsy, A.not_nil
A.are = { equal = A.equals, equals = A.equals, same = A.same }
A.is = { ["nil"] = A.is_nil, ["true"] = A.is_true, ["false"] = A.is_false, truthy = A.truthy, falsy = A.falsy }
setmetatable(A, { __call = function(_, v, msg, ...) if not v then error(msg or "assertion failed!", 2) end return v, msg, ... end })
assert = A

local function full(name)
  local all = {}
  for _, n in ipairs(names) do all[#all + 1] = n end
  all[#all + 1] = name
  return table.concat(all, " ")
end

local function record(name, ok, err)
  if ok then
    results.passed = results.passed + 1
  else
    results.failed = results.failed + 1
    results.failures[#results.failures + 1] = { name = name, message = tostring(err) }
  end
end

function describe(name, fn)
  names[#names + 1] = name
  hooks[#names] = {}
  local ok, err = pcall(fn)
  if not ok then record(full("(describe block)"), false, err) end
  hooks[#names] = nil
  names[#names] = nil
end

function before_each(fn)
  local level = hooks[#names]
  if level then level[#level + 1] = fn end
end

function it(name, fn)
  local ok, err = pcall(function()
    for i = 1, #names do for _, hook in ipairs(hooks[i] or {}) do hook() end end
    fn()
  end)
  record(full(name), ok, err)
end

function pending(_name) results.pending = results.pending + 1 end

__pmhost_spec_results = results
