-- SVG drawings for the html report: the timeline (one lane per source) and metric charts.
-- Times are Unix seconds; every drawing of one report shares one time axis, and both draw
-- their axis with M.ticks.
local M = {}

local WIDTH, LEFT, RIGHT = 960, 150, 20
M.WIDTH, M.LEFT, M.RIGHT = WIDTH, LEFT, RIGHT

local KIND_COLOURS = {
  error = "#cf222e", metric_crossed = "#bc4c00", alert_fired = "#a40e26", paged = "#8250df",
  acknowledged = "#0969da", escalated = "#9a6700", action = "#0550ae", deploy = "#0550ae",
  mitigated = "#1a7f37", metric_recovered = "#1a7f37", alert_resolved = "#1a7f37", resolved = "#116329",
  note = "#57606a",
}
local TROUBLE = { error = true, metric_crossed = true, alert_fired = true }
M.MOMENTS = { "impact_start", "detected", "paged", "acknowledged", "mitigated", "resolved" }
local MOMENTS = M.MOMENTS

local function num(x) return ("%.1f"):format(x) end

-- The time span drawn: the incident window widened by `margin`, and no further. Without a
-- window, the span of the events (first, last: Unix seconds, or nil when there are none).
function M.range(window, margin, first, last)
  local lo, hi = window.start, window.finish
  if not lo or not hi then lo, hi = first, last end
  if not lo then return nil end
  if hi <= lo then hi = lo + 60 end
  return { lo = lo - margin, hi = hi + margin }
end

local function x_of(range, t) return LEFT + (t - range.lo) / (range.hi - range.lo) * (WIDTH - LEFT - RIGHT) end
M.x_of = x_of

-- Axis ticks. The step is the first of these "nice" steps that gives at most `max` ticks
-- (12 unless told); past the table, 1, 2 or 5 times a power of ten years.
local MINUTE, HOUR, DAY = 60, 3600, 86400
local STEPS = {
  1, 2, 5, 10, 15, 30,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY,
  { months = 1 }, { months = 3 }, { months = 6 }, { months = 12 },
}
local MONTH_S = 30.436875 * DAY
local MONTH_NAMES = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }

local function ymd(t)
  local y, m, d = pm.time.format(t, "date"):match("^(%-?%d+)%-(%d+)%-(%d+)")
  return tonumber(y), tonumber(m), tonumber(d)
end
local function month_start(y, m) return pm.time.parse(("%04d-%02d-01T00:00:00Z"):format(y, m)) end
local function day_label(t)
  local _, m, d = ymd(t)
  return ("%s %d"):format(MONTH_NAMES[m], d)
end

