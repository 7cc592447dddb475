-- pm.mdtext: the one Markdown escaper (every text from the report model goes through it).

local md = require "pm.mdtext"

describe("pm.mdtext.text", function()
  it("leaves plain words, times, handles and intraword underscores alone", function()
    assert.equals("Database connection pool exhausted (max 20 connections)",
      md.text("Database connection pool exhausted (max 20 connections)"))
    assert.equals("@alice 2025-02-09T10:05:23.000Z api_service 40% of requests",
      md.text("@alice 2025-02-09T10:05:23.000Z api_service 40% of requests"))
  end)

  it("makes raw HTML plain text, and entities show as typed", function()
    assert.equals("\\<script>alert(1)\\</script>", md.text("<script>alert(1)</script>"))
    assert.equals("\\<img src=http\\://evil.example/x.png onerror=alert(1)>",
      md.text("<img src=http://evil.example/x.png onerror=alert(1)>"))
    assert.equals("\\&lt;script\\&gt; R&D", md.text("&lt;script&gt; R&D"))
  end)

  it("makes images, links and autolinks plain text", function()
    assert.equals("!\\[\\](http\\://evil.example/pixel.png)", md.text("![](http://evil.example/pixel.png)"))
    assert.equals("\\[x\\](javascript:alert(1))", md.text("[x](javascript:alert(1))"))
    assert.equals("\\<http\\://evil.example>", md.text("<http://evil.example>"))
  end)

  it("keeps bare URLs plain text, which GFM's autolink extension would make links", function()
    assert.equals("see http\\://evil.example/x and HTTPS\\://evil.example", md.text("see http://evil.example/x and HTTPS://evil.example"))
    assert.equals("www\\.evil.example (WWW\\.evil.example) x:www\\.y", md.text("www.evil.example (WWW.evil.example) x:www.y"))
    assert.equals("10:05:23 a:b file.txt", md.text("10:05:23 a:b file.txt"))
  end)

  it("escapes GitHub's math delimiters", function()
    assert.equals("\\$\\$\\\\color{red}{X}\\$\\$ costs \\$5", md.text("$$\\color{red}{X}$$ costs $5"))
  end)

  it("escapes emphasis, code, strikethrough and backslashes", function()
    assert.equals("\\*bold\\* \\_it\\_ \\`code\\` \\~\\~gone\\~\\~ a\\\\b", md.text("*bold* _it_ `code` ~~gone~~ a\\b"))
  end)

  it("turns every control character into a space, so the text stays on its line", function()
    assert.equals("a b c d e f", md.text("a\r\nb\rc\nd\27e\0f"))
    assert.equals("x y", md.text("x\xC2\x9By"))
    assert.equals("one line", md.text("  one\t\tline \n"))
  end)

  it("escapes what would start a heading, quote, list or break", function()
    assert.equals("\\# not a heading", md.text("# not a heading"))
    assert.equals("\\> not a quote", md.text("> not a quote"))
    assert.equals("\\- not a list", md.text("- not a list"))
    assert.equals("\\+ no", md.text("+ no"))
    assert.equals("1\\. not a list", md.text("1. not a list"))
    assert.equals("\\---", md.text("---"))
    assert.equals("\\===", md.text("==="))
    assert.equals("\\# a", md.text("\n# a"))
    assert.equals("Outage \\##", md.text("Outage ##"))
    assert.equals("C# and F#", md.text("C# and F#"))
  end)

  it("gives \"\" for nil and text for numbers", function()
    assert.equals("", md.text(nil))
    assert.equals("42", md.text(42))
  end)
end)

describe("pm.mdtext.cell", function()
  it("keeps a table row whole whatever the text holds", function()
    assert.equals("a \\| b c d", md.cell("a | b\r\nc\rd"))
    assert.equals("-", md.cell(nil))
    assert.equals("-", md.cell(""))
    assert.equals("\\<script>", md.cell("<script>"))
  end)
end)

describe("pm.mdtext.block", function()
  it("keeps paragraphs and escapes each", function()
    assert.equals("First \\<b>one\\</b> line two\n\nSecond # x", md.block("First <b>one</b>\nline two\n\n\nSecond\r\n# x"))
  end)
end)

describe("pm.mdtext.model", function()
  it("escapes every string of a table, and only strings", function()
    local m = md.model({ incident = { title = "<b>x</b>", n = 3, tags = { "*a*" } }, ok = true })
    assert.same({ incident = { title = "\\<b>x\\</b>", n = 3, tags = { "\\*a\\*" } }, ok = true }, m)
  end)
end)
