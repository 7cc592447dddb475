-- pm.blame: wording that points at people instead of systems, in a post-mortem's prose.
--
--   local blame = require "pm.blame"
--   for _, f in ipairs(blame.find(data [, { words = {...}, phrases = {...}, allow = {...} }])) do
--     -- f.where ("summary", "timeline", ...), f.sentence, f.line (nil outside a document),
--     -- f.rule, f.suggestion
--   end
--   blame.judge(sentence [, known [, opts]]) -> rule, suggestion | nil   (one sentence;
--     known = blame.people(data), lower-case patterns of the names the report knows)
--   blame.sentences(text) -> { { text, line = line breaks before it } ... }
--   blame.people(data) -> known
--
-- Texts read: the report's prose fields (summary, root cause, impact, factors and their why
-- chains, what went well, lessons, action items) and, for an imported document, every entry
-- of data.imported.prose (timeline rows and "what happened" included), which gives each
-- finding its line: prose.line + the line breaks before the sentence. A document's section
-- kind is named as the report field it fills ("lessons" -> "lesson"); a sentence found in the
-- document is not quoted again from a report field. Sentences split after . ! ? (not in
-- "v2.3.0", "e.g.", "Mr.", "approx. five") and at line breaks before or after a list-like line.
--
-- Precision first. A sentence is a finding when one of these holds; the first that does
-- names the rule:
-- 1. A person as the agent of a fault: the person directly before the fault phrase (an
--    adverb, "had", "to"/"should"/"must", an apposition, brackets or a "who" clause may stand
--    between them: "Ana, the on-call engineer, had forgotten to", "John (on call) failed to
--    notice", "the admin who created the inbox never added", "Lina to be more careful").
--    Fault phrases come in two strengths:
--    * strong, which only people do: forgot, neglected to, ignored the alert/runbook/...,
--      didn't check/test/review/notice..., didn't follow the runbook/process, failed to
--      notice/check/test/review/catch..., mistakenly, made a mistake, should have known,
--      overlooked, misread, skipped the review/canary/tests, be more careful, "pushed ...
--      without review", "deleted ... by mistake/by accident", "deleted ... instead of ...",
--      "ran ... against the wrong ...";
--    * weak, which systems do too: failed to, did not respond/update/run..., caused (an
--      outage, the incident, it...), broke, should have <participle>, never <participle>,
--      accidentally, misconfigured, was at fault, missed the alert, was responsible for the
--      outage, pushed a bad/untested change.
--    Agents: @handles; he, she, someone, somebody; roles with an article or at the start
--    ("the developer", "an engineer", "the on-call (engineer)", "the DBA", "the SRE on duty",
--    "the admin", "the intern", "the contractor", "a team member", "the deployer", "the
--    reviewer", "the author of the change", "QA", ...); known people (incident.people, action
--    item owners, person-like timeline actors; a name counts as written, "Will" not "will");
--    and, for strong phrases only, a capitalised "First" or "First Last" not in a list of
--    system words and plurals and not after an article ("Kubernetes ignored the taint", "the
--    Scheduler", "Engineers ignored" are not a person). A weak phrase needs a definite person:
--    a bare "the operator", "the admin" or "QA" may be a Kubernetes operator, an admin API or
--    a QA environment, so they count with strong phrases only ("an operator" is a person).
--    Passive forms with a definite person count as well: "caused by", "broken by", "ignored
--    by", "overlooked by", "missed by", "not followed by <person>" (not "caused by @dave's
--    change", which names a change).
-- 2. A word that blames on its own: "human error", "user error", "operator error", "pilot
--    error", careless(ly/ness), negligence/negligent, incompetent, sloppy, "fault of", "X's
--    fault", "X's mistake", "mistake by", "on the part of", PEBKAC, "layer 8 ...",
--    fat-fingered. Not when a negation or a hypothesis comes in the three words before it
--    ("this was not human error", "support assumed user error at first", "to rule out human
--    error"), nor as a metric's name ("the operator error counter", "user error rate").
-- 3. blame/blamed/blaming, when the sentence also names a person ("the DBA was blamed"): "the
--    outage was first blamed on DNS" blames a system.
--    Another team, named ("the core banking team renamed the view without telling anyone"),
--    counts with strong phrases only; "we", "our team" and a bare "the team" do not.
-- Never findings: "they" and "we" (the authors) and plurals ("engineers"), sentences that deny
-- blame ("blameless", "no one is to blame", "we don't blame", "not about blame", "blame-free",
-- "nobody's fault"), conditionals about a generic person ("if someone forgets to ..."), and
-- text in quotes or backticks (a quoted phrase is mentioned, not used). "Thanks to Ana",
-- "the team decided", "the on-call engineer mitigated", "Ana caused the alert to be
-- acknowledged" (no fault follows "caused") are not findings.
-- `words` (blame on their own) and `phrases` (blame after a definite person) extend the rules
-- as lower-case Lua patterns; `allow` holds patterns of sentences that are never findings.
-- Cost: one pass over a sentence's words finds none of the rules' trigger words in most
-- sentences; a sentence is judged on its first 2,000 characters and the agent on the 120
-- before the phrase, so a document costs time linear in its length.
local M = {}

-- Suggestions that several rules give.
local S = {
  reminder = "say which checklist, automation or reminder was missing",
  signal = "say why the signal was easy to miss or hard to act on",
  skip = "say what made the step easy to skip",
  follow = "say what made the procedure hard to follow",
  gap = "describe the gap in process or tooling that let the step be missed",
  mistake = "ask what allowed the mistake to have this effect",
  caught = "say what would have caught it: a check, an alert, a review step",
  care = "say which check or guard rail would make care unnecessary",
  miss = "say why the signal was easy to miss",
  confuse = "say what made the two easy to confuse",
  slip = "ask what allowed the slip to have this effect",
  chain = "describe the chain of events, not whose fault it was",
  test = "say which test or review would have caught it",
  let_through = "say what in the system let the change through (a missing review, check or test)",
  condition = "name the condition that made the error possible: an unclear runbook, a missing guard rail, a confusing tool",
  conditions = "describe the conditions instead: time pressure, missing safeguards, no review",
  care_review = "describe the missing review or check, not the person's care",
  overlook = "say why it was easy to overlook",
  broke = "say what broke and which safeguard was missing",
}

-- Rule patterns are lower-case Lua patterns matched against the lower-cased sentence.
M.WORDS = {
  { "human error", S.condition },
  { "user error", "say what in the product or the documentation let the user take that path" },
  { "operator error", S.condition },
  { "pilot error", S.condition },
  { "%f[%w]careless", S.conditions },
  { "%f[%w]negligen", S.conditions },
  { "%f[%w]incompeten", "describe what the person knew and what the system showed them" },
  { "%f[%w]sloppy%f[%W]", S.care_review },
  { "%f[%w]sloppiness%f[%W]", S.care_review },
  { "%f[%w]fault of%f[%W]", S.chain },
  { "'s fault%f[%W]", S.chain },
  { "'s mistake%f[%W]", S.mistake },
  { "%f[%w]mistake by%f[%W]", S.mistake },
  { "%f[%w]on the part of%f[%W]", "describe the chain of events, not whose part it was" },
  { "%f[%w]pebkac%f[%W]", S.condition },
  { "%f[%w]pebcak%f[%W]", S.condition },
  { "%f[%w]layer 8 %a+", S.condition },
  { "%f[%w]fat[%- ]finger", "say which confirmation or guard rail would have caught the slip" },
}

-- Possessors that make "'s fault" / "'s mistake" no person's: "it's fault tolerant".
local NOT_POSSESSOR = { it = true, that = true, there = true, what = true, here = true, who = true, where = true,
  nobody = true, one = true, anyone = true, everyone = true, everybody = true, no = true }

local BLAME_WORD = "%f[%w]blam[ei]n?g?d?%f[%W]" -- blame, blamed, blaming
local BLAME_SUGGESTION = "leave blame out: describe the system that allowed it"

-- Words that deny or question what follows them within three words.
local NEGATORS = { "not", "no", "never", "nobody", "nobody's", "without", "rather", "instead", "avoid", "avoiding",
  "neither", "nor", "isn't", "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't", "assumed", "assume",
  "suspected", "thought", "believed", "rule", "ruled", "whether", "if" }
local NEGATOR = {}
for _, w in ipairs(NEGATORS) do NEGATOR[w] = true end

-- Sentences that deny blame: never findings.
local DENIALS = { "blameless", "no one is to blame", "no one was to blame", "nobody is to blame", "nobody was to blame",
  "no one to blame", "nobody to blame", "not to blame", "no blame", "not about blam", "without blam", "n't blame",
  "not blame", "never blame", "not blaming", "n't blaming", "avoid blam", "nobody's fault", "no one's fault",
  "not anyone's fault", "no fault of", "not the fault of", "not at fault", "finger%-pointing", "point fingers",
  "pointing fingers", "no single person", "blame%-free", "blame free", "no%-blame", "non%-blaming", "blame culture" }

-- Fault phrases. `strong`: only people do it; `weak`: systems do it too. `after` tests the
-- text right after the match (true keeps the match).
local function after_word(set)
  return function(rest)
    local w = rest:match("^%s*(%a+)")
    return w ~= nil and set[w] == true
  end
end
local logtext = require "pm.logtext"
local set_of = logtext.word_set
-- True when one of the next `n` words is in `set`.
local function object_within(set, n)
  return function(rest)
    local i = 0
    for w in rest:gmatch("[%a%-]+") do
      i = i + 1
      if i > n then return false end
      if set[w] then return true end
    end
    return false
  end
end

local PEOPLE_OBJECTS = set_of([[alert alerts alarm alarms warning warnings page pages runbook runbooks procedure
  procedures process checklist advice review reviews feedback policy instructions guidance message messages
  notification notifications escalation escalations email emails ticket documentation docs error errors request
  requests recommendation recommendations]])
-- What only people fail to do (strong), and what systems fail to do as well (weak).
local CHECK_VERBS = set_of([[notice check test review read communicate escalate confirm ask consult tell double-check
  bother catch spot]])
local SKIPPED = set_of([[review reviews canary test tests testing step steps check checks checklist approval
  validation staging runbook procedure process dry-run]])
local WEAK_CHECK_VERBS = set_of([[respond acknowledge update wait run monitor verify validate inform notify look
  see]])
local FOLLOW_OBJECTS = set_of([[runbook runbooks procedure procedures process checklist instructions guidance policy
  policies steps protocol plan advice practice practices playbook playbooks guidelines guide documentation docs
  rules]])
local FAULT_OBJECTS = set_of([[outage outages incident incidents issue issues problem problems failure failures
  downtime error errors bug bugs breakage disruption disruptions impact damage corruption degradation crash crashes
  it this everything the an a data]])
local FAULT_NOUNS = set_of([[outage outages incident incidents issue issues problem problems failure failures
  downtime error errors bug bugs breakage disruption disruptions impact damage corruption degradation crash crashes
  it this everything loss]])
local WITHOUT_OBJECTS = set_of([[testing tests test review reviewing approval checking verifying running telling
  notifying asking following waiting consulting]])
local WITHOUT_FILLERS = set_of("a an any the proper prior second peer further code")
-- "without (a proper) review": the word after the fillers is in WITHOUT_OBJECTS.
local function without_object(rest)
  local n = 0
  for w in rest:gmatch("[%a%-]+") do
    n = n + 1
    if WITHOUT_OBJECTS[w] then return true end
    if not WITHOUT_FILLERS[w] or n > 3 then return false end
  end
  return false
end
local MISHAP_VERBS = set_of([[deleted removed dropped terminated killed ran truncated overwrote overwritten pushed
  merged applied restarted shut wiped destroyed deployed changed modified disabled enabled reverted rebooted
  stopped purged reset]])

-- Past-tense verbs of doing something to a system: "-ed" words and the common irregular ones.
local IRREGULAR = set_of("ran took made sent put set shut rolled upgraded wrote rewrote built rebuilt began")
local ACTED = setmetatable({}, { __index = function(_, w) return IRREGULAR[w] or (w:find("ed$") ~= nil and #w > 4) end })

local PARTICIPLES = set_of([[caught known seen run done made taken told written read kept spotted given sent
  thought understood found noticed]])

-- "caused" keeps a match when a fault noun comes within five words ("caused the outage",
-- "caused a 40-minute outage", "caused it"): "caused the alert to be acknowledged" is no fault.
local function fault_object(rest)
  local n = 0
  for w in rest:gmatch("[%w%-]+") do
    n = n + 1
    if n > 5 then return false end
    if FAULT_NOUNS[w] or w:match("^5%d%d") then return true end
    if n == 1 and not FAULT_OBJECTS[w] and not w:match("^%d") then return false end
  end
  return false
end


-- Rules that share their strength, name and suggestion (and `after`, `verbs`, `gap`,
-- `need` from `extra`), one per phrase: a lower-case Lua pattern matched as whole words.
local function alike(strength, name, suggestion, phrases, extra)
  local rules = {}
  for i, phrase in ipairs(phrases) do
    local rule = { "%f[%w]" .. phrase .. "%f[%W]", strength, name, suggestion }
    for k, v in pairs(extra or {}) do rule[k] = v end
    rules[i] = rule
  end
  return rules
end

local SHIP_VERBS = set_of("pushed deployed merged shipped applied released committed rolled wrote made")

local PHRASES = {}
for _, group in ipairs {
  -- strong
  alike("strong", "forgot", S.reminder, { "forgot", "forgotten", "forgetting to" }),
  alike("strong", "neglected", S.reminder, { "neglected", "neglecting to" }),
  alike("strong", "ignored", S.signal, { "ignored" }, { after = object_within(PEOPLE_OBJECTS, 4) }),
  alike("strong", "ignored", S.signal, { "ignoring the" }, { after = after_word(PEOPLE_OBJECTS) }),
  alike("strong", "did not", S.skip, { "did not", "didn't" }, { after = after_word(CHECK_VERBS) }),
  alike("strong", "did not follow", S.follow, { "not following", "did not follow", "didn't follow", "failed to follow" },
    { after = object_within(FOLLOW_OBJECTS, 4) }),
  alike("strong", "failed to", S.gap, { "failed to", "failing to" }, { after = after_word(CHECK_VERBS) }),
  alike("strong", "mistakenly", S.mistake, { "mistakenly" }),
  alike("strong", "made a mistake", S.mistake, { "made an? mistake", "made an? error" }),
  alike("strong", "should have known", "say what information was missing and where it should have been visible",
    { "should have known" }),
  alike("strong", "should have known", S.caught, { "should have been more careful" }),
  alike("strong", "be more careful", S.care, { "be more careful", "be careful" }),
  alike("strong", "be more careful", S.miss, { "pay more attention" }),
  alike("strong", "be more careful", S.care, { "be more vigilant", "be more thorough" }),
  alike("strong", "overlooked", S.overlook, { "overlooked" }),
  alike("strong", "misread", "say what made it easy to misread", { "misread" }),
  alike("strong", "not paying attention", S.miss, { "was not paying attention", "wasn't paying attention" }),
  -- A verb (in `verbs`) then, within 100 characters and no stop (`gap`), the anchor.
  alike("strong", "without", "say which review or check was missing", { "without" },
    { after = without_object, verbs = ACTED, gap = "[.;,]" }),
  alike("strong", "skipped", S.skip, { "skipped" }, { after = object_within(SKIPPED, 4) }),
  alike("strong", "instead of", S.confuse, { "instead of" }, { verbs = MISHAP_VERBS, gap = "[.;,]" }),
  alike("strong", "the wrong", S.confuse, { "the wrong" }, { verbs = MISHAP_VERBS, gap = "[.;,]" }),
  alike("strong", "by mistake", S.mistake, { "by mistake", "by accident" }, { verbs = MISHAP_VERBS, gap = "[.;]" }),
  -- weak
  alike("weak", "failed to", S.gap, { "failed to" }),
  alike("weak", "did not", S.skip, { "did not", "didn't" }, { after = after_word(WEAK_CHECK_VERBS) }),
  alike("weak", "caused", S.let_through, { "caused" }, { after = fault_object }),
  alike("weak", "broke", S.broke, { "broke" }, {
    after = function(rest) local w = rest:match("^%s*(%a+)"); return w ~= "down" and w ~= "out" and w ~= "up" end }),
  alike("weak", "should have", S.caught, { "should have" }, {
    after = function(rest)
      local w = rest:match("^%s*(%a+)")
      return w ~= nil and w ~= "been" and (w:find("ed$") ~= nil or PARTICIPLES[w] == true)
    end }),
  alike("weak", "should have", S.caught, { "should have been" }),
  alike("weak", "never", "say what would have prompted the step: a checklist, an owner, an alert", { "never" }, {
    after = function(rest)
      local w = rest:match("^%s*(%a+)")
      return w ~= nil and (w:find("ed$") ~= nil or PARTICIPLES[w] == true or IRREGULAR[w] == true)
    end }),
  alike("weak", "accidentally", S.slip, { "accidentally", "inadvertently", "unintentionally" }),
  alike("weak", "misconfigured", "say which check or default let the configuration through", { "misconfigured" }),
  alike("weak", "at fault", S.chain, { "w[ae][sr]e? at fault" }, { need = "at fault" }),
  alike("weak", "missed", S.miss, { "missed" }, {
    after = function(rest)
      local w = rest:match("^%s*%a+%s+([%a%-]+)") or ""
      return PEOPLE_OBJECTS[w] == true or w == "step" or w == "check"
    end }),
  alike("weak", "responsible for", "describe the chain of events, not who is responsible", { "w[ae][sr]e? responsible for" }, {
    need = "responsible for",
    after = function(rest)
      local w = rest:match("^%s*%a+%s+([%a%-]+)") or rest:match("^%s*([%a%-]+)") or ""
      return FAULT_NOUNS[w] == true
    end }),
  alike("weak", "pushed a bad change", S.test, { "an? bad", "an? broken", "an? faulty", "an? untested" },
    { verbs = SHIP_VERBS, gap = "[.;,]" }),
  alike("weak", "introduced a bug", S.test, { "introduced an? %a*%s*bug" }),
} do
  table.move(group, 1, #group, #PHRASES + 1, PHRASES)
end
M.PHRASES = PHRASES

-- The literal text a pattern needs ("made an? mistake" needs "made a"): a plain search for it
-- skips most rules at once.
local literal = logtext.leading_literal
for _, list in ipairs { M.WORDS, PHRASES } do
  for _, rule in ipairs(list) do rule.need = rule.need or literal(rule[1]) end
end

-- Passive agents: "caused by @bob", "broken by the intern".
local BY_PHRASES = {
  { "%f[%w]ignored by%f[%W]", "ignored", S.signal },
  { "%f[%w]overlooked by%f[%W]", "overlooked", S.overlook },
  { "%f[%w]missed by%f[%W]", "missed", S.miss },
  { "%f[%w]not followed by%f[%W]", "did not follow", S.follow },
  { "%f[%w]deleted by mistake by%f[%W]", "by mistake", S.mistake },
  { "%f[%w]caused by%f[%W]", "caused by", S.let_through },
  { "%f[%w]broken by%f[%W]", "caused by", S.broke },
}

-- Words that may stand between the agent and the fault phrase.
local BETWEEN = set_of([[also then just simply apparently unfortunately again later initially previously had has
  have did clearly obviously unknowingly subsequently still probably likely reportedly allegedly however therefore
  to should must will needs need shall would really]])

-- Roles (the last word or words of a role), and the modifiers allowed between article and role.
local ROLES = { "developer", "developers'", "dev", "engineer", "operator", "on%-call", "oncall", "on call", "dba",
  "sre", "admin", "administrator", "sysadmin", "intern", "contractor", "team member", "member of the team",
  "member of staff", "staff member", "deployer", "reviewer", "approver", "author of the %a+", "author",
  "employee", "technician", "programmer", "colleague", "person on call", "engineer on call", "engineer on duty",
  "release manager", "maintainer", "committer", "responder", "first responder", "analyst", "tester", "on%-caller",
  "new hire", "newcomer", "qa", "teammate", "coworker", "co%-worker" }
local MODIFIERS = set_of([[on-call oncall on call junior senior new responsible same other lead primary secondary
  platform backend back-end frontend front-end database devops network support release duty reviewing deploying
  original infrastructure site reliability systems system software data security qa ops individual single human
  night weekend on-duty cloud web mobile sre dba it external third-party external outsourced overnight]])
local ARTICLES = { "the", "a", "an", "our", "their", "one of the", "one of our", "another", "this", "that", "his",
  "her", "each", "every", "any" }
-- Roles that may be systems ("the Kubernetes operator", "the admin API"): person only with a
-- strong phrase, unless a person modifier ("the human operator") says otherwise.
local MAYBE_SYSTEM = { operator = true, admin = true, qa = true }

-- Capitalised words that are systems or sentence openers, not people.
local NOT_NAMES = set_of([[the this that these those it its we our they their there then when while after before
  during once if as at on in by for from with without because since although though however also but and or so
  nobody no one someone everyone somebody anyone he she i you team teams everybody people management engineering
  engineers developers operators admins administrators reviewers users staff customers humans people folks devs
  kubernetes k8s redis deploy deployment deployments release build builds pipeline pipelines script scripts job jobs
  service services server servers system systems cluster clusters node nodes pod pods database databases cache
  monitoring alerting automation migration upgrade rollout rollback config configuration test tests testing customer
  customers user users traffic request requests process cron scheduler controller operator terraform jenkins docker
  postgres postgresql mysql nginx kafka elasticsearch opensearch traefik helm grafana prometheus vault consul azure
  google amazon aws gcp cloudflare linux windows java python node go rails django chef puppet ansible git github
  gitlab bitbucket slack jira confluence datadog sentry splunk cassandra mongo mongodb memcached rabbitmq celery
  sidekiq envoy istio linkerd calico cilium coredns karpenter argo argocd flux spinnaker lambda cloudfront cloudwatch
  route nomad zookeeper etcd hadoop spark airflow snowflake varnish fastly akamai heroku vercel netlify bazel gradle
  maven npm yarn webpack react angular pagerduty opsgenie statuspage kiam kyverno velero fluentd fluentbit logstash
  kibana loki tempo jaeger haproxy apache tomcat iis dns api cdn ci cd vpn alb elb nlb ec2 s3 rds sqs sns iam eks
  gke aks azure devops copilot bot bots renovate dependabot autoscaler hpa alertmanager the monday tuesday wednesday
  thursday friday saturday sunday january february march april may june july august september october november
  december later earlier today yesterday tomorrow finally first second next last initially previously eventually
  meanwhile unfortunately luckily fortunately apparently everything nothing something production staging prod dev
  the load balancer proxy gateway ingress firewall network storage disk memory cpu queue worker workers agent agents
  daemon sync backup backups cert certificate certificates code change changes commit commits merge patch update
  updates version image images container containers host hosts instance instances vm vms app application
  applications frontend backend website site platform tool tools tooling health check checks alert alerts page
  flagger temporal buildkite circleci travis harness octopus teamcity rundeck cloudformation pulumi crossplane
  kustomize keda thanos cortex mimir graylog newrelic dynatrace honeycomb lightstep rollbar bugsnag launchdarkly
  unleash optimizely stripe twilio sendgrid mailgun auth0 okta keycloak cognito firebase supabase cockroachdb
  cockroach vitess tidb clickhouse druid pinot presto trino hive kinesis pubsub nats pulsar activemq zabbix nagios
  icinga pingdom uptimerobot checkly runscope postman jest mocha pytest selenium cypress playwright sonarqube snyk
  trivy falco opa gatekeeper cert-manager certbot letsencrypt acme external-dns velero restic borg rsync rclone
  minio ceph gluster nfs samba ldap kerberos adfs adsync entra intune jamf workday salesforce zendesk hubspot
  shopify magento wordpress drupal varnish squid caddy lighthouse webhook webhooks lambda fargate ecs batch glue
  athena redshift bigquery dataflow dataproc spanner firestore dynamo dynamodb aurora elasticache memorystore
  cloudsql cloudrun appengine heroku render fly railway github gitlab azure gcloud kubectl terraform]])

local escape = logtext.escape

-- Every rule needs one of these words (a word of the sentence, split at non-letters): a
-- sentence without any is skipped after one pass over its words.
local TRIGGERS = set_of([[error careless carelessly carelessness negligence negligent negligently incompetent
  incompetence incompetently sloppy sloppiness fault mistake part blame blamed blaming forgot forgotten forgetting
  neglected neglecting ignored ignoring did didn following failed failing mistakenly made should overlooked misread
  paying without skipped instead wrong caused broke broken accidentally inadvertently unintentionally misconfigured
  missed responsible introduced bad untested faulty accident pebkac pebcak layer fat never careful attention
  vigilant thorough followed]])
-- (passive forms: "ignored by", "overlooked by", "missed by", "not followed by" share these words)

-- "operator error counter", "user error rate": a name of a thing, not a judgement.
local ERROR_NOUNS = set_of([[counter counters count counts rate rates metric metrics code codes message messages
  handling handler handlers budget budgets ratio log logs page pages screen screens dialog path paths case cases
  class classes type types bucket buckets panel panels alert alerts field fields gauge gauges total totals histogram
  series graph graphs dashboard dashboards]])

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- Does `prefix` (lower case, trimmed) end with a role? Returns "definite" | "maybe" | nil.
local function role_at_end(prefix)
  for _, role in ipairs(ROLES) do
    local s = prefix:find("%f[%w]" .. role .. "$")
    if s then
      local before = trim(prefix:sub(1, s - 1))
      local modified = false
      for _ = 1, 3 do
        local w = before:match("([%a%-]+)$")
        if not w or not MODIFIERS[w] then break end
        modified = modified or w ~= "same" and w ~= "other" and w ~= "new"
        before = trim(before:sub(1, #before - #w))
      end
      local ok = before == ""
      local indefinite = false
      for _, a in ipairs(ARTICLES) do
        if before:find("%f[%w]" .. a .. "$") then
          ok = true
          indefinite = indefinite or a == "a" or a == "an" or a == "our" or a:find("^one of") ~= nil
        end
      end
      if ok then
        local last = role:match("(%a+)$")
        -- "the operator" may be a Kubernetes operator; "an operator", "the human operator" are people
        if MAYBE_SYSTEM[last] and not modified and not indefinite then return "maybe" end
        return "definite"
      end
    end
  end
end

-- The person at the end of `prefix` (lower case) / `orig` (the same bytes as written):
-- "definite", "maybe" (counts with a strong phrase only) or nil.
local function agent_at_end(prefix, orig, known)
  prefix = prefix:gsub("%s+$", "")
  if prefix == "" then return nil end
  if #prefix > 120 then -- an agent is a few words: look at the end only
    local cut = #prefix - 120
    prefix, orig = prefix:sub(cut + 1), orig:sub(cut + 1, #prefix)
  end
  if prefix:find("@[%w_%.%-]*%w$") then return "definite" end
  for _, p in ipairs { "he", "she", "someone", "somebody" } do
    local s = prefix:find("%f[%w]" .. p .. "$")
    if s then
      -- "if someone forgets": a conditional about a generic person is no account of the incident.
      local lead = prefix:sub(1, s - 1)
      if (p == "someone" or p == "somebody") and (lead:find("%f[%w]if%s+$") or lead:find("%f[%w]unless%s+$")
        or lead:find("%f[%w]when%s+$") or lead:find("%f[%w]whenever%s+$")) then
        return nil
      end
      return "definite"
    end
  end
  local role = role_at_end(prefix)
  if role then return role end
  -- Another team, named ("the core banking team"), with a phrase only people do: pointing at a
  -- team is pointing at people. "We", "our team" and a bare "the team" are the authors.
  local team = prefix:find("%f[%w]teams?$")
  if team then
    local before = trim(prefix:sub(1, team - 1))
    local last = before:match("([%w%-]+)$")
    if last and last ~= "our" and last ~= "my" and last ~= "the" and last ~= "a" and last ~= "this" and last ~= "that"
      and last ~= "whole" and last ~= "entire" and last ~= "same" then
      return "maybe"
    end
  end
  for _, name in ipairs(known) do -- as a name is written: "Will", not "will"
    local at = prefix:find("%f[%w]" .. name .. "$")
    if at and orig:sub(at, at):find("%u") then return "definite" end
  end
  -- A capitalised first name, or first and last, not a system word and not after an article.
  local o = orig:sub(1, #prefix)
  local first, last = o:match("(%u[%l'%-]+)%s+(%u[%l'%-]+)$")
  local name_start
  if first and not NOT_NAMES[first:lower()] and not NOT_NAMES[last:lower()] then
    name_start = #o - #first - #last - 1
  else
    first = o:match("(%u[%l'%-]*%l)$")
    if first and not NOT_NAMES[first:lower()] then name_start = #o - #first + 1 end
  end
  if name_start then
    local article = prefix:sub(1, name_start - 1):match("(%a+)%s*$")
    if article ~= "the" and article ~= "a" and article ~= "an" and article ~= "our" and article ~= "their" then
      return "maybe"
    end
  end
end

-- The agent before position `s` of the sentence, skipping adverbs and an apposition.
local function agent_before(lower, orig, s, known)
  local base = math.max(1, s - 200)
  local prefix = lower:sub(base, s - 1)
  orig = orig:sub(base)
  -- "The admin who created the inbox never added ...": "who" makes the noun before it a person.
  local who = prefix:match(".*()%f[%w]who%f[%W]")
  if who and #prefix - who < 60 and not prefix:sub(who):find("[,.;:]") then
    local agent = agent_at_end(prefix:sub(1, who - 1), orig, known)
    if agent then return "definite" end
  end
  for _ = 1, 4 do
    local trimmed = prefix:gsub("%s+$", "")
    local w = trimmed:match("(%a+)$")
    local named = w and BETWEEN[w] and agent_at_end(trimmed, orig, known) -- "Will caused": a name, not a modal
    if named then return named end
    if w and BETWEEN[w] then
      prefix = trimmed:sub(1, #trimmed - #w)
    elseif trimmed:sub(-1) == "," then
      -- "Ana, the on-call engineer, forgot": the apposition names the agent, or the name before it does.
      local inner = trimmed:sub(1, -2)
      local agent = agent_at_end(inner, orig, known)
      if agent then return agent end
      local comma = inner:match(".*(),")
      if not comma or #inner - comma > 60 then return nil end
      prefix = inner:sub(1, comma - 1)
    elseif trimmed:find("%f[%w]on duty$") or trimmed:find("%f[%w]on call$") or trimmed:find("%f[%w]in charge$")
      or trimmed:find("%f[%w]at the time$") then
      -- "the SRE on duty failed to": the role before its complement (the complement alone is no agent)
      local cut = trimmed:gsub("%s*%f[%w]on duty$", ""):gsub("%s*%f[%w]on call$", ""):gsub("%s*%f[%w]in charge$", "")
        :gsub("%s*%f[%w]at the time$", "")
      local agent = agent_at_end(cut, orig, known)
      if agent then return agent end
      break
    elseif trimmed:sub(-1) == ")" then
      -- "John (on call) forgot", "the engineer (John) forgot": inside, then before the brackets.
      local open = trimmed:match(".*()%(")
      if not open or #trimmed - open > 60 then return nil end
      local agent = agent_at_end(trimmed:sub(open + 1, -2), orig:sub(open + 1), known)
      if agent == "definite" then return agent end
      prefix = trimmed:sub(1, open - 1)
    else
      break
    end
  end
  return agent_at_end(prefix, orig, known)
end

-- Is the text just before position `s` a negation or a hypothesis ("not", "assumed")?
local function negated(lower, s)
  local n = 0
  for w in lower:sub(math.max(1, s - 40), s - 1):reverse():gmatch("[%a']+") do
    n = n + 1
    if n > 3 then break end
    if NEGATOR[w:reverse()] then return true end
  end
  return false
end

-- Blank out text in quotes (kept the same length, so positions still match the sentence).
local function unquote(s)
  if not s:find("[\"`'\226]") then return s end
  -- 'single quotes' open after a space and close before a non-letter: "Mark's" is no quote.
  s = (" " .. s):gsub("(%s)('[^']*')%f[%W]", function(space, q) return space .. (q:gsub(".", " ")) end):sub(2)
  s = s:gsub('"[^"]*"', function(q) return (q:gsub("[^\n]", " ")) end)
  s = s:gsub("\226\128\156.-\226\128\157", function(q) return (q:gsub("[^\n]", " ")) end) -- “ ”
  s = s:gsub("\226\128\152.-\226\128\153", function(q) return (q:gsub("[^\n]", " ")) end) -- ‘ ’
  s = s:gsub("`[^`]*`", function(q) return (q:gsub("[^\n]", " ")) end)
  return s
end

local function has_person(lower, orig, known)
  if lower:find("@[%w_%-]") then return true end
  for _, p in ipairs { "he", "she", "someone", "somebody" } do
    if lower:find("%f[%w]" .. p .. "%f[%W]") then return true end
  end
  for _, role in ipairs(ROLES) do
    local init = 1
    while true do
      local _, e = lower:find("%f[%w]" .. role .. "%f[%W]", init)
      if not e then break end
      if role_at_end(lower:sub(math.max(1, e - 120), e)) == "definite" then return true end
      init = e + 1
    end
  end
  for _, name in ipairs(known) do
    local init = 1
    while true do
      local at, e = lower:find("%f[%w]" .. name .. "%f[%W]", init)
      if not at then break end
      if orig:sub(at, at):find("%u") then return true end
      init = e + 1
    end
  end
  for name in orig:gmatch("%f[%w](%u%l+)'s%f[%W]") do
    if not NOT_NAMES[name:lower()] then return true end
  end
  return false
end

local function compile(list, default)
  local out = {}
  for _, p in ipairs(list or {}) do out[#out + 1] = { p:lower(), default } end
  return out
end

local first_rule

-- The rule a sentence breaks, or nil: rule, suggestion. `known`: lower-case patterns of
-- known people's names (see M.people); `opts`: words, phrases, allow.
function M.judge(sentence, known, opts)
  opts = opts or {}
  known = known or {}
  -- A sentence is judged on its first 2,000 characters: longer ones are tables or logs, and
  -- every rule then stays linear in the text.
  if #sentence > 2000 then sentence = sentence:sub(1, 2000) end
  if #(opts.words or {}) == 0 and #(opts.phrases or {}) == 0 then -- an organisation's own rules need no trigger
    local any = false
    for w in sentence:lower():gmatch("%a+") do
      if TRIGGERS[w] then any = true; break end
    end
    if not any then return nil end
  end
  local orig = unquote(sentence):gsub("\226\128[\152\153]", "'"):gsub("\202\188", "'") -- curly apostrophes
  local lower = orig:lower()
  local rule, suggestion = first_rule(lower, orig, known, opts)
  if not rule then return nil end
  for _, a in ipairs(opts.allow or {}) do
    if sentence:lower():find(a:lower()) then return nil end
  end
  for _, d in ipairs(DENIALS) do
    if lower:find(d) then return nil end
  end
  return rule, suggestion
end

-- The first rule that `lower` (the sentence in lower case, quotes blanked) breaks.
first_rule = function(lower, orig, known, opts)
  -- 1. A person as the agent of a fault phrase.
  for _, p in ipairs(PHRASES) do
    local init = p.need and not lower:find(p.need, 1, true) and #lower + 1 or 1
    while true do
      local s, e = lower:find(p[1], init)
      if not s then break end
      if not p.after or p.after(lower:sub(e + 1, e + 120)) then
        -- The agent stands before the phrase, or before its verb ("Ana pushed it without review").
        local starts = { s }
        if p.verbs then
          starts = {}
          local from = math.max(1, s - 100)
          for at, w in lower:sub(from, s - 1):gmatch("()(%a+)") do
            local v = from + at - 1
            if p.verbs[w] and (v == 1 or not lower:sub(v - 1, v - 1):find("%w")) and not lower:sub(v, s - 1):find(p.gap) then
              starts[#starts + 1] = v
            end
          end
        end
        for _, v in ipairs(starts) do
          local agent = agent_before(lower, orig, v, known)
          if agent == "definite" or (agent == "maybe" and p[2] == "strong") then return p[3], p[4] end
        end
      end
      init = e + 1
    end
  end
  for _, p in ipairs(compile(opts.phrases, "describe the system, not the person")) do
    local init = 1
    while true do
      local s, e = lower:find(p[1], init)
      if not s then break end
      if agent_before(lower, orig, s, known) == "definite" then return p[1], p[2] end
      init = math.max(e, s) + 1
    end
  end
  for _, p in ipairs(BY_PHRASES) do
    local _, e = lower:find(p[1])
    if e then
      -- The agent is the noun phrase after "by": its first one to five words, not a
      -- possessive ("caused by @dave's change" names a change).
      local rest, orest = lower:sub(e + 1), orig:sub(e + 1)
      local n = 0
      for stop in rest:gmatch("[%w@_%-%.]+()") do
        n = n + 1
        if n > 5 then break end
        local head = rest:sub(1, stop - 1):gsub("%.+$", "") -- "by the deployer." ends a sentence
        if rest:sub(stop, stop) ~= "'" and agent_at_end(head, orest, known) == "definite" then
          return p[2], p[3]
        end
      end
    end
  end
  -- 2. Words that blame on their own.
  for _, w in ipairs(M.WORDS) do
    local init = w.need and not lower:find(w.need, 1, true) and #lower + 1 or 1
    while true do
      local s, e = lower:find(w[1], init)
      if not s then break end
      local ok = not negated(lower, s)
      if ok and w[1]:find(" error$") then ok = not ERROR_NOUNS[lower:match("^%s+([%a%-]+)", e + 1) or ""] end
      if ok and (w[1] == "'s fault%f[%W]" or w[1] == "'s mistake%f[%W]") then
        local owner = lower:sub(1, s - 1):match("([%a']+)$")
        ok = owner ~= nil and not NOT_POSSESSOR[owner]
      end
      if ok then return w[1]:gsub("%%f%[%%W%]", ""):gsub("%%f%[%%w%]", ""), w[2] end
      init = e + 1
    end
  end
  for _, w in ipairs(compile(opts.words, "describe the system, not the person")) do
    if lower:find(w[1]) then return w[1], w[2] end
  end
  -- 3. blame, when a person is named.
  local b = lower:find(BLAME_WORD)
  if b and not negated(lower, b) and has_person(lower, orig, known) then return "blame", BLAME_SUGGESTION end
  return nil
end

-- Abbreviations after which a full stop ends no sentence.
local ABBREVIATIONS = set_of("e.g i.e mr mrs ms dr prof approx vs cf incl jr sr st no fig est etc al resp")

-- A line that is an entry of a list: a bullet, a number, a time, a date or a bracket.
local function list_like(line)
  return line:find("^%s*[%-%*%+]%s") or line:find("^%s*\226\128\162") or line:find("^%s*%d+[%.%)]%s")
    or line:find("^%s*%d%d?:%d%d") or line:find("^%s*%d%d%d%d%-%d%d") or line:find("^%s*%[")
end

-- Sentences of a text: { text, line = line breaks before it }. A text splits after . ! ?
-- followed by space and not by a lower-case word ("approx. five", "e.g. the"); "v2.3.0"
-- stays whole; a line break splits before a list-like line (a bullet, number, time, date or
-- bracket), after a list-like line when the next starts in upper case, after : or ; and at a
-- blank line; otherwise it is a wrapped line and joins as a space.
function M.sentences(text)
  local out = {}
  local lines = {}
  if text:find("\n", 1, true) then
    for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  else
    lines[1] = text
  end
  -- Blocks: runs of lines joined by soft breaks, each with the line it starts on.
  local blocks, cur = {}, nil
  for i, line in ipairs(lines) do
    local prev = lines[i - 1]
    local hard = prev == nil or line:find("^%s*$") or prev:find("^%s*$") or list_like(line)
      or (list_like(prev) and line:find("^%s*%u")) or prev:find("[:;]%s*$")
    if hard then
      if cur then blocks[#blocks + 1] = cur end
      cur = { line = i - 1, parts = { line } }
    else
      cur.parts[#cur.parts + 1] = line
    end
  end
  if cur then blocks[#blocks + 1] = cur end
  for _, block in ipairs(blocks) do
    local s = table.concat(block.parts, "\n")
    local start, counted, breaks = 1, 1, 0
    local function emit(stop)
      local piece = s:sub(start, stop)
      local lead = piece:match("^%s*()")
      local body = piece:sub(lead):gsub("%s+$", "")
      if body:find("%w") then
        -- line breaks before the sentence's first character, counted once across the block
        local first = start + lead - 1
        local _, n = s:sub(counted, first - 1):gsub("\n", "")
        breaks, counted = breaks + n, first
        out[#out + 1] = { text = (body:gsub("%s*\n%s*", " ")), line = block.line + breaks }
      end
    end
    local i = 1
    while true do
      local p, q = s:find("[%.!?]+[\"')%]\226\128\157]*%s+", i)
      if not p then break end
      local nextc = s:sub(q + 1, q + 1)
      local word = s:sub(math.max(1, p - 12), p - 1):match("([%a%.]+)$")
      word = word and word:lower()
      local split = not nextc:find("%l")
      if s:sub(p, p) == "." and word and ABBREVIATIONS[word] and (word ~= "etc" or not nextc:find("%u")) then
        split = false
      end
      if split then
        emit(q)
        start = q + 1
      end
      i = q + 1
    end
    emit(#s)
  end
  return out
end

-- Lower-case, escaped patterns of the people a report names: incident.people (handles
-- and names), action item owners, timeline actors; teams ("Platform team") are left out.
function M.people(data)
  local list, seen = {}, {}
  local function add(name)
    if type(name) ~= "string" then return end
    name = trim(name:gsub("^@", ""):gsub("@.*$", ""))
    local lower = name:lower()
    if #name < 3 or seen[lower] or lower:find("team") or lower:find("%d") or NOT_NAMES[lower] then return end
    if name:find("^%u+$") then return end -- SRE, DBA: roles or teams
    seen[lower] = true
    list[#list + 1] = escape(lower)
    local first = lower:match("^(%a+)%s+%a+$")
    if first and #first >= 3 and not NOT_NAMES[first] and not seen[first] then
      seen[first] = true
      list[#list + 1] = first
    end
  end
  for handle, names in pairs((data.incident or {}).people or {}) do
    add(handle)
    for _, name in ipairs(type(names) == "table" and names or {}) do add(name) end
  end
  for _, item in ipairs(data.action_items or {}) do add(item.owner) end
  for _, e in ipairs(data.timeline or {}) do
    if type(e.actor) == "string" and (e.actor:find("^@") or e.actor:find("^%u%l+%s?%u?%l*$")) then add(e.actor) end
  end
  local imported = data.imported or {}
  for _, item in ipairs(imported.items or {}) do add(item.owner) end
  table.sort(list, function(a, b) return #a > #b or (#a == #b and a < b) end)
  return list
end

-- The prose fields of a report, with where each is.
function M.texts(data)
  local inc, f = data.incident or {}, data.factors or {}
  local texts = { { "summary", inc.summary }, { "root cause", inc.root_cause }, { "impact", inc.impact_text } }
  local function add(where, list, field)
    for _, v in ipairs(type(list) == "table" and list or {}) do
      texts[#texts + 1] = { where, field and type(v) == "table" and v[field] or v }
    end
  end
  add("immediate cause", f.immediate, "text")
  add("contributing factor", f.contributing, "text")
  add("systemic issue", f.systemic, "text")
  add("what went well", data.what_went_well, "text")
  add("lesson", data.lessons_learned, "text")
  add("action item", data.action_items, "action")
  for _, c in ipairs(type(f.contributing) == "table" and f.contributing or {}) do
    if type(c) == "table" then add("why chain", c.why_chain) end
  end
  return texts
end

-- A document section's kind, named as the report field it fills ("lessons" -> "lesson"); a
-- section of another kind keeps its title.
local WHERE = { summary = "summary", root_cause = "root cause", impact = "impact", immediate = "immediate cause",
  factors = "contributing factor", systemic = "systemic issue", went_well = "what went well", lessons = "lesson",
  actions = "action item", timeline = "timeline", happened = "what happened" }

-- Every blaming sentence: { where, sentence, line, rule, suggestion }, document prose first
-- (in document order), then the report's fields; a sentence found in the document is not
-- quoted again from a report field.
function M.find(data, opts)
  opts = opts or {}
  local known = M.people(data)
  local found, seen = {}, {}
  local function look(where, text, line)
    for _, s in ipairs(M.sentences(text)) do
      local at = line and line + s.line
      local key = s.text
      if not seen[key] or (at and seen[key] ~= true and seen[key] ~= at) then
        local rule, suggestion = M.judge(s.text, known, opts)
        if rule then
          seen[key] = at or true
          found[#found + 1] = { where = where, sentence = s.text, line = at, rule = rule, suggestion = suggestion }
        end
      end
    end
  end
  local imported = type(data.imported) == "table" and data.imported or {}
  for _, p in ipairs(type(imported.prose) == "table" and imported.prose or {}) do
    if type(p) == "table" and type(p.text) == "string" then
      local where = type(p.section) == "string" and (WHERE[p.section] or p.section) or "document"
      look(where, p.text, math.tointeger(p.line) or nil)
    end
  end
  for _, entry in ipairs(M.texts(data)) do
    if type(entry[2]) == "string" then look(entry[1], entry[2], nil) end
  end
  return found
end

return M
