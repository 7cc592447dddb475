-- One page of a ClickHouse answer, read row by row: TabSeparated (with its escapes and \N
-- for NULL) or JSONEachRow. A page that does not end where a row ends says why: the last
-- row cut off, or the server's exception text written into the stream after the 200
-- status had gone ("Code: 395, e.displayText() = DB::Exception: ..." from 18.16,
-- "Code: 395. DB::Exception: ..." from newer servers).
--
--   local rows, problem = page.read(body, format, names)
--   rows: list of { [name] = value (nil for NULL) }; problem: nil, or text saying why the
--   page ends early (the rows before it are good).
local M = {}

local UNESCAPE = { b = "\b", f = "\f", r = "\r", n = "\n", t = "\t", ["0"] = "\0", ["'"] = "'", ["\\"] = "\\",
  a = "\a", v = "\v", e = "\27" }

-- A TabSeparated field: \N alone is NULL; \x escapes as ClickHouse writes them; an
-- unknown escape keeps the character after the backslash (as ClickHouse reads it).
function M.tsv_field(s)
  if s == "\\N" then return nil end
  if not s:find("\\", 1, true) then return s end
  return (s:gsub("\\(.)", function(c) return UNESCAPE[c] or c end))
end

-- The server's exception text, when `line` is one (and not a row).
local function exception(line)
  local code = line:match("Code: (%d+)[,.] ")
  if code and line:find("DB::Exception", 1, true) then
    local text = line:sub((line:find("Code: ", 1, true)))
    if #text > 300 then text = text:sub(1, 297) .. "..." end
    return text
  end
end

local function split_tabs(line)
  local out, i = {}, 1
  while true do
    local j = line:find("\t", i, true)
    if not j then
      out[#out + 1] = line:sub(i)
      return out
    end
    out[#out + 1] = line:sub(i, j - 1)
    i = j + 1
  end
end

local function cut(rows)
  return ("the answer ends in the middle of row %d (the connection closed before the page was complete)")
    :format(#rows + 1)
end

-- `names`: the columns in order (TabSeparated). With `with_names`, the first line holds
-- them instead (TabSeparatedWithNames, for a user's own query).
function M.read(body, format, names, with_names)
  local rows = {}
  local complete = body == "" or body:sub(-1) == "\n"
  local pos, n = 1, #body
  local first = with_names
  while pos <= n do
    local nl = body:find("\n", pos, true)
    local line = body:sub(pos, (nl or n + 1) - 1)
    pos = (nl or n) + 1
    local last = nl == nil
    local ex = exception(line)
    if format == "JSONEachRow" then
      local ok, v = pcall(pm.json.decode, line)
      if not ok or type(v) ~= "table" then
        if ex then return rows, "ClickHouse failed in the middle of the answer: " .. ex end
        if last and not complete then return rows, cut(rows) end
        return rows, ("row %d is not a JSON object: %s"):format(#rows + 1, tostring(v):sub(1, 200))
      end
      if last and not complete then return rows, cut(rows) end
      local row = {}
      for k, x in pairs(v) do if x ~= pm.json.null then row[k] = x end end
      rows[#rows + 1] = row
    else
      local parts = split_tabs(line)
      if first then
        names, first = {}, false
        for i, p in ipairs(parts) do names[i] = M.tsv_field(p) end
      else
        if #parts ~= #names then
          if ex then return rows, "ClickHouse failed in the middle of the answer: " .. ex end
          if last and not complete then return rows, cut(rows) end
          return rows, ("row %d has %d columns, not %d"):format(#rows + 1, #parts, #names)
        end
        if last and not complete then return rows, cut(rows) end
        local row = {}
        for i, p in ipairs(parts) do row[names[i]] = M.tsv_field(p) end
        rows[#rows + 1] = row
      end
    end
  end
  return rows, nil, names
end

return M
