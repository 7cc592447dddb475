-- The files of a Slack export folder: users.json, channels.json (groups.json for private
-- channels) and one JSON array of messages per channel and day.
local jsoninput = require "pm.jsoninput"

local M = {}

-- The JSON array in `path`; nil and what is wrong with the file ("is empty", "is not JSON
-- (line 3, column 7: ...)") when it cannot be read.
function M.read_array(ctx, path, problems)
  local ok, text = pcall(ctx.fs.read, path)
  if not ok then return nil, "cannot be read: " .. jsoninput.read_error(text) end
  local doc, reason = jsoninput.decode(text, path, problems)
  if not doc then return nil, reason:sub(#path + 2) end -- the caller names the file
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
