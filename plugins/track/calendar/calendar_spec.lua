-- calendar: follow-up.ics (RFC 5545); parsed by a real iCalendar parser in the Swift tests.

describe("calendar", function()
  local r = plugin.run({}, { report = "fixtures/report.json" })
  local ics = r.files["follow-up.ics"]

  it("writes a VCALENDAR with CRLF lines of at most 75 octets", function()
    assert.is_nil(r.error)
    assert.matches("^BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:%-//pmhost//pmhost ", ics)
    assert.matches("END:VCALENDAR\r\n$", ics)
    for line in ics:gmatch("([^\r\n]*)\r\n") do assert.truthy(#line <= 75, line) end
    assert.is_nil(ics:find("[^\r]\n"))
  end)

  it("schedules the follow-up review 28 days after the incident's end", function()
    assert.matches("UID:PM%-2025%-02%-09%-follow%-up@pmhost\r\n", ics)
    assert.matches("DTSTART:20250309T150000Z\r\nDTEND:20250309T160000Z\r\n", ics)
  end)

  it("adds a weekly review until the last deadline", function()
    assert.matches("UID:PM%-2025%-02%-09%-weekly@pmhost\r\n", ics)
    assert.matches("DTSTART:20250216T150000Z\r\n", ics)
    assert.matches("RRULE:FREQ=WEEKLY;UNTIL=20250315T235959Z\r\n", ics)
  end)

  it("escapes TEXT values", function()
    assert.matches("DESCRIPTION:Review the action items of PM%-2025%-02%-09\\, 28 days", ics)
  end)

  it("writes the same file on every run (stable UIDs and DTSTAMP)", function()
    assert.equals(ics, plugin.run({}, { report = "fixtures/report.json" }).files["follow-up.ics"])
  end)

  it("honours follow_up_days and weekly = false", function()
    local other = plugin.run({ follow_up_days = 14, weekly = false, hour_utc = 9 }, { report = "fixtures/report.json" })
    local text = other.files["follow-up.ics"]
    assert.matches("DTSTART:20250223T090000Z", text)
    assert.is_nil(text:find("RRULE", 1, true))
  end)
end)

describe("calendar with a hostile incident title", function()
  local r = plugin.run({}, { report = "fixtures/hostile.json" })
  local ics = r.files["follow-up.ics"]

  it("keeps every text inside its property: no line break, no control character", function()
    assert.is_nil(r.error)
    local begins = 0
    for line in ics:gmatch("([^\r\n]*)\r\n") do
      if line == "BEGIN:VEVENT" then begins = begins + 1 end
      assert.is_nil(line:find("%c"), line)
    end
    assert.equals(2, begins)
    assert.is_nil(ics:find("\r[^\n]") or ics:find("[^\r]\n"))
    assert.matches("\r\nSUMMARY:Post%-mortem follow%-up review: Outage\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:injectedDTSTART:19700101T000000Z\\; a\\,b \\\\ %[2J ",
      (ics:gsub("\r\n ", "")))
  end)

  it("folds at 75 octets, never inside a UTF-8 sequence", function()
    local folded = 0
    for line in ics:gmatch("([^\r\n]*)\r\n") do
      assert.truthy(#line <= 75, line)
      assert.truthy(utf8.len(line), "a folded line splits a UTF-8 sequence: " .. line)
      if line:sub(1, 1) == " " then folded = folded + 1 end
    end
    assert.truthy(folded > 2)
  end)
end)
