import Testing

@testable import PostmortemCore

/// `Redaction.text`: credentials in URLs are masked wherever they sit in a text.
@Suite struct CredentialRedactionTests {
  @Test(arguments: [
    ("http://user:hunter2@host/", "http://user:***@host/"),
    (
      "GET https://bob:p%40ss@api.local:8443/v1/x?y=1: timed out",
      "GET https://bob:***@api.local:8443/v1/x?y=1: timed out"
    ),
    ("https://ghp_TOKEN@github.com/acme/api", "https://***@github.com/acme/api"),
    ("a http://u:p@h b https://v:q@i c", "a http://u:***@h b https://v:***@i c"),
    (#"{"url":"http://u:pw@h/p"}"#, #"{"url":"http://u:***@h/p"}"#),
    ("http://u:p:w@h", "http://u:***@h"),
    ("http://u:p@w@h/x", "http://u:***@h/x"),
    ("http://h/x?access_token=abc&page=2", "http://h/x?access_token=***&page=2"),
    ("http://h/x?page=2&API_KEY=abc#frag", "http://h/x?page=2&API_KEY=***#frag"),
    ("http://h/x?key=abc;sig=def&q=token", "http://h/x?key=***;sig=***&q=token"),
    ("http://h/x?client%5Fsecret=abc", "http://h/x?client%5Fsecret=***"),
    (
      "http://h/x?X-Amz-Signature=abc&X-Amz-Credential=def",
      "http://h/x?X-Amz-Signature=***&X-Amz-Credential=***"
    ),
    ("https://mastodon.social/@user", "https://mastodon.social/@user"),
    ("no urls here: user:pass@host", "no urls here: user:pass@host"),
    ("http://h/a?query=sum(rate(x))&step=15", "http://h/a?query=sum(rate(x))&step=15"),
    ("ends with ://", "ends with ://"),
    ("http://u:p@", "http://u:***@"),
    ("ünïcode http://ü:pässwörd@hóst/ ok", "ünïcode http://ü:***@hóst/ ok"),
    // A token in the fragment (OAuth's implicit flow), a URL inside another one, more names.
    ("http://h/cb#access_token=abc&state=x", "http://h/cb#access_token=***&state=x"),
    ("http://h/cb?a=1#id_token=abc#x", "http://h/cb?a=1#id_token=***#x"),
    ("http://h/?next=http://u:pw@i/&page=2", "http://h/?next=http://u:***@i/&page=2"),
    ("http://h/go/https://u:pw@i/x?token=t", "http://h/go/https://u:***@i/x?token=***"),
    ("http://h/?jwt=abc&sessionid=def&code=200", "http://h/?jwt=***&sessionid=***&code=200"),
  ])
  func masks(_ input: String, _ expected: String) {
    #expect(Redaction.text(input) == expected)
  }

  @Test func urlsNestedWithoutEndCostNoDeepRecursion() {
    let line = String(repeating: "http://a/", count: 20_000) + "http://u:pw@h/"
    #expect(Redaction.text(line) == line)
    let query = String(repeating: "http://a/?n=", count: 20_000)
    #expect(Redaction.text(query) == query)
  }

  @Test func gapsAndWarningsAreMaskedWhenMade() {
    let gap = Gap(source: "http://a:b@h", plugin: "p", reason: "GET http://a:secret@h/x: HTTP 401")
    #expect(gap.reason == "GET http://a:***@h/x: HTTP 401")
    #expect(gap.source == "http://a:***@h")
    let warning = RunWarning(plugin: "p", stage: "collect", message: "see https://x:secret@h/?token=t")
    #expect(warning.message == "see https://x:***@h/?token=***")
  }
}
