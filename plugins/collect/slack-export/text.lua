-- Slack message text: from Slack's markup to what a reader saw.
local M = {}

-- `<@U01ALICE>` -> @alice, `<#C05INC|incident>` -> #incident, `<https://x|label>` -> label,
-- `<https://x>` -> https://x, `<!here>` -> @here; then the three HTML entities Slack escapes.
-- users and channels map ids to names.
function M.plain(text, users, channels)
  text = text:gsub("<([^>]*)>", function(inner)
    local target, label = inner:match("^([^|]*)|(.*)$")
    target = target or inner
    local sigil, id = target:sub(1, 1), target:sub(2)
    if sigil == "@" then return "@" .. (label or users[id] or id) end
    if sigil == "#" then return "#" .. (label or channels[id] or id) end
    if sigil == "!" then -- <!here>, <!subteam^S1|@oncall>
      return "@" .. (label and label:gsub("^@", "") or id:match("^[^^]*"))
    end
    return label or target
  end)
  return (text:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&amp;", "&"))
end

-- The first sentence of a message, without its final period:
-- "Cache layer deployed as mitigation. kubectl rollout ..." -> "Cache layer deployed as mitigation"
function M.first_sentence(text)
  local s = text:match("^%s*([^\n]*)") -- the first line at most
  local stop = s:find("[.!?]%s") -- ". ", "! ", "? "
  if stop then s = s:sub(1, s:sub(stop, stop) == "." and stop - 1 or stop) end
  return (s:gsub("%s+$", ""):gsub("%.$", ""))
end

return M
