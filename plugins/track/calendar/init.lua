-- calendar: follow-up.ics (RFC 5545) with the post-mortem's follow-up review `follow_up_days`
-- after the incident and a weekly action-item review until the last deadline. UIDs and
-- DTSTAMP come from the incident, so a re-run writes the same file and a calendar that
-- imports it twice updates the events instead of doubling them.

-- TEXT values (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line break
-- (LF or CRLF) written as \n; every other control character (a lone CR, ESC, NUL, tab, DEL,
-- C1) is dropped, so no text can end the content line or start a property of its own.
local function text(s)
  return (tostring(s):gsub("\r\n", "\n"):gsub("\\", "\\\\"):gsub(";", "\\;"):gsub(",", "\\,"):gsub("\n", "\\n")
    :gsub("\xC2[\x80-\x9F]", ""):gsub("%c", ""))
end

-- Content lines are folded at 75 octets, never inside a UTF-8 sequence (RFC 5545 3.1).
local function fold(line)
  local out, rest, limit = {}, line, 75
  while #rest > limit do
    local cut = limit
    while cut > 1 and rest:byte(cut + 1) and rest:byte(cut + 1) >= 0x80 and rest:byte(cut + 1) < 0xC0 do cut = cut - 1 end
    out[#out + 1] = rest:sub(1, cut)
    rest = " " .. rest:sub(cut + 1)
    limit = 75
  end
  out[#out + 1] = rest
  return table.concat(out, "\r\n")
end

local function utc(seconds) return os.date("!%Y%m%dT%H%M%SZ", math.floor(seconds)) end

-- `hour`:00 UTC on the UTC day of `seconds` (whatever the machine's own time zone).
local function day_at(seconds, hour)
  return pm.time.parse(os.date("!%Y-%m-%d", math.floor(seconds)) .. ("T%02d:00:00Z"):format(hour))
end

local function event(lines, fields)
  lines[#lines + 1] = "BEGIN:VEVENT"
  for _, f in ipairs(fields) do lines[#lines + 1] = fold(f) end
  lines[#lines + 1] = "END:VEVENT"
end

return {
  name = "calendar",
  stage = "track",
  version = "0.1.0",
  api = 2,
  description = "follow-up.ics: the follow-up review and weekly action-item reviews (RFC 5545)",
  options = {
    file = { type = "string", default = "follow-up.ics", doc = "the calendar file, in the out folder" },
    follow_up_days = { type = "integer", default = 28, min = 1, doc = "days after the incident's end for the follow-up review" },
    hour_utc = { type = "integer", default = 15, min = 0, max = 23, doc = "hour (UTC) the reviews start" },
    minutes = { type = "integer", default = 60, min = 1, doc = "length of the follow-up review" },
    weekly = { type = "boolean", default = true, doc = "add a weekly action-item review until the last deadline" },
  },
  run = function(ctx, opts)
    local inc = ctx.incident
    local ended = inc["end"] or inc.start
    if not ended then error("the incident has no end time: nothing to schedule from", 0) end
    local stamp = utc(ended) -- stable: the same file on every run
    local review = day_at(ended + opts.follow_up_days * 86400, opts.hour_utc)
    local lines = { "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//pmhost//pmhost " .. pm.version .. "//EN",
      "CALSCALE:GREGORIAN", "METHOD:PUBLISH" }

    local items = ctx.actions.get()
    local summary = {}
    for _, a in ipairs(items) do
      summary[#summary + 1] = ("%s %s (%s, due %s)"):format(a.id, a.action, a.owner or "unassigned", a.deadline or "none")
    end
    event(lines, {
      "UID:" .. text(inc.id) .. "-follow-up@pmhost",
      "DTSTAMP:" .. stamp,
      "DTSTART:" .. utc(review),
      "DTEND:" .. utc(review + opts.minutes * 60),
      "SUMMARY:" .. text(("Post-mortem follow-up review: %s"):format(inc.title)),
      "DESCRIPTION:" .. text(("Review the action items of %s, %d days after the incident.\n%s"):format(
        inc.id, opts.follow_up_days, table.concat(summary, "\n"))),
    })

    -- Weekly reviews from a week after the incident until the last deadline.
    local last
    for _, a in ipairs(items) do
      local d = a.deadline and pm.time.parse(a.deadline:match("^%d%d%d%d%-%d%d%-%d%d$") and (a.deadline .. "T23:59:59Z") or a.deadline)
      if d and (not last or d > last) then last = d end
    end
    local weekly_until
    if opts.weekly and last and last > ended + 7 * 86400 then
      local first = day_at(ended + 7 * 86400, opts.hour_utc)
      weekly_until = utc(day_at(last, 23) + 3599)
      event(lines, {
        "UID:" .. text(inc.id) .. "-weekly@pmhost",
        "DTSTAMP:" .. stamp,
        "DTSTART:" .. utc(first),
        "DTEND:" .. utc(first + 30 * 60),
        "RRULE:FREQ=WEEKLY;UNTIL=" .. weekly_until,
        "SUMMARY:" .. text(("Action-item review: %s"):format(inc.title)),
        "DESCRIPTION:" .. text(("Weekly check of the %d action items of %s until the last deadline."):format(#items, inc.id)),
      })
    end
    lines[#lines + 1] = "END:VCALENDAR"
    ctx.report.write(opts.file, table.concat(lines, "\r\n") .. "\r\n")
    ctx.report.set_follow_up {
      at = pm.time.format(review), file = opts.file, weekly_until = weekly_until and pm.time.format(day_at(last, 23) + 3599) or nil,
    }
    ctx.log.info(("follow-up review %s in %s"):format(pm.time.format(review, "date"), opts.file))
  end,
}
