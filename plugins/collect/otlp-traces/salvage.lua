-- salvage: the complete spans of a batch cut short.
--
-- A file-exporter line is one whole ExportTraceServiceRequest. It may end early: the
-- collector was killed mid-write (the last line), or the host cut a line longer than 1 MiB
-- (ctx.fs.lines keeps the first 1 MiB). Such a line is not JSON, but the spans written
-- before the cut are whole. `salvage.prefix(text, stop)` finds the last span object closed
-- before byte `stop` and returns the text up to it with the brackets still open closed:
--
--   {"resourceSpans":[{"resource":{..},"scopeSpans":[{"scope":{..},"spans":[{..},{..},{"trace
--   --> {"resourceSpans":[{"resource":{..},"scopeSpans":[{"scope":{..},"spans":[{..},{..}]}]}]}
--
-- A span is an object whose enclosing brackets are `{[{[{[` (request, resourceSpans,
-- one resource's, scopeSpans, one scope's, spans): no other object of the format sits at
-- that place (attributes are one level deeper under resource and scope, two under spans).
-- A glued line (a batch cut short, then the next batch written after it with no newline
-- between) holds another request after the cut: `salvage.next_batch` finds where it starts.
local M = {}

local SPAN_PATH = { "{", "[", "{", "[", "{", "[" }
local CLOSE = { ["{"] = "}", ["["] = "]" }

-- The text before byte `stop` cut after its last whole span, closed; nil when no span was
-- whole. Strings are skipped as strings, so brackets inside names and messages do not count.
function M.prefix(text, stop)
  local stack, depth = {}, 0
  local last, last_depth = nil, nil
  local pos, find = 1, string.find
  while true do
    local i, _, c = find(text, '([%[%]{}"])', pos)
    if not i or i > stop then break end
    if c == '"' then
      -- The string's end: the next quote not escaped by an odd run of backslashes.
      local q = i
      repeat
        q = find(text, '"', q + 1, true)
        if not q then break end
        local b = q - 1
        while text:byte(b) == 92 do b = b - 1 end
      until (q - 1 - b) % 2 == 0
      if not q or q > stop then break end
      pos = q + 1
    elseif c == "{" or c == "[" then
      depth = depth + 1
      stack[depth] = c
      pos = i + 1
    else
      if depth == 0 or CLOSE[stack[depth]] ~= c then break end -- not the format: give up here
      if depth == 7 and c == "}" then
        local span = true
        for k = 1, 6 do
          if stack[k] ~= SPAN_PATH[k] then span = false break end
        end
        if span then last, last_depth = i, 6 end
      end
      depth = depth - 1
      pos = i + 1
    end
  end
  if not last then return nil end
  local closers = {}
  for k = last_depth, 1, -1 do closers[#closers + 1] = CLOSE[SPAN_PATH[k]] end
  return text:sub(1, last) .. table.concat(closers)
end

-- Where the next request starts in `text` after byte `from` (`{"resourceSpans"`, or the
-- proto's name), or nil.
function M.next_batch(text, from)
  local a = text:find('{%s*"resource_?[sS]pans"', from + 1)
  return a
end

return M
