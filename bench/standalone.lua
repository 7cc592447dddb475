-- scripts/bench's baseline (a): the same parsing code as the bench-errors plugin, run by
-- the standalone lua5.4 over io.lines. Usage: lua5.4 bench/standalone.lua LOG
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local count = dofile(here .. "/plugins/bench-errors/count.lua")
local counts, total = count(io.lines(arg[1]))
local minutes = {}
for minute in pairs(counts) do minutes[#minutes + 1] = minute end
table.sort(minutes)
for _, minute in ipairs(minutes) do print("errors " .. minute .. " " .. counts[minute]) end
print("total " .. total)
