-- Problems with the input, one warning per kind: a file with 500 bad samples gives one
-- warning that counts them and names the first places, not 500 warnings.
local M = {}

local SHOWN = 4 -- places named in a warning

-- problems:add(kind, where, detail): `kind` groups alike problems ("value not a number"),
-- `where` names the place (`fixtures/x.json: data.result[1].values[4][2]`), `detail` says
-- what was wrong there and what was done. problems:flush() warns, once per kind.
function M.new(ctx)
  local self = { order = {}, by_kind = {} }

  function self:add(kind, where, detail)
    local k = self.by_kind[kind]
    if not k then
      k = { first = where .. ": " .. detail, places = {}, count = 0 }
      self.by_kind[kind] = k
      self.order[#self.order + 1] = k
    end
    k.count = k.count + 1
    if #k.places < SHOWN then k.places[#k.places + 1] = where end
  end

  function self:flush()
    for _, k in ipairs(self.order) do
      if k.count == 1 then
        ctx.log.warn(k.first)
      else
        local more = {}
        for i = 2, math.min(#k.places, SHOWN) do more[#more + 1] = k.places[i] end
        if k.count > SHOWN then more[#more + 1] = "..." end
        ctx.log.warn(("%s (%d times; also at %s)"):format(k.first, k.count, table.concat(more, ", ")))
      end
    end
    self.order, self.by_kind = {}, {}
  end

  return self
end

return M
