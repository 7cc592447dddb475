-- An incident's log entries from a saved file or the live API (every page). Whatever
-- cannot be read becomes a data gap naming the file or URL.
local jsoninput = require "pm.jsoninput"

local M = {}

local PAGE = 100      -- entries per request: PagerDuty's largest page
local MAX_SEEN = 10000 -- PagerDuty refuses offset + limit beyond this

local function is_list(v) return type(v) == "table" and (v[1] ~= nil or next(v) == nil) end

-- A saved file: one response ({"log_entries": [...], "more": false, ...}), several pages
-- saved as a JSON array of responses, or a bare array of entries. Calls
-- add(entry, origin, path) for each entry; records a gap when there is nothing to read.
function M.read(ctx, path, problems, add)
  local doc, reason = jsoninput.read(ctx, path, problems)
  if doc == nil then return ctx.gap(reason) end

  local function page(p, prefix)
    if not is_list(p.log_entries) then
      problems:add("no entries", path .. ": " .. prefix .. "log_entries", "missing or not a list; page skipped")
      return
    end
    for i, e in ipairs(p.log_entries) do add(e, path, ("%slog_entries[%d]"):format(prefix, i)) end
  end

  if type(doc) == "table" and doc.log_entries ~= nil then
    page(doc, "")
  elseif is_list(doc) and type(doc[1]) == "table" and doc[1].log_entries ~= nil then
    for n, p in ipairs(doc) do
      if type(p) == "table" then page(p, ("[%d]."):format(n))
      else problems:add("not page", ("%s: [%d]"):format(path, n), "is not a log_entries response; skipped") end
    end
  elseif is_list(doc) then
    for i, e in ipairs(doc) do add(e, path, ("[%d]"):format(i)) end
  else
    ctx.gap(path .. " has no log_entries: is it a GET /incidents/{id}/log_entries response?")
  end
end

-- What PagerDuty said in an error body: {"error":{"message":..,"code":..,"errors":[..]}}.
local function error_text(doc, body)
  local e = type(doc) == "table" and doc.error
  if type(e) == "table" then
    local text = tostring(e.message or "error")
    if type(e.errors) == "table" and e.errors[1] then text = text .. ": " .. table.concat(e.errors, "; ") end
    return text
  end
  return ((body or ""):gsub("%s+", " "):sub(1, 200))
end

-- Every page of GET url (the incident's log_entries URL), in UTC, `limit` entries at a
-- time. Calls add(entry, url, path) for each entry. A failed page records a gap naming it;
-- the entries of earlier pages are kept.
function M.fetch(ctx, opts, token, problems, add)
  local offset = 0
  while true do
    local res, reason = ctx.http.get(opts.url, {
      query = { time_zone = "UTC", limit = PAGE, offset = offset },
      headers = {
        Authorization = "Token token=" .. token,
        Accept = "application/vnd.pagerduty+json;version=2",
      },
      timeout_s = opts.timeout_s,
      gap = false,
    })
    local page = ("%s (offset %d)"):format(opts.url, offset)
    if not res then
      return ctx.gap("no answer from PagerDuty: " .. tostring(reason)) -- reason names the request
    end
    local doc, problem = jsoninput.decode(res.body or "", page, problems)
    if res.status < 200 or res.status > 299 then
      local hint = (res.status == 401 and " (is the token right?)") or (res.status == 429 and " (rate limited; try again later)") or ""
      return ctx.gap(("%s answered HTTP %d: %s%s"):format(page, res.status, error_text(doc, res.body), hint))
    end
    if doc == nil then return ctx.gap(problem) end
    if type(doc) ~= "table" or not is_list(doc.log_entries) then
      return ctx.gap(page .. " has no log_entries list: is url an incident's log_entries URL?")
    end
    for i, e in ipairs(doc.log_entries) do add(e, opts.url, ("offset %d: log_entries[%d]"):format(offset, i)) end

    if doc.more ~= true then return end
    if #doc.log_entries == 0 then
      return problems:add("empty page", page, "says there are more entries but lists none; stopped paging")
    end
    offset = offset + #doc.log_entries
    if offset + PAGE > MAX_SEEN then
      return ctx.gap(("%s: more than %d log entries; PagerDuty lists no more through this API"):format(opts.url, offset))
    end
  end
end

return M