-- M.ticks(lo, hi [, max]) --> a list of { t = seconds, label = text, sub = text or nil, text = both }.
-- Labels: "HH:MM:SS" for steps under a minute, "HH:MM" under a day, with the day ("Feb 10")
-- in `sub` when the span crosses UTC midnight; "Feb 10" for day steps, "Feb 2025" for month
-- steps, "2025" for years. The span is [lo, hi]; ticks fall inside it.
function M.ticks(lo, hi, max)
  max = max or 12
  local span = math.max(hi - lo, 1)
  local step
  for _, s in ipairs(STEPS) do
    local seconds = type(s) == "table" and s.months * MONTH_S or s
    if math.floor(span / seconds) + 1 <= max then step = s; break end
  end
  if not step then -- years: 1, 2, 5 times a power of ten, at least 2 years
    local years = span / (12 * MONTH_S) / (max - 1)
    local power = 10 ^ math.floor(math.log(years, 10))
    local k = 10
    for _, m in ipairs { 1, 2, 5, 10 } do
      if m * power >= years then k = m; break end
    end
    step = { months = 12 * math.max(math.floor(k * power + 0.5), 1) }
  end
  local out = {}
  local function add(t, label, sub)
    out[#out + 1] = { t = t, label = label, sub = sub, text = sub and (sub .. " " .. label) or label }
  end
  if type(step) == "table" then
    local months = step.months
    local y, m = ymd(lo)
    -- The first month (or year) start at or after lo that is a multiple of the step.
    local index = y * 12 + (m - 1)
    if month_start(y, m) < lo then index = index + 1 end
    index = math.ceil(index / months) * months
    while true do
      local t = month_start(index // 12, index % 12 + 1)
      if not t or t > hi then break end
      if months % 12 == 0 then
        add(t, ("%d"):format(index // 12))
      else
        add(t, ("%s %d"):format(MONTH_NAMES[index % 12 + 1], index // 12))
      end
      index = index + months
      if #out > max then break end
    end
    return out
  end
  local dated = pm.time.format(lo, "date") ~= pm.time.format(hi, "date")
  local t = math.ceil(lo / step) * step
  while t <= hi and #out <= max do
    if step >= DAY then
      add(t, day_label(t))
    elseif step < MINUTE then
      add(t, pm.time.format(t, "clock"), dated and day_label(t) or nil)
    else
      add(t, pm.time.format(t, "hm"), dated and day_label(t) or nil)
    end
    t = t + step
  end
  return out
end

local function ticks(range, top, bottom)
  local out = {}
  for _, tick in ipairs(M.ticks(range.lo, range.hi)) do
    local x = num(x_of(range, tick.t))
    out[#out + 1] = ('<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#eaeef2"/>'):format(x, top, x, bottom)
    out[#out + 1] = ('<text x="%s" y="%d" font-size="11" text-anchor="middle" fill="#57606a">%s</text>')
      :format(x, bottom + 14, tick.label)
    if tick.sub then
      out[#out + 1] = ('<text x="%s" y="%d" font-size="10" text-anchor="middle" fill="#57606a">%s</text>')
        :format(x, bottom + 26, tick.sub)
    end
  end
  return table.concat(out)
end

local function window_band(range, window, top, bottom)
  if not (window.start and window.finish) then return "" end
  local x1, x2 = x_of(range, math.max(window.start, range.lo)), x_of(range, math.min(window.finish, range.hi))
  return ('<rect x="%s" y="%d" width="%s" height="%d" fill="#fff1e5"><title>incident window</title></rect>')
    :format(num(x1), top, num(math.max(x2 - x1, 0)), bottom - top)
end

-- The timeline: one lane per source, dashed lines at the key moments. Few events: a dot per
-- row (a bar to the last event of a burst), its text in a tooltip. Many: each lane a density
-- strip, the events (a burst's count included) summed into bins a few pixels wide, drawn on
-- a log scale, the share of trouble (errors, crossed thresholds, alerts) in red; never a
-- shape per event.
--
-- local tl = M.timeline(range, window, sources, { dense = bool, esc = f, clock = f, moments = {...} })
-- tl:add(t, source, kind, count, last, event)  -- for each row, in any order
-- tl:svg()                                      --> the figure
local BIN_PX = 3

function M.timeline(range, window, sources, o)
  local esc, clock = o.esc, o.clock
  local lanes = {}
  for i, s in ipairs(sources) do lanes[s] = i end
  local lane_h, top = o.dense and 40 or 26, 52 -- room for up to four rows of key-moment labels
  local bottom = top + #sources * lane_h
  local marks, outside = {}, 0
  local nbins = math.floor((WIDTH - LEFT - RIGHT) / BIN_PX)
  local bins, trouble = {}, {}
  for i = 1, #sources do bins[i], trouble[i] = {}, {} end
  local self = {}

  function self.add(_, t, source, kind, count, last, event)
    if not range or t < range.lo or t > range.hi then outside = outside + 1; return end
    local lane = lanes[source]
    if not lane then return end
    count = count or 1
    if o.dense then
      local b = math.min(math.floor((x_of(range, t) - LEFT) / BIN_PX), nbins - 1)
      bins[lane][b] = (bins[lane][b] or 0) + count
      if TROUBLE[kind] then trouble[lane][b] = (trouble[lane][b] or 0) + count end
      return
    end
    local x, y = x_of(range, t), top + (lane - 0.5) * lane_h
    local colour = KIND_COLOURS[kind] or "#57606a"
    local label = ("%s %s (%s%s)"):format(clock(t), event, kind, count > 1 and (", " .. count .. " events") or "")
    if last and last > t then
      local x2 = x_of(range, math.min(last, range.hi))
      marks[#marks + 1] = ('<rect x="%s" y="%s" width="%s" height="6" rx="3" fill="%s" opacity="0.45"/>')
        :format(num(x), num(y - 3), num(math.max(x2 - x, 1)), colour)
    end
    marks[#marks + 1] = ('<circle cx="%s" cy="%s" r="5" fill="%s"><title>%s</title></circle>')
      :format(num(x), num(y), colour, esc(label))
  end

  local function strips()
    local out = {}
    local span = (range.hi - range.lo) / nbins
    for lane = 1, #sources do
      local most = 0
      for _, n in pairs(bins[lane]) do most = math.max(most, n) end
      local base = top + lane * lane_h - 3
      local full = lane_h - 8
      for b = 0, nbins - 1 do
        local n = bins[lane][b]
        if n then
          local h = math.max(full * math.log(1 + n) / math.log(1 + most), 1.5) -- log: a burst does not flatten the rest
          local x = LEFT + b * BIN_PX
          local from = range.lo + b * span
          local bad = trouble[lane][b] or 0
          local a, z = clock(math.floor(from)), clock(math.floor(from + span))
          local za = z:match("^%d%d%d%d%-%d%d%-%d%d ") -- dated: the end's day only when it differs
          if za and a:sub(1, #za) == za then z = z:sub(#za + 1) end
          out[#out + 1] = ('<rect x="%d" y="%s" width="%d" height="%s" fill="#8c959f"><title>%s - %s: %s events%s</title></rect>')
            :format(x, num(base - h), BIN_PX, num(h), a, z, n, bad > 0 and (", " .. bad .. " errors or alerts") or "")
          if bad > 0 then
            local hb = h * bad / n
            out[#out + 1] = ('<rect x="%d" y="%s" width="%d" height="%s" fill="#cf222e"/>')
              :format(x, num(base - hb), BIN_PX, num(hb))
          end
        end
      end
    end
    return table.concat(out)
  end

  function self.svg()
    if not range or #sources == 0 then return "" end
    local height = bottom + 34
    local out = {
      ('<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Timeline of the incident">')
        :format(WIDTH, height, WIDTH, height),
      window_band(range, window, top, bottom),
      ticks(range, top, bottom),
    }
    for i, source in ipairs(sources) do
      local y = top + (i - 0.5) * lane_h
      local line_y = o.dense and (top + i * lane_h - 3) or y -- a strip stands on its lane's line
      out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#d0d7de"/>')
        :format(LEFT, num(line_y), WIDTH - RIGHT, num(line_y))
      out[#out + 1] = ('<text x="%d" y="%s" font-size="12" text-anchor="end" dominant-baseline="middle">%s</text>')
        :format(LEFT - 8, num(y), esc(source))
    end
    out[#out + 1] = o.dense and strips() or table.concat(marks)
    -- Key moments. Each label goes on the first of the rows above the lanes where it does not
    -- run into the label before it, so that moments minutes apart stay readable.
    local moments = o.moments or {}
    local row_end = {}
    for _, name in ipairs(MOMENTS) do
      local t = moments[name] and pm.time.parse(moments[name])
      if t and t >= range.lo and t <= range.hi then
        local x = x_of(range, t)
        local label = name:gsub("_", " ")
        local half = #label * 2.9 + 2 -- about 5.8 px a character at 10 px
        local row = 1
        while row_end[row] and row_end[row] > x - half do row = row + 1 end
        row_end[row] = x + half
        out[#out + 1] = ('<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#24292f" stroke-dasharray="3 3"/>')
          :format(num(x), top - 4, num(x), bottom)
        out[#out + 1] = ('<text x="%s" y="%d" font-size="10" text-anchor="middle">%s</text>')
          :format(num(x), row * 11, esc(label))
      end
    end
    out[#out + 1] = "</svg>"
    local caption = o.dense
      and "Sources as lanes, each a density strip of its events (red: errors, crossed thresholds and alerts); dashed lines mark the key moments; the shaded band is the incident window."
      or "Sources as lanes; dashed lines mark the key moments; the shaded band is the incident window."
    if outside > 0 then caption = caption .. (" %d rows fall outside the drawn span."):format(outside) end
    out[#out + 1] = "<figcaption>" .. esc(caption) .. "</figcaption></figure>"
    return table.concat(out)
  end
  return self
end

-- A chart of one series: the values as a line (broken where a value is NaN or infinite),
-- the threshold dashed, the incident window shaded.
function M.chart(s, range, window, esc)
  if not range then return "" end
  local height, top, bottom = 200, 12, 170
  local lo, hi
  local shown = 0
  for _, p in ipairs(s.points or {}) do
    local v = p[2]
    if p[1] >= range.lo and p[1] <= range.hi then
      shown = shown + 1
      if type(v) == "number" then lo, hi = math.min(lo or v, v), math.max(hi or v, v) end
    end
  end
  if s.threshold then lo, hi = math.min(lo or s.threshold, s.threshold), math.max(hi or s.threshold, s.threshold) end
  if not lo then
    return ("<figure><figcaption>%s: no finite values in the drawn span</figcaption></figure>"):format(esc(s.name))
  end
  lo = math.min(lo, 0)
  if hi <= lo then hi = lo + 1 end
  -- Round steps (1, 2, 2.5 or 5 times a power of ten), at most five of them.
  local raw = (hi - lo) / 5
  local power = 10 ^ math.floor(math.log(raw, 10))
  local step = power * 10
  for _, m in ipairs { 1, 2, 2.5, 5, 10 } do
    if m * power >= raw then step = m * power; break end
  end
  lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
  local function y_of(v) return bottom - (v - lo) / (hi - lo) * (bottom - top) end
  local out = {
    ('<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">')
      :format(WIDTH, height, WIDTH, height, esc(s.name)),
    window_band(range, window, top, bottom),
    ticks(range, top, bottom),
  }
  for i = 0, math.floor((hi - lo) / step + 0.5) do
    local v = lo + step * i
    local y = num(y_of(v))
    out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#eaeef2"/>'):format(LEFT, y, WIDTH - RIGHT, y)
    out[#out + 1] = ('<text x="%d" y="%s" font-size="11" text-anchor="end" dominant-baseline="middle" fill="#57606a">%s</text>')
      :format(LEFT - 8, y, ("%g"):format(tonumber(("%.6g"):format(v))))
  end
  -- The line, in runs of finite values.
  local run = {}
  local function flush()
    if #run >= 2 then
      out[#out + 1] = ('<polyline fill="none" stroke="#0969da" stroke-width="1.5" points="%s"/>'):format(table.concat(run, " "))
    elseif #run == 1 then
      local x, y = run[1]:match("([^,]+),(.+)")
      out[#out + 1] = ('<circle cx="%s" cy="%s" r="1.5" fill="#0969da"/>'):format(x, y)
    end
    run = {}
  end
  local function point(t, v) run[#run + 1] = num(x_of(range, t)) .. "," .. num(y_of(v)) end
  if shown <= 2 * (WIDTH - LEFT - RIGHT) then
    for _, p in ipairs(s.points or {}) do
      local t, v = p[1], p[2]
      if t >= range.lo and t <= range.hi then
        if type(v) == "number" then point(t, v) else flush() end
      end
    end
  else
    -- Downsampled for drawing: per pixel column its lowest and highest value, in the order
    -- they came, so that a spike of one point still shows; a value that is not finite still
    -- breaks the line. report.json keeps every point.
    local column, t_min, v_min, t_max, v_max
    local function put()
      if not column then return end
      if t_min == t_max then
        point(t_min, v_min)
      elseif t_min < t_max then
        point(t_min, v_min); point(t_max, v_max)
      else
        point(t_max, v_max); point(t_min, v_min)
      end
      column = nil
    end
    for _, p in ipairs(s.points or {}) do
      local t, v = p[1], p[2]
      if t >= range.lo and t <= range.hi then
        if type(v) == "number" then
          local c = math.floor(x_of(range, t))
          if c ~= column then put(); column, t_min, v_min, t_max, v_max = c, t, v, t, v
          elseif v < v_min then t_min, v_min = t, v
          elseif v > v_max then t_max, v_max = t, v end
        else
          put(); flush()
        end
      end
    end
    put()
  end
  flush()
  if s.threshold then
    local y = num(y_of(s.threshold))
    out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#cf222e" stroke-dasharray="6 4"><title>threshold %s</title></line>')
      :format(LEFT, y, WIDTH - RIGHT, y, ("%g"):format(s.threshold))
  end
  out[#out + 1] = "</svg>"
  local labels = {}
  for k, v in pairs(s.labels or {}) do labels[#labels + 1] = ("%s=%q"):format(k, v) end
  table.sort(labels)
  local caption = s.name .. (s.unit and (" (" .. s.unit .. ")") or "")
  if s.threshold then
    caption = caption .. ("; threshold %g, %s is trouble"):format(s.threshold, s.above == false and "below" or "above")
  end
  if #labels > 0 then caption = caption .. "; {" .. table.concat(labels, ", ") .. "}" end
  if s.query then caption = caption .. "; query: " .. s.query end
  out[#out + 1] = "<figcaption>" .. esc(caption) .. "</figcaption></figure>"
  return table.concat(out)
end

-- The causal graph as a fishbone: the effect at the head, one bone per category (immediate
-- cause, each contributing category, systemic issues), alternately above and below the spine,
-- its factors listed along it (the full text in a tooltip).
function M.fishbone(data, esc, label_of)
  local f = data.factors or {}
  local bones, order = {}, {}
  local function add(name, text)
    if not bones[name] then order[#order + 1] = name; bones[name] = {} end
    bones[name][#bones[name] + 1] = text
  end
  for _, t in ipairs(f.immediate or {}) do add("Immediate cause", t) end
  for _, c in ipairs(f.contributing or {}) do add(label_of(c) or "Contributing factor", c.text) end
  for _, t in ipairs(f.systemic or {}) do add("Systemic issues", t) end
  if #order == 0 then return "" end
  local most = 0
  for _, name in ipairs(order) do most = math.max(most, #bones[name]) end
  local arm = 40 + most * 15
  local mid = arm + 24
  local height = 2 * mid
  local head_x = WIDTH - 190
  local out = {
    ('<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Causal graph">')
      :format(WIDTH, height, WIDTH, height),
    ('<line x1="20" y1="%d" x2="%d" y2="%d" stroke="#24292f" stroke-width="2"/>'):format(mid, head_x, mid),
    ('<rect x="%d" y="%d" width="180" height="44" rx="6" fill="#fff1e5" stroke="#bc4c00"/>'):format(head_x, mid - 22),
    ('<text x="%d" y="%d" font-size="12" text-anchor="middle" dominant-baseline="middle">%s</text>')
      :format(head_x + 90, mid, esc(#(data.incident.title or "") > 28 and data.incident.title:sub(1, 27) .. "…" or (data.incident.title or data.incident.id))),
  }
  local slots = math.ceil(#order / 2)
  local step = (head_x - 80) / math.max(slots, 1)
  for i, name in ipairs(order) do
    local up = i % 2 == 1
    local slot = math.ceil(i / 2)
    local x_end = 60 + slot * step
    local x_start = x_end - 50
    local y_far = up and (mid - arm) or (mid + arm)
    out[#out + 1] = ('<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#57606a" stroke-width="1.5"/>')
      :format(num(x_start), y_far, num(x_end), mid)
    out[#out + 1] = ('<text x="%s" y="%d" font-size="12" font-weight="600" text-anchor="middle">%s</text>')
      :format(num(x_start), up and (y_far - 8) or (y_far + 16), esc(name))
    for k, text in ipairs(bones[name]) do
      local y = up and (y_far + 14 + (k - 1) * 15) or (y_far - 8 - (#bones[name] - k) * 15)
      local short = utf8.len(text) and utf8.len(text) > 38 and (text:sub(1, (utf8.offset(text, 38) or 38) - 1) .. "…") or text
      out[#out + 1] = ('<text x="%s" y="%d" font-size="10.5" fill="#1f2328"><title>%s</title>%s</text>')
        :format(num(x_start + 6), y, esc(text), esc(short))
    end
  end
  out[#out + 1] = "</svg><figcaption>Causal graph: each bone a category of factors leading to the incident.</figcaption></figure>"
  return table.concat(out)
end

return M
