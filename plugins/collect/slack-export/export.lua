-- The files of a Slack export folder: users.json, channels.json (groups.json for private
-- channels) and one JSON array of messages per channel and day.
local M = {}

-- Bytes that are not UTF-8 would end up in event texts: replace each with U+FFFD and say
-- where the first one was.
local function valid_utf8(text, path, problems)
  local ok, bad = utf8.len(text)
  if ok then return text end
  local _, newlines = text:sub(1, bad - 1):gsub("\n", "")
  problems:add("utf8", ("%s:%d"):format(path, newlines + 1),
    ("bytes that are not UTF-8 (the first at byte %d); replaced with U+FFFD"):format(bad))
  local parts, i = {}, 1
  while bad do
    parts[#parts + 1] = text:sub(i, bad - 1) .. "\u{FFFD}"
    i = bad + 1
    ok, bad = utf8.len(text, i)
  end
  parts[#parts + 1] = text:sub(i)
  return table.concat(parts)
end

-- The JSON array in `path`; nil and what is wrong with the file ("is empty", "is not JSON
-- (line 3, column 7: ...)") when it cannot be read.
function M.read_array(ctx, path, problems)
  local ok, text = pcall(ctx.fs.read, path)
  if not ok then return nil, "cannot be read" end
  if not text:find("%S") then return nil, "is empty" end
  local decoded, doc = pcall(pm.json.decode, valid_utf8(text, path, problems))
  if not decoded then
    -- A download cut short ends inside the document, not with its closing bracket.
    return nil, ("is not JSON (%s)%s"):format(tostring(doc):gsub("^pm%.json%.decode: ", ""),
      text:find("[}%]]%s*$") and "" or "; is the file truncated?")
  end
  if type(doc) ~= "table" or (doc[1] == nil and next(doc) ~= nil) then return nil, "is not a JSON array" end
  return doc
end

-- id -> name from the lists in `files` that exist (users.json, or org_users.json of an
-- Enterprise Grid export; channels.json and groups.json for private channels). A broken
-- list is warned about, never fatal: ids are then shown as they are.
function M.names(ctx, dir, files, problems)
  local map = {}
  for _, name in ipairs(files) do
    local path = dir .. "/" .. name
    if ctx.fs.exists(path) then
      local list, problem = M.read_array(ctx, path, problems)
      if not list then problems:add("directory", path, problem .. " (its ids are shown as they are)") end
      for i, item in ipairs(list or {}) do
        if type(item) == "table" and type(item.id) == "string" and type(item.name) == "string" then
          map[item.id] = item.name
        else
          problems:add("directory entry", ("%s: [%d]"):format(path, i), "has no id and name; skipped")
        end
      end
    end
  end
  return map
end

-- The day files of a channel folder (`2025-02-09.json`), oldest first.
function M.days(ctx, folder)
  local ok, entries = pcall(ctx.fs.list, folder)
  if not ok then return nil end
  local days = {}
  for _, name in ipairs(entries) do -- sorted by name, so by date
    if name:match("^%d%d%d%d%-%d%d%-%d%d%.json$") then days[#days + 1] = name end
  end
  return days
end

return M
